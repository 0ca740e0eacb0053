/// <reference lib="dom" />
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { givenUser } from '../factories/user.factory';
import { axeViolations, launchBrowser, requireChromium, serve, signInStaff } from '../helpers/browser';
import { DEMO_PUBLIC_PAGES, kvkWhere, useDemoRegister } from '../helpers/demo';

/** 320 CSS px is what 400 % zoom of a 1280 px window gives (WCAG 2.1 SC 1.4.10 Reflow). */
const WIDTH = 320;
const VIEWPORT = { width: WIDTH, height: 640 };

const verantwoord = kvkWhere((d) => d.expected === 'verantwoord');
const revoked = kvkWhere((d) => d.expected === 'revoked');

/** The staff pages of the access matrix an administrator may open (the ones with an id are found below). */
const STAFF_PAGES = [
  '/account',
  '/account/tweestapsverificatie',
  '/account/wachtwoord',
  '/beoordeling',
  '/beoordeling/hostingproviders?q=a',
  `/beoordeling/hostingproviders/${verantwoord}`,
  `/beoordeling/hostingproviders/${revoked}`,
  `/beoordeling/hostingproviders/${verantwoord}/verklaringen`,
  '/beheer/uitgaande-mail',
  '/beheer/auditlog',
  '/beheer/auditlog/controle',
  '/beheer/aan-deelnemers',
  '/beheer/medewerkers',
  '/beheer/gedragscode',
  '/beheer/instellingen',
];

interface Reflow {
  scrollWidth: number;
  widest: string;
}

/** The page's width and, when it is too wide, the innermost element reaching furthest past the viewport. */
const measure = (page: Page): Promise<Reflow> =>
  page.evaluate((width) => {
    // What scrolls inside its own container (a wide table) does not widen the page: skip it.
    const clipped = (e: Element) => {
      for (let p = e.parentElement; p; p = p.parentElement)
        if (getComputedStyle(p).overflowX !== 'visible') return true;
      return false;
    };
    const reaches = (e: Element) => e.getBoundingClientRect().right > width + 0.5 && !clipped(e);
    const innermost = [...document.querySelectorAll('body *')].filter(
      (e) => reaches(e) && ![...e.children].some(reaches),
    );
    const widest = innermost.sort(
      (a, b) => b.getBoundingClientRect().right - a.getBoundingClientRect().right,
    )[0];
    const describe = (e: Element) =>
      `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${[...e.classList].map((c) => `.${c}`).join('')} ` +
      `(right edge ${Math.round(e.getBoundingClientRect().right)} px): "${(e.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 50)}"`;
    return {
      scrollWidth: document.documentElement.scrollWidth,
      widest: widest ? describe(widest) : 'none',
    };
  }, WIDTH);

describe(`in a real browser: every page fits a ${WIDTH} px wide phone (WCAG 2.1 SC 1.4.10 Reflow)`, function () {
  this.timeout(120_000);
  const demo = useDemoRegister();
  let browser: Browser;
  let server: Server;
  let base: string;
  let anonymous: BrowserContext;
  let staff: BrowserContext;
  const staffPages = [...STAFF_PAGES];

  before(async function () {
    requireChromium(this);
    ({ server, base } = await serve(demo.app));
    browser = await launchBrowser();
    anonymous = await browser.newContext({ viewport: VIEWPORT });
    staff = await browser.newContext({ viewport: VIEWPORT });
    const admin = await givenUser(demo.db.dataSource, 'admin', { name: 'Beheerder Reflow' });
    const page = await staff.newPage();
    await signInStaff(page, base, admin);
    // The pages with an id: the first application in the queue and the first code-of-conduct version.
    for (const [list, link] of <const>[
      ['/beoordeling', 'a[href^="/beoordeling/aanvragen/"]'],
      ['/beheer/gedragscode', 'a[href^="/beheer/gedragscode/"]'],
    ]) {
      await page.goto(`${base}${list}`);
      const href = await page.locator(link).first().getAttribute('href');
      assert.ok(href, `${list} links to a page of its own (${link})`);
      staffPages.push(href.split('?')[0]!);
    }
    await page.close();
  });

  after(async () => {
    await browser?.close();
    server?.close();
  });

  async function fits(context: () => BrowserContext, path: string, lang: string): Promise<void> {
    const page = await context().newPage();
    try {
      const response = await page.goto(`${base}${path}${path.includes('?') ? '&' : '?'}lang=${lang}`);
      assert.ok(response && response.status() < 500, `${path} answers ${response?.status()}`);
      assert.equal(new URL(page.url()).pathname.startsWith('/inloggen'), path.startsWith('/inloggen'));
      const { scrollWidth, widest } = await measure(page);
      assert.ok(
        scrollWidth <= WIDTH,
        `${path} (${lang}) is ${scrollWidth} px wide at ${WIDTH} px; the widest element: ${widest}`,
      );
      const violations = await axeViolations(page);
      assert.deepEqual(
        violations,
        [],
        `${path} (${lang}) at ${WIDTH} px: ${JSON.stringify(violations.map((v) => [v.id, v.nodes.map((n) => n.target)]))}`,
      );
    } finally {
      await page.close();
    }
  }

  for (const lang of ['nl', 'en']) {
    for (const path of DEMO_PUBLIC_PAGES)
      it(`${path} (${lang}, public) fits ${WIDTH} px without scrolling sideways`, () =>
        fits(() => anonymous, path, lang));
    it(`every staff page (${lang}, as an administrator) fits ${WIDTH} px without scrolling sideways`, async () => {
      const failures: string[] = [];
      for (const path of staffPages)
        await fits(() => staff, path, lang).catch((e: Error) => failures.push(e.message.split('\n')[0]!));
      if (failures.length > 0)
        assert.fail(`${failures.length} of ${staffPages.length} staff pages:\n${failures.join('\n')}`);
    });
  }
});
