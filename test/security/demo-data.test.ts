import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../src/config';
import { freePort } from '../../src/database/embedded';
import { Provider } from '../../src/provider/provider.entity';
import { User } from '../../src/identity/user.entity';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { runCli, startServer } from '../helpers/processes';

/** Everything production asks for, so that only the demo data can be the reason for a refusal. */
function productionEnv(db: TestDatabase): Record<string, string> {
  return {
    NODE_ENV: 'production',
    SECRETS_KEY: '0'.repeat(64),
    DATABASE_URL: db.url,
    MIGRATION_DATABASE_URL: db.ownerUrl,
    PUBLIC_BASE_URL: 'https://register.example',
    SESSION_SECRET: 'x'.repeat(32),
    SIGNING_P12_FILE: '/nonexistent/signing.p12',
    SIGNING_P12_PASSPHRASE: 'secret',
    LOG_SIGNING_KEY_FILE: '/nonexistent/log-signing.pem',
  };
}

/** The attack: the README's demo admin and password on a production register. */
describe('demo accounts in production', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(() => db.drop());

  async function untouched() {
    assert.equal(await db.dataSource.getRepository(User).count(), 0, 'no accounts were made');
    assert.equal(await db.dataSource.getRepository(Provider).count(), 0, 'no providers were made');
  }

  it('SEED_DEMO_DATA=true with NODE_ENV=production is refused by the configuration', () => {
    const env = { ...productionEnv(db), SEED_DEMO_DATA: 'true' };
    assert.throws(
      () => loadConfig(env),
      (e: Error) =>
        e instanceof ConfigError && /SEED_DEMO_DATA=true is refused when NODE_ENV=production/.test(e.message),
    );
    assert.equal(loadConfig(productionEnv(db)).seedDemoData, false);
  });

  it('the server refuses to start with SEED_DEMO_DATA=true in production, before touching the database', async function () {
    this.timeout(60_000);
    const server = startServer({
      ...productionEnv(db),
      SEED_DEMO_DATA: 'true',
      PORT: String(await freePort()),
    });
    try {
      assert.equal(await server.exited, 1);
      assert.ok(
        server.lines.some((l) => /SEED_DEMO_DATA=true is refused when NODE_ENV=production/.test(l)),
        server.lines.join('\n'),
      );
      await untouched();
    } finally {
      server.child.kill('SIGKILL');
    }
  });

  for (const [args, why] of [
    [['seed:demo'], 'it loads fictional data, with accounts whose password is published'],
    [
      ['seed:bulk', '--providers', '3'],
      'the fictional providers it loads can never be removed from the register',
    ],
  ] as const) {
    it(`npm run cli -- ${args.join(' ')} exits 2 with one line in production, before touching the database`, async () => {
      const result = runCli([...args], productionEnv(db));
      assert.equal(result.status, 2, result.stderr);
      assert.equal(result.stderr.trim(), `${args[0]} is refused when NODE_ENV=production: ${why}.`);
      assert.equal(result.stdout, '');
      await untouched();
    });
  }
});
