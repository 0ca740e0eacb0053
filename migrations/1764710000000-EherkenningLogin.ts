import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * eHerkenning through a broker's OpenID Connect: a person who logs in that way is known by the
 * broker's issuer and the `sub` it gives them (unique together), and has no password (eHerkenning
 * at EH3 is itself multi-factor). Both or neither; an account without a password has them.
 */
export class EherkenningLogin1764710000000 implements MigrationInterface {
  name = 'EherkenningLogin1764710000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE users
        ADD COLUMN oidc_issuer text,
        ADD COLUMN oidc_subject text,
        ADD CONSTRAINT users_oidc_together CHECK ((oidc_issuer IS NULL) = (oidc_subject IS NULL)),
        ADD CONSTRAINT users_oidc_identity_key UNIQUE (oidc_issuer, oidc_subject),
        ALTER COLUMN password_hash DROP NOT NULL,
        ADD CONSTRAINT users_some_way_in CHECK (password_hash IS NOT NULL OR oidc_subject IS NOT NULL)`);
  }

  async down(q: QueryRunner): Promise<void> {
    // An eHerkenning account gets a hash no password matches: it can then only reset its password.
    await q.query(`UPDATE users SET password_hash = '!eherkenning' WHERE password_hash IS NULL`);
    await q.query(`
      ALTER TABLE users
        DROP CONSTRAINT users_some_way_in,
        ALTER COLUMN password_hash SET NOT NULL,
        DROP CONSTRAINT users_oidc_identity_key,
        DROP CONSTRAINT users_oidc_together,
        DROP COLUMN oidc_subject,
        DROP COLUMN oidc_issuer`);
  }
}
