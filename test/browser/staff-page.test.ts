/// <reference lib="dom" />
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { createUser } from '../../src/identity/account.service';
import { inviteStaff } from '../../src/identity/invitation.service';
import { testApp } from '../helpers/app';
import { axeViolations, launchBrowser, signInStaff, requireChromium, serve } from '../helpers/browser';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { givenUser, TEST_PASSWORD } from '../factories/user.factory';

/** A long address, as ministries have them: no place to break but the dots and the hyphens. */
const longAddress = (n: number) =>
  `wilhelmina.van.der.zwaluwenburg-hoogstraten.${n}@ministerie-van-binnenlandse-zaken-en-koninkrijksrelaties.example`;

describe('the staff page in a real browser (Chromium)', function () {
  this.timeout(60_000);
  let db: TestDatabase;
  let browser: Browser;
  let server: Server;
  let base: string;
  let page: Page;

  before(async function () {
    requireChromium(this);
    db = await createTestDatabase();
    const admin = await givenUser(db.dataSource, 'admin', { name: 'Beheerder' });
    for (const [n, role] of (['reviewer', 'auditor', 'admin'] as const).entries())
      await createUser(
        db.dataSource,
        {
          email: longAddress(n),
          name: `Wilhelmina Alexandra Theodora van der Zwaluwenburg-Hoogstraten ${n}`,
          role,
          password: TEST_PASSWORD,
        },
        'test',
        new Date(),
      );
    for (const n of [10, 11])
      await inviteStaff(
        db.dataSource,
        admin.user,
        longAddress(n),
        'reviewer',
        'http://localhost',
        new Date(),
      );
    ({ server, base } = await serve(testApp(db.dataSource).app));
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1024, height: 800 } });
    await signInStaff(page, base, admin);
  });

  after(async () => {
    await browser?.close();
    server?.close();
    await db?.drop();
  });

  for (const lang of ['nl', 'en']) {
    it(`fits a 1024 px window with long names and addresses, without scrolling sideways (${lang})`, async () => {
      await page.goto(`${base}/beheer/medewerkers?lang=${lang}`);
      assert.equal(await page.locator('[data-member]').count(), 4);
      assert.equal(await page.locator('[data-invitation]').count(), 2);
      const widths = await page.evaluate(() => ({
        page: document.documentElement.scrollWidth,
        viewport: document.documentElement.clientWidth,
        tables: [...document.querySelectorAll('.register-table-container')].map((c) => ({
          table: c.scrollWidth,
          container: c.clientWidth,
        })),
      }));
      assert.ok(widths.page <= 1024, `the page scrolls sideways: ${JSON.stringify(widths)}`);
      assert.ok(widths.page <= widths.viewport, `the page scrolls sideways: ${JSON.stringify(widths)}`);
      for (const t of widths.tables)
        assert.ok(t.table <= t.container, `a table scrolls sideways: ${JSON.stringify(widths)}`);
      assert.deepEqual(await axeViolations(page), []);
    });
  }
});
