/// <reference lib="dom" />
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { addMonths, toLocalDate } from '../../src/shared/time';
import { givenUser, type TestUser } from '../factories/user.factory';
import { axeViolations, launchBrowser, signInStaff, requireChromium, serve } from '../helpers/browser';
import { useDemoRegister } from '../helpers/demo';

describe("in a real browser: the auditor's question answered in at most 3 clicks", function () {
  this.timeout(120_000);
  // The demo register, seeded as `npm start` seeds it (the helper follows the demo's own options).
  const demo = useDemoRegister();
  let browser: Browser;
  let server: Server;
  let base: string;
  let auditor: TestUser;
  let secondAuditor: TestUser;

  before(async function () {
    requireChromium(this);
    auditor = await givenUser(demo.db.dataSource, 'auditor', { name: 'Aud Journey' });
    // A second sign-in with the same code would be refused as a replay: each test signs in its own auditor.
    secondAuditor = await givenUser(demo.db.dataSource, 'auditor', { name: 'Aud Widths' });
    ({ server, base } = await serve(demo.app));
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    server?.close();
  });

  const scrollWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);
  /** The innermost elements reaching past 1024 px: what to fix when a page is too wide. */
  const wide = (page: Page) =>
    page.evaluate(() =>
      [...document.querySelectorAll('*')]
        .filter((e) => {
          const reaches = (x: Element) => x.getBoundingClientRect().right > 1024;
          return reaches(e) && ![...e.children].some(reaches);
        })
        .slice(0, 10)
        .map((e) => `${e.tagName}.${e.className}: ${(e.textContent ?? '').trim().slice(0, 40)}`)
        .join('\n'),
    );

  async function accessible(page: Page): Promise<void> {
    const violations = await axeViolations(page);
    assert.deepEqual(violations, [], `${page.url()}: ${JSON.stringify(violations, null, 2)}`);
  }

  const signIn = (page: Page, user: TestUser = auditor) => signInStaff(page, base, user);

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

    // Why, who, on what evidence: in the answer itself, with a link to the suspension's row in the history.
    const answer = page.locator('.register-date-answer');
    const grounds = answer.locator('[data-answer-grounds]');
    assert.ok(await grounds.isVisible(), 'the answer says why, by whom and on what grounds');
    const reason = (await grounds.locator('[data-reason]').textContent())?.trim() ?? '';
    assert.ok(reason.length > 10, `the suspension's reason is in the answer: "${reason}"`);
    const decider =
      (await grounds.locator('[data-decider]').textContent())?.replace(/\s+/g, ' ').trim() ?? '';
    assert.match(decider, /\(beoordelaar\)/, `a named reviewer decided: "${decider}"`);
    assert.doesNotMatch(decider, /^[^ ]+@/, `the decider is named, not only an address: "${decider}"`);
    assert.ok(await grounds.locator('[data-approval]').isVisible(), 'the approval it suspended is named');
    assert.ok(
      (await grounds.locator('a[href^="/beoordeling/aanvragen/"]').count()) > 0,
      "a link to the suspended approval's application",
    );
    const evidence = grounds.locator('[data-evidence-name]');
    assert.ok((await evidence.count()) > 0, 'the evidence of the approval it suspended is in the answer');
    assert.match((await evidence.first().textContent()) ?? '', /SHA-256 [0-9a-f]{64}/);
    assert.ok((await evidence.first().locator('a').count()) > 0, 'each piece of evidence is a link');
    const rowLink = (await grounds.locator('a[data-history-link]').getAttribute('href')) ?? '';
    const row = page.locator(`tr${rowLink}`);
    assert.match(rowLink, /^#wijziging-\d+$/);
    assert.match(
      (await row.textContent()) ?? '',
      /Geschorst/,
      'the link leads to the suspension in the history',
    );

    // It fits a 1024 px screen: the page, with its hashes, never scrolls sideways.
    await page.setViewportSize({ width: 1024, height: 768 });
    assert.ok(
      (await scrollWidth(page)) <= 1024,
      `staff page ${await scrollWidth(page)} px wide at 1024 px\n${await wide(page)}`,
    );
  });

  it('fits a 1024 px screen: the staff page of every demo provider with evidence, and the staff search', async () => {
    const page = await browser.newPage({ viewport: { width: 1024, height: 768 } });
    await signIn(page, secondAuditor);
    const kvks = await demo.db.dataSource.query<{ kvk_number: string }[]>(
      `SELECT DISTINCT p.kvk_number FROM providers p JOIN applications a ON a.provider_id = p.id
         JOIN evidence e ON e.application_id = a.id ORDER BY p.kvk_number`,
    );
    assert.ok(kvks.length > 0, 'the demo has providers with evidence');
    for (const { kvk_number: kvk } of kvks) {
      await page.goto(`${base}/beoordeling/hostingproviders/${kvk}`);
      assert.ok(
        (await scrollWidth(page)) <= 1024,
        `${kvk}: ${await scrollWidth(page)} px wide at 1024 px\n${await wide(page)}`,
      );
    }
    for (const q of ['B.V.', 'a']) {
      await page.goto(`${base}/beoordeling/hostingproviders?q=${encodeURIComponent(q)}`);
      assert.ok((await page.locator('tbody tr, li a').count()) > 0, `the search for ${q} finds something`);
      assert.ok(
        (await scrollWidth(page)) <= 1024,
        `search ${q}: ${await scrollWidth(page)} px wide at 1024 px\n${await wide(page)}`,
      );
    }
  });
});
