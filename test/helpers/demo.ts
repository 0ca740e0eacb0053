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

/** The KvK number of the first demo provider that `predicate` picks. */
export const kvkWhere = (predicate: (d: (typeof DEMO_PROVIDERS)[number]) => boolean) =>
  demoKvk(DEMO_PROVIDERS.findIndex(predicate));

/** The public pages of the access matrix on the demo register: what the browser tests visit. */
export const DEMO_PUBLIC_PAGES = [
  '/',
  '/hostingproviders',
  `/hostingproviders/${kvkWhere((d) => d.expected === 'verantwoord')}`,
  `/hostingproviders/${kvkWhere((d) => d.steps.some((s) => s.action === 'suspend' && s.suspendedForMonths !== undefined))}`,
  `/hostingproviders/${kvkWhere((d) => d.steps.every((s) => s.action === 'confirm_identity'))}`,
  `/hostingproviders/${kvkWhere((d) => d.expected === 'revoked')}`,
  '/toegankelijkheid',
  '/privacy',
  '/api-documentatie',
  '/open-data',
  '/transparantie',
  '/transparantie/checkpoints',
  '/verificatie',
  '/verificatie/VHP-2000-000001',
  '/hostingproviders/00000000',
  '/hostingproviders?q=polderwlk&status=verantwoord',
  // Nothing found: the suggestions with their links; and a query of only a legal form.
  '/hostingproviders?q=molnrakc%20kluis&status=revoked',
  '/hostingproviders?q=polderwolk%20b.v.',
  '/controleren',
  `/controleren?kvkNummer=${kvkWhere((d) => d.expected === 'revoked')}&peildatum=2026-01-01`,
  '/controleren?kvkNummer=12&peildatum=nooit',
  '/controleren/lijst',
  '/inloggen',
  '/registreren',
  '/inkopers/registreren',
  '/registreren/claim',
  '/registreren/claim/verstuurd',
  '/registreren/claim/bevestigen/onbekend',
  '/wachtwoord-vergeten',
  '/wachtwoord-herstellen/onbekend',
  '/uitnodiging/onbekend',
  '/e-mailadres-bevestigen',
  '/e-mailadres-bevestigen/onbekend',
];

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
