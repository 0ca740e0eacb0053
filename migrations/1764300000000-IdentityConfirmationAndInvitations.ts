import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Anyone can register an organisation under any name, so a registration is not public until a
 * reviewer has confirmed who it is: explicitly, or by a first decision on one of its applications.
 * Providers with such a decision in their history count as confirmed at the first one.
 *
 * Invitations get an id (the revoke form names it; the token hash never leaves the database) and
 * a revocation time; a revoked invitation is also marked used, so its link dies at once.
 */
export class IdentityConfirmationAndInvitations1764300000000 implements MigrationInterface {
  name = 'IdentityConfirmationAndInvitations1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE providers
        ADD COLUMN identity_confirmed_at timestamptz,
        ADD COLUMN identity_confirmed_by text,
        ADD CONSTRAINT providers_identity_confirmed_complete
          CHECK ((identity_confirmed_at IS NULL) = (identity_confirmed_by IS NULL))`);
    await q.query(`
      UPDATE providers p SET identity_confirmed_at = first.recorded_at, identity_confirmed_by = first.actor
        FROM (SELECT DISTINCT ON (provider_id) provider_id, recorded_at, actor
                FROM status_events WHERE kind IN ('listing_approved', 'application_rejected')
               ORDER BY provider_id, recorded_at, id) first
       WHERE first.provider_id = p.id`);

    await q.query(`ALTER TABLE account_tokens ADD COLUMN id uuid NOT NULL DEFAULT gen_random_uuid()`);
    await q.query(`ALTER TABLE account_tokens ADD CONSTRAINT account_tokens_id_key UNIQUE (id)`);
    await q.query(`ALTER TABLE account_tokens ADD COLUMN revoked_at timestamptz`);
    await q.query(
      `ALTER TABLE account_tokens ADD CONSTRAINT account_tokens_revoked_is_used CHECK (revoked_at IS NULL OR used_at IS NOT NULL)`,
    );
    // The invitation limits count per organisation and per inviter.
    await q.query(
      `CREATE INDEX account_tokens_invitations_idx ON account_tokens (provider_id, created_at) WHERE purpose = 'invitation'`,
    );
    await q.query(
      `CREATE INDEX account_tokens_created_by_idx ON account_tokens (created_by, created_at) WHERE purpose = 'invitation'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX account_tokens_created_by_idx`);
    await q.query(`DROP INDEX account_tokens_invitations_idx`);
    await q.query(`ALTER TABLE account_tokens DROP CONSTRAINT account_tokens_revoked_is_used`);
    await q.query(`ALTER TABLE account_tokens DROP COLUMN revoked_at`);
    await q.query(`ALTER TABLE account_tokens DROP CONSTRAINT account_tokens_id_key`);
    await q.query(`ALTER TABLE account_tokens DROP COLUMN id`);
    await q.query(`ALTER TABLE providers DROP CONSTRAINT providers_identity_confirmed_complete`);
    await q.query(
      `ALTER TABLE providers DROP COLUMN identity_confirmed_by, DROP COLUMN identity_confirmed_at`,
    );
  }
}
