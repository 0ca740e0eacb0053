import { knownSigner } from './database';
import os from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import { issueAttestation, issuerOf } from '../../src/attestation/attestation.service';
import { signingKeyring } from '../../src/attestation/signing';
import type { DataSource } from 'typeorm';
import { createApp } from '../../src/app';
import type { Deprecation } from '../../src/api/api.lifecycle';
import { type Clock, systemClock } from '../../src/shared/clock';
import { createTestDatabase, type TestDatabase } from './database';
import { type Config, loadConfig } from '../../src/config';
import { createLifecycle, type Lifecycle } from '../../src/shared/lifecycle';
import { createLogger, type Logger } from '../../src/shared/logger';

// Many logins from one address in one run: the per-IP limit is tested on its own, with a low value.
export const testConfig: Config = loadConfig({
  NODE_ENV: 'test',
  PUBLIC_BASE_URL: 'http://register.test',
  LOGIN_ATTEMPTS_PER_IP: '100000',
  PASSWORD_FORMS_PER_IP: '100000',
  REGISTRATIONS_PER_IP_PER_DAY: '100000',
  // The suite calls the API many times from one address, and sends bulk checks side by side: the
  // API's limits are tested on their own, with low values (test/security/api-limits.test.ts).
  API_REQUESTS_PER_MINUTE: '10000000',
  // Webhook receivers in the tests listen on loopback; the refusal is tested with the setting off.
  WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
  BULK_CHECKS_PER_CLIENT: '100',
  // A fixed key, so tests can read what the app encrypted.
  SECRETS_KEY: 'c2VjcmV0cy1rZXktZm9yLXRoZS10ZXN0cy1vbmx5ISE=',
  // The development signing certificate for the tests, made once per machine outside the checkout.
  DATA_DIR: path.join(os.tmpdir(), 'vhp-test-data'),
});

/** The issuer an attestation names when the settings keep their starting values. */
export const testIssuer = issuerOf(testConfig);

/** One signing key for the whole run: reading a PKCS#12 file costs a few milliseconds each time. */
export const testKeyring = signingKeyring(testConfig, systemClock);

export interface TestApp {
  app: Express;
  lifecycle: Lifecycle;
}

/** The real app on a test database; pass a logger to read what it logs, a clock to set the time. */
export function testApp(
  dataSource: DataSource,
  options: {
    logger?: Logger;
    config?: Partial<Config>;
    clock?: Clock;
    /** What the API announces as deprecated, instead of the register's own list. */
    apiDeprecations?: readonly Deprecation[];
  } = {},
): TestApp {
  const lifecycle = createLifecycle();
  const app = createApp({
    config: { ...testConfig, ...options.config },
    dataSource,
    logger: options.logger ?? createLogger('silent'),
    lifecycle,
    clock: options.clock ?? systemClock,
    keyring: testKeyring,
    apiDeprecations: options.apiDeprecations,
    // The test database's own signer memory, shared with the tests that sign (`testSigner`); for a
    // database the tests did not make, the configured file (under the tests' DATA_DIR).
    signer: knownSigner(dataSource),
  });
  return { app, lifecycle };
}

/**
 * A fresh database built by the migrations and the app on it, for a describe block; dropped
 * afterwards. Read `db` and `app` inside tests (they are set by the hook). With `clock`, the app
 * reads the time from it (a FixedClock sets the day the tests run on).
 */
export function useTestApp(options: { clock?: Clock } = {}): { db: TestDatabase; app: Express } {
  const context = {} as { db: TestDatabase; app: Express };
  before(async () => {
    context.db = await createTestDatabase();
    context.app = testApp(context.db.dataSource, options).app;
  });
  after(() => context.db.drop());
  return context;
}

/** An attestation issued by the test keyring and issuer for `providerId` at `at`, as the register issues one. */
export function givenIssuedAttestation(dataSource: DataSource, providerId: string, at: Date = new Date()) {
  return issueAttestation(
    dataSource,
    {
      providerId,
      actor: 'test',
      publicBaseUrl: testConfig.publicBaseUrl,
      keyring: testKeyring,
      issuer: testIssuer,
    },
    at,
  );
}
