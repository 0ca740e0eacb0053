/// <reference lib="dom" />
import { givenSubscription } from '../factories/webhook.factory';
import { givenReferencedMatch } from '../factories/signal.factory';
import { createApiKey } from '../../src/api-keys/api-key.service';
import assert from 'node:assert/strict';
import { declareResellers, resellerLimitsOf } from '../../src/signals/declared-reseller.service';
import { matchSignals } from '../../src/signals/signal-matching';
import { givenSignal, givenSignalSupplier, testSignalKeys } from '../factories/signal.factory';
import type { Server } from 'node:http';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { importAanList } from '../../src/aan/aan-import.service';
import { startApplication } from '../../src/application/application.service';
import { addDays, toLocalDate } from '../../src/shared/time';
import { signCheckpointIfDue } from '../../src/transparency/checkpoint.service';
import { givenAanListed, openReviewTasks } from '../factories/aan.factory';
import { givenProvider } from '../factories/provider.factory';
import { givenUser, type TestUser } from '../factories/user.factory';
import { testConfig } from '../helpers/app';
import { testSigner } from '../helpers/database';
import {
  axeViolations,
  launchBrowser,
  requireChromium,
  serve,
  signInProvider,
  signInStaff,
} from '../helpers/browser';
import { DEMO_PUBLIC_PAGES, kvkWhere, useDemoRegister } from '../helpers/demo';
import { appRoutes } from '../helpers/routes';

/** 320 CSS px is what 400 % zoom of a 1280 px window gives (WCAG 2.1 SC 1.4.10 Reflow). */
const WIDTH = 320;
const VIEWPORT = { width: WIDTH, height: 640 };

const verantwoord = kvkWhere((d) => d.expected === 'verantwoord');
const revoked = kvkWhere((d) => d.expected === 'revoked');

/**
 * Who opens a page: a visitor, a provider's user whose application waits for review (`provider`)
 * or who is still writing one (`applicant`), staff in each role, and a member of staff halfway
 * through signing in (password given, code not yet).
 */
type Who =
  'anonymous' | 'provider' | 'applicant' | 'reviewer' | 'auditor' | 'admin' | 'halfway' | 'buyer' | 'signal';

/** The ids of the demo register a page needs; `{name}` in a path below is replaced by the id. */
interface Ids {
  /** The provider's application, submitted and waiting in the review queue. */
  submittedApplication: string;
  /** The applicant's application, a draft that can still be edited. */
  draftApplication: string;
  codeVersion: string;
  reviewTask: string;
  /** A demo attestation, shown with its proof against the checkpoint signed in `before`. */
  attestation: string;
  /** The demo buyer's watch list (issue 18) and one of its entries. */
  watchList: string;
  watchEntry: string;
  /** A webhook subscription and an API key of the demo buyer's organisation. */
  webhook: string;
  apiKey: string;
  /** A signal's match with the provider's declared reseller (issue 19), and that reseller. */
  signalMatch: string;
  declaredReseller: string;
  /** A signal supplier organisation and a signal of it with a shared match (issue 19). */
  signalSupplier: string;
  signal: string;
  signalApiKey: string;
}

/**
 * The signed-in pages, each opened by whom it is for; a page that differs per role (the account,
 * the queue, an application under review, the menu) by each. The public pages are
 * DEMO_PUBLIC_PAGES, opened anonymously.
 */
const SIGNED_IN_PAGES: [Who, string][] = [
  ['provider', '/'],
  ['provider', '/account'],
  ['provider', '/account/tweestapsverificatie'],
  ['provider', '/account/wachtwoord'],
  ['provider', '/aanvragen/{submittedApplication}'],
  ['provider', '/aanvragen/{submittedApplication}/ingediend'],
  ['provider', '/aanvragen/{submittedApplication}/intrekken'],
  ['applicant', '/account'],
  ['applicant', '/aanvragen/{draftApplication}'],
  ['applicant', '/aanvragen/{draftApplication}/controleren'],
  ['applicant', '/aanvragen/{draftApplication}/intrekken'],
  ['halfway', '/inloggen/tweestaps'],
  ['reviewer', '/account'],
  ['reviewer', '/beoordeling'],
  ['reviewer', '/beoordeling/aanvragen/{submittedApplication}'],
  ['reviewer', `/beoordeling/hostingproviders/${verantwoord}`],
  ['reviewer', '/beoordeling/taken/{reviewTask}/afgehandeld'],
  // Issue 19: the reviewers' overview of signal matches (the demo has one); the staff page above shows its section.
  ['reviewer', '/beoordeling/signalen'],
  ['reviewer', '/beoordeling/signalen?sorteer=achterstallig'],
  ['auditor', '/account'],
  ['auditor', '/beoordeling'],
  ['auditor', '/beoordeling/signalen'],
  ['auditor', '/beheer/auditlog'],
  ['auditor', '/beheer/auditlog/controle'],
  ['admin', '/'],
  ['admin', '/account'],
  ['admin', '/account/tweestapsverificatie'],
  ['admin', '/account/wachtwoord'],
  ['admin', '/beoordeling'],
  ['admin', '/beoordeling/aanvragen/{submittedApplication}'],
  ['admin', '/beoordeling/hostingproviders?q=a'],
  ['admin', `/beoordeling/hostingproviders/${verantwoord}`],
  ['admin', `/beoordeling/hostingproviders/${revoked}`],
  ['admin', '/beheer/uitgaande-mail'],
  ['admin', '/beheer/auditlog'],
  ['admin', '/beheer/auditlog/controle'],
  ['admin', '/beheer/aan-deelnemers'],
  ['admin', '/beheer/medewerkers'],
  ['admin', '/beheer/gedragscode'],
  ['admin', '/beheer/gedragscode/{codeVersion}'],
  ['admin', '/beheer/instellingen'],
  ['admin', '/beheer/inkopers'],
  ['buyer', '/'],
  ['buyer', '/account'],
  ['buyer', '/inkoop'],
  ['buyer', '/inkoop/volglijsten/{watchList}'],
  ['buyer', '/inkoop/volglijsten/{watchList}/verwijderen'],
  ['buyer', '/inkoop/volglijsten/{watchList}/leveranciers/{watchEntry}'],
  ['buyer', '/inkoop/webhooks'],
  ['buyer', '/inkoop/webhooks/{webhook}'],
  ['buyer', '/inkoop/api-sleutels'],
  ['buyer', '/inkoop/api-sleutels/{apiKey}/intrekken'],
  ['provider', '/account/wederverkopers'],
  ['provider', '/account/wederverkopers/{declaredReseller}/verwijderen'],
  ['provider', '/account/signalen'],
  ['provider', '/account/signalen/{signalMatch}'],
  ['signal', '/'],
  ['signal', '/account'],
  ['signal', '/signalen'],
  ['signal', '/signalen/nieuw'],
  ['signal', '/signalen/importeren'],
  ['signal', '/signalen/{signal}'],
  ['signal', '/signalen/{signal}/intrekken'],
  ['signal', '/signalen/api-sleutels'],
  ['signal', '/signalen/api-sleutels/{signalApiKey}/intrekken'],
  ['admin', '/beheer/signaalleveranciers'],
  ['admin', '/beheer/signaalleveranciers/{signalSupplier}'],
  ['admin', '/beheer/signaalleveranciers/{signalSupplier}/api-sleutels/{signalApiKey}/intrekken'],
];

const PAGES: [Who, string][] = [
  ...DEMO_PUBLIC_PAGES.map((path): [Who, string] => ['anonymous', path]),
  // An attestation with its proof in the transparency log: long base64 lines that must wrap.
  ['anonymous', '/verificatie/{attestation}'],
  ...SIGNED_IN_PAGES,
];

/** The pages someone may want on paper: a provider's public page, an attestation's check, the staff dossier. */
const PRINTED: [Who, string][] = [
  ['anonymous', `/hostingproviders/${verantwoord}`],
  ['anonymous', '/verificatie/VHP-2000-000001'],
  ['admin', `/beoordeling/hostingproviders/${verantwoord}`],
];

/** The GET routes of the access matrix that are no page, and so have no layout to reflow. */
const NOT_PAGES: Record<string, string> = {
  'GET /healthz': 'a health probe for the platform (plain text)',
  'GET /readyz': 'a readiness probe for the platform (plain text)',
  'GET /assets/nlds/design-tokens.css': 'a stylesheet',
  'GET /assets/nlds/components.css': 'a stylesheet',
  'GET /assets/css/origin.css': 'a stylesheet',
  'GET /open-data/hostingproviders.csv': 'a download (CSV)',
  'GET /open-data/hostingproviders.json': 'a download (JSON)',
  'GET /open-data/statuswijzigingen.atom': 'a feed (Atom XML)',
  'GET /open-data/statuswijzigingen/archief/:pagina.atom': 'a feed archive page (Atom XML)',
  'GET /aanvragen/:id/bewijsstukken/:evidenceId': 'a download (the evidence PDF)',
  'GET /beoordeling/hostingproviders/:kvkNumber/dossier': 'a download (the dossier ZIP)',
  'GET /beoordeling/uittreksels/:id': 'a download (a KvK extract: PDF, PNG or JPEG)',
  'GET /beheer/auditlog.csv': 'a download (CSV)',
  'GET /beheer/auditlog.jsonl': 'a download (JSON lines)',
  'GET /verificatie/:nummer/pdf': 'a download (the attestation PDF)',
  'GET /verificatie/:nummer/bewijs': 'a download (the attestation proof, C2SP tlog-proof text)',
  'GET /open-data/checkpoints.json': 'a download (JSON)',
  'GET /transparantie/checkpoint': 'the signed checkpoint (plain text, C2SP tlog-checkpoint)',
  'GET /transparantie/sleutel': 'the verifier key (plain text)',
  'GET /transparantie/tile/*tile': 'tiles of the log (binary, C2SP tlog-tiles)',
  'GET /inloggen/eherkenning': 'a redirect to the eHerkenning broker',
  'GET /inloggen/eherkenning/terug':
    "the broker's return: a redirect, or a refusal page that test/browser/eherkenning.test.ts checks at 320 px",
  'GET /inloggen/eherkenning/organisatie':
    'needs a login at the test broker: test/browser/eherkenning.test.ts checks it at 320 px',
  'GET /inloggen/eherkenning/aansluiten':
    'needs a login at the test broker; the same layout as /inloggen/eherkenning/organisatie with two fields',
  'GET /inkoop/volglijsten/:id/download.:format': 'a download (a watch list as .xlsx or CSV)',
  'GET /api/v1/': 'the JSON API',
  'GET /api/v1/openapi.json': 'the JSON API',
  'GET /api/v1/hostingproviders': 'the JSON API',
  'GET /api/v1/hostingproviders/:kvkNummer': 'the JSON API',
  'GET /api/v1/hostingproviders/:kvkNummer/statuswijzigingen': 'the JSON API',
  'GET /api/v1/verklaringen/:nummer': 'the JSON API',
  'GET /api/v1/statuswijzigingen': 'the JSON API',
  'GET /api/v1/webhook-abonnementen/': 'the JSON API',
  'GET /api/v1/webhook-abonnementen/:id': 'the JSON API',
  'GET /api/v1/webhook-abonnementen/:id/afleveringen': 'the JSON API',
  'GET /api/v1/signalen/': 'the JSON API',
  'GET /api/v1/signalen/:id': 'the JSON API',
};

/** Whether `path` (no query) is a URL of the Express route `route` (`:name` is one segment). */
const isUrlOf = (route: string, path: string) =>
  new RegExp(`^${route.replace(/:\w+/g, '[^/]+')}$`).test(path.split('?')[0]!);

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

/** Where the site name, the menu, the main content and the footer start and end: one column on every page. */
const column = (page: Page) =>
  page.evaluate(() => {
    const box = (selector: string) => {
      const e = document.querySelector(selector);
      if (!e) return `no ${selector}`;
      const r = e.getBoundingClientRect();
      const style = getComputedStyle(e);
      // The content box: where text starts and ends.
      return `${Math.round(r.left + parseFloat(style.paddingLeft))}–${Math.round(r.right - parseFloat(style.paddingRight))}`;
    };
    return {
      header: box('.register-header__content'),
      menu: box('.register-nav__list'),
      main: box('main'),
      footer: box('.register-footer .rhc-page-footer__content'),
    };
  });

describe(`in a real browser: every page fits a ${WIDTH} px wide phone (WCAG 2.1 SC 1.4.10 Reflow)`, function () {
  this.timeout(120_000);
  const demo = useDemoRegister();
  let browser: Browser;
  let server: Server;
  let base: string;
  let ids: Ids;
  const contexts = {} as Record<Who, BrowserContext>;
  let checked = 0;

  before(async function () {
    requireChromium(this);
    const { dataSource } = demo.db;
    ({ server, base } = await serve(demo.app));
    browser = await launchBrowser();
    const [submitted] = await dataSource.query<{ id: string; provider_id: string }[]>(
      `SELECT id, provider_id FROM applications WHERE state = 'submitted' ORDER BY submitted_at LIMIT 1`,
    );
    const [version] = await dataSource.query<{ id: string }[]>(
      'SELECT id FROM code_of_conduct_versions ORDER BY published_at DESC LIMIT 1',
    );
    assert.ok(submitted && version, 'the demo has a submitted application and a code version');
    // A review task, as the AAN list raises one: an end date on one list, gone from the next.
    const listed = await givenAanListed(dataSource, version);
    const aanList = (end: string) =>
      `kvk_nummer;naam;deelname_sinds;deelname_tot\n${listed.kvkNumber};R;2025-01-01;${end}\n`;
    for (const end of [toLocalDate(addDays(new Date(), 60)), ''])
      await importAanList(dataSource, aanList(end), 'test', new Date(), { acceptIncomplete: true });
    const [task] = await openReviewTasks(dataSource, listed.id);
    assert.ok(task, 'the AAN list raised a review task');
    const applicant = await givenUser(dataSource, 'provider', {
      providerId: (await givenProvider(dataSource)).id,
    });
    const draft = await startApplication(dataSource, applicant.user, testConfig, new Date());
    // A signed checkpoint, so /transparantie and the attestation show one.
    await signCheckpointIfDue(dataSource, testSigner(dataSource), new Date(), { intervalSeconds: 30 });
    const [attestation] = await dataSource.query<{ number: string }[]>(
      'SELECT number FROM attestations ORDER BY number LIMIT 1',
    );
    assert.ok(attestation, 'the demo has an attestation');
    // A colleague of the demo buyer: the same buyer organisation, so the demo's watch list is theirs too.
    const [watch] = await dataSource.query<{ list: string; entry: string }[]>(
      `SELECT l.id AS list, e.id AS entry FROM watch_lists l JOIN watch_list_entries e ON e.watch_list_id = l.id LIMIT 1`,
    );
    assert.ok(watch, 'the demo has a watch list with an entry');
    const buyer = await givenUser(dataSource, 'buyer', {
      buyerDomain: 'ministerie.example',
      name: 'Reflow buyer',
    });
    const organisation = { id: buyer.user.buyerOrganisationId!, domain: 'ministerie.example' };
    const by = { organisationId: organisation.id, userId: buyer.user.id, actor: `buyer:${buyer.user.id}` };
    // A declared reseller of the provider with a long name and domain, and a signal that matches it.
    const providerPerson = await givenUser(dataSource, 'provider', { providerId: submitted.provider_id });
    const settings = { answerDays: 30, baseUrl: testConfig.publicBaseUrl };
    const longDomain = 'een-heel-lange-domeinnaam-van-een-wederverkoper-die-moet-afbreken.nl';
    await dataSource.transaction((m) =>
      declareResellers(
        m,
        testSignalKeys,
        { id: providerPerson.user.id, role: 'provider', providerId: submitted.provider_id },
        [
          {
            reference: 'KLANT-2026-000123',
            names: ['Wederverkoper met een lange naam Internetdiensten B.V.'],
            kvkNumber: null,
            domains: [longDomain],
            mailDomains: [],
            ipRanges: ['2001:db8:1234:5678::/64'],
            asNumbers: [],
          },
        ],
        { source: 'form', field: 'resellerNames' },
        resellerLimitsOf(testConfig),
        settings,
        new Date(),
      ),
    );
    const supplier = await givenSignalSupplier(dataSource);
    const matchedSignal = await givenSignal(
      dataSource,
      supplier.id,
      { domains: [longDomain] },
      {
        text: 'Een toelichting van de signaalleverancier die over meerdere regels loopt op een smal scherm.',
      },
    );
    await dataSource.transaction((m) =>
      matchSignals(m, testSignalKeys, [matchedSignal.id], settings, new Date()),
    );
    const [signalMatch] = await dataSource.query<{ id: string; declared_reseller_id: string }[]>(
      `SELECT id, declared_reseller_id FROM signal_matches WHERE signal_id = $1`,
      [matchedSignal.id],
    );
    const signalPerson = await givenUser(dataSource, 'signal_supplier', { name: 'Reflow signal supplier' });
    const signalSupplier = signalPerson.user.signalSupplierId!;
    const signal = await givenSignal(
      dataSource,
      signalSupplier,
      {
        names: ['Een wederverkoper met een heel lange naam die moet afbreken BV'],
        domains: ['een-heel-lang-domein-dat-op-een-telefoon-moet-afbreken.voorbeeld.example'],
        ipRanges: ['2001:db8:1234:5678::/64'],
      },
      { text: 'Toelichting\nover twee regels.' },
    );
    await givenReferencedMatch(dataSource, signal.id, submitted.provider_id, {
      reference: 'KLANT-2026-000123',
      sharedAt: new Date(),
      answers: [{ action: 'disputed', note: 'Deze klant is een school.', at: new Date() }],
    });
    ids = {
      signalMatch: signalMatch!.id,
      declaredReseller: signalMatch!.declared_reseller_id,
      signalSupplier,
      signal: signal.id,
      signalApiKey: (
        await createApiKey(
          dataSource,
          {
            organisationId: signalSupplier,
            userId: signalPerson.user.id,
            actor: `signal_supplier:${signalPerson.user.id}`,
            owner: 'signal_supplier',
          },
          'Politiesysteem',
          new Date(),
        )
      ).apiKey.id,
      webhook: (
        await givenSubscription(dataSource, organisation, 'https://inkoop.ministerie.example/meldingen')
      ).id,
      apiKey: (await createApiKey(dataSource, by, 'Inkoopsysteem', new Date())).apiKey.id,
      watchList: watch.list,
      watchEntry: watch.entry,
      submittedApplication: submitted.id,
      draftApplication: draft.id,
      codeVersion: version.id,
      reviewTask: task.id,
      attestation: attestation.number,
    };
    const users: [Who, TestUser, (page: Page, base: string, user: TestUser) => Promise<void>][] = [
      ['provider', providerPerson, signInProvider],
      ['applicant', applicant, signInProvider],
      // Buyers sign in as providers do: a password, no second factor asked.
      ['buyer', buyer, signInProvider],
      // Signal suppliers have the staff second factor.
      ['signal', signalPerson, signInStaff],
    ];
    for (const role of ['reviewer', 'auditor', 'admin'] as const)
      users.push([role, await givenUser(dataSource, role, { name: `Reflow ${role}` }), signInStaff]);
    contexts.anonymous = await browser.newContext({ viewport: VIEWPORT });
    for (const [who, user, signIn] of users) {
      contexts[who] = await browser.newContext({ viewport: VIEWPORT });
      const page = await contexts[who].newPage();
      await signIn(page, base, user);
      await page.close();
    }
    // Password given, code not yet: the second-factor page of the sign-in.
    contexts.halfway = await browser.newContext({ viewport: VIEWPORT });
    const halfway = await givenUser(dataSource, 'reviewer');
    const page = await contexts.halfway.newPage();
    await page.goto(`${base}/inloggen`);
    await page.fill('#field-email', halfway.email);
    await page.fill('#field-password', halfway.password);
    await Promise.all([page.waitForURL(/\/inloggen\/tweestaps/), page.click('#inhoud button[type=submit]')]);
    await page.close();
  });

  after(async () => {
    // The figure the lead reports: how many pages (page × language) were opened at 320 px.
    // eslint-disable-next-line no-console
    console.log(`      reflow: ${checked} pages checked at ${WIDTH} × ${VIEWPORT.height} px (with axe)`);
    await browser?.close();
    server?.close();
  });

  const urlOf = (path: string) =>
    path.replace(/\{(\w+)\}/g, (_, name: string) => {
      const id = ids[name as keyof Ids];
      assert.ok(id, `an id for {${name}}`);
      return id;
    });

  it('opens every GET page of the access matrix, or says why it is no page', () => {
    const routes = appRoutes(demo.app)
      .filter((r) => r.startsWith('GET '))
      .map((r) => r.slice('GET '.length));
    const visited = PAGES.map(([, path]) => urlOf(path));
    assert.deepEqual(
      {
        neitherVisitedNorExcluded: routes.filter(
          (route) => !(`GET ${route}` in NOT_PAGES) && !visited.some((url) => isUrlOf(route, url)),
        ),
        excludedButNoRoute: Object.keys(NOT_PAGES).filter((r) => !routes.includes(r.slice('GET '.length))),
        excludedButVisited: Object.keys(NOT_PAGES).filter((r) =>
          visited.some((url) => isUrlOf(r.slice('GET '.length), url)),
        ),
        visitedButNoRoute: visited.filter((url) => !routes.some((route) => isUrlOf(route, url))),
      },
      {
        neitherVisitedNorExcluded: [],
        excludedButNoRoute: [],
        excludedButVisited: [],
        visitedButNoRoute: [],
      },
    );
  });

  async function fits(who: Who, path: string, lang: string): Promise<void> {
    const page = await contexts[who].newPage();
    try {
      const url = urlOf(path);
      const response = await page.goto(`${base}${url}${url.includes('?') ? '&' : '?'}lang=${lang}`);
      assert.ok(response && response.status() < 500, `${path} answers ${response?.status()}`);
      assert.equal(
        new URL(page.url()).pathname.startsWith('/inloggen'),
        path.startsWith('/inloggen'),
        `${path} is shown, not the sign-in page`,
      );
      assert.equal(await page.getAttribute('html', 'lang'), lang);
      const { scrollWidth, widest } = await measure(page);
      assert.ok(
        scrollWidth <= WIDTH,
        `${path} (${lang}) is ${scrollWidth} px wide at ${WIDTH} px; the widest element: ${widest}`,
      );
      const edges = await column(page);
      assert.equal(
        new Set(Object.values(edges)).size,
        1,
        `${path}: one content column, ${JSON.stringify(edges)}`,
      );
      const violations = await axeViolations(page);
      assert.deepEqual(
        violations,
        [],
        `${path} (${lang}) at ${WIDTH} px: ${JSON.stringify(violations.map((v) => [v.id, v.nodes.map((n) => n.target)]))}`,
      );
      checked += 1;
    } finally {
      await page.close();
    }
  }

  it('keeps one content width and left edge on a 1280 px screen too', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    try {
      for (const path of DEMO_PUBLIC_PAGES) {
        await page.goto(`${base}${path}`);
        const edges = await column(page);
        // 72rem of content, centred: 64 px to 1216 px.
        assert.deepEqual(
          { path, ...edges },
          { path, header: '64–1216', menu: '64–1216', main: '64–1216', footer: '64–1216' },
        );
      }
    } finally {
      await page.context().close();
    }
  });

  describe('printed', () => {
    const origin = new URL(testConfig.publicBaseUrl).origin;
    for (const [who, path] of PRINTED)
      it(`${path} (${who}) prints its content without menus or forms, with every link's full address`, async () => {
        const page = await contexts[who].newPage();
        try {
          await page.goto(`${base}${path}`);
          const link = page.locator('main a[href^="/"]').first();
          const href = await link.getAttribute('href');
          assert.ok(href, `${path} has a link within the register`);
          const after = () => link.evaluate((a) => getComputedStyle(a, '::after').content);
          assert.equal(await after(), 'none', 'on screen, no address after a link');
          await page.emulateMedia({ media: 'print' });
          for (const hidden of [
            '.register-nav',
            '.register-language',
            '.register-footer',
            'main form',
            '.nl-skip-link',
          ])
            for (const element of await page.locator(hidden).all())
              assert.equal(await element.isVisible(), false, `${hidden} is not printed`);
          assert.ok(await page.locator('main h1').isVisible(), 'the content is printed');
          // What a reader of the paper sees: the link's text followed by its full address.
          assert.notEqual(await after(), 'none', 'printed, an address after a link');
          const name = await link.ariaSnapshot();
          assert.ok(name.includes(`(${origin}${href})`), `the link reads "${name}", with (${origin}${href})`);
        } finally {
          await page.close();
        }
      });
  });

  // F15: a refused line is quoted whole in its error; a long one (a defanged URL with a path, a
  // 250-character name, a long IP or KvK line) must wrap inside the form, not widen the page.
  it('wraps a form’s errors that quote a long refused line, on the police’s signal form and the reseller form', async () => {
    const longLines = {
      domains: `hxxps://evil2[.]nl/login/verify-account-now/${'aHR0cHM6Ly9ldmlsLmV4YW1wbGUvbG9naW4'.repeat(3)} x`,
      names: 'N'.repeat(250),
      ipRanges: '2001:db8:'.repeat(17),
      kvkNumbers: '1'.repeat(120),
    };
    const forms: [Who, string, Record<string, string>, string][] = [
      [
        'signal',
        '/signalen/nieuw',
        Object.fromEntries(Object.entries(longLines).map(([k, v]) => [`#field-${k}`, v])),
        '[data-line-problems]',
      ],
      [
        'provider',
        '/account/wederverkopers',
        {
          '#field-resellerNames': longLines.names,
          '#field-resellerDomains': longLines.domains,
          '#field-resellerIpRanges': longLines.ipRanges,
          '#field-resellerKvk': longLines.kvkNumbers,
        },
        '.register-field__error',
      ],
    ];
    for (const [who, path, fields, errorSelector] of forms) {
      const page = await contexts[who].newPage();
      try {
        await page.goto(`${base}${path}`);
        for (const [selector, value] of Object.entries(fields)) await page.fill(selector, value);
        if (path === '/signalen/nieuw') await page.selectOption('#field-category', { index: 1 });
        await Promise.all([
          page.waitForLoadState('load'),
          page.click(`main form[method="post"][action="${path}"] button[type=submit]`),
        ]);
        await page.waitForSelector(errorSelector);
        const { scrollWidth, widest } = await measure(page);
        assert.ok(
          scrollWidth <= WIDTH,
          `${path} with a long refused line is ${scrollWidth} px wide at ${WIDTH} px; the widest element: ${widest}`,
        );
      } finally {
        await page.close();
      }
    }
  });

  for (const lang of ['nl', 'en'])
    for (const [who, path] of PAGES)
      it(`${path} (${lang}, ${who}) fits ${WIDTH} px without scrolling sideways`, () =>
        fits(who, path, lang));
});
