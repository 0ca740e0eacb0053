import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../src/config';

describe('configuration', () => {
  it('has working defaults for a local start', () => {
    const config = loadConfig({});
    assert.equal(config.port, 3000);
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.publicBaseUrl, 'http://localhost:3000');
    assert.equal(config.seedDemoData, true);
  });

  it('fails fast in production without DATABASE_URL, MIGRATION_DATABASE_URL, PUBLIC_BASE_URL, SESSION_SECRET or the signing key', () => {
    const production = {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://register_app@db/r',
      MIGRATION_DATABASE_URL: 'postgres://register_owner@db/r',
      PUBLIC_BASE_URL: 'https://r.example/',
      SESSION_SECRET: 'x'.repeat(32),
      SIGNING_P12_FILE: '/etc/register/signing.p12',
      SIGNING_P12_PASSPHRASE: 'secret',
    };
    for (const missing of [
      'DATABASE_URL',
      'MIGRATION_DATABASE_URL',
      'PUBLIC_BASE_URL',
      'SESSION_SECRET',
      'SIGNING_P12_FILE',
      'SIGNING_P12_PASSPHRASE',
    ]) {
      assert.throws(
        () => loadConfig({ ...production, [missing]: undefined }),
        (e: Error) => e.message.includes(missing),
      );
    }
    assert.throws(() => loadConfig({ ...production, SESSION_SECRET: 'short' }), ConfigError);
    const config = loadConfig(production);
    assert.equal(config.seedDemoData, false);
    assert.equal(config.publicBaseUrl, 'https://r.example');
    assert.equal(config.staffSecondFactorRequired, true);
    assert.equal(config.migrationDatabaseUrl, 'postgres://register_owner@db/r');
  });

  it('lets the migrations use DATABASE_URL outside production only', () => {
    assert.equal(
      loadConfig({ DATABASE_URL: 'postgres://dev@localhost/r' }).migrationDatabaseUrl,
      'postgres://dev@localhost/r',
    );
    assert.throws(
      () => loadConfig({ MIGRATION_DATABASE_URL: 'postgres://owner@localhost/r' }),
      /MIGRATION_DATABASE_URL needs DATABASE_URL/,
    );
  });

  it('refuses to relax the second factor for staff in production', () => {
    const production = {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://db/r',
      MIGRATION_DATABASE_URL: 'postgres://owner@db/r',
      PUBLIC_BASE_URL: 'https://r.example',
      SESSION_SECRET: 'x'.repeat(32),
      SIGNING_P12_FILE: '/etc/register/signing.p12',
      SIGNING_P12_PASSPHRASE: 'secret',
    };
    assert.throws(() => loadConfig({ ...production, STAFF_2FA_REQUIRED: 'false' }), /STAFF_2FA_REQUIRED/);
    assert.equal(loadConfig({ STAFF_2FA_REQUIRED: 'false' }).staffSecondFactorRequired, false);
  });

  for (const [name, value] of [
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['NODE_ENV', 'staging'],
    ['SEED_DEMO_DATA', 'maybe'],
    ['PUBLIC_BASE_URL', 'not a url'],
    ['DATABASE_POOL_SIZE', '0'],
  ]) {
    it(`refuses ${name}=${value} with a message naming it`, () => {
      assert.throws(
        () => loadConfig({ [name]: value }),
        (e: Error) => e instanceof ConfigError && e.message.includes(name),
      );
    });
  }
});
