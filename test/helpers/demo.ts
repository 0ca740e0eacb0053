import type { Express } from 'express';
import { seedDemoData } from '../../src/seed/demo';
import { DEMO_PROVIDERS, demoKvk } from '../../src/seed/demo-data';
import { type Clock, systemClock } from '../../src/shared/clock';
import { testApp, testConfig, testKeyring } from './app';
import { createTestDatabase, type TestDatabase } from './database';

/** The KvK number of the demo provider whose legal name starts with `name`. */
export function demoKvkOf(name: string): string {
  const index = DEMO_PROVIDERS.findIndex((d) => d.legalName.startsWith(name));
  if (index < 0) throw new Error(`no demo provider named ${name}`);
  return demoKvk(index);
}

/**
 * A fresh database with the demo data and the app on it, for a describe block; the database is
 * dropped afterwards. Read `db` and `app` inside tests (they are set by the hook). With `clock`, the
 * demo is seeded as of its time and the app reads the time from it.
 */
export function useDemoRegister(options: { clock?: Clock } = {}): { db: TestDatabase; app: Express } {
  const clock = options.clock ?? systemClock;
  const context = {} as { db: TestDatabase; app: Express };
  before(async () => {
    context.db = await createTestDatabase();
    await seedDemoData(context.db.dataSource, {
      now: clock.now(),
      config: testConfig,
      keyring: testKeyring,
    });
    context.app = testApp(context.db.dataSource, { clock }).app;
  });
  after(() => context.db.drop());
  return context;
}
