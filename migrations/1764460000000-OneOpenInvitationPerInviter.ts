import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One open invitation per address and per inviting party (an organisation, or the register's
 * staff), no longer per address alone: an organisation's invitation must not depend on, nor reveal,
 * whether someone else invited the address too. Whoever accepts first gets the account; every
 * other link of that address stops working, because an address with an account cannot be invited.
 */
export class OneOpenInvitationPerInviter1764460000000 implements MigrationInterface {
  name = 'OneOpenInvitationPerInviter1764460000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX account_tokens_one_open_invitation`);
    await q.query(
      `CREATE UNIQUE INDEX account_tokens_one_open_invitation
         ON account_tokens (email, COALESCE(provider_id, '00000000-0000-0000-0000-000000000000'::uuid))
         WHERE purpose = 'invitation' AND used_at IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    // Back to one per address: the newest open invitation of each address stays, older ones are revoked.
    await q.query(`
      UPDATE account_tokens t SET used_at = now(), revoked_at = now()
       WHERE t.purpose = 'invitation' AND t.used_at IS NULL
         AND EXISTS (SELECT 1 FROM account_tokens n
                      WHERE n.purpose = 'invitation' AND n.used_at IS NULL AND n.email = t.email
                        AND (n.created_at, n.id) > (t.created_at, t.id))`);
    await q.query(`DROP INDEX account_tokens_one_open_invitation`);
    await q.query(
      `CREATE UNIQUE INDEX account_tokens_one_open_invitation ON account_tokens (email) WHERE purpose = 'invitation' AND used_at IS NULL`,
    );
  }
}
