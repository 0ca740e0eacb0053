import assert from 'node:assert/strict';
import type { Express } from 'express';
import { actOnProvider } from '../../src/application/provider-actions.service';
import { takeLease } from '../../src/database/leases';
import { addMonths, toLocalDate } from '../../src/shared/time';
import { testApp, testConfig } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { assertValidHtml } from '../helpers/html';
import { type Agent, signedIn, submitForm } from '../helpers/session';
import { addEntry, bronOf, csvFile, listIdOf, postNewList, upload } from '../helpers/watch-lists';
import { givenApproval, givenCodeVersion, givenProvider } from '../factories/provider.factory';
import { givenUser, type TestUser } from '../factories/user.factory';

/*
 * What an outside try found in watch lists (issue 18, fix round F1): lists without bounds, a
 * re-import that said "will be added" for rows on the list already, a valid-until for suppliers that
 * are not verantwoord, and the smaller points of the list page.
 */

describe('watch list limits and the findings of the outside try', () => {
  let db: TestDatabase;
  /** An app with small limits: 3 suppliers per list, 2 lists per organisation, 1 bulk check at once. */
  let small: Express;
  let app: Express;
  let reviewer: TestUser;
  const now = new Date();

  before(async function () {
    this.timeout(60_000);
    db = await createTestDatabase();
    app = testApp(db.dataSource).app;
    small = testApp(db.dataSource, {
      config: { watchListMaxEntries: 3, watchListsPerOrganisation: 2, bulkChecksPerClient: 1 },
    }).app;
    reviewer = await givenUser(db.dataSource, 'reviewer');
    const version = await givenCodeVersion(db.dataSource);
    for (const [kvkNumber, legalName] of [
      ['99980001', 'Dijkwolk Hosting B.V.'],
      ['99980002', 'Geschorst Hosting B.V.'],
      ['99980003', 'Ingetrokken Hosting B.V.'],
    ] as const) {
      const provider = await givenProvider(db.dataSource, { kvkNumber, legalName });
      await givenApproval(db.dataSource, provider, version, addMonths(now, -1));
    }
    for (const [kvk, action] of [
      ['99980002', 'suspend'],
      ['99980003', 'revoke'],
    ] as const)
      await actOnProvider(
        db.dataSource,
        reviewer.user,
        kvk,
        { action, reason: 'Onderzoek naar misbruik', until: '' },
        testConfig,
        new Date(),
      );
  });
  after(() => db.drop());

  async function buyerAgent(on: Express, domain: string): Promise<Agent> {
    return signedIn(on, await givenUser(db.dataSource, 'buyer', { buyerDomain: domain }));
  }

  it('refuses a supplier past the list limit and a list past the organisation limit, with how many fit', async () => {
    const agent = await buyerAgent(small, `limiet${Date.now()}.overheid.nl`);
    const id = listIdOf((await postNewList(agent, 'Een')).headers.location);
    for (const kvkNumber of ['99980001', '99980002', '99980003'])
      assert.equal((await addEntry(agent, id, { kvkNumber })).status, 303);
    const refused = await addEntry(agent, id, { kvkNumber: '99980004', reference: 'R-4' });
    assert.equal(refused.status, 400);
    assert.match(refused.text, /Er passen hoogstens 3 leveranciers op een volglijst; er passen er nog 0 bij/);
    assert.match(refused.text, /value="R-4"/, 'what was typed stays');
    await assertValidHtml(refused.text, 'a refused addition past the limit');

    // An import says how many fit, and offers no button to add them.
    const preview = await upload(agent, id, {}, csvFile(['KvK', '99980005', '99980006']));
    assert.equal(preview.status, 200, preview.text.slice(0, 2000));
    assert.match(preview.text, /data-over-limit data-room="0"/);
    assert.doesNotMatch(preview.text, /name="bevestigen"/);
    const forced = await upload(agent, id, { bron: bronOf(preview.text), bevestigen: '1', kolom: '' });
    assert.equal(forced.status, 400);
    const [{ n }] = (await db.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM watch_list_entries WHERE watch_list_id = $1`,
      [id],
    )) as [{ n: number }];
    assert.equal(n, 3);

    assert.equal((await postNewList(agent, 'Twee')).status, 303);
    const third = await postNewList(agent, 'Drie');
    assert.equal(third.status, 400);
    assert.match(third.text, /Uw organisatie heeft al 2 volglijsten/);
    assert.match(third.text, /value="Drie"/);
  });

  it("refuses a download while the client's bulk-check places are in use (429, Retry-After)", async () => {
    const agent = await buyerAgent(small, `download${Date.now()}.overheid.nl`);
    const id = listIdOf((await postNewList(agent, 'Download')).headers.location);
    await addEntry(agent, id, { kvkNumber: '99980001' });
    // The client's one place taken, as by a bulk check running from the same address.
    const lease = await takeLease(db.dataSource, 'bulk_check:127.0.0.1', 1);
    assert.ok(lease);
    try {
      const busy = await agent.get(`/inkoop/volglijsten/${id}/download.csv`);
      assert.equal(busy.status, 429);
      assert.equal(busy.headers['retry-after'], '2');
    } finally {
      await lease.release();
    }
    assert.equal((await agent.get(`/inkoop/volglijsten/${id}/download.csv`)).status, 200);
  });

  it('pages the list: 100 suppliers a page, a page past the end shows the last', async () => {
    const agent = await buyerAgent(app, `paging${Date.now()}.overheid.nl`);
    const id = listIdOf((await postNewList(agent, 'Lang')).headers.location);
    await db.dataSource.query(
      `INSERT INTO watch_list_entries (watch_list_id, kvk_number, reference, created_at)
       SELECT $1, lpad((10000000 + n)::text, 8, '0'), '', now() FROM generate_series(1, 150) AS n`,
      [id],
    );
    const rows = (html: string) => [...html.matchAll(/data-entry="/g)].length;
    const first = await agent.get(`/inkoop/volglijsten/${id}`);
    assert.equal(rows(first.text), 100);
    assert.match(first.text, new RegExp(`rel="next" href="/inkoop/volglijsten/${id}\\?pagina(=|&#x3D;)2"`));
    const second = await agent.get(`/inkoop/volglijsten/${id}?pagina=2`);
    assert.equal(rows(second.text), 50);
    assert.match(second.text, /rel="prev"/);
    await assertValidHtml(second.text, "a list's second page");
    // Past the end: the last page.
    assert.equal(rows((await agent.get(`/inkoop/volglijsten/${id}?pagina=99`)).text), 50);
  });

  it('leaves valid-until empty for a suspended or revoked supplier, on the page and in the downloads', async () => {
    const agent = await buyerAgent(app, `geldig${Date.now()}.overheid.nl`);
    const id = listIdOf((await postNewList(agent, 'Status')).headers.location);
    for (const kvkNumber of ['99980001', '99980002', '99980003'])
      assert.equal((await addEntry(agent, id, { kvkNumber })).status, 303);
    const page = (await agent.get(`/inkoop/volglijsten/${id}`)).text;
    const rowOf = (kvk: string) => new RegExp(`data-kvk="${kvk}"[\\s\\S]*?</tr>`).exec(page)![0];
    assert.match(rowOf('99980001'), /data-label="Geldig tot"><time/);
    for (const kvk of ['99980002', '99980003']) {
      assert.doesNotMatch(rowOf(kvk), /data-label="Geldig tot"/, kvk);
      assert.match(rowOf(kvk), /data-status="(suspended|revoked)"/);
    }
    const download = await agent.get(`/inkoop/volglijsten/${id}/download.csv`);
    assert.equal(download.status, 200);
    const lines = download.text
      .split(/\r?\n/)
      .filter((line) => /^\uFEFF?\d{8};/.test(line.replace(/^\uFEFF/, '')));
    const validUntil = (kvk: string) =>
      lines.find((line) => line.replace(/^\uFEFF/, '').startsWith(kvk))!.split(';')[7];
    assert.notEqual(validUntil('99980001'), '');
    assert.equal(validUntil('99980002'), '');
    assert.equal(validUntil('99980003'), '');
  });

  it('marks rows of a re-import that are on the list already, and updates changed contract dates', async () => {
    const agent = await buyerAgent(app, `opnieuw${Date.now()}.overheid.nl`);
    const id = listIdOf((await postNewList(agent, 'Opnieuw')).headers.location);
    await addEntry(agent, id, { kvkNumber: '99980001', reference: 'A', contractEnd: '2030-01-01' });
    await addEntry(agent, id, { kvkNumber: '99980002', reference: 'B', contractEnd: '2030-01-01' });
    const preview = await upload(
      agent,
      id,
      {},
      csvFile(['KvK;Referentie;Einddatum', '99980001;A;2030-01-01', '99980002;B;2031-06-30', '99980003;C;']),
    );
    assert.equal(preview.status, 200, preview.text.slice(0, 300));
    assert.match(preview.text, /data-good="1" data-problems="0" data-update="1" data-on-list="1"/);
    assert.match(preview.text, /data-standing="onList"[\s\S]*?staat al op de lijst</);
    assert.match(preview.text, /data-standing="datesDiffer"[\s\S]*?de contractdata worden bijgewerkt/);
    assert.match(preview.text, /2 wijzigingen doorvoeren/);
    await assertValidHtml(preview.text, 'a re-import preview');
    const done = await upload(agent, id, { bron: bronOf(preview.text), bevestigen: '1', kolom: '' });
    assert.equal(done.status, 303);
    assert.match(done.headers.location ?? '', /toegevoegd=1&bijgewerkt=1$/);
    const entries = await db.dataSource.query<{ kvk: string; end: string | null }[]>(
      `SELECT kvk_number AS kvk, contract_end::text AS end FROM watch_list_entries WHERE watch_list_id = $1 ORDER BY kvk_number`,
      [id],
    );
    assert.deepEqual(entries, [
      { kvk: '99980001', end: '2030-01-01' },
      { kvk: '99980002', end: '2031-06-30' },
      { kvk: '99980003', end: null },
    ]);
    assert.match((await agent.get(done.headers.location!)).text, /1 leverancier bijgewerkt/);
  });

  it('keeps the contract dates a re-imported file leaves out (no date columns, or empty cells)', async () => {
    const agent = await buyerAgent(app, `zonderdata${Date.now()}.overheid.nl`);
    const id = listIdOf((await postNewList(agent, 'Zonder data')).headers.location);
    const dates = { contractStart: '2026-05-30', contractEnd: '2028-11-30' };
    await addEntry(agent, id, { kvkNumber: '99970001', reference: 'CONTRACT-1', ...dates });
    await addEntry(agent, id, { kvkNumber: '99970002', reference: 'CONTRACT-2', ...dates });
    const preview = await upload(
      agent,
      id,
      {},
      // No date columns for the first, an empty end date and a new start for the second.
      csvFile([
        'KvK;Referentie;Startdatum;Einddatum',
        '99970001;CONTRACT-1;;',
        '99970002;CONTRACT-2;2026-06-01;',
      ]),
    );
    assert.equal(preview.status, 200, preview.text.slice(0, 300));
    assert.match(preview.text, /data-update="1" data-on-list="1"/);
    const done = await upload(agent, id, { bron: bronOf(preview.text), bevestigen: '1', kolom: '' });
    assert.equal(done.status, 303);
    const entries = await db.dataSource.query<{ start: string; end: string }[]>(
      `SELECT contract_start::text AS start, contract_end::text AS end FROM watch_list_entries
        WHERE watch_list_id = $1 ORDER BY kvk_number`,
      [id],
    );
    assert.deepEqual(entries, [
      { start: '2026-05-30', end: '2028-11-30' },
      { start: '2026-06-01', end: '2028-11-30' },
    ]);
  });

  it('lists a row with a text-direction mark as a problem instead of refusing the file; reads Excel day numbers', async () => {
    const agent = await buyerAgent(app, `bidi${Date.now()}.overheid.nl`);
    const id = listIdOf((await postNewList(agent, 'Bidi')).headers.location);
    const preview = await upload(
      agent,
      id,
      {},
      csvFile([
        'KvK;Referentie;Einddatum',
        '99980001;A;45658',
        '99980002;B\u202Eevil;',
        '9998\u202E0003;C;',
        '99980003;D;2030-01-01\u200F',
      ]),
    );
    assert.equal(preview.status, 200, preview.text.slice(0, 300));
    assert.match(preview.text, /data-good="1" data-problems="3"/);
    assert.match(
      preview.text,
      /1 regel kan worden toegevoegd\. 3 regels hebben een probleem en worden niet toegevoegd\./,
    );
    for (const line of [3, 4, 5]) assert.match(preview.text, new RegExp(`data-line="${line}" data-ok="no"`));
    assert.match(preview.text, /data-line="2" data-ok="yes"/);
    assert.match(preview.text, /1 januari 2025/, 'the day number read as a date');
    assert.doesNotMatch(preview.text, /[\u202E\u200F]/, 'the marks are not sent back as they are');
    await assertValidHtml(preview.text, 'an import with a marked row');
  });

  it('makes a text-direction mark in a list name, a reference or an organisation name a field error, the form kept', async () => {
    const agent = await buyerAgent(app, `richting${Date.now()}.overheid.nl`);
    const bad = 'Lijst\u202Eexe.txt';
    const created = await postNewList(agent, bad);
    assert.equal(created.status, 400);
    assert.match(created.text, /id="error-listName"/);
    assert.match(created.text, /value="Lijst\u202Eexe.txt"/, 'what was typed stays');
    await assertValidHtml(created.text, 'a list name with a text-direction mark');
    const id = listIdOf((await postNewList(agent, 'Goed')).headers.location);
    const renamed = await submitForm(agent, `/inkoop/volglijsten/${id}`, `/inkoop/volglijsten/${id}/naam`, {
      listName: bad,
    });
    assert.equal(renamed.status, 400);
    assert.match(renamed.text, /id="error-listName"/);
    const added = await addEntry(agent, id, { kvkNumber: '99980001', reference: 'R\u202E1' });
    assert.equal(added.status, 400);
    assert.match(added.text, /id="error-reference"/);
    assert.match(added.text, /value="99980001"/);
    // Any other field keeps the register-wide refusal.
    const number = await addEntry(agent, id, { kvkNumber: '9998\u202E0001' });
    assert.equal(number.status, 400);
    assert.doesNotMatch(number.text, /id="error-kvkNumber"/);

    const admin = await signedIn(app, await givenUser(db.dataSource, 'admin'));
    const buyer = await givenUser(db.dataSource, 'buyer', { buyerDomain: `org${Date.now()}.overheid.nl` });
    const organisationId = buyer.user.buyerOrganisationId!;
    const named = await submitForm(
      admin,
      '/beheer/inkopers',
      `/beheer/inkopers/organisaties/${organisationId}/naam`,
      {
        buyerOrganisationName: 'Ministerie\u202E',
      },
    );
    assert.equal(named.status, 400);
    assert.match(named.text, /href="#organisation-name-[^"]+"[^>]*>[^<]*dit veld is één regel/);
    assert.match(
      named.text,
      new RegExp(`id="organisation-name-${organisationId}"[^>]*value="Ministerie\u202E"`),
    );
  });

  it('gives an empty import its own message, and keeps the list name in the rename box after a refusal', async () => {
    const agent = await buyerAgent(app, `leeg${Date.now()}.overheid.nl`);
    const id = listIdOf((await postNewList(agent, 'Mijn lijst')).headers.location);
    const empty = await upload(agent, id, {});
    assert.equal(empty.status, 400);
    assert.match(empty.text, /kies een bestand met KvK-nummers/);
    assert.doesNotMatch(empty.text, /vul ten minste één KvK-nummer in/);
    const refused = await addEntry(agent, id, { kvkNumber: 'geen nummer' });
    assert.equal(refused.status, 400);
    assert.match(
      refused.text,
      /id="field-listName"[^>]*value="Mijn lijst"|value="Mijn lijst"[^>]*id="field-listName"/,
    );
  });

  it("shows the buyer their organisation's name on /inkoop and /account", async () => {
    const domain = `naam${Date.now()}.overheid.nl`;
    const buyer = await givenUser(db.dataSource, 'buyer', { buyerDomain: domain });
    await db.dataSource.query(`UPDATE buyer_organisations SET name = 'Dienst Proef' WHERE id = $1`, [
      buyer.user.buyerOrganisationId,
    ]);
    const agent = await signedIn(app, buyer);
    for (const path of ['/inkoop', '/account'])
      assert.match(
        (await agent.get(path)).text,
        /data-organisation-name>Uw organisatie: Dienst Proef</,
        path,
      );
  });

  it('names a new list from a bulk check without a name "Lijstcontrole <date>"', async () => {
    const agent = await buyerAgent(app, `naamloos${Date.now()}.overheid.nl`);
    const res = await submitForm(agent, '/inkoop', '/inkoop/volgen', {
      nummers: '99980001 99980002',
      lijst: 'nieuw',
      listName: '',
    });
    assert.equal(res.status, 303, res.text.slice(0, 300));
    const [list] = await db.dataSource.query<{ name: string }[]>(
      `SELECT name FROM watch_lists WHERE id = $1`,
      [listIdOf(res.headers.location)],
    );
    assert.equal(list!.name, `Lijstcontrole ${toLocalDate(new Date())}`);
  });
});
