/// <reference lib="dom" />
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { seedDemoData } from '../../src/seed/demo';
import { testApp, testConfig } from '../helpers/app';
import { axeViolations, launchBrowser, signInStaff, requireChromium, serve } from '../helpers/browser';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { givenUser } from '../factories/user.factory';

describe('the audit log in a real browser (Chromium)', function () {
  this.timeout(60_000);
  let db: TestDatabase;
  let browser: Browser;
  let server: Server;
  let base: string;
  let page: Page;

  before(async function () {
    requireChromium(this);
    db = await createTestDatabase();
    await seedDemoData(db.dataSource, { now: new Date(), config: testConfig });
    ({ server, base } = await serve(testApp(db.dataSource).app));
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1024, height: 800 } });
    // Signs in as an auditor through the forms, second factor included.
    const auditor = await givenUser(db.dataSource, 'auditor');
    await signInStaff(page, base, auditor);
  });

  after(async () => {
    await browser?.close();
    server?.close();
    await db?.drop();
  });

  for (const lang of ['nl', 'en']) {
    it(`fits the page width and has no WCAG 2.1 A/AA violations found by axe (${lang})`, async () => {
      await page.goto(`${base}/beheer/auditlog?lang=${lang}`);
      assert.equal(await page.locator('[data-audit-id]').count(), 50);
      // With every event's details open too: the hashes and the data wrap instead of widening the table.
      const widths = await page.evaluate(() => {
        for (const details of document.querySelectorAll('details')) details.open = true;
        return {
          page: document.documentElement.scrollWidth,
          viewport: document.documentElement.clientWidth,
          table: document.querySelector('.register-table-container')?.scrollWidth ?? 0,
          container: document.querySelector('.register-table-container')?.clientWidth ?? 0,
        };
      });
      assert.ok(widths.page <= widths.viewport, `the page scrolls sideways: ${JSON.stringify(widths)}`);
      assert.ok(widths.table <= widths.container, `the table scrolls sideways: ${JSON.stringify(widths)}`);
      assert.deepEqual(await axeViolations(page), []);
    });
  }

  it('opens an event’s details by keyboard, and the form with an error is accessible too', async () => {
    await page.goto(`${base}/beheer/auditlog?lang=nl`);
    const summary = page.locator('details.register-audit-details summary').first();
    await summary.focus();
    await page.keyboard.press('Enter');
    assert.equal(await page.locator('details.register-audit-details').first().getAttribute('open'), '');
    assert.match((await page.locator('details[open] dl').textContent()) ?? '', /prevHash/);

    await page.goto(`${base}/beheer/auditlog?van=2026-03-01&tot=2026-02-01`);
    assert.equal(await page.locator('[data-audit-id]').count(), 0);
    assert.deepEqual(await axeViolations(page), []);
  });
});
