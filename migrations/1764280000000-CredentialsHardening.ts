import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The last accepted TOTP time step per user (a code is accepted once), and how each recovery code
 * is hashed: rows from before keep their plain SHA-256 until used, new rows an HMAC.
 */
export class CredentialsHardening1764280000000 implements MigrationInterface {
  name = 'CredentialsHardening1764280000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN totp_last_step bigint`);
    await q.query(`
      ALTER TABLE recovery_codes ADD COLUMN hash_kind text NOT NULL DEFAULT 'sha256'
        CONSTRAINT recovery_codes_hash_kind CHECK (hash_kind IN ('sha256', 'hmac'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE recovery_codes DROP COLUMN hash_kind`);
    await q.query(`ALTER TABLE users DROP COLUMN totp_last_step`);
  }
}
