import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A review task a reviewer closed stays closed while the AAN lists keep showing its difference:
 * `superseded_at` is when a list first said something else for the provider (no difference, or
 * another one). A task a list closed is superseded at that moment; of the tasks reviewers closed
 * before, only each provider's latest can still be in force (what the lists said since is unknown).
 */
export class ReviewTaskSuperseded1764436000000 implements MigrationInterface {
  name = 'ReviewTaskSuperseded1764436000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE review_tasks
        ADD COLUMN superseded_at timestamptz,
        ADD CONSTRAINT review_tasks_superseded_when_closed CHECK (superseded_at IS NULL OR resolved_at IS NOT NULL)`);
    await q.query(`
      UPDATE review_tasks t SET superseded_at = t.resolved_at
       WHERE t.resolved_at IS NOT NULL
         AND (NOT EXISTS (SELECT 1 FROM audit_events a
                           WHERE a.action = 'review_task.resolved' AND a.data->>'taskId' = t.id::text)
              OR EXISTS (SELECT 1 FROM review_tasks later
                          WHERE later.provider_id = t.provider_id AND later.created_at > t.created_at))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE review_tasks DROP CONSTRAINT review_tasks_superseded_when_closed, DROP COLUMN superseded_at`,
    );
  }
}
