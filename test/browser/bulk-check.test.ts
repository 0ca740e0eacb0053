/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { axeViolations, launchBrowser, requireChromium, serve } from '../helpers/browser';
import { useDemoRegister } from '../helpers/demo';

const WIDTH = 320;
const FIXTURES = path.join(__dirname, '..', '..', '..', 'test', 'fixtures');

/** How wide the page is at 320 px (what scrolls inside its own container does not count). */
const pageWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);

describe('in a real browser: the bulk check with a real spreadsheet', function () {
  this.timeout(120_000);
  const demo = useDemoRegister();
  let browser: Browser;
  let server: Server;
  let base: string;

  before(async function () {
    requireChromium(this);
    ({ server, base } = await serve(demo.app));
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    server?.close();
  });

  async function checked(page: Page, violationsOf: string) {
    assert.ok((await pageWidth(page)) <= WIDTH, `${violationsOf} fits ${WIDTH} px`);
    const violations = await axeViolations(page);
    assert.deepEqual(violations, [], JSON.stringify(violations, null, 2));
  }

  for (const lang of ['nl', 'en'])
    it(`checks an .xlsx, shows the answer and downloads it without choosing the file again (${lang}, ${WIDTH} px)`, async () => {
      const context = await browser.newContext({
        viewport: { width: WIDTH, height: 640 },
        acceptDownloads: true,
      });
      const page = await context.newPage();
      try {
        await page.goto(`${base}/controleren/lijst?lang=${lang}`);
        await page.setInputFiles('#field-bestand', {
          name: 'leveranciers.xlsx',
          mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
          buffer: readFileSync(path.join(FIXTURES, 'leveranciers-export.xlsx')),
        });
        await Promise.all([page.waitForLoadState('load'), page.click('button[value=html]')]);
        assert.equal(await page.locator('tr[data-outcome]').count(), 14);
        await checked(page, 'the answer');
        const [download] = await Promise.all([
          page.waitForEvent('download'),
          page.locator('section button[value=xlsx]').click(),
        ]);
        assert.equal(download.suggestedFilename().endsWith('.xlsx'), true);
        const only = page.locator('#weergave-aandacht');
        await only.check();
        await Promise.all([page.waitForLoadState('load'), page.click('#bulk-form button[value=html]')]);
        assert.equal(
          await page.locator('tr[data-outcome]').count(),
          11,
          'the three verantwoord rows are left out',
        );
      } finally {
        await context.close();
      }
    });

  it(`switches the language of the result page and keeps the result (${WIDTH} px)`, async () => {
    const context = await browser.newContext({ viewport: { width: WIDTH, height: 640 } });
    const page = await context.newPage();
    try {
      await page.goto(`${base}/controleren/lijst`);
      await page.setInputFiles('#field-bestand', {
        name: 'leveranciers.xlsx',
        mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        buffer: readFileSync(path.join(FIXTURES, 'leveranciers-export.xlsx')),
      });
      await Promise.all([page.waitForLoadState('load'), page.click('#bulk-form button[value=html]')]);
      const outcomes = () =>
        page
          .locator('tr[data-outcome]')
          .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-outcome')));
      const before = await outcomes();
      assert.equal(before.length, 14);
      await Promise.all([page.waitForLoadState('load'), page.click('[data-language-switch]')]);
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      assert.deepEqual(await outcomes(), before, 'the same result, in English');
      assert.match(await page.locator('#result-heading').innerText(), /Outcome|Result/);
      await checked(page, 'the answer in English');
      await Promise.all([page.waitForLoadState('load'), page.click('[data-language-switch]')]);
      assert.equal(await page.getAttribute('html', 'lang'), 'nl');
      assert.deepEqual(await outcomes(), before, 'and back in Dutch');
    } finally {
      await context.close();
    }
  });

  it(`asks for the column when it is unclear, keeping the pasted list (${WIDTH} px)`, async () => {
    const context = await browser.newContext({ viewport: { width: WIDTH, height: 640 } });
    const page = await context.newPage();
    try {
      await page.goto(`${base}/controleren/lijst`);
      await page.fill('#field-nummers', '99990001;99990008\n99990002;99990009');
      await Promise.all([page.waitForLoadState('load'), page.click('button[value=html]')]);
      assert.equal(await page.locator('[data-column-choice] input[type=radio]').count(), 2);
      await checked(page, 'the column choice');
      await page.check('#kolom-B');
      await Promise.all([page.waitForLoadState('load'), page.click('button[value=html]')]);
      assert.deepEqual(
        await page
          .locator('tr[data-outcome]')
          .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-reason'))),
        ['revoked', 'code_of_conduct_outdated'],
      );
    } finally {
      await context.close();
    }
  });
});
