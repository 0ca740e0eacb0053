import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 17 §2: a password account confirms its e-mail address through a single-use link before it
 * can do anything. The links are account tokens of their own purpose, always of one account; the
 * index serves the count of links an account was sent in the last hour (re-sending is limited).
 */
export class EmailConfirmation1764711000000 implements MigrationInterface {
  name = 'EmailConfirmation1764711000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE account_tokens DROP CONSTRAINT account_tokens_purpose_known`);
    await q.query(`
      ALTER TABLE account_tokens
        ADD CONSTRAINT account_tokens_purpose_known
          CHECK (purpose IN ('invitation', 'password_reset', 'email_confirmation')),
        ADD CONSTRAINT account_tokens_confirmation_has_user
          CHECK (purpose <> 'email_confirmation' OR user_id IS NOT NULL)`);
    await q.query(
      `CREATE INDEX account_tokens_confirmations_idx ON account_tokens (user_id, created_at) WHERE purpose = 'email_confirmation'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX account_tokens_confirmations_idx`);
    await q.query(`DELETE FROM account_tokens WHERE purpose = 'email_confirmation'`);
    await q.query(`
      ALTER TABLE account_tokens
        DROP CONSTRAINT account_tokens_confirmation_has_user,
        DROP CONSTRAINT account_tokens_purpose_known,
        ADD CONSTRAINT account_tokens_purpose_known CHECK (purpose IN ('invitation', 'password_reset'))`);
  }
}
