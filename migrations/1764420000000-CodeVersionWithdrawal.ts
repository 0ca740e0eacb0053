import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A code-of-conduct version can be withdrawn by an administrator until its publication instant;
 * a withdrawn version counts for nothing (it never lapsed anything), so its label is free again.
 * The version also keeps whom its publication mailed and whom it could not reach (no active user):
 * the result page lists them, and a withdrawal mails the same providers.
 */
export class CodeVersionWithdrawal1764420000000 implements MigrationInterface {
  name = 'CodeVersionWithdrawal1764420000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE code_of_conduct_versions
        ADD COLUMN withdrawn_at timestamptz,
        ADD COLUMN withdrawn_by text,
        ADD COLUMN notified_provider_ids uuid[] NOT NULL DEFAULT '{}',
        ADD COLUMN unreachable_provider_ids uuid[] NOT NULL DEFAULT '{}',
        ADD CONSTRAINT code_of_conduct_versions_withdrawn_complete
          CHECK ((withdrawn_at IS NULL) = (withdrawn_by IS NULL)),
        ADD CONSTRAINT code_of_conduct_versions_withdrawn_before_publication
          CHECK (withdrawn_at IS NULL OR withdrawn_at < published_at)`);
    await q.query(`ALTER TABLE code_of_conduct_versions DROP CONSTRAINT code_of_conduct_versions_label_key`);
    await q.query(
      `CREATE UNIQUE INDEX code_of_conduct_versions_label_key ON code_of_conduct_versions (label) WHERE withdrawn_at IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM code_of_conduct_versions WHERE withdrawn_at IS NOT NULL`);
    await q.query(`DROP INDEX code_of_conduct_versions_label_key`);
    await q.query(
      `ALTER TABLE code_of_conduct_versions ADD CONSTRAINT code_of_conduct_versions_label_key UNIQUE (label)`,
    );
    await q.query(`
      ALTER TABLE code_of_conduct_versions
        DROP CONSTRAINT code_of_conduct_versions_withdrawn_before_publication,
        DROP CONSTRAINT code_of_conduct_versions_withdrawn_complete,
        DROP COLUMN unreachable_provider_ids,
        DROP COLUMN notified_provider_ids,
        DROP COLUMN withdrawn_by,
        DROP COLUMN withdrawn_at`);
  }
}
