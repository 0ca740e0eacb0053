/// <reference lib="dom" />
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { testApp } from '../helpers/app';
import { axeViolations, launchBrowser, requireChromium } from '../helpers/browser';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { startTestBroker, type TestBroker } from '../helpers/eherkenning';
import { uniqueKvk } from '../factories/provider.factory';
import { validVatNumber } from '../factories/user.factory';

/** No axe violations (WCAG 2.1 A and AA) on the register's page the browser is on, and no sideways scrolling at 320 px. */
async function accessible(page: Page): Promise<void> {
  const path = new URL(page.url()).pathname;
  const violations = await axeViolations(page);
  assert.deepEqual(violations, [], `${path}: ${JSON.stringify(violations, null, 2)}`);
  // And it reflows on a 320 px wide phone (WCAG 1.4.10, which axe does not test).
  const size = page.viewportSize();
  await page.setViewportSize({ width: 320, height: 640 });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 320, `${path} is ${width} px wide at 320 px`);
  if (size) await page.setViewportSize(size);
}

describe('in a real browser: eHerkenning login → organisation form → account page', function () {
  this.timeout(120_000);
  let db: TestDatabase;
  let browser: Browser;
  let server: http.Server;
  let broker: TestBroker;
  let base: string;
  const kvkNumber = uniqueKvk();

  before(async function () {
    requireChromium(this);
    db = await createTestDatabase();
    server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    broker = await startTestBroker(
      [
        { id: 'nieuw', label: 'Browserhosting B.V.', kvkNumber, level: 'EH3' },
        { id: 'laag', label: 'Laag niveau B.V.', kvkNumber: uniqueKvk(), level: 'EH2' },
      ],
      { registerBase: base },
    );
    server.on('request', testApp(db.dataSource, { config: { ...broker.config, publicBaseUrl: base } }).app);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    server?.closeAllConnections();
    server?.close();
    await broker?.close();
    await db?.drop();
  });

  it('registers a new organisation with the KvK number from eHerkenning and lands on its account page', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/inloggen`);
    await accessible(page);
    await Promise.all([
      page.waitForURL((url) => url.pathname.startsWith('/interactie/')),
      page.getByRole('link', { name: 'Inloggen met eHerkenning' }).click(),
    ]);
    await Promise.all([
      page.waitForURL((url) => url.pathname === '/inloggen/eherkenning/organisatie'),
      page.getByRole('button', { name: /Browserhosting B\.V\./ }).click(),
    ]);
    await accessible(page);
    assert.equal(await page.locator('[data-kvk]').textContent(), kvkNumber);
    const legalName = `Browserhosting ${kvkNumber} B.V.`;
    const fields: Record<string, string> = {
      legalName,
      vatNumber: validVatNumber(),
      streetAddress: 'Herkenningsweg 3',
      postcode: '3511 AB',
      city: 'Utrecht',
      abuseEmail: `abuse-${kvkNumber}@browser.example`,
      name: 'Bram Browser',
      email: `bram-${kvkNumber}@browser.example`,
    };
    // A mistake first: the page says so, keeps what was typed, and stays accessible.
    for (const [name, value] of Object.entries({ ...fields, postcode: '35' }))
      await page.fill(`#field-${name}`, value);
    await Promise.all([
      page.waitForLoadState('load'),
      page.getByRole('button', { name: 'Organisatie registreren' }).click(),
    ]);
    await page.waitForSelector('.register-error-summary');
    assert.equal(await page.inputValue('#field-legalName'), legalName);
    await accessible(page);
    await page.fill('#field-postcode', fields.postcode!);
    await Promise.all([
      page.waitForURL((url) => url.pathname === '/account'),
      page.getByRole('button', { name: 'Organisatie registreren' }).click(),
    ]);
    await accessible(page);
    assert.match((await page.locator('#inhoud').textContent()) ?? '', new RegExp(legalName));
    await context.close();
  });

  it('shows a clear, accessible refusal for a login below EH3', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/inloggen`);
    await Promise.all([
      page.waitForURL((url) => url.pathname.startsWith('/interactie/')),
      page.getByRole('link', { name: 'Inloggen met eHerkenning' }).click(),
    ]);
    await Promise.all([
      page.waitForURL((url) => url.pathname === '/inloggen/eherkenning/terug'),
      page.getByRole('button', { name: /Laag niveau B\.V\./ }).click(),
    ]);
    assert.match((await page.locator('h1').textContent()) ?? '', /Inloggen met eHerkenning is niet gelukt/);
    assert.match((await page.locator('[data-refusal]').textContent()) ?? '', /niveau EH3 of hoger/);
    await accessible(page);
    await context.close();
  });
});
