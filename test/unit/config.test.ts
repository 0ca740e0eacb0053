import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../src/config';
import { witnessVerifierKey } from '../../monitor/lib/cosignature';
import { verifierKey } from '../../monitor/lib/note';

describe('configuration', () => {
  it('has working defaults for a local start', () => {
    const config = loadConfig({});
    assert.equal(config.port, 3000);
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.publicBaseUrl, 'http://localhost:3000');
    assert.equal(config.seedDemoData, true);
    assert.equal(config.reviewerNotification, 'each');
    assert.equal(config.contactEmail, 'register@register.example');
  });

  it('reads the webhook settings, and refuses private webhook targets and a malformed OIN', () => {
    const defaults = loadConfig({});
    assert.deepEqual(
      [
        defaults.webhookPollSeconds,
        defaults.webhookTimeoutMs,
        defaults.webhookAllowPrivateTargets,
        defaults.registerOin,
      ],
      [5, 5000, false, undefined],
    );
    const set = loadConfig({
      WEBHOOK_POLL_SECONDS: '2',
      WEBHOOK_TIMEOUT_MS: '1500',
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      REGISTER_OIN: '00000001234567890000',
    });
    assert.deepEqual(
      [set.webhookPollSeconds, set.webhookTimeoutMs, set.webhookAllowPrivateTargets, set.registerOin],
      [2, 1500, true, '00000001234567890000'],
    );
    assert.throws(() => loadConfig({ REGISTER_OIN: '1234' }), ConfigError);
    assert.throws(() => loadConfig({ WEBHOOK_POLL_SECONDS: '0' }), ConfigError);
    const production = {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://register_app@db/r',
      MIGRATION_DATABASE_URL: 'postgres://register_owner@db/r',
      PUBLIC_BASE_URL: 'https://r.example/',
      SESSION_SECRET: 'x'.repeat(32),
      SIGNING_P12_FILE: '/etc/register/signing.p12',
      SIGNING_P12_PASSPHRASE: 'secret',
      SECRETS_KEY: 'a'.repeat(64),
      LOG_SIGNING_KEY_FILE: '/etc/register/log-signing.pem',
    };
    assert.equal(loadConfig(production).webhookAllowPrivateTargets, false);
    assert.throws(
      () => loadConfig({ ...production, WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' }),
      /WEBHOOK_ALLOW_PRIVATE_TARGETS=true is refused/,
    );
  });

  it('has limits for the anonymous API and a share of the pool for heavy work, each configurable', () => {
    const defaults = loadConfig({});
    assert.equal(defaults.apiRequestsPerMinute, 600);
    assert.equal(defaults.bulkChecksPerClient, 2);
    assert.equal(defaults.heavyPoolSharePercent, 50);
    assert.equal(defaults.heavyWaitSeconds, 10);
    const set = loadConfig({
      API_REQUESTS_PER_MINUTE: '120',
      BULK_CHECKS_PER_CLIENT: '4',
      HEAVY_POOL_SHARE_PERCENT: '30',
      HEAVY_WAIT_SECONDS: '0',
    });
    assert.deepEqual(
      [set.apiRequestsPerMinute, set.bulkChecksPerClient, set.heavyPoolSharePercent, set.heavyWaitSeconds],
      [120, 4, 30, 0],
    );
  });

  it('has limits for the database: a statement, an idle transaction, the pool wait and long work', () => {
    const defaults = loadConfig({});
    assert.deepEqual(
      [
        defaults.databaseStatementTimeoutSeconds,
        defaults.databaseIdleInTransactionTimeoutSeconds,
        defaults.databasePoolWaitSeconds,
        defaults.databaseLongWorkTimeoutSeconds,
      ],
      [15, 60, 3, 3600],
    );
    const set = loadConfig({
      DATABASE_STATEMENT_TIMEOUT_SECONDS: '5',
      DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_SECONDS: '20',
      DATABASE_POOL_WAIT_SECONDS: '1',
      DATABASE_LONG_WORK_TIMEOUT_SECONDS: '600',
    });
    assert.deepEqual(
      [
        set.databaseStatementTimeoutSeconds,
        set.databaseIdleInTransactionTimeoutSeconds,
        set.databasePoolWaitSeconds,
        set.databaseLongWorkTimeoutSeconds,
      ],
      [5, 20, 1, 600],
    );
    assert.throws(
      () =>
        loadConfig({ DATABASE_STATEMENT_TIMEOUT_SECONDS: '120', DATABASE_LONG_WORK_TIMEOUT_SECONDS: '60' }),
      (e: Error) =>
        e instanceof ConfigError &&
        /DATABASE_LONG_WORK_TIMEOUT_SECONDS \(60\) must be at least DATABASE_STATEMENT_TIMEOUT_SECONDS \(120\)/.test(
          e.message,
        ),
    );
  });

  it('reads the starting values of the contact and notification settings', () => {
    const config = loadConfig({
      ORGANISATION_NAME: ' Ministerie van Justitie en Veiligheid ',
      CONTACT_EMAIL: 'vragen@register.example',
      REVIEWER_NOTIFICATION: 'daily',
    });
    assert.equal(config.organisationName, 'Ministerie van Justitie en Veiligheid');
    assert.equal(config.contactEmail, 'vragen@register.example');
    assert.equal(config.reviewerNotification, 'daily');
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
      SECRETS_KEY: 'a'.repeat(64),
      LOG_SIGNING_KEY_FILE: '/etc/register/log-signing.pem',
    };
    for (const missing of [
      'DATABASE_URL',
      'MIGRATION_DATABASE_URL',
      'PUBLIC_BASE_URL',
      'SESSION_SECRET',
      'SIGNING_P12_FILE',
      'SIGNING_P12_PASSPHRASE',
      'SECRETS_KEY',
      'LOG_SIGNING_KEY_FILE',
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
    assert.equal(config.trustProxy, false, 'no proxy is trusted unless configured, production included');
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

  it('reads TRUST_PROXY as a hop count or a list of addresses, and refuses "true"', () => {
    assert.equal(loadConfig({}).trustProxy, false);
    assert.equal(loadConfig({ TRUST_PROXY: '1' }).trustProxy, 1);
    assert.equal(
      loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8,fd00::1' }).trustProxy,
      'loopback,10.0.0.0/8,fd00::1',
    );
    for (const bad of ['true', '10.0.0.0/33', 'proxy.example', '1.2.3'])
      assert.throws(() => loadConfig({ TRUST_PROXY: bad }), /TRUST_PROXY/);
  });

  it('reads SECRETS_KEY as 32 bytes of hex or base64', () => {
    assert.equal(loadConfig({ SECRETS_KEY: 'ab'.repeat(32) }).secretsKey?.length, 32);
    assert.equal(loadConfig({ SECRETS_KEY: Buffer.alloc(32, 7).toString('base64') }).secretsKey?.length, 32);
    assert.throws(() => loadConfig({ SECRETS_KEY: 'tooshort' }), /SECRETS_KEY/);
  });

  it('names the transparency log after the register address unless LOG_ORIGIN says otherwise', () => {
    assert.equal(loadConfig({}).logOrigin, 'localhost:3000/transparantie');
    assert.equal(
      loadConfig({ PUBLIC_BASE_URL: 'https://r.example:8443/register/' }).logOrigin,
      'r.example:8443/register/transparantie',
    );
    assert.equal(loadConfig({ LOG_ORIGIN: 'log.example/vhp' }).logOrigin, 'log.example/vhp');
    for (const bad of ['https://log.example', 'a b', 'a+b', 'é'])
      assert.throws(() => loadConfig({ LOG_ORIGIN: bad }), /LOG_ORIGIN/, bad);
    assert.equal(loadConfig({}).checkpointIntervalSeconds, 30);
    assert.throws(() => loadConfig({ CHECKPOINT_INTERVAL_SECONDS: '0' }), /CHECKPOINT_INTERVAL_SECONDS/);
  });

  it('reads the witnesses of LOG_WITNESS_KEYS, separated by commas or newlines, and refuses a bad or doubled one', () => {
    const key = (name: string, fill: number) => witnessVerifierKey(name, Buffer.alloc(32, fill));
    assert.deepEqual(loadConfig({}).logWitnessKeys, []);
    assert.deepEqual(loadConfig({ LOG_WITNESS_KEYS: ' ' }).logWitnessKeys, []);
    assert.deepEqual(
      loadConfig({ LOG_WITNESS_KEYS: `${key('w.test/a', 1)},\n ${key('w.test/b', 2)}\n` }).logWitnessKeys,
      [key('w.test/a', 1), key('w.test/b', 2)],
    );
    for (const bad of [
      'w.test/a',
      verifierKey('w.test/a', Buffer.alloc(32, 1)),
      `${key('w.test/a', 1)},${key('w.test/a', 2)}`,
    ])
      assert.throws(() => loadConfig({ LOG_WITNESS_KEYS: bad }), /LOG_WITNESS_KEYS/, bad);
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
      SECRETS_KEY: 'a'.repeat(64),
      LOG_SIGNING_KEY_FILE: '/etc/register/log-signing.pem',
    };
    assert.throws(() => loadConfig({ ...production, STAFF_2FA_REQUIRED: 'false' }), /STAFF_2FA_REQUIRED/);
    assert.equal(loadConfig({ STAFF_2FA_REQUIRED: 'false' }).staffSecondFactorRequired, false);
  });

  for (const [name, value] of [
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '0'],
    ['PORT', ' 3917'],
    ['PORT', '+3917'],
    ['DATABASE_POOL_SIZE', '1e1'],
    ['NODE_ENV', 'staging'],
    ['SEED_DEMO_DATA', 'maybe'],
    ['PUBLIC_BASE_URL', 'not a url'],
    ['DATABASE_POOL_SIZE', '0'],
    ['CONTACT_EMAIL', 'vragen-at-register'],
    ['REVIEWER_NOTIFICATION', 'hourly'],
    ['ORGANISATION_NAME', 'x'.repeat(201)],
    ['API_REQUESTS_PER_MINUTE', '0'],
    ['BULK_CHECKS_PER_CLIENT', '1.5'],
    ['HEAVY_POOL_SHARE_PERCENT', '101'],
    ['HEAVY_WAIT_SECONDS', '-1'],
    ['DATABASE_STATEMENT_TIMEOUT_SECONDS', '0'],
    ['DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_SECONDS', '1.5'],
    ['DATABASE_POOL_WAIT_SECONDS', '61'],
    ['DATABASE_LONG_WORK_TIMEOUT_SECONDS', 'hour'],
  ] as const) {
    it(`refuses ${name}=${value} with a message naming it`, () => {
      assert.throws(
        () => loadConfig({ [name]: value }),
        (e: Error) => e instanceof ConfigError && e.message.includes(name),
      );
    });
  }

  it('refuses a DATA_DIR that is a file, naming DATA_DIR; takes one that does not exist yet', () => {
    assert.throws(
      () => loadConfig({ DATA_DIR: __filename }),
      (e: Error) =>
        e instanceof ConfigError && e.message === `DATA_DIR must be a folder, but ${__filename} is a file`,
    );
    assert.equal(
      loadConfig({ DATA_DIR: '/nonexistent/register-data' }).dataDir,
      '/nonexistent/register-data',
    );
    assert.equal(loadConfig({ PORT: '65535' }).port, 65535);
  });

  it('reads LOG_LEVEL as one of the logger’s levels, and names LOG_LEVEL when it is not', () => {
    assert.equal(loadConfig({}).logLevel, 'info');
    assert.equal(loadConfig({}, { logLevel: 'warn' }).logLevel, 'warn');
    assert.equal(loadConfig({ LOG_LEVEL: ' debug ' }).logLevel, 'debug');
    assert.throws(
      () => loadConfig({ LOG_LEVEL: 'loud' }),
      (e: Error) =>
        e instanceof ConfigError &&
        e.message === 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
    );
  });

  it('bounds how long stopping may take (SHUTDOWN_TIMEOUT_MS, 10 s unless set)', () => {
    assert.equal(loadConfig({}).shutdownTimeoutMs, 10_000);
    assert.equal(loadConfig({ SHUTDOWN_TIMEOUT_MS: '2500' }).shutdownTimeoutMs, 2500);
    assert.throws(
      () => loadConfig({ SHUTDOWN_TIMEOUT_MS: '0' }),
      /SHUTDOWN_TIMEOUT_MS must be a whole number/,
    );
  });
});
