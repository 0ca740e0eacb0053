import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 17's common ground. A user's e-mail address is confirmed (a single-use link, or an
 * invitation that reached it) before a password account may act: accounts from before count as
 * confirmed when they were made (staff and CLI accounts, invitations, and registrations that the
 * register accepted then). A provider records how its identity was confirmed. Review tasks gain
 * the kinds that identity raises: an organisation taken over by an eHerkenning login, a claim of
 * a registered KvK number by its real owner, and a name that resembles a verified provider's.
 */
export class IdentityFoundation1764709000000 implements MigrationInterface {
  name = 'IdentityFoundation1764709000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN email_verified_at timestamptz`);
    await q.query(`UPDATE users SET email_verified_at = created_at`);
    await q.query(`
      ALTER TABLE providers
        ADD COLUMN identity_confirmed_how text
          CONSTRAINT providers_identity_confirmed_how_known
          CHECK (identity_confirmed_how IN ('reviewer', 'kvk_extract', 'eherkenning', 'seed')),
        ADD CONSTRAINT providers_identity_confirmed_how_with_time
          CHECK (identity_confirmed_how IS NULL OR identity_confirmed_at IS NOT NULL)`);
    await q.query(`
      UPDATE providers SET identity_confirmed_how =
        CASE WHEN identity_confirmed_by LIKE 'seed:%' THEN 'seed' ELSE 'reviewer' END
       WHERE identity_confirmed_at IS NOT NULL`);
    await q.query(`ALTER TABLE review_tasks DROP CONSTRAINT review_tasks_kind_known`);
    await q.query(`
      ALTER TABLE review_tasks ADD CONSTRAINT review_tasks_kind_known CHECK (kind IN (
        'aan_missing_from_list', 'aan_list_differs',
        'organisation_taken_over', 'organisation_claim', 'name_resembles_verified'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `DELETE FROM review_tasks WHERE kind IN ('organisation_taken_over', 'organisation_claim', 'name_resembles_verified')`,
    );
    await q.query(`ALTER TABLE review_tasks DROP CONSTRAINT review_tasks_kind_known`);
    await q.query(
      `ALTER TABLE review_tasks ADD CONSTRAINT review_tasks_kind_known CHECK (kind IN ('aan_missing_from_list', 'aan_list_differs'))`,
    );
    await q.query(`
      ALTER TABLE providers
        DROP CONSTRAINT providers_identity_confirmed_how_with_time,
        DROP COLUMN identity_confirmed_how`);
    await q.query(`ALTER TABLE users DROP COLUMN email_verified_at`);
  }
}
