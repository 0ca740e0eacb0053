import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One address has at most one open invitation: a second would be a second live link to the same
 * account. Where there are several today, the newest stays open and the older ones are revoked
 * (a revoked invitation is also marked used, so its link dies). An expired invitation nobody used
 * is still "open" for the index; a new invitation for that address revokes it first.
 *
 * Staff see each account's last login; an account whose logins were recorded only in the audit
 * log gets its last one from there.
 */
export class StaffInvitationsAndLastLogin1764320000000 implements MigrationInterface {
  name = 'StaffInvitationsAndLastLogin1764320000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      UPDATE account_tokens t SET used_at = now(), revoked_at = now()
       WHERE t.purpose = 'invitation' AND t.used_at IS NULL
         AND EXISTS (SELECT 1 FROM account_tokens n
                      WHERE n.purpose = 'invitation' AND n.used_at IS NULL AND n.email = t.email
                        AND (n.created_at, n.id) > (t.created_at, t.id))`);
    await q.query(
      `CREATE UNIQUE INDEX account_tokens_one_open_invitation ON account_tokens (email) WHERE purpose = 'invitation' AND used_at IS NULL`,
    );
    await q.query(`
      UPDATE users u SET last_login_at = l.at
        FROM (SELECT subject_id, max(occurred_at) AS at FROM audit_events
               WHERE action = 'user.logged_in' AND subject_type = 'user' GROUP BY subject_id) l
       WHERE u.last_login_at IS NULL AND l.subject_id = u.id::text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX account_tokens_one_open_invitation`);
  }
}
