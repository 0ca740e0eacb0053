import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An AAN import also raises a task when the list and the register disagree in a way only a person
 * can settle (the list has participation start after the listing's AAN-since, end before it, or
 * lack an end the register recorded); the task keeps what the list said, for the reviewer.
 */
export class AanListDifferences1764330000000 implements MigrationInterface {
  name = 'AanListDifferences1764330000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE review_tasks DROP CONSTRAINT review_tasks_kind_known`);
    await q.query(`
      ALTER TABLE review_tasks
        ADD CONSTRAINT review_tasks_kind_known CHECK (kind IN ('aan_missing_from_list', 'aan_list_differs')),
        ADD COLUMN detail jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM review_tasks WHERE kind = 'aan_list_differs'`);
    await q.query(`ALTER TABLE review_tasks DROP COLUMN detail, DROP CONSTRAINT review_tasks_kind_known`);
    await q.query(
      `ALTER TABLE review_tasks ADD CONSTRAINT review_tasks_kind_known CHECK (kind IN ('aan_missing_from_list'))`,
    );
  }
}
