/// <reference lib="dom" />
import { existsSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Express } from 'express';
import { type Browser, chromium, type Page } from 'playwright-core';
import { currentTotp } from '../../src/identity/totp';
import { must } from '../../src/shared/must';
import type { TestUser } from '../factories/user.factory';
import { requireTool } from './tools';

/** Debian's Chromium (`apt-get install chromium`); a test tool's own browser download does not work here. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const INSTALL_NOTE = `Chromium not found at ${CHROMIUM}: browser tests are pending. Install it with "apt-get install chromium" (or set CHROMIUM_PATH). .ci/run installs it and sets REQUIRE_TOOLS=1.`;

/** Skips the suite (pending, with the note) when Chromium is missing, unless REQUIRE_TOOLS=1 makes that a failure. */
export function requireChromium(suite: Mocha.Context): void {
  requireTool(suite, existsSync(CHROMIUM), INSTALL_NOTE);
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export async function serve(app: Express): Promise<{ server: Server; base: string }> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** Runs axe-core in the page against WCAG 2.1 A and AA, and answers its violations. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  // evaluate() is not inline script, so the page's strict CSP stays as it is.
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: AxeViolation[] }> };
      }
    ).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target })),
    }));
  });
}

/** Signs a member of staff in through the login form and the second factor (a code from their app). */
export async function signInStaff(page: Page, base: string, user: TestUser): Promise<void> {
  await page.goto(`${base}/inloggen`);
  await page.fill('#field-email', user.email);
  await page.fill('#field-password', user.password);
  await Promise.all([page.waitForURL(/\/inloggen\/tweestaps/), page.click('#inhoud button[type=submit]')]);
  await page.fill(
    '#field-code',
    currentTotp(must(user.totpSecret, 'staff have a second factor'), user.email, new Date()),
  );
  await Promise.all([
    page.waitForURL((url) => !url.pathname.startsWith('/inloggen')),
    page.click('#inhoud button[type=submit]'),
  ]);
}

/** Signs a provider's user in through the login form (no second factor set up). */
export async function signInProvider(page: Page, base: string, user: TestUser): Promise<void> {
  await page.goto(`${base}/inloggen`);
  await page.fill('#field-email', user.email);
  await page.fill('#field-password', user.password);
  await Promise.all([
    page.waitForURL((url) => !url.pathname.startsWith('/inloggen')),
    page.click('#inhoud button[type=submit]'),
  ]);
}
