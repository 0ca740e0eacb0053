/// <reference lib="dom" />
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { currentTotp } from '../../src/identity/totp';
import { addMonths, toLocalDate } from '../../src/shared/time';
import { givenUser, type TestUser } from '../factories/user.factory';
import { axeViolations, launchBrowser, requireChromium, serve } from '../helpers/browser';
import { useDemoRegister } from '../helpers/demo';

describe("in a real browser: the auditor's question answered in at most 3 clicks", function () {
  this.timeout(120_000);
  // The demo register, seeded as `npm start` seeds it (the helper follows the demo's own options).
  const demo = useDemoRegister();
  let browser: Browser;
  let server: Server;
  let base: string;
  let auditor: TestUser;

  before(async function () {
    requireChromium(this);
    auditor = await givenUser(demo.db.dataSource, 'auditor', { name: 'Aud Journey' });
    ({ server, base } = await serve(demo.app));
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    server?.close();
  });

  async function accessible(page: Page): Promise<void> {
    const violations = await axeViolations(page);
    assert.deepEqual(violations, [], `${page.url()}: ${JSON.stringify(violations, null, 2)}`);
  }

  /** Signs the auditor in through the login form and the second factor: before the question, not counted. */
  async function signIn(page: Page): Promise<void> {
    await page.goto(`${base}/inloggen`);
    await page.fill('#field-email', auditor.email);
    await page.fill('#field-password', auditor.password);
    await Promise.all([page.waitForURL(/\/inloggen\/tweestaps/), page.click('#inhoud button[type=submit]')]);
    await page.fill('#field-code', currentTotp(auditor.totpSecret!, auditor.email, new Date()));
    await Promise.all([
      page.waitForURL((url) => !url.pathname.startsWith('/inloggen')),
      page.click('#inhoud button[type=submit]'),
    ]);
  }

  it('why was Molenrack suspended six months ago, who decided, on what evidence: search, open, peildatum', async () => {
    const page = await browser.newPage();
    await signIn(page);
    await page.goto(`${base}/beoordeling`);
    await accessible(page);

    let clicks = 0;
    const click = async (selector: string) => {
      clicks++;
      await Promise.all([page.waitForEvent('load'), page.click(selector)]);
      await accessible(page);
    };

    // Click 1: type the name and search.
    await page.fill('#staff-search-q', 'Molenrack');
    await click('form[data-staff-search] button[type=submit]');
    assert.match(new URL(page.url()).pathname, /^\/beoordeling\/hostingproviders$/);

    // Click 2: the provider's staff page.
    await click('a:has-text("Molenrack Colocatie B.V.")');
    assert.match(new URL(page.url()).pathname, /^\/beoordeling\/hostingproviders\/\d{8}$/);

    // Click 3: the status on the day six months ago.
    const day = toLocalDate(addMonths(new Date(), -6));
    await page.fill('#field-peildatum', day);
    await click('form[data-peildatum-form] button[type=submit]');
    assert.ok(clicks <= 3, `${clicks} clicks`);

    // The answer: suspended on that day.
    assert.equal(await page.getAttribute('.register-date-answer', 'data-answer'), 'suspended');

    // Why, who, on what evidence: the suspension's row in the history.
    const row = page.locator('tr[data-event-id]', { has: page.locator('th:has-text("Geschorst")') }).first();
    const reason = (await row.locator('[data-reason]').textContent())?.trim() ?? '';
    assert.ok(reason.length > 10, `the suspension's reason is shown: "${reason}"`);
    const decider = (await row.locator('[data-decider]').textContent())?.replace(/\s+/g, ' ').trim() ?? '';
    assert.match(decider, /beoordelaar/, `a named reviewer decided: "${decider}"`);
    assert.doesNotMatch(decider, /^[^ ]+@/, `the decider is named, not only an address: "${decider}"`);
    const evidence = row.locator('[data-evidence-name]');
    assert.ok((await evidence.count()) > 0, 'the evidence of the approval it suspended is shown');
    assert.match((await evidence.first().textContent()) ?? '', /SHA-256 [0-9a-f]{64}/);
    assert.ok(await row.locator('[data-approval]').isVisible(), 'the approval it acts on is named');
  });
});
