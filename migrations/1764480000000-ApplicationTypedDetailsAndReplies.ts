import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a provider typed but could not be stored yet (an impossible date, an address without @) is
 * kept as typed, so that no action on the application page loses it; and a provider may reply to a
 * reviewer's message, a message kind of its own. A new application records the earlier one whose
 * details it started from.
 */
export class ApplicationTypedDetailsAndReplies1764480000000 implements MigrationInterface {
  name = 'ApplicationTypedDetailsAndReplies1764480000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE applications ADD COLUMN typed_details jsonb`);
    await q.query(
      `ALTER TABLE applications ADD COLUMN started_from uuid REFERENCES applications (id) ON DELETE RESTRICT`,
    );
    await q.query(`ALTER TABLE application_messages DROP CONSTRAINT application_messages_kind_known`);
    await q.query(`
      ALTER TABLE application_messages ADD CONSTRAINT application_messages_kind_known CHECK (kind IN (
        'submitted', 'review_started', 'changes_requested', 'approved', 'rejected', 'withdrawn', 'provider_reply'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM application_messages WHERE kind = 'provider_reply'`);
    await q.query(`ALTER TABLE application_messages DROP CONSTRAINT application_messages_kind_known`);
    await q.query(`
      ALTER TABLE application_messages ADD CONSTRAINT application_messages_kind_known CHECK (kind IN (
        'submitted', 'review_started', 'changes_requested', 'approved', 'rejected', 'withdrawn'))`);
    await q.query(`ALTER TABLE applications DROP COLUMN started_from`);
    await q.query(`ALTER TABLE applications DROP COLUMN typed_details`);
  }
}
