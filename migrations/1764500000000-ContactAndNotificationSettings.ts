import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Three more settings: the organisation that keeps the register (named on attestations and in
 * mails), the address providers write to with a question or an objection, and whether reviewers
 * hear of each submission at once or in one daily mail.
 */
export class ContactAndNotificationSettings1764500000000 implements MigrationInterface {
  name = 'ContactAndNotificationSettings1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE settings DROP CONSTRAINT settings_key_known`);
    await q.query(
      `ALTER TABLE settings ADD CONSTRAINT settings_key_known
         CHECK (key IN ('listingValidityMonths', 'reminderDays', 'evidenceMaxFiles', 'evidenceMaxTotalMb',
                        'organisationName', 'contactEmail', 'reviewerNotification'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `DELETE FROM settings WHERE key IN ('organisationName', 'contactEmail', 'reviewerNotification')`,
    );
    await q.query(`ALTER TABLE settings DROP CONSTRAINT settings_key_known`);
    await q.query(
      `ALTER TABLE settings ADD CONSTRAINT settings_key_known
         CHECK (key IN ('listingValidityMonths', 'reminderDays', 'evidenceMaxFiles', 'evidenceMaxTotalMb'))`,
    );
  }
}
