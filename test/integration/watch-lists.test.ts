import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import type { Express } from 'express';
import request from 'supertest';
import { addMonths, toLocalDate } from '../../src/shared/time';
import { testApp } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { assertValidHtml } from '../helpers/html';
import { type Agent, csrfFrom, signedIn, submitForm, tokenFor } from '../helpers/session';
import { addEntry, bronOf, listIdOf, upload } from '../helpers/watch-lists';
import { givenApproval, givenCodeVersion, givenProvider } from '../factories/provider.factory';
import { givenUser, type TestUser } from '../factories/user.factory';

const FIXTURES = path.join(__dirname, '..', '..', '..', 'test', 'fixtures');
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name));

/** Supertest keeps a binary answer as a Buffer only when told to. */
function binary(res: request.Response, callback: (error: Error | null, body: Buffer) => void) {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
}

/** `kvk:status:registered[:ending]` of every entry the list page shows, in order. */
const entriesOf = (html: string) =>
  [
    ...html.matchAll(
      /data-kvk="(\d{8})" data-status="([a-z_]+)" data-registered="(yes|no)"( data-ends-before-contract)?/g,
    ),
  ].map((m) => [m[1], m[2], m[3], m[4] ? 'ending' : ''].filter(Boolean).join(':'));

describe('watch lists', () => {
  let db: TestDatabase;
  let app: Express;
  let buyerA: TestUser;
  let colleagueA: TestUser;
  let buyerB: TestUser;
  let agentA: Agent;
  let agentColleague: Agent;
  let agentB: Agent;
  const now = new Date();
  /** The listing of 99990001 ends in about 11 months: a contract to a later day ends after it. */
  const listingEnd = addMonths(addMonths(now, -1), 12);

  before(async function () {
    this.timeout(60_000);
    db = await createTestDatabase();
    app = testApp(db.dataSource).app;
    const version = await givenCodeVersion(db.dataSource);
    const verantwoord = await givenProvider(db.dataSource, {
      kvkNumber: '99990001',
      legalName: 'Polderwolk Hosting B.V.',
    });
    await givenApproval(db.dataSource, verantwoord, version, addMonths(now, -1));
    // Registered, but no reviewer confirmed who it is: for buyers too it is not in the register.
    await givenProvider(
      db.dataSource,
      { kvkNumber: '99990002', legalName: 'Ongezien Hosting B.V.' },
      { unconfirmed: true },
    );
    await givenProvider(db.dataSource, { kvkNumber: '99990006', legalName: 'Grachtengordel Cloud B.V.' });
    buyerA = await givenUser(db.dataSource, 'buyer', { name: 'Anna Inkoop', buyerDomain: 'minvenj.nl' });
    colleagueA = await givenUser(db.dataSource, 'buyer', { name: 'Cees Collega', buyerDomain: 'minvenj.nl' });
    buyerB = await givenUser(db.dataSource, 'buyer', { name: 'Bert Ander', buyerDomain: 'minfin.nl' });
    [agentA, agentColleague, agentB] = [
      await signedIn(app, buyerA),
      await signedIn(app, colleagueA),
      await signedIn(app, buyerB),
    ];
  });
  after(() => db.drop());

  async function newList(agent: Agent, name: string): Promise<string> {
    const res = await submitForm(agent, '/inkoop', '/inkoop/volglijsten', { listName: name });
    assert.equal(res.status, 303, res.text.slice(0, 300));
    return listIdOf(res.headers.location);
  }

  it('creates, shows, renames and deletes a list; colleagues share it, another organisation gets 404', async () => {
    const id = await newList(agentA, 'Hosting 2026');
    const page = await agentA.get(`/inkoop/volglijsten/${id}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /Hosting 2026/);
    assert.match((await agentColleague.get('/inkoop')).text, new RegExp(`data-list="${id}"`));
    assert.doesNotMatch((await agentB.get('/inkoop')).text, new RegExp(id));
    assert.equal((await agentB.get(`/inkoop/volglijsten/${id}`)).status, 404);
    assert.equal((await agentB.get(`/inkoop/volglijsten/${id}/download.csv`)).status, 404);
    const foreignAdd = await addEntry(agentB, await newList(agentB, 'Eigen lijst B'), {
      kvkNumber: '99990001',
    });
    assert.equal(foreignAdd.status, 303);
    const tokenB = await tokenFor(agentB, '/inkoop');
    for (const action of ['naam', 'verwijderen', 'leveranciers'])
      assert.equal(
        (
          await agentB
            .post(`/inkoop/volglijsten/${id}/${action}`)
            .type('form')
            .send({ _csrf: tokenB, listName: 'x', kvkNumber: '99990001' })
        ).status,
        404,
        action,
      );

    const renamed = await submitForm(
      agentColleague,
      `/inkoop/volglijsten/${id}`,
      `/inkoop/volglijsten/${id}/naam`,
      {
        listName: 'Hosting 2027',
      },
    );
    assert.equal(renamed.status, 303);
    assert.match((await agentA.get(`/inkoop/volglijsten/${id}`)).text, /Hosting 2027/);
    const empty = await submitForm(agentA, `/inkoop/volglijsten/${id}`, `/inkoop/volglijsten/${id}/naam`, {
      listName: '  ',
    });
    assert.equal(empty.status, 400);
    assert.match(empty.text, /id="error-listName"/);

    const confirm = await agentA.get(`/inkoop/volglijsten/${id}/verwijderen`);
    assert.equal(confirm.status, 200);
    assert.match(confirm.text, /Hosting 2027/);
    const deleted = await submitForm(
      agentA,
      `/inkoop/volglijsten/${id}/verwijderen`,
      `/inkoop/volglijsten/${id}/verwijderen`,
      {},
    );
    assert.equal(deleted.status, 303);
    assert.equal((await agentA.get(`/inkoop/volglijsten/${id}`)).status, 404);
    const audit = await db.dataSource.query<{ action: string }[]>(
      `SELECT action FROM audit_events WHERE subject_type = 'watch_list' AND subject_id = $1 ORDER BY id`,
      [id],
    );
    assert.deepEqual(
      audit.map((a) => a.action),
      ['watch_list.created', 'watch_list.renamed', 'watch_list.deleted'],
    );
  });

  it('adds, edits and removes entries by hand, refusing bad input and duplicates with a clear message', async () => {
    const id = await newList(agentA, 'Handwerk');
    const contractEnd = toLocalDate(addMonths(listingEnd, 6));
    assert.equal(
      (
        await addEntry(agentA, id, {
          kvkNumber: 'KvK 9999 0001',
          reference: 'C-1',
          contractStart: '1-1-2026',
          contractEnd,
        })
      ).status,
      303,
    );
    assert.equal((await addEntry(agentA, id, { kvkNumber: '99990002', reference: 'C-2' })).status, 303);
    assert.equal((await addEntry(agentA, id, { kvkNumber: '12121212' })).status, 303);
    assert.equal(
      (
        await addEntry(agentA, id, {
          kvkNumber: '99990006',
          contractEnd: toLocalDate(addMonths(listingEnd, -1)),
        })
      ).status,
      303,
    );

    const duplicate = await addEntry(agentA, id, { kvkNumber: '99990001', reference: 'C-1' });
    assert.equal(duplicate.status, 400);
    assert.match(duplicate.text, /staat al met deze referentie op de lijst/);
    assert.match(duplicate.text, /value="C-1"/);
    const bad = await addEntry(agentA, id, {
      kvkNumber: '1234',
      contractStart: '31-2-2027',
      contractEnd: 'morgen',
    });
    assert.equal(bad.status, 400);
    for (const field of ['kvkNumber', 'contractStart', 'contractEnd'])
      assert.match(bad.text, new RegExp(`id="error-${field}"`));
    const backwards = await addEntry(agentA, id, {
      kvkNumber: '99990006',
      contractStart: '2027-03-01',
      contractEnd: '2027-02-01',
    });
    assert.equal(backwards.status, 400);
    assert.match(backwards.text, /de einddatum ligt voor de startdatum/);

    const page = await agentA.get(`/inkoop/volglijsten/${id}`);
    assert.deepEqual(entriesOf(page.text), [
      '12121212:not_listed:no',
      '99990001:verantwoord:yes:ending',
      '99990002:not_listed:no',
      '99990006:not_listed:yes',
    ]);
    // The unconfirmed provider is shown exactly as an unknown number: no name, no link.
    assert.doesNotMatch(page.text, /Ongezien Hosting/);
    assert.match(page.text, /Polderwolk Hosting B\.V\./);
    assert.match(page.text, /data-ending-count="1"/);
    await assertValidHtml(page.text, 'watch list');
    await assertValidHtml(bad.text, 'watch list, entry refused');
    await assertValidHtml((await agentA.get('/inkoop')).text, 'watch lists');

    const [entry] = await db.dataSource.query<{ id: string }[]>(
      `SELECT e.id FROM watch_list_entries e WHERE e.watch_list_id = $1 AND e.kvk_number = '99990001'`,
      [id],
    );
    const entryUrl = `/inkoop/volglijsten/${id}/leveranciers/${entry!.id}`;
    assert.equal((await agentB.get(entryUrl)).status, 404);
    const edited = await submitForm(agentColleague, entryUrl, entryUrl, {
      kvkNumber: '99990001',
      reference: 'C-1b',
      contractStart: '2026-01-01',
      contractEnd: toLocalDate(addMonths(listingEnd, -2)),
    });
    assert.equal(edited.status, 303);
    const afterEdit = await agentA.get(`/inkoop/volglijsten/${id}`);
    assert.ok(
      entriesOf(afterEdit.text).includes('99990001:verantwoord:yes'),
      'no longer ending before the contract',
    );
    assert.match(afterEdit.text, /C-1b/);
    const removed = await submitForm(agentA, entryUrl, `${entryUrl}/verwijderen`, {});
    assert.equal(removed.status, 303);
    assert.equal(entriesOf((await agentA.get(`/inkoop/volglijsten/${id}`)).text).length, 3);
  });

  it('imports the Windows-1252 CSV fixture after a preview that lists the bad rows', async () => {
    const id = await newList(agentA, 'Uit CSV');
    const preview = await upload(
      agentA,
      id,
      {},
      { bytes: fixture('leveranciers-windows-1252.csv'), name: 'lijst.csv' },
    );
    assert.equal(preview.status, 200, preview.text.slice(0, 500));
    assert.match(preview.text, /data-import-summary data-good="3" data-problems="0"/);
    // Nothing is added by the preview.
    assert.equal(entriesOf((await agentA.get(`/inkoop/volglijsten/${id}`)).text).length, 0);
    const bron = bronOf(preview.text);
    const added = await upload(agentA, id, { bron, bevestigen: '1', kolom: '' });
    assert.equal(added.status, 303);
    assert.match(added.headers.location ?? '', /toegevoegd=3$/);
    assert.deepEqual(entriesOf((await agentA.get(`/inkoop/volglijsten/${id}`)).text), [
      '99990002:not_listed:no',
      '99990006:not_listed:yes',
      '99990099:not_listed:no',
    ]);
  });

  it('imports the .xlsx fixture: references from "Contractnummer", bad KvK numbers listed, repeats once', async () => {
    const id = await newList(agentA, 'Uit Excel');
    const preview = await upload(
      agentA,
      id,
      {},
      { bytes: fixture('leveranciers-export.xlsx'), name: 'lijst.xlsx' },
    );
    assert.equal(preview.status, 200, preview.text.slice(0, 500));
    assert.match(preview.text, /data-import-summary data-good="12" data-problems="2"/);
    assert.match(preview.text, /Referentie uit kolom C\./);
    assert.match(preview.text, /data-line="12" data-ok="no"/);
    assert.match(preview.text, /data-line="13" data-ok="no"/);
    await assertValidHtml(preview.text, 'import preview');
    const bron = bronOf(preview.text);
    const added = await upload(agentA, id, { bron, bevestigen: '1', kolom: '' });
    assert.match(added.headers.location ?? '', /toegevoegd=12$/);
    const references = await db.dataSource.query<{ reference: string }[]>(
      `SELECT reference FROM watch_list_entries WHERE watch_list_id = $1 AND kvk_number = '99990001' ORDER BY reference`,
      [id],
    );
    assert.deepEqual(
      references.map((r) => r.reference),
      ['C-2026-001', 'C-2026-014'],
    );
  });

  it('reads contract dates from Excel date cells and d-m-yyyy text', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Contracten');
    sheet.addRow(['KvK-nummer', 'Referentie', 'Startdatum', 'Contract end']);
    sheet.addRow(['99990001', 'A', new Date(Date.UTC(2026, 0, 1)), new Date(Date.UTC(2030, 11, 31))]);
    sheet.addRow(['99990006', 'B', '1-2-2026', '31-2-2027']);
    const bytes = Buffer.from(await workbook.xlsx.writeBuffer());
    const id = await newList(agentA, 'Met data');
    const preview = await upload(agentA, id, {}, { bytes, name: 'contracten.xlsx' });
    assert.match(preview.text, /data-import-summary data-good="1" data-problems="1"/);
    assert.match(preview.text, /data-line="3" data-ok="no"[\s\S]*?data-problem="watch.badDate"/);
    const bron = bronOf(preview.text);
    await upload(agentA, id, { bron, bevestigen: '1', kolom: '' });
    const [row] = await db.dataSource.query<{ start: string; end: string; reference: string }[]>(
      `SELECT contract_start::text AS start, contract_end::text AS end, reference FROM watch_list_entries WHERE watch_list_id = $1`,
      [id],
    );
    assert.deepEqual(row, { start: '2026-01-01', end: '2030-12-31', reference: 'A' });
    assert.deepEqual(entriesOf((await agentA.get(`/inkoop/volglijsten/${id}`)).text), [
      '99990001:verantwoord:yes:ending',
    ]);
  });

  it('asks for the KvK column when the list does not make it clear, then reads the chosen one', async () => {
    const id = await newList(agentA, 'Twee kolommen');
    const csv = Buffer.from('12345678;99990001\n87654321;99990006\n', 'utf8');
    const ask = await upload(agentA, id, {}, { bytes: csv, name: 'twee.csv' });
    assert.equal(ask.status, 200);
    assert.match(ask.text, /data-choose-column/);
    await assertValidHtml(ask.text, 'import, choose the KvK column');
    const bron = bronOf(ask.text);
    const preview = await upload(agentA, id, { bron, kolom: 'B' });
    assert.match(preview.text, /data-import-summary data-good="2" data-problems="0"/);
    const added = await upload(agentA, id, { bron, kolom: 'B', bevestigen: '1' });
    assert.match(added.headers.location ?? '', /toegevoegd=2$/);
    assert.deepEqual(entriesOf((await agentA.get(`/inkoop/volglijsten/${id}`)).text), [
      '99990001:verantwoord:yes',
      '99990006:not_listed:yes',
    ]);
  });

  it('watches the suppliers of a bulk check: the button for buyers only, into a new or an existing list', async () => {
    const checkPage = async (agent: Agent) => {
      const token = await tokenFor(agent, '/controleren/lijst');
      return agent
        .post('/controleren/lijst')
        .field('_csrf', token)
        .field('nummers', '99990001\n99990006\n1234\n99990001');
    };
    const anonymous = await checkPage(request.agent(app));
    assert.doesNotMatch(anonymous.text, /data-watch-these/);
    const result = await checkPage(agentA);
    assert.equal(result.status, 200);
    assert.match(result.text, /name="nummers" value="99990001 99990006"/);
    const choose = await agentA
      .post('/inkoop/volgen')
      .type('form')
      .send({ _csrf: csrfFrom(result.text), nummers: '99990001 99990006' });
    assert.equal(choose.status, 200);
    assert.match(choose.text, /data-count="2"/);
    await assertValidHtml(choose.text, 'watch from a bulk check');
    await assertValidHtml(result.text, 'bulk check result for a buyer');
    const created = await agentA
      .post('/inkoop/volgen')
      .type('form')
      .send({
        _csrf: csrfFrom(choose.text),
        nummers: '99990001 99990006',
        lijst: 'nieuw',
        listName: 'Uit de lijstcontrole',
      });
    assert.equal(created.status, 303);
    const id = listIdOf(created.headers.location);
    assert.deepEqual(entriesOf((await agentA.get(`/inkoop/volglijsten/${id}`)).text), [
      '99990001:verantwoord:yes',
      '99990006:not_listed:yes',
    ]);
    // Again into the same list: what is on it already stays once.
    const again = await agentA
      .post('/inkoop/volgen')
      .type('form')
      .send({ _csrf: csrfFrom(choose.text), nummers: '99990001 99990002', lijst: id });
    assert.match(again.headers.location ?? '', /toegevoegd=1$/);
    // Another organisation's list is not found.
    const foreign = await agentB
      .post('/inkoop/volgen')
      .type('form')
      .send({ _csrf: await tokenFor(agentB, '/inkoop'), nummers: '99990001', lijst: id });
    assert.equal(foreign.status, 404);
  });

  it('downloads the list as CSV (formula-safe) and .xlsx with the same columns', async () => {
    const id = await newList(agentA, 'Download');
    await addEntry(agentA, id, {
      kvkNumber: '99990001',
      reference: '=HYPERLINK("x")',
      contractEnd: '2099-01-01',
    });
    await addEntry(agentA, id, { kvkNumber: '99990002', reference: 'R-2' });
    const csv = await agentA.get(`/inkoop/volglijsten/${id}/download.csv`).buffer(true).parse(binary);
    assert.equal(csv.status, 200);
    assert.match(csv.headers['content-type'] ?? '', /text\/csv/);
    const records: string[][] = parse((csv.body as Buffer).toString('utf8').slice(1), { delimiter: ';' });
    assert.equal(records[0]![0], 'KvK-nummer');
    assert.deepEqual(
      records.slice(1).map((r) => [r[0], r[1], r[2], r[5], r[8]]),
      [
        ['99990001', 'Polderwolk Hosting B.V.', `'=HYPERLINK("x")`, 'Verantwoord', 'ja'],
        // The page's words for a number not in the register (data-status="not_listed": "Onbekend in het register").
        ['99990002', 'niet in het register', 'R-2', 'Onbekend in het register', ''],
      ],
    );
    const xlsx = await agentA
      .get(`/inkoop/volglijsten/${id}/download.xlsx?lang=en`)
      .buffer(true)
      .parse(binary);
    assert.equal(xlsx.status, 200);
    const workbook = new ExcelJS.Workbook();
    const bytes = xlsx.body as Buffer;
    await workbook.xlsx.load(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer,
    );
    const sheet = workbook.worksheets[0]!;
    assert.equal(sheet.getRow(1).getCell(1).value, 'KvK number');
    assert.equal(sheet.getRow(2).getCell(3).value, '=HYPERLINK("x")');
    assert.ok(sheet.getRow(2).getCell(5).value instanceof Date, 'the contract end is a date cell');
    assert.equal(sheet.getRow(3).getCell(2).value, 'not in the register');
    assert.equal((await agentA.get(`/inkoop/volglijsten/${id}/download.pdf`)).status, 404);
  });
});
