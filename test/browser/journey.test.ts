/// <reference lib="dom" />
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { currentTotp } from '../../src/identity/totp';
import { simplePdf } from '../../src/seed/demo-pdf';
import { testApp } from '../helpers/app';
import { axeViolations, launchBrowser, requireChromium, serve } from '../helpers/browser';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { givenCodeVersion, uniqueKvk } from '../factories/provider.factory';
import { givenUser, TEST_PASSWORD, validVatNumber } from '../factories/user.factory';

describe('in a real browser: the main journey through the real forms', function () {
  this.timeout(120_000);
  let db: TestDatabase;
  let browser: Browser;
  let server: Server;
  let base: string;
  const checked: string[] = [];

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

  /** axe on the page as it is now; every page the journey passes must be free of violations. */
  async function accessible(page: Page): Promise<void> {
    const violations = await axeViolations(page);
    assert.deepEqual(violations, [], `${page.url()}: ${JSON.stringify(violations, null, 2)}`);
    checked.push(new URL(page.url()).pathname);
  }

  async function fill(page: Page, values: Record<string, string>) {
    for (const [name, value] of Object.entries(values)) await page.fill(`#field-${name}`, value);
  }

  it('register → apply → upload → submit → reviewer sets up TOTP and approves → verantwoord → attestation issued and verified', async () => {
    const kvkNumber = uniqueKvk();
    const provider = await browser.newPage();
    await provider.goto(`${base}/registreren`);
    await accessible(provider);

    // A mistake first: the form comes back with an error summary and keeps what was typed.
    await fill(provider, { legalName: 'Browserhosting B.V.', kvkNumber: '123' });
    await provider.click('#inhoud button[type=submit]');
    await provider.waitForSelector('.register-error-summary');
    assert.equal(await provider.inputValue('#field-legalName'), 'Browserhosting B.V.');
    await accessible(provider);

    await fill(provider, {
      kvkNumber,
      vatNumber: validVatNumber(),
      streetAddress: 'Browserlaan 1',
      postcode: '3511 AB',
      city: 'Utrecht',
      abuseEmail: 'abuse@browser.example',
      name: 'Bram Browser',
      email: `bram-${kvkNumber}@browser.example`,
      password: TEST_PASSWORD,
      passwordConfirmation: TEST_PASSWORD,
    });
    await provider.click('#inhoud button[type=submit]');
    await provider.waitForURL(/\/account$/);
    await accessible(provider);

    await provider.click('text=Aanvraag voor vermelding starten');
    await provider.waitForURL(/\/aanvragen\/[0-9a-f-]{36}$/);
    await accessible(provider);
    await provider.selectOption('#field-codeOfConductVersionId', { label: 'J-1 – Gedragscode J-1' });
    await fill(provider, {
      codeSignedOn: '2026-01-10',
      signatoryName: 'Bram Browser',
      signatoryRole: 'Directeur',
      aanSince: '2025-09-01',
      aanContactName: 'Anna AAN',
      aanContactEmail: 'aan@browser.example',
    });
    await provider.click('text=Gegevens opslaan');
    await provider.waitForURL(/opgeslagen=1/);

    for (const [kind, label] of [
      ['code_of_conduct', 'Ondertekende gedragscode'],
      ['aan_confirmation', 'Bevestiging AAN-deelname'],
    ] as const) {
      await provider.selectOption('#field-kind', kind);
      await provider.setInputFiles('#field-file', {
        name: `${kind}.pdf`,
        mimeType: 'application/pdf',
        buffer: simplePdf(label),
      });
      await provider.click('text=Bewijsstuk toevoegen');
      await provider.waitForSelector(`text=${kind}.pdf`);
    }
    await accessible(provider);
    // Every answer on one page before submitting, then what happens next.
    await provider.click('text=Opslaan en verder naar controleren');
    await provider.waitForURL(/\/controleren$/);
    await accessible(provider);
    await provider.click('text=Aanvraag indienen');
    await provider.waitForURL(/\/ingediend$/);
    await provider.waitForSelector('[data-step="submitted"][aria-current="step"]');
    await accessible(provider);
    const applicationUrl = provider.url().replace(/\/ingediend$/, '');
    await provider.goto(applicationUrl);
    assert.equal(await provider.getAttribute('[data-state]', 'data-state'), 'submitted');

    const who = await givenUser(db.dataSource, 'reviewer', { totp: false });
    const reviewer = await browser.newPage();
    await reviewer.goto(`${base}/inloggen`);
    await accessible(reviewer);
    await fill(reviewer, { email: who.email, password: who.password });
    // Wait for the login to land before going on, so no request races the new session cookie.
    const [login] = await Promise.all([
      reviewer.waitForResponse((r) => r.url().endsWith('/inloggen') && r.request().method() === 'POST'),
      reviewer.click('#inhoud button[type=submit]'),
    ]);
    // A refused login says why (its page text) instead of a bare time-out further on.
    if (login.status() !== 303) {
      const text = (await login.text()).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
      assert.fail(`login answered ${login.status()}: ${text.slice(0, 600)}`);
    }
    await reviewer.waitForURL(/\/account$/);
    await reviewer.goto(`${base}/beoordeling`);
    await reviewer.waitForURL(/tweestapsverificatie/);
    await accessible(reviewer);
    const secret = (await reviewer.getAttribute('[data-secret]', 'data-secret'))!;
    await reviewer.fill('#field-code', currentTotp(secret, who.email, new Date()));
    // The POST answers 303 to the same address: wait for that page (the GET after the POST) to
    // load, then read it, instead of waiting on a locator across the navigation.
    const posted = reviewer.waitForResponse((r) => r.request().method() === 'POST');
    const shown = reviewer.waitForResponse(
      (r) => r.request().method() === 'GET' && r.url().endsWith('/account/tweestapsverificatie'),
    );
    await reviewer.click('text=Bevestigen');
    const answer = await posted;
    if (answer.status() !== 303) {
      const text = (await answer.text()).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
      assert.fail(`the code was refused (${answer.status()}): ${text.slice(0, 600)}`);
    }
    await shown;
    await reviewer.waitForLoadState('load');
    assert.equal(
      await reviewer.locator('.register-error-summary').count(),
      0,
      'the code from the app was accepted',
    );
    assert.equal(await reviewer.getByRole('heading', { name: 'Uw herstelcodes' }).count(), 1);
    await accessible(reviewer);

    await reviewer.goto(`${base}/beoordeling`);
    await accessible(reviewer);
    await reviewer.click('text=Browserhosting B.V.');
    await reviewer.waitForURL(/\/beoordeling\/aanvragen\//);
    await accessible(reviewer);
    await reviewer.check('#action-approve');
    await reviewer.click('text=Besluit vastleggen');
    await reviewer.waitForSelector('[data-state="approved"]');

    await provider.goto(applicationUrl);
    assert.equal(await provider.getAttribute('[data-state]', 'data-state'), 'approved');
    await provider.goto(`${base}/hostingproviders/${kvkNumber}`);
    assert.equal(await provider.getAttribute('[data-status]', 'data-status'), 'verantwoord');
    await accessible(provider);

    // Verantwoord now: the provider issues an attestation and anyone can verify it.
    await provider.goto(`${base}/account`);
    await provider.click('text=Verklaring afgeven');
    await provider.waitForURL(/verklaring=VHP-\d{4}-\d{6}/);
    await accessible(provider);
    const number = /verklaring=(VHP-\d{4}-\d{6})/.exec(provider.url())?.[1];
    assert.ok(number);
    const verifier = await browser.newPage();
    await verifier.goto(`${base}/verificatie`);
    await verifier.fill('#field-nummer', number.toLowerCase());
    await verifier.click('main form[method=get] button[type=submit]');
    await verifier.waitForURL(new RegExp(`/verificatie/${number}$`));
    assert.equal(await verifier.getAttribute('[data-attestation-state]', 'data-attestation-state'), 'valid');
    await accessible(verifier);
    assert.ok(checked.length >= 12, `axe checked ${checked.length} pages`);
  });
});
