import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Two more settings: how many evidence files, and how many megabytes in all, one application may hold. */
export class EvidenceCaps1764270000000 implements MigrationInterface {
  name = 'EvidenceCaps1764270000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE settings DROP CONSTRAINT settings_key_known`);
    await q.query(
      `ALTER TABLE settings ADD CONSTRAINT settings_key_known
         CHECK (key IN ('listingValidityMonths', 'reminderDays', 'evidenceMaxFiles', 'evidenceMaxTotalMb'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM settings WHERE key IN ('evidenceMaxFiles', 'evidenceMaxTotalMb')`);
    await q.query(`ALTER TABLE settings DROP CONSTRAINT settings_key_known`);
    await q.query(
      `ALTER TABLE settings ADD CONSTRAINT settings_key_known CHECK (key IN ('listingValidityMonths', 'reminderDays'))`,
    );
  }
}
