/// <reference lib="dom" />
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { Browser, BrowserContext } from 'playwright-core';
import { seedDemoData } from '../../src/seed/demo';
import { testApp, testConfig } from '../helpers/app';
import { axeViolations, launchBrowser, requireChromium, serve } from '../helpers/browser';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { DEMO_PUBLIC_PAGES } from '../helpers/demo';

describe('in a real browser (Chromium)', function () {
  this.timeout(60_000);
  let db: TestDatabase;
  let browser: Browser;
  let context: BrowserContext;
  let server: Server;
  let base: string;
  const cspErrors: string[] = [];

  before(async function () {
    requireChromium(this);
    db = await createTestDatabase();
    await seedDemoData(db.dataSource, { now: new Date(), config: testConfig });
    ({ server, base } = await serve(testApp(db.dataSource).app));
    browser = await launchBrowser();
    context = await browser.newContext();
    context.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) cspErrors.push(m.text());
    });
  });

  after(async () => {
    await browser?.close();
    server?.close();
    await db?.drop();
  });

  for (const lang of ['nl', 'en']) {
    for (const path of DEMO_PUBLIC_PAGES) {
      it(`${path} (${lang}) has no WCAG 2.1 A/AA violations found by axe`, async () => {
        const page = await context.newPage();
        await page.goto(`${base}${path}${path.includes('?') ? '&' : '?'}lang=${lang}`);
        assert.equal(await page.getAttribute('html', 'lang'), lang);
        const violations = await axeViolations(page);
        assert.deepEqual(violations, [], JSON.stringify(violations, null, 2));
        await page.close();
      });
    }
  }

  it('loads every page without a Content-Security-Policy complaint', () => {
    assert.deepEqual(cspErrors, []);
  });

  it('shows the skip link on the first Tab and moves focus to the main content with Enter', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${base}/hostingproviders`);
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => ({
      text: document.activeElement?.textContent?.trim(),
      visible: (() => {
        const r = document.activeElement!.getBoundingClientRect();
        return r.width > 1 && r.height > 1 && r.top >= 0;
      })(),
    }));
    assert.deepEqual(focused, { text: 'Direct naar de inhoud', visible: true });
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'inhoud');
    await page.keyboard.press('Tab');
    assert.equal(
      await page.evaluate(() => document.activeElement?.id),
      'field-q',
      'the search field comes first in the content',
    );
    await page.close();
  });

  it('reaches a provider and switches language with the keyboard alone', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${base}/hostingproviders`);
    const first = page.locator('tbody a').first();
    await first.focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/hostingproviders\/\d{8}$/);
    await page.locator('a[hreflang="en"]').focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/lang=en/);
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.match(await page.locator('h2#status-heading').innerText(), /Current status/);
    await page.goto(`${base}/privacy`);
    assert.equal(await page.getAttribute('html', 'lang'), 'en', 'the choice persists');
    await page.close();
  });
});
