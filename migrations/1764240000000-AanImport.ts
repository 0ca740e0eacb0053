import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Imports of the AAN participant list, and the review tasks they raise: a provider that declares
 * participation but is missing from the list is for a reviewer to look into (one open task each).
 */
export class AanImport1764240000000 implements MigrationInterface {
  name = 'AanImport1764240000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE aan_imports (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        file_sha256 char(64) NOT NULL,
        imported_at timestamptz NOT NULL,
        actor text NOT NULL,
        counts jsonb NOT NULL
      )`);
    await q.query(`
      CREATE TABLE review_tasks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        provider_id uuid NOT NULL REFERENCES providers (id) ON DELETE RESTRICT,
        kind text NOT NULL CONSTRAINT review_tasks_kind_known CHECK (kind IN ('aan_missing_from_list')),
        created_at timestamptz NOT NULL,
        aan_import_id uuid REFERENCES aan_imports (id) ON DELETE RESTRICT,
        resolved_at timestamptz
      )`);
    await q.query(
      `CREATE UNIQUE INDEX review_tasks_one_open ON review_tasks (provider_id, kind) WHERE resolved_at IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE review_tasks`);
    await q.query(`DROP TABLE aan_imports`);
  }
}
