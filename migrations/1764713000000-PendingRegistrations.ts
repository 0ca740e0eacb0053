import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 17, fix round: a password registration makes nothing until its address is confirmed. Until
 * then it is a pending registration: an account token of its own purpose, of no account, holding the
 * form (and the password's hash) sealed in `payload`; it expires after 24 hours and the daily work
 * deletes it. The index serves the count of registrations one address was sent in the last hour.
 */
export class PendingRegistrations1764713000000 implements MigrationInterface {
  name = 'PendingRegistrations1764713000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE account_tokens DROP CONSTRAINT account_tokens_purpose_known`);
    await q.query(`
      ALTER TABLE account_tokens
        ADD COLUMN payload text,
        ADD CONSTRAINT account_tokens_purpose_known
          CHECK (purpose IN ('invitation', 'password_reset', 'email_confirmation', 'registration')),
        ADD CONSTRAINT account_tokens_registration_has_no_user
          CHECK (purpose <> 'registration' OR user_id IS NULL),
        ADD CONSTRAINT account_tokens_payload_only_of_registrations
          CHECK (payload IS NULL OR purpose = 'registration')`);
    await q.query(
      `CREATE INDEX account_tokens_registrations_idx ON account_tokens (email, created_at) WHERE purpose = 'registration'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX account_tokens_registrations_idx`);
    await q.query(`DELETE FROM account_tokens WHERE purpose = 'registration'`);
    await q.query(`
      ALTER TABLE account_tokens
        DROP CONSTRAINT account_tokens_payload_only_of_registrations,
        DROP CONSTRAINT account_tokens_registration_has_no_user,
        DROP CONSTRAINT account_tokens_purpose_known,
        DROP COLUMN payload,
        ADD CONSTRAINT account_tokens_purpose_known
          CHECK (purpose IN ('invitation', 'password_reset', 'email_confirmation'))`);
  }
}
