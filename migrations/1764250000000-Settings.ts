import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Settings administrators change without a release (listing validity, reminder days), each
 * change an audit event. Reminder days become configurable, so their fixed CHECK is widened.
 */
export class Settings1764250000000 implements MigrationInterface {
  name = 'Settings1764250000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE settings (
        key text PRIMARY KEY CONSTRAINT settings_key_known CHECK (key IN ('listingValidityMonths', 'reminderDays')),
        value jsonb NOT NULL,
        updated_at timestamptz NOT NULL,
        updated_by text NOT NULL
      )`);
    await q.query(`ALTER TABLE listing_reminders DROP CONSTRAINT listing_reminders_days`);
    await q.query(
      `ALTER TABLE listing_reminders ADD CONSTRAINT listing_reminders_days CHECK (days_before BETWEEN 1 AND 365)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE listing_reminders DROP CONSTRAINT listing_reminders_days`);
    await q.query(
      `ALTER TABLE listing_reminders ADD CONSTRAINT listing_reminders_days CHECK (days_before IN (90, 30, 7))`,
    );
    await q.query(`DROP TABLE settings`);
  }
}
