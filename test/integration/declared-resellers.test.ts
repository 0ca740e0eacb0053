import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import type { Express } from 'express';
import { packSource } from '../../src/check/bulk-list';
import { testApp, testConfig } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { assertValidHtml } from '../helpers/html';
import { type Agent, signedIn, submitForm, tokenFor } from '../helpers/session';
import { givenProvider } from '../factories/provider.factory';
import { givenDeclaredReseller, givenSignal, givenSignalSupplier } from '../factories/signal.factory';
import { givenUser, type TestUser } from '../factories/user.factory';

const PAGE = '/account/wederverkopers';
const EMPTY = {
  reference: '',
  resellerNames: '',
  resellerKvk: '',
  resellerDomains: '',
  resellerMailDomains: '',
  resellerIpRanges: '',
  resellerAsNumbers: '',
};

/** Issue 19 §2: a provider declares its resellers, by hand and from a spreadsheet, within limits. */
describe('declared resellers', () => {
  let db: TestDatabase;
  let app: Express;
  let a: TestUser;
  let b: TestUser;
  let agentA: Agent;
  let agentB: Agent;
  let providerA: string;
  const ds = () => db.dataSource;

  before(async function () {
    this.timeout(60_000);
    db = await createTestDatabase();
    // Small limits, so that the tests reach them (the day's limit counts identifiers: see below).
    app = testApp(db.dataSource, {
      config: {
        ...testConfig,
        resellerDeclarationsPerDay: 40,
        resellerFlagPerDay: 30,
        resellerMaxDeclared: 12,
      },
    }).app;
    providerA = (await givenProvider(ds())).id;
    a = await givenUser(ds(), 'provider', { providerId: providerA });
    b = await givenUser(ds(), 'provider', { providerId: (await givenProvider(ds())).id });
    agentA = await signedIn(app, a);
    agentB = await signedIn(app, b);
  });
  after(() => db.drop());

  const add = (agent: Agent, fields: Partial<typeof EMPTY>) =>
    submitForm(agent, PAGE, PAGE, { ...EMPTY, ...fields });
  const declared = () =>
    ds().query<
      { id: string; reference: string; domains: string[]; removed_at: Date | null; source: string }[]
    >(
      `SELECT id, reference, domains, removed_at, source FROM declared_resellers WHERE provider_id = $1 ORDER BY created_at, id`,
      [providerA],
    );
  const upload = async (
    agent: Agent,
    fields: Record<string, string>,
    file?: { bytes: Buffer; name: string },
  ) => {
    const token = await tokenFor(agent, PAGE);
    let req = agent.post(`${PAGE}/importeren`).field('_csrf', token);
    for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
    if (file) req = req.attach('bestand', file.bytes, file.name);
    return req;
  };
  const bronOf = (html: string) => /name="bron" value="([^"]+)"/.exec(html)![1]!.replace(/&#x3D;/g, '=');

  it('adds a reseller typed in the form, in normal form, audited without names, and lists it', async () => {
    const res = await add(agentA, {
      reference: 'KLANT-1',
      resellerNames: 'Voorbeeld Reseller B.V.',
      resellerDomains: 'https://WWW.Voorbeeld-Reseller.NL/\nshop.voorbeeld-reseller.nl',
      resellerIpRanges: '192.0.2.7/24',
    });
    assert.equal(res.status, 303);
    const [row] = await declared();
    assert.deepEqual(row!.domains, ['voorbeeld-reseller.nl', 'shop.voorbeeld-reseller.nl']);
    const events = await ds().query<{ data: unknown }[]>(
      `SELECT data FROM audit_events WHERE action = 'reseller.declared' AND subject_id = $1`,
      [row!.id],
    );
    assert.equal(events.length, 1);
    assert.ok(!JSON.stringify(events[0]).includes('Voorbeeld'));
    const page = await agentA.get(PAGE);
    assert.equal(page.status, 200);
    assert.match(page.text, /Voorbeeld Reseller B\.V\./);
    assert.match(page.text, /192\.0\.2\.0\/24/);
    await assertValidHtml(page.text, PAGE);
    // Another provider sees nothing of it.
    assert.doesNotMatch((await agentB.get(PAGE)).text, /Voorbeeld Reseller/);
  });

  it('refuses lines it cannot read, saying which, and keeps everything typed', async () => {
    const res = await add(agentA, {
      reference: 'KLANT-2',
      resellerDomains: 'goed.nl\nniet goed\nook@fout',
      resellerAsNumbers: 'AS64496',
    });
    assert.equal(res.status, 400);
    assert.match(res.text, /regel 2, 3: geen domeinnaam/);
    assert.match(res.text, /niet goed\nook@fout/);
    assert.match(res.text, /value="KLANT-2"/);
    assert.match(res.text, />AS64496</);
    const nothing = await add(agentA, { reference: 'alleen een kenmerk' });
    assert.equal(nothing.status, 400);
    assert.match(nothing.text, /geef ten minste één naam/);
    assert.equal((await declared()).length, 1);
  });

  it('refuses 10,000 lines on the form itself, saying the limit and keeping what was typed; over 1 MB, says the limit and the import', async () => {
    const domains = Array.from({ length: 10_000 }, (_, i) => `klant-${i}.example`).join('\n');
    const res = await add(agentA, {
      reference: 'GROOT',
      resellerNames: 'Grote Klant BV',
      resellerDomains: domains,
    });
    assert.equal(res.status, 400);
    assert.match(res.text, /ten hoogste 100 waarden/);
    assert.match(res.text, /value="GROOT"/);
    assert.ok(res.text.includes('>Grote Klant BV</textarea>'));
    assert.ok(res.text.includes(`>${domains}</textarea>`));
    const huge = await add(agentA, { resellerDomains: 'klant.example\n'.repeat(90_000) });
    assert.equal(huge.status, 413);
    assert.match(huge.text, /groter dan 1 MB, de grens van dit formulier/);
    assert.match(huge.text, /href="\/account\/wederverkopers#import-heading" data-import-link>/);
    assert.ok(!(await declared()).some((r) => r.reference === 'GROOT'));
  });

  it('shows whether a current signal matches, and matches a new declaration at once', async () => {
    const supplier = await givenSignalSupplier(ds());
    await givenSignal(ds(), supplier.id, { domains: ['al-gemeld.nl'] });
    assert.equal((await add(agentA, { resellerDomains: 'www.al-gemeld.nl' })).status, 303);
    const page = await agentA.get(PAGE);
    assert.match(page.text, /data-match="exact"/);
    assert.match(page.text, /href="\/account\/signalen\/[0-9a-f-]{36}"/);
  });

  it('removes a reseller of the provider after a confirmation (audited), and another provider gets 404', async () => {
    const [first] = await declared();
    // The list's button leads to a page that asks first, naming the reseller; nothing is removed yet.
    const list = await agentA.get(PAGE);
    assert.match(
      list.text,
      new RegExp(`<a [^>]*href="${PAGE}/${first!.id}/verwijderen"[^>]*>Verwijderen</a>`),
    );
    assert.doesNotMatch(list.text, new RegExp(`<form [^>]*action="${PAGE}/${first!.id}/verwijderen"`));
    const ask = await agentA.get(`${PAGE}/${first!.id}/verwijderen`);
    assert.equal(ask.status, 200);
    assert.match(ask.text, /Voorbeeld Reseller B\.V\. van uw lijst verwijderen\?/);
    assert.match(ask.text, /voorbeeld-reseller\.nl/);
    assert.match(ask.text, new RegExp(`<form method="post" action="${PAGE}/${first!.id}/verwijderen"`));
    assert.match(ask.text, /name="_csrf"/);
    assert.match(ask.text, new RegExp(`href="${PAGE}">Annuleren</a>`));
    await assertValidHtml(ask.text, 'remove confirmation');
    assert.equal((await declared())[0]!.removed_at, null, 'asking removes nothing');
    assert.equal((await agentB.get(`${PAGE}/${first!.id}/verwijderen`)).status, 404);
    assert.equal((await agentA.get(`${PAGE}/niet-een-id/verwijderen`)).status, 404);
    const other = await submitForm(agentB, PAGE, `${PAGE}/${first!.id}/verwijderen`, {});
    assert.equal(other.status, 404);
    assert.equal((await declared())[0]!.removed_at, null);
    const res = await submitForm(agentA, PAGE, `${PAGE}/${first!.id}/verwijderen`, {});
    assert.equal(res.status, 303);
    assert.ok((await declared())[0]!.removed_at);
    const identifiers = await ds().query<unknown[]>(
      `SELECT 1 FROM declared_reseller_identifiers WHERE declared_reseller_id = $1`,
      [first!.id],
    );
    assert.equal(identifiers.length, 0);
    assert.equal(
      (
        await ds().query<unknown[]>(
          `SELECT 1 FROM audit_events WHERE action = 'reseller.removed' AND subject_id = $1`,
          [first!.id],
        )
      ).length,
      1,
    );
    assert.equal((await submitForm(agentA, PAGE, `${PAGE}/niet-een-id/verwijderen`, {})).status, 404);
    // Once removed, the confirmation page is gone too.
    assert.equal((await agentA.get(`${PAGE}/${first!.id}/verwijderen`)).status, 404);
  });

  it('imports a Windows-1252 CSV after a preview, and an xlsx that replaces the whole list', async () => {
    const csv = Buffer.from(
      [
        'Referentie;Naam;KvK;Domein;IP-reeks',
        'K-10;Café Hosting BV;;cafe-hosting.nl;198.51.100.0/24',
        'K-11;Tweede;;niet goed;',
        'K-12;Derde BV;;derde.nl;',
      ].join('\r\n'),
      'latin1',
    );
    // No file: the message names the field as a field ("Bestand"), not as the label's "Of een bestand".
    const none = await upload(agentA, {});
    assert.equal(none.status, 400);
    assert.match(none.text, /href="#field-bestand">Bestand: kies een bestand/);
    assert.match(none.text, /<label[^>]*for="field-bestand">Bestand \(\.xlsx of CSV\)</);
    const preview = await upload(agentA, {}, { bytes: csv, name: 'lijst.csv' });
    assert.equal(preview.status, 200);
    assert.match(preview.text, /data-good="2" data-problems="1"/);
    // Each count with its own number: "1 rij", never "1 rijen".
    assert.match(
      preview.text,
      /2 rijen kunnen worden ingelezen\. 1 rij heeft een probleem en wordt overgeslagen\./,
    );
    assert.match(preview.text, /Café Hosting BV/);
    assert.match(preview.text, /data-line="3" data-ok="no"/);
    await assertValidHtml(preview.text, 'import preview');
    const before = (await declared()).length;
    const done = await upload(agentA, { bron: bronOf(preview.text), bevestigen: '1' });
    assert.equal(done.status, 303);
    const rows = await declared();
    assert.equal(rows.length, before + 2);
    assert.ok(rows.some((r) => r.reference === 'K-10' && r.source === 'spreadsheet'));

    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Klanten');
    sheet.addRow(['Reference', 'Name', 'Domains']);
    sheet.addRow(['K-12', 'Derde BV', 'derde.nl']);
    sheet.addRow(['K-20', 'Nieuw BV', 'nieuw.nl; nieuw.eu']);
    const xlsx = Buffer.from(await workbook.xlsx.writeBuffer());
    const xlsxPreview = await upload(agentA, {}, { bytes: xlsx, name: 'lijst.xlsx' });
    assert.match(xlsxPreview.text, /data-good="2" data-problems="0"/);
    const replaced = await upload(agentA, {
      bron: bronOf(xlsxPreview.text),
      bevestigen: '1',
      vervangen: '1',
    });
    assert.equal(replaced.status, 303);
    const current = (await declared()).filter((r) => !r.removed_at);
    assert.deepEqual(current.map((r) => r.reference).sort(), ['K-12', 'K-20']);
    const k20 = current.find((r) => r.reference === 'K-20')!;
    assert.deepEqual(k20.domains, ['nieuw.nl', 'nieuw.eu']);
    const imported = await ds().query<{ data: Record<string, unknown> }[]>(
      `SELECT data FROM audit_events WHERE action = 'reseller.imported' ORDER BY id DESC LIMIT 1`,
    );
    assert.equal(imported[0]!.data.added, 1);
    assert.equal(imported[0]!.data.unchanged, 1);
  });

  it('refuses more than fit in 24 hours, saying how many still fit, and flags the provider to reviewers once', async () => {
    const provider = (await givenProvider(ds())).id;
    const person = await givenUser(ds(), 'provider', { providerId: provider });
    const strict = testApp(db.dataSource, {
      config: {
        ...testConfig,
        resellerDeclarationsPerDay: 8,
        resellerFlagPerDay: 5,
        resellerMaxDeclared: 12,
      },
    }).app;
    const agent = await signedIn(strict, person);
    for (let i = 1; i <= 6; i++)
      assert.equal((await add(agent, { resellerDomains: `limiet-${i}.nl` })).status, 303);
    const tasks = () =>
      ds().query<unknown[]>(
        `SELECT id FROM review_tasks WHERE provider_id = $1 AND kind = 'reseller_declarations_many'`,
        [provider],
      );
    assert.equal((await tasks()).length, 1);
    assert.equal((await add(agent, { resellerDomains: 'limiet-7.nl' })).status, 303);
    assert.equal((await tasks()).length, 1);
    const csv = Buffer.from(['Domein', 'limiet-8.nl', 'limiet-9.nl'].join('\n'));
    // The preview says already that the two new domains do not fit today, and how many do; it offers no confirmation.
    const preview = await upload(agent, {}, { bytes: csv, name: 'l.csv' });
    assert.equal(preview.status, 200);
    assert.match(preview.text, /data-over-day data-left="1" data-count="2"/);
    assert.match(preview.text, /U kunt in 24 uur ten hoogste 8 gegevens opgeven; er passen er nu nog 1\./);
    assert.doesNotMatch(preview.text, /name="bevestigen"/);
    await assertValidHtml(preview.text, 'import preview over the day limit');
    // A confirmation sent all the same is still refused.
    const refused = await upload(agent, { bron: packSource(csv), bevestigen: '1' });
    assert.equal(refused.status, 400);
    assert.match(refused.text, /er passen er nu nog 1/);
    // The limit counts identifiers, not resellers: one reseller with two domains does not fit either.
    assert.equal((await add(agent, { resellerDomains: 'limiet-10.nl\nlimiet-11.nl' })).status, 400);
    assert.equal((await add(agent, { resellerDomains: 'limiet-12.nl' })).status, 303);
    const flagged = await ds().query<unknown[]>(
      `SELECT 1 FROM audit_events WHERE action = 'reseller.declarations_flagged' AND subject_id = $1`,
      [provider],
    );
    assert.equal(flagged.length, 1);
  });

  it('refuses a range wider than one reseller holds (IPv4 /20, IPv6 /32): /8s would read every signal with a range', async () => {
    for (const range of ['203.0.0.0/8', '198.51.0.0/16', '2001:db8::/31']) {
      const refused = await add(agentA, { reference: 'WIJD', resellerIpRanges: range });
      assert.equal(refused.status, 400, range);
      assert.match(refused.text, /te ruim voor één wederverkoper/);
    }
    for (const range of ['198.51.96.0/20', '2001:db8::/32'])
      assert.equal((await add(agentA, { reference: 'SMAL', resellerIpRanges: range })).status, 303, range);
  });

  it('refuses a range that overlaps one declared for another reseller, naming it (bisection, F14), and a shared mail service (F7)', async () => {
    const provider = (await givenProvider(ds())).id;
    const agent = await signedIn(app, await givenUser(ds(), 'provider', { providerId: provider }));
    assert.equal(
      (await add(agent, { reference: 'HELFT-A', resellerIpRanges: '203.0.112.0/20' })).status,
      303,
    );
    const nested = await add(agent, { reference: 'PROBE', resellerIpRanges: '203.0.113.0/24' });
    assert.equal(nested.status, 400);
    assert.match(
      nested.text,
      /De IP-reeks 203\.0\.113\.0\/24 overlapt met 203\.0\.112\.0\/20, die u al opgaf voor wederverkoper HELFT-A/,
    );
    assert.match(nested.text, /value="PROBE"/);
    // Two new resellers whose ranges overlap each other in one import are refused as well.
    const csv = Buffer.from(['Referentie;IP-reeksen', 'B1;198.18.0.0/24', 'B2;198.18.0.128/25'].join('\n'));
    const preview = await upload(agent, {}, { bytes: csv, name: 'b.csv' });
    const refused = await upload(agent, { bron: bronOf(preview.text), bevestigen: '1' });
    assert.equal(refused.status, 400);
    assert.match(refused.text, /overlapt met 198\.18\.0\.0\/24, die u al opgaf voor wederverkoper B1/);
    // Ranges beside each other, and a reseller's own ranges within one declaration, are fine.
    assert.equal((await add(agent, { reference: 'NAAST', resellerIpRanges: '203.0.128.0/24' })).status, 303);
    const rows = await ds().query<unknown[]>(
      `SELECT 1 FROM declared_resellers WHERE provider_id = $1 AND removed_at IS NULL`,
      [provider],
    );
    assert.equal(rows.length, 2);
    // After removing the wide one, its half may be declared.
    const [wide] = await ds().query<{ id: string }[]>(
      `SELECT id FROM declared_resellers WHERE provider_id = $1 AND reference = 'HELFT-A'`,
      [provider],
    );
    assert.equal((await submitForm(agent, PAGE, `${PAGE}/${wide!.id}/verwijderen`, {})).status, 303);
    assert.equal((await add(agent, { reference: 'PROBE', resellerIpRanges: '203.0.113.0/24' })).status, 303);
    // F7: a public mail service is refused with a message that says why.
    const gmail = await add(agent, { reference: 'GMAIL', resellerMailDomains: 'info@gmail.com' });
    assert.equal(gmail.status, 400);
    assert.match(gmail.text, /regel 1: dit is een openbare maildienst; die noemt niemand/);
  });

  it("counts a declaration removed again in the day's limit: removing and declaring anew spends it", async () => {
    const provider = (await givenProvider(ds())).id;
    const person = await givenUser(ds(), 'provider', { providerId: provider });
    const strict = testApp(db.dataSource, {
      config: {
        ...testConfig,
        resellerDeclarationsPerDay: 2,
        resellerFlagPerDay: 10,
        resellerMaxDeclared: 12,
      },
    }).app;
    const agent = await signedIn(strict, person);
    for (let i = 0; i < 2; i++) {
      assert.equal((await add(agent, { resellerIpRanges: '203.0.113.0/24' })).status, 303);
      const [row] = await ds().query<{ id: string }[]>(
        `SELECT id FROM declared_resellers WHERE provider_id = $1 AND removed_at IS NULL`,
        [provider],
      );
      assert.equal((await submitForm(agent, PAGE, `${PAGE}/${row!.id}/verwijderen`, {})).status, 303);
    }
    const third = await add(agent, { resellerIpRanges: '203.0.113.0/24' });
    assert.equal(third.status, 400);
    assert.match(third.text, /er passen er nu nog 0/);
  });

  it('refuses declarations of an organisation whose identity no reviewer confirmed, keeping what was typed', async () => {
    const unconfirmed = (await givenProvider(ds(), {}, { unconfirmed: true })).id;
    const person = await givenUser(ds(), 'provider', { providerId: unconfirmed });
    const agent = await signedIn(app, person);
    // The page says so at the top and offers neither the form nor the import until then (F23).
    const page = await agent.get(PAGE);
    assert.equal(page.status, 200);
    assert.match(
      page.text,
      /data-identity-unconfirmed[^>]*><p class="nl-paragraph">U kunt wederverkopers opgeven zodra/,
    );
    assert.doesNotMatch(
      page.text,
      /id="field-resellerNames"|id="field-bestand"|id="add-heading"|id="import-heading"/,
    );
    await assertValidHtml(page.text, 'reseller page before the identity is confirmed');
    // A confirmed provider's page has no such notice and does offer both.
    const confirmedPage = await agentA.get(PAGE);
    assert.doesNotMatch(confirmedPage.text, /data-identity-unconfirmed/);
    assert.match(confirmedPage.text, /id="field-resellerNames"[\s\S]*id="field-bestand"/);
    // A form sent anyway (a page opened earlier) is refused with the form and what was typed kept.
    const refused = await add(agent, {
      reference: 'ONBEVESTIGD',
      resellerDomains: 'onbevestigd-voorbeeld.nl',
    });
    assert.equal(refused.status, 400);
    assert.match(refused.text, /zodra een beoordelaar de identiteit/);
    assert.match(refused.text, /onbevestigd-voorbeeld\.nl/);
    const rows = await ds().query<unknown[]>(`SELECT 1 FROM declared_resellers WHERE provider_id = $1`, [
      unconfirmed,
    ]);
    assert.equal(rows.length, 0);
  });

  it('pages the list 50 at a time, filters by name or reference, and shows the last page for a page past it', async () => {
    const provider = (await givenProvider(ds())).id;
    const person = await givenUser(ds(), 'provider', { providerId: provider });
    const agent = await signedIn(app, person);
    for (let i = 1; i <= 55; i++)
      await givenDeclaredReseller(ds(), provider, { names: [`Pagina Klant ${i}`] }, { reference: `P-${i}` });
    const first = await agent.get(PAGE);
    assert.equal(first.status, 200);
    assert.match(first.text, /rel="next" href="[^"]*pagina(=|&#x3D;)2"/);
    const past = await agent.get(`${PAGE}?pagina=9`);
    assert.equal(past.status, 200);
    assert.match(
      past.text,
      /rel="prev" href="[^"]*pagina(=|&#x3D;)1"/,
      'the last page links back to the first',
    );
    const filtered = await agent.get(`${PAGE}?zoek=P-55&toegevoegd=1&verwijderd=1`);
    assert.equal(filtered.status, 200);
    assert.match(filtered.text, /Pagina Klant 55/);
    assert.doesNotMatch(filtered.text, /Pagina Klant 54/);
    await assertValidHtml(past.text, 'the last page');
  });
});
