import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 17 (fix round): an eHerkenning login of an account that a hand-over disabled raises a review
 * task `eherkenning_after_hand_over`: the person eHerkenning vouches for says the organisation is
 * theirs, against a claim a reviewer approved.
 */
export class EherkenningAfterHandOver1764714000000 implements MigrationInterface {
  name = 'EherkenningAfterHandOver1764714000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE review_tasks DROP CONSTRAINT review_tasks_kind_known`);
    await q.query(`
      ALTER TABLE review_tasks ADD CONSTRAINT review_tasks_kind_known CHECK (kind IN (
        'aan_missing_from_list', 'aan_list_differs',
        'organisation_taken_over', 'organisation_claim', 'name_resembles_verified',
        'eherkenning_after_hand_over'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM review_tasks WHERE kind = 'eherkenning_after_hand_over'`);
    await q.query(`ALTER TABLE review_tasks DROP CONSTRAINT review_tasks_kind_known`);
    await q.query(`
      ALTER TABLE review_tasks ADD CONSTRAINT review_tasks_kind_known CHECK (kind IN (
        'aan_missing_from_list', 'aan_list_differs',
        'organisation_taken_over', 'organisation_claim', 'name_resembles_verified'))`);
  }
}
