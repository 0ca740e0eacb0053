/// <reference lib="dom" />
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { currentTotp } from '../../src/identity/totp';
import { simplePdf } from '../../src/seed/demo-pdf';
import { testApp } from '../helpers/app';
import { axeViolations, launchBrowser, requireChromium, serve } from '../helpers/browser';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { confirmationLinkTo } from '../helpers/outbox';
import { givenCodeVersion, uniqueKvk } from '../factories/provider.factory';
import { givenUser, TEST_PASSWORD, validVatNumber } from '../factories/user.factory';

/** The widths the journey runs at: a desktop screen, and a phone (WCAG 2.1 SC 1.4.10 Reflow: 320 CSS px). */
const WIDTHS = [
  { width: 1280, height: 800 },
  { width: 320, height: 640 },
] as const;

type Viewport = (typeof WIDTHS)[number];

/** What the reviewer asks, what the provider answers, and what the approval says in public. */
const CHANGES_ASKED = 'De ondertekende gedragscode mist de handtekening. Voeg een getekend exemplaar toe.';
const REPLY = 'Het getekende exemplaar staat er nu bij, als code_of_conduct-getekend.pdf.';
const PUBLIC_TEXT = 'Gedragscode getekend en AAN-deelname bevestigd.';

describe('in a real browser: the main journey through the real forms', function () {
  let db: TestDatabase;
  let browser: Browser;
  let server: Server;
  let base: string;

  before(async function () {
    requireChromium(this);
    db = await createTestDatabase();
    await givenCodeVersion(db.dataSource, { label: 'J-1', publishedAt: new Date('2025-01-01T00:00:00Z') });
    ({ server, base } = await serve(testApp(db.dataSource).app));
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    server?.close();
    await db?.drop();
  });

  for (const viewport of WIDTHS) {
    describe(`at ${viewport.width} px wide`, function () {
      this.timeout(300_000);
      const contexts: BrowserContext[] = [];
      after(async () => {
        for (const context of contexts) await context.close();
      });

      it('apply with evidence → changes asked → reply and resubmit → approve after confirming → verantwoord → attestation issued and verified', async () => {
        const open = async () => {
          const context = await browser.newContext({ viewport });
          contexts.push(context);
          return context.newPage();
        };
        await journey(base, db, viewport, open);
      });
    });
  }
});

/** The buttons and links of the page's main content (never the header's or footer's). */
const main = (page: Page) => page.locator('#inhoud');

/**
 * Every page the journey passes: free of axe violations (WCAG 2.1 A and AA) and, on a phone,
 * no wider than the screen (nothing to scroll sideways for).
 */
async function checkPage(page: Page, viewport: Viewport, checked: string[]): Promise<void> {
  const where = new URL(page.url()).pathname;
  const violations = await axeViolations(page);
  assert.deepEqual(violations, [], `${where}: ${JSON.stringify(violations, null, 2)}`);
  if (viewport.width === 320) {
    const { scrollWidth, widest } = await page.evaluate((width) => {
      const reaches = (e: Element) => e.getBoundingClientRect().right > width + 0.5;
      const innermost = [...document.querySelectorAll('body *')].filter(
        (e) => reaches(e) && ![...e.children].some(reaches),
      )[0];
      return {
        scrollWidth: document.documentElement.scrollWidth,
        widest: innermost
          ? `${innermost.tagName.toLowerCase()}.${[...innermost.classList].join('.')}: "${(innermost.textContent ?? '').trim().slice(0, 50)}"`
          : 'none',
      };
    }, viewport.width);
    assert.ok(scrollWidth <= 320, `${where} is ${scrollWidth} px wide at 320 px (widest: ${widest})`);
  }
  checked.push(where);
}

/**
 * Clicks the main content's button `name` and waits until the answer to its POST has loaded as
 * the new page (a 303's GET, or a page rendered in answer), so nothing reads the page it left.
 * An unexpected answer fails with its page text instead of a bare time-out further on.
 */
async function press(page: Page, name: string, expected: 200 | 303 | 400 = 303): Promise<void> {
  await page.evaluate(() => {
    (window as unknown as { left?: boolean }).left = true;
  });
  const posted = page.waitForResponse((r) => r.request().method() === 'POST');
  await main(page).getByRole('button', { name, exact: true }).click();
  const answer = await posted;
  if (answer.status() !== expected) {
    const text = (await answer.text()).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    assert.fail(`"${name}" answered ${answer.status()}, not ${expected}: ${text.slice(0, 600)}`);
  }
  await page.waitForFunction(
    () => !(window as unknown as { left?: boolean }).left && document.readyState === 'complete',
  );
}

async function fill(page: Page, values: Record<string, string>) {
  for (const [name, value] of Object.entries(values)) await page.fill(`#field-${name}`, value);
}

async function addEvidence(page: Page, kind: string, filename: string, label: string) {
  await page.selectOption('#field-kind', kind);
  await page.setInputFiles('#field-file', {
    name: filename,
    mimeType: 'application/pdf',
    buffer: simplePdf(label),
  });
  await press(page, 'Bewijsstuk toevoegen');
  await main(page).getByRole('link', { name: filename, exact: true }).waitFor();
}

/** The one journey; it runs once per width. */
async function journey(
  base: string,
  db: TestDatabase,
  viewport: Viewport,
  open: () => Promise<Page>,
): Promise<void> {
  const checked: string[] = [];
  const check = (page: Page) => checkPage(page, viewport, checked);
  const kvkNumber = uniqueKvk();
  const legalName = `Browserhosting ${viewport.width} B.V.`;
  const email = `bram-${kvkNumber}@browser.example`;

  // The provider registers; a mistake first comes back with an error summary and keeps what was typed.
  const provider = await open();
  await provider.goto(`${base}/registreren`);
  await check(provider);
  await fill(provider, { legalName, kvkNumber: '123' });
  await press(provider, 'Registreren', 400);
  assert.equal(await provider.locator('.register-error-summary').count(), 1);
  assert.equal(await provider.inputValue('#field-legalName'), legalName);
  await check(provider);
  await fill(provider, {
    kvkNumber,
    vatNumber: validVatNumber(),
    streetAddress: 'Browserlaan 1',
    postcode: '3511 AB',
    city: 'Utrecht',
    abuseEmail: 'abuse@browser.example',
    name: 'Bram Browser',
    email,
    password: TEST_PASSWORD,
    passwordConfirmation: TEST_PASSWORD,
  });
  await press(provider, 'Registreren');
  // No session yet: the address is confirmed first, by the button behind the mailed link.
  assert.match(provider.url(), /\/e-mailadres-bevestigen$/);
  await check(provider);
  await provider.goto(`${base}${await confirmationLinkTo(db.dataSource, email)}`);
  await check(provider);
  await press(provider, 'E-mailadres bevestigen', 200);
  await check(provider);
  await main(provider).getByRole('link', { name: 'Inloggen', exact: true }).click();
  await provider.waitForURL(/\/inloggen$/);
  await fill(provider, { email, password: TEST_PASSWORD });
  await press(provider, 'Inloggen');
  assert.match(provider.url(), /\/account$/);
  await check(provider);

  // The application: details, two evidence PDFs, the check page, submitted.
  await press(provider, 'Aanvraag voor vermelding starten');
  assert.match(provider.url(), /\/aanvragen\/[0-9a-f-]{36}$/);
  const applicationUrl = provider.url();
  await check(provider);
  await provider.selectOption('#field-codeOfConductVersionId', { label: 'J-1 – Gedragscode J-1' });
  await fill(provider, {
    codeSignedOn: '2026-01-10',
    signatoryName: 'Bram Browser',
    signatoryRole: 'Directeur',
    aanSince: '2025-09-01',
    aanContactName: 'Anna AAN',
    aanContactEmail: 'aan@browser.example',
  });
  await press(provider, 'Gegevens opslaan');
  assert.match(provider.url(), /opgeslagen=1/);
  await addEvidence(provider, 'code_of_conduct', 'code_of_conduct.pdf', 'Ondertekende gedragscode');
  await addEvidence(provider, 'aan_confirmation', 'aan_confirmation.pdf', 'Bevestiging AAN-deelname');
  await check(provider);
  await press(provider, 'Opslaan en verder naar controleren');
  assert.match(provider.url(), /\/controleren$/);
  await check(provider);
  await press(provider, 'Aanvraag indienen');
  assert.match(provider.url(), /\/ingediend$/);
  assert.equal(await provider.locator('[data-step="submitted"][aria-current="step"]').count(), 1);
  await check(provider);
  await provider.goto(applicationUrl);
  assert.equal(await provider.getAttribute('[data-state]', 'data-state'), 'submitted');

  // The reviewer signs in and sets up the second factor with a code from the app.
  const who = await givenUser(db.dataSource, 'reviewer', { totp: false });
  const reviewer = await open();
  await reviewer.goto(`${base}/inloggen`);
  await check(reviewer);
  await fill(reviewer, { email: who.email, password: who.password });
  await press(reviewer, 'Inloggen');
  assert.match(reviewer.url(), /\/account$/);
  await reviewer.goto(`${base}/beoordeling`);
  await reviewer.waitForURL(/tweestapsverificatie/);
  await check(reviewer);
  const secret = (await reviewer.getAttribute('[data-secret]', 'data-secret'))!;
  await reviewer.fill('#field-code', currentTotp(secret, who.email, new Date()));
  await press(reviewer, 'Bevestigen');
  assert.equal(
    await reviewer.locator('.register-error-summary').count(),
    0,
    'the code from the app was accepted',
  );
  assert.equal(
    await reviewer.getByRole('heading', { name: 'Uw herstelcodes' }).count(),
    1,
    `the recovery codes at ${reviewer.url()}: ${(await main(reviewer).innerText()).slice(0, 600)}`,
  );
  await check(reviewer);

  // From the queue to the application; the reviewer asks for changes, with a message.
  await reviewer.goto(`${base}/beoordeling`);
  await check(reviewer);
  await Promise.all([
    reviewer.waitForURL(/\/beoordeling\/aanvragen\/[0-9a-f-]{36}$/),
    main(reviewer)
      .getByRole('table', { name: 'Aanvragen, oudste eerst' })
      .getByRole('link', { name: legalName, exact: true })
      .click(),
  ]);
  const reviewUrl = reviewer.url();
  await check(reviewer);
  await reviewer.check('#action-request_changes');
  await reviewer.fill('#field-message', CHANGES_ASKED);
  await press(reviewer, 'Besluit vastleggen');
  assert.equal(reviewer.url(), reviewUrl);
  assert.equal(await reviewer.getAttribute('[data-state]', 'data-state'), 'changes_requested');
  await check(reviewer);

  // The provider reads the message, replies, adds what was asked and resubmits through the check page.
  await provider.goto(applicationUrl);
  assert.equal(await provider.getAttribute('[data-state]', 'data-state'), 'changes_requested');
  assert.equal(
    await provider.locator('[data-kind="changes_requested"] .register-messages__body').textContent(),
    CHANGES_ASKED,
  );
  await check(provider);
  await provider.fill('#field-reply', REPLY);
  await press(provider, 'Bericht versturen');
  assert.match(provider.url(), /verstuurd=1/);
  assert.equal(
    await provider.locator('[data-kind="provider_reply"] .register-messages__body').textContent(),
    REPLY,
  );
  await check(provider);
  await addEvidence(provider, 'code_of_conduct', 'code_of_conduct-getekend.pdf', 'Getekende gedragscode');
  await check(provider);
  await press(provider, 'Opslaan en verder naar controleren');
  assert.match(provider.url(), /\/controleren$/);
  await main(provider).getByRole('link', { name: 'code_of_conduct-getekend.pdf', exact: true }).waitFor();
  await check(provider);
  await press(provider, 'Aanvraag indienen');
  assert.match(provider.url(), /\/ingediend$/);
  await check(provider);

  // The reviewer sees the reply in the conversation, chooses approve and sees what becomes public.
  await reviewer.goto(reviewUrl);
  assert.equal(await reviewer.getAttribute('[data-state]', 'data-state'), 'submitted');
  assert.deepEqual(
    await reviewer.locator('.register-messages__item').evaluateAll((items) =>
      items.map((i) => ({
        kind: i.getAttribute('data-kind'),
        body: i.querySelector('.register-messages__body')?.textContent ?? null,
      })),
    ),
    [
      { kind: 'submitted', body: null },
      { kind: 'changes_requested', body: CHANGES_ASKED },
      { kind: 'provider_reply', body: REPLY },
      { kind: 'submitted', body: null },
    ],
  );
  await main(reviewer).getByRole('link', { name: 'code_of_conduct-getekend.pdf', exact: true }).waitFor();
  await check(reviewer);
  await reviewer.check('#action-approve');
  await reviewer.fill('#field-message', PUBLIC_TEXT);
  await press(reviewer, 'Besluit vastleggen', 200);
  assert.equal(await reviewer.locator('[data-confirm-form]').count(), 1);
  assert.equal(await reviewer.locator('[data-not-recorded]').count(), 1);
  assert.equal(await reviewer.getAttribute('[data-preview-status]', 'data-preview-status'), 'verantwoord');
  assert.equal(
    await reviewer.locator('[data-preview-row] .register-history__reason').textContent(),
    PUBLIC_TEXT,
  );
  await check(reviewer);
  await press(reviewer, 'Bevestigen: goedkeuren');
  assert.equal(reviewer.url(), reviewUrl);
  assert.equal(await reviewer.getAttribute('[data-state]', 'data-state'), 'approved');
  await check(reviewer);

  // Approved: the public page says verantwoord, with the reviewer's text exactly as previewed.
  await provider.goto(applicationUrl);
  assert.equal(await provider.getAttribute('[data-state]', 'data-state'), 'approved');
  await check(provider);
  await provider.goto(`${base}/hostingproviders/${kvkNumber}`);
  assert.equal(await provider.getAttribute('[data-status]', 'data-status'), 'verantwoord');
  assert.deepEqual(await provider.locator('.register-history__reason').allTextContents(), [PUBLIC_TEXT]);
  await check(provider);

  // Verantwoord now: the provider issues an attestation and anyone can verify it.
  await provider.goto(`${base}/account`);
  await check(provider);
  await press(provider, 'Verklaring afgeven');
  const number = /verklaring=(VHP-\d{4}-\d{6})/.exec(provider.url())?.[1];
  assert.ok(number, `an attestation number in ${provider.url()}`);
  await check(provider);
  const verifier = await open();
  await verifier.goto(`${base}/verificatie`);
  await check(verifier);
  await verifier.fill('#field-nummer', number.toLowerCase());
  await Promise.all([
    verifier.waitForURL(new RegExp(`/verificatie/${number}$`)),
    verifier.click('main form[method=get] button[type=submit]'),
  ]);
  assert.equal(await verifier.getAttribute('[data-attestation-state]', 'data-attestation-state'), 'valid');
  await check(verifier);
  assert.ok(checked.length >= 25, `checked ${checked.length} pages`);
}
