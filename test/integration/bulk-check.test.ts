import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { ZipFile } from 'yazl';
import { bulkCheck } from '../../src/check/bulk-check.service';
import { MAX_LIST_BYTES } from '../../src/check/bulk-list';
import { BULK_PAGE_SIZE } from '../../src/check/check.routes';
import { CodeOfConductVersion } from '../../src/status/code-of-conduct-version.entity';
import { toLocalDate } from '../../src/shared/time';
import { givenApproval, givenProvider } from '../factories/provider.factory';
import { testApp } from '../helpers/app';
import { demoKvkOf, useDemoRegister } from '../helpers/demo';
import { assertValidHtml } from '../helpers/html';
import { type Agent, csrfFrom, tokenFor } from '../helpers/session';

const FIXTURES = path.join(__dirname, '..', '..', '..', 'test', 'fixtures');
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name));

/** A provider whose KvK number starts with a zero, as spreadsheets lose it; added to the demo register. */
const ZERO_KVK = '09990042';

/** `line:outcome[:reason]` for every row the page shows, in order. */
function outcomesOf(html: string): string[] {
  return [...html.matchAll(/data-line="(\d+)" data-outcome="([a-z_]+)"(?: data-reason="([a-z_]+)")?/g)].map(
    (m) => [m[1], m[2], m[3]].filter(Boolean).join(':'),
  );
}

/** The copy of the chosen file the page keeps, as a browser sends it back (Handlebars escapes "="). */
const keptFile = (html: string) => /name="bron" value="([^"]+)"/.exec(html)?.[1]?.replace(/&#x3D;/g, '=');

/** An .xlsx answer read back by exceljs. */
async function workbookOf(res: request.Response): Promise<ExcelJS.Workbook> {
  const bytes = res.body as Buffer;
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer,
  );
  return workbook;
}

/** Supertest keeps a binary answer as a Buffer only when told to. */
function binary(res: request.Response, callback: (error: Error | null, body: Buffer) => void) {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
}

describe('bulk check of a supplier list', () => {
  const demo = useDemoRegister();
  const today = toLocalDate(new Date());

  before(async () => {
    // The demo numbers are fixed (the fixtures hold them); this guards against a renumbered demo.
    assert.equal(demoKvkOf('Polderwolk'), '99990001');
    assert.equal(demoKvkOf('Klompenserver'), '99990003');
    const [version] = await demo.db.dataSource
      .getRepository(CodeOfConductVersion)
      .find({ order: { publishedAt: 'DESC' }, take: 1 });
    const provider = await givenProvider(demo.db.dataSource, {
      kvkNumber: ZERO_KVK,
      legalName: 'Nulpunt Hosting B.V.',
    });
    await givenApproval(demo.db.dataSource, provider, version!, new Date(Date.now() - 30 * 86_400_000));
  });

  async function post(
    agent: Agent,
    fields: Record<string, string>,
    file?: { bytes: Buffer; name: string },
    url = '/controleren/lijst',
  ) {
    const token = await tokenFor(agent, '/controleren/lijst');
    let req = agent.post(url).field('_csrf', token);
    for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
    if (file) req = req.attach('bestand', file.bytes, file.name);
    return req;
  }

  /** The answer to the export of issue 14, the same whether it comes as CSV or as .xlsx. */
  const EXPORT_OUTCOMES = [
    '2:verantwoord',
    '3:verantwoord',
    '4:niet_verantwoord:expired',
    '5:niet_verantwoord:suspended',
    '6:niet_verantwoord:revoked',
    '7:niet_verantwoord:code_of_conduct_outdated',
    '8:niet_verantwoord:aan_participation_ended',
    '9:niet_verantwoord:application_pending',
    '10:niet_verantwoord:not_listed',
    '11:onbekend',
    '12:ongeldig',
    '13:ongeldig',
    '14:verantwoord',
    '15:dubbel',
  ];

  describe('reads the lists buyers have', () => {
    it('reads the Excel export (BOM, semicolons, CRLF, KvK number in column 2) with its header as no row', async () => {
      const res = await post(
        request.agent(demo.app),
        { peildatum: today, formaat: 'html' },
        { bytes: fixture('leveranciers-export.csv'), name: 'leveranciers.csv' },
      );
      assert.equal(res.status, 200);
      assert.deepEqual(outcomesOf(res.text), EXPORT_OUTCOMES);
      assert.match(res.text, /data-kvk-column="B"/);
      assert.match(res.text, /data-count="verantwoord">3</);
      assert.match(res.text, /data-count="ongeldig">2</);
      assert.match(res.text, /zelfde als regel 2/);
      assert.match(
        res.text,
        /Tulpdata Hosting, Amsterdam · C-2026-003/,
        'the rest of the row, to recognise it',
      );
      await assertValidHtml(res.text, 'bulk check result');
    });

    it('reads the same list as an .xlsx workbook', async () => {
      const res = await post(
        request.agent(demo.app),
        { peildatum: today, formaat: 'html' },
        { bytes: fixture('leveranciers-export.xlsx'), name: 'leveranciers.xlsx' },
      );
      assert.equal(res.status, 200);
      assert.deepEqual(outcomesOf(res.text), EXPORT_OUTCOMES);
    });

    it('reads a workbook whose KvK column holds numbers, restoring a lost leading zero when that number exists', async () => {
      const res = await post(
        request.agent(demo.app),
        { peildatum: today, formaat: 'html' },
        { bytes: fixture('leveranciers-getallen.xlsx'), name: 'contracten.xlsx' },
      );
      assert.equal(res.status, 200);
      // Its first worksheet is hidden: the list is on the first visible one.
      assert.deepEqual(outcomesOf(res.text), [
        '2:verantwoord',
        '3:verantwoord',
        '4:ongeldig',
        '5:niet_verantwoord:suspended',
        '6:dubbel',
      ]);
      assert.match(res.text, /data-line="3"[^>]*data-kvk="09990042"/);
      assert.match(res.text, /Gelezen van werkblad ‘Contracten’/);
      assert.match(res.text, /voorloopnul weggevallen: gecontroleerd als 09990042/);
      assert.match(
        res.text,
        /waarschijnlijk is de voorloopnul weggevallen: bedoelt u 01234567\? Dat nummer staat niet in het register/,
      );
      assert.match(
        res.text,
        /Polderwolk Hosting B\.V\. · 2026-03-01 · 12000/,
        'rich text, a date and a formula as text',
      );
    });

    it('reads a Windows-1252 file without turning é and Ü into replacement characters', async () => {
      const res = await post(
        request.agent(demo.app),
        { peildatum: today, formaat: 'html' },
        { bytes: fixture('leveranciers-windows-1252.csv'), name: 'leveranciers.csv' },
      );
      assert.equal(res.status, 200);
      assert.deepEqual(outcomesOf(res.text), ['2:verantwoord', '3:niet_verantwoord:suspended', '4:onbekend']);
      assert.match(res.text, /Café Überhosting/);
      assert.match(res.text, /Ærø Data/);
      assert.ok(!res.text.includes('\uFFFD'));
    });

    it('reads a comma file with commas and quotes inside quoted cells', async () => {
      const res = await post(
        request.agent(demo.app),
        { peildatum: today, formaat: 'html' },
        { bytes: fixture('leveranciers-komma.csv'), name: 'leveranciers.csv' },
      );
      assert.equal(res.status, 200);
      assert.deepEqual(outcomesOf(res.text), [
        '2:verantwoord',
        '3:niet_verantwoord:revoked',
        '4:verantwoord',
      ]);
      assert.match(res.text, /Polderwolk Hosting, Amersfoort · contract 1, 2026/);
      assert.match(res.text, /zie &quot;dossier&quot;, map 3/);
    });

    it('reads three columns pasted from Excel (tabs), with and without a header', async () => {
      const withHeader = await post(request.agent(demo.app), {
        nummers:
          'Leverancier\tKvK-nummer\tContract\r\nPolderwolk\t99990001\tA-1\r\nHunebed\t99990008\tA-2\r\n',
        peildatum: today,
      });
      assert.equal(withHeader.status, 200);
      assert.deepEqual(outcomesOf(withHeader.text), ['2:verantwoord', '3:niet_verantwoord:revoked']);
      const without = await post(request.agent(demo.app), {
        nummers: 'Polderwolk\t99990001\tA-1\nHunebed\t99990008\tA-2',
        peildatum: today,
      });
      assert.deepEqual(outcomesOf(without.text), ['1:verantwoord', '2:niet_verantwoord:revoked']);
      assert.match(without.text, /data-kvk-column="B"/);
    });

    it('reads numbers with spaces, dots, a "KvK" prefix and a lost leading zero', async () => {
      const res = await post(request.agent(demo.app), {
        nummers: [
          '9999 0001',
          '99.99.00.02',
          'KvK 99990003',
          'KvK-nummer: 9999-0004',
          '9990042',
          '1234567',
        ].join('\n'),
        peildatum: today,
      });
      assert.equal(res.status, 200);
      assert.deepEqual(outcomesOf(res.text), [
        '1:verantwoord',
        '2:verantwoord',
        '3:verantwoord',
        '4:verantwoord',
        '5:verantwoord',
        '6:ongeldig',
      ]);
      assert.match(res.text, /data-line="5"[^>]*data-kvk="09990042"/);
      assert.match(res.text, /bedoelt u 01234567\?/);
    });

    it('answers for today when no date is given', async () => {
      const res = await post(request.agent(demo.app), { nummers: '99990001' });
      assert.equal(res.status, 200);
      assert.deepEqual(outcomesOf(res.text), ['1:verantwoord']);
      assert.match(res.text, new RegExp(`name="peildatum" type="date" value="${today}"`));
    });
  });

  describe('when the KvK column is unclear', () => {
    const AMBIGUOUS = Buffer.from('99990001;99990008;x\r\n99990002;99990009;y\r\n', 'utf8');

    it('shows the columns with sample values, and checks the chosen one without the file again', async () => {
      const agent = request.agent(demo.app);
      const ask = await post(
        agent,
        { peildatum: today, formaat: 'html' },
        { bytes: AMBIGUOUS, name: 'twee-nummers.csv' },
      );
      assert.equal(ask.status, 200);
      assert.ok(!/data-outcome=/.test(ask.text), 'nothing is checked before the choice');
      assert.match(ask.text, /In welke kolom staat het KvK-nummer\?/);
      assert.match(ask.text, /value="A"/);
      assert.match(ask.text, /value="B"/);
      assert.match(ask.text, /99990001, 99990002/);
      assert.match(ask.text, /Gekozen bestand: twee-nummers\.csv/);
      await assertValidHtml(ask.text, 'column choice');
      const bron = keptFile(ask.text);
      assert.ok(bron, 'the page keeps the file');
      const chosen = await agent
        .post('/controleren/lijst')
        .field('_csrf', csrfFrom(ask.text))
        .field('bron', bron)
        .field('bronNaam', 'twee-nummers.csv')
        .field('kolom', 'B')
        .field('peildatum', today)
        .field('formaat', 'html');
      assert.equal(chosen.status, 200);
      assert.deepEqual(outcomesOf(chosen.text), [
        '1:niet_verantwoord:revoked',
        '2:niet_verantwoord:code_of_conduct_outdated',
      ]);
    });

    it('keeps pasted text while asking, and takes the column named up front by its header', async () => {
      const pasted = 'Nummer A;Nummer B\n99990001;99990008\n99990002;99990009';
      const ask = await post(request.agent(demo.app), { nummers: pasted, peildatum: today });
      assert.equal(ask.status, 200);
      assert.match(ask.text, /Nummer A/);
      assert.ok(
        ask.text.includes('99990001;99990008\n99990002;99990009</textarea>'),
        'the pasted list stays',
      );
      const named = await post(request.agent(demo.app), {
        nummers: pasted,
        kolom: 'nummer b',
        peildatum: today,
      });
      assert.deepEqual(outcomesOf(named.text), [
        '2:niet_verantwoord:revoked',
        '3:niet_verantwoord:code_of_conduct_outdated',
      ]);
      const bad = await post(request.agent(demo.app), { nummers: pasted, kolom: 'Z', peildatum: today });
      assert.equal(bad.status, 400);
      assert.match(bad.text, /deze kolom staat niet in de lijst/);
      assert.ok(bad.text.includes('99990001;99990008'), 'nothing typed is lost');
    });
  });

  describe('downloads', () => {
    async function download(formaat: 'xlsx' | 'csv', lang: 'nl' | 'en', bytes: Buffer, name: string) {
      const agent = request.agent(demo.app);
      const token = await tokenFor(agent, '/controleren/lijst');
      return agent
        .post(`/controleren/lijst?lang=${lang}`)
        .field('_csrf', token)
        .field('peildatum', today)
        .field('formaat', formaat)
        .attach('bestand', bytes, name)
        .buffer(true)
        .parse(binary);
    }

    it('gives the list back as .xlsx with every column kept and the answer added, KvK numbers as text', async () => {
      const res = await download('xlsx', 'nl', fixture('leveranciers-export.csv'), 'leveranciers.csv');
      assert.equal(res.status, 200);
      assert.match(String(res.headers['content-type']), /spreadsheetml\.sheet/);
      assert.match(String(res.headers['content-disposition']), new RegExp(`controle-${today}\\.xlsx`));
      const workbook = await workbookOf(res);
      const sheet = workbook.worksheets[0]!;
      const header = (sheet.getRow(1).values as unknown[]).slice(1);
      assert.deepEqual(header, [
        'Leverancier',
        'KvK-nummer',
        'Contractnummer',
        'Uitkomst',
        'Reden',
        'Sinds',
        'Geldig tot',
        'Naam in het register',
        'Link',
        'Gelezen als',
        'Opmerking',
        'Regel',
        'Peildatum',
      ]);
      assert.equal(sheet.getRow(1).font?.bold, true);
      assert.equal(sheet.views[0]?.state, 'frozen');
      assert.equal(sheet.rowCount, 15);
      const polderwolk = sheet.getRow(2);
      assert.equal(polderwolk.getCell(2).value, '99990001', 'the KvK number is a text cell');
      assert.equal(polderwolk.getCell(3).value, 'C-2026-001');
      assert.equal(polderwolk.getCell(4).value, 'Verantwoord');
      assert.ok(polderwolk.getCell(6).value instanceof Date, 'since is a date');
      assert.ok(polderwolk.getCell(7).value instanceof Date, 'valid until is a date');
      assert.deepEqual(
        (polderwolk.getCell(9).value as { hyperlink: string }).hyperlink,
        'http://register.test/hostingproviders/99990001',
      );
      const suspended = sheet.getRow(5);
      assert.equal(suspended.getCell(4).value, 'Niet verantwoord');
      assert.equal(suspended.getCell(5).value, 'Geschorst');
      assert.equal(sheet.getRow(13).getCell(2).value ?? '', '', 'an empty cell stays empty');
      assert.equal(sheet.getRow(15).getCell(10).value, '99990001', 'read as');
      assert.equal(sheet.getRow(15).getCell(11).value, 'zelfde als regel 2');
    });

    it('keeps the leading zero of a KvK number typed as text, and words the answer in English', async () => {
      const list = Buffer.from('Supplier;CoC number;Start\n"Nulpunt";09990042;=1+1\n', 'utf8');
      const res = await download('xlsx', 'en', list, 'suppliers.csv');
      const workbook = await workbookOf(res);
      const row = workbook.worksheets[0]!.getRow(2);
      assert.equal(row.getCell(2).value, '09990042');
      // A string cell, never a formula: the text as typed, without the apostrophe the CSV needs.
      assert.equal(row.getCell(3).value, '=1+1');
      assert.equal(row.getCell(3).type, ExcelJS.ValueType.String);
      assert.equal(row.getCell(4).value, 'Responsible');
      assert.equal(workbook.worksheets[0]!.getRow(1).getCell(4).value, 'Outcome');
    });

    it('gives the list back as CSV for Dutch Excel, with the Dutch or English words', async () => {
      const res = await download('csv', 'nl', fixture('leveranciers-export.xlsx'), 'leveranciers.xlsx');
      assert.equal(res.status, 200);
      assert.match(String(res.headers['content-type']), /text\/csv; charset=utf-8/);
      const text = (res.body as Buffer).toString('utf8');
      assert.ok(text.startsWith('\uFEFF'), 'a byte-order mark, so Excel reads UTF-8');
      assert.ok(text.includes('\r\n'));
      const records = parse(text.slice(1), { delimiter: ';' });
      assert.equal(records.length, 15);
      assert.deepEqual(records[0]?.slice(0, 5), [
        'Leverancier',
        'KvK-nummer',
        'Contractnummer',
        'Uitkomst',
        'Reden',
      ]);
      assert.deepEqual(records[4]?.slice(0, 5), [
        'Grachtengordel Cloud B.V.',
        '99990006',
        'C-2026-004',
        'Niet verantwoord',
        'Geschorst',
      ]);
      assert.equal(records[1]?.[8], 'http://register.test/hostingproviders/99990001');
      assert.equal(records[1]?.[9], '99990001', 'read as');
      assert.equal(records[1]?.[12], today);
      const english = await download('csv', 'en', fixture('leveranciers-export.csv'), 'leveranciers.csv');
      const en = parse((english.body as Buffer).toString('utf8').slice(1), { delimiter: ';' });
      assert.deepEqual(en[0]?.slice(3, 5), ['Outcome', 'Reason']);
      assert.deepEqual(en[4]?.slice(3, 5), ['Not responsible', 'Suspended']);
      assert.deepEqual(en[11]?.[3], 'Not a valid KvK number');
    });

    it('downloads from the result page without choosing the file again', async () => {
      const agent = request.agent(demo.app);
      const page = await post(
        agent,
        { peildatum: today, formaat: 'html' },
        { bytes: fixture('leveranciers-export.xlsx'), name: 'leveranciers.xlsx' },
      );
      const bron = keptFile(page.text);
      assert.ok(bron);
      const res = await agent
        .post('/controleren/lijst')
        .field('_csrf', csrfFrom(page.text))
        .field('bron', bron)
        .field('bronNaam', 'leveranciers.xlsx')
        .field('peildatum', today)
        .field('formaat', 'csv');
      assert.equal(res.status, 200);
      assert.equal(res.text.slice(1).split('\r\n').length, 1 + 15);
      const doctored = await agent
        .post('/controleren/lijst')
        .field('_csrf', csrfFrom(page.text))
        .field('bron', 'bm90IGd6aXA=')
        .field('peildatum', today);
      assert.equal(doctored.status, 400);
      assert.match(doctored.text, /kon niet worden teruggelezen/);
    });
  });

  describe('long lists', () => {
    const LONG = [
      'Leverancier;KvK',
      ...Array.from({ length: 10_000 }, (_, i) =>
        i % 10 === 0 ? `Leverancier ${i};99990008` : `Leverancier ${i};${String(20_000_000 + i)}`,
      ),
    ].join('\n');

    it('shows the rows that need attention only, when asked', async () => {
      const res = await post(request.agent(demo.app), {
        nummers: 'Naam;KvK\nA;99990001\nB;99990006\nC;99990003\nD;1234',
        peildatum: today,
        weergave: 'aandacht',
      });
      assert.equal(res.status, 200);
      assert.deepEqual(outcomesOf(res.text), ['3:niet_verantwoord:suspended', '5:ongeldig']);
      assert.match(res.text, /2 van de 4 regels vragen aandacht/);
      const none = await post(request.agent(demo.app), {
        nummers: '99990001',
        peildatum: today,
        weergave: 'aandacht',
      });
      assert.match(none.text, /data-nothing-to-show/);
    });

    it(`pages 10,000 rows ${BULK_PAGE_SIZE} at a time and keeps the page small`, async () => {
      const agent = request.agent(demo.app);
      const first = await post(agent, { nummers: LONG, peildatum: today });
      assert.equal(first.status, 200);
      assert.equal(outcomesOf(first.text).length, BULK_PAGE_SIZE);
      assert.match(first.text, /Pagina 1 van 20/);
      const bytes = Buffer.byteLength(first.text);
      // The pasted list is in the page (it is what the buttons send again): 0.2 MB of it.
      assert.ok(bytes < 1_000_000, `the page is ${bytes} bytes`);
      const attention = await post(agent, {
        nummers: LONG,
        peildatum: today,
        weergave: 'aandacht',
        pagina: '20',
      });
      // Every row asks for attention here (revoked, duplicate or unknown): the last page is full too.
      assert.equal(outcomesOf(attention.text).length, BULK_PAGE_SIZE);
      assert.match(attention.text, /Pagina 20 van 20/);
    });

    it('takes an .xlsx of 10,000 rows and five columns, well inside the upload limit', async () => {
      const workbook = new ExcelJS.Workbook();
      const sheet = workbook.addWorksheet('Leveranciers');
      sheet.addRow(['Leverancier', 'KvK-nummer', 'Contractnummer', 'Ingangsdatum', 'Bedrag']);
      for (let i = 0; i < 10_000; i++)
        sheet.addRow([
          `Leverancier ${i} Hosting B.V.`,
          i % 10 === 0 ? '99990001' : String(20_000_000 + i),
          `C-2026-${String(i).padStart(5, '0')}`,
          new Date(Date.UTC(2026, 0, 1 + (i % 365))),
          1000 + i,
        ]);
      const bytes = Buffer.from(await workbook.xlsx.writeBuffer());
      assert.ok(bytes.length < MAX_LIST_BYTES / 4, `${bytes.length} bytes`);
      const res = await post(request.agent(demo.app), { peildatum: today }, { bytes, name: 'groot.xlsx' });
      assert.equal(res.status, 200);
      assert.match(res.text, /data-count="verantwoord">1</);
      assert.match(res.text, /data-count="dubbel">999</);
      assert.match(res.text, /data-count="onbekend">9000</);
    });

    it('answers 10,000 numbers in one go', async () => {
      const rows = Array.from({ length: 10_000 }, (_, i) => ({
        line: i + 1,
        kvkInput: i % 2 ? '9999 0001' : String(20_000_000 + i),
      }));
      const result = await bulkCheck(demo.db.dataSource, rows, '2026-01-01', new Date());
      assert.equal(result.rows.length, 10_000);
      assert.equal(result.counts.onbekend, 5000);
      assert.equal(result.counts.verantwoord + result.counts.dubbel, 5000);
    });
  });

  describe('bad input', () => {
    it('refuses more than 10,000 lines, an empty list and a malformed date with a clear message', async () => {
      const tooMany = Array.from({ length: 10_001 }, (_, i) => String(10_000_000 + i)).join('\n');
      const res = await post(request.agent(demo.app), { nummers: tooMany, peildatum: '2026-01-01' });
      assert.equal(res.status, 400);
      assert.match(res.text, /meer dan 10\.000 regels/);
      const empty = await post(request.agent(demo.app), { nummers: ' \n ', peildatum: '2026-01-01' });
      assert.equal(empty.status, 400);
      const badDate = await post(request.agent(demo.app), { nummers: '12345678', peildatum: '2026-02-31' });
      assert.equal(badDate.status, 400);
      assert.match(badDate.text, />12345678</);
    });

    const REFUSED: [string, Buffer, RegExp, RegExp][] = [
      [
        'an old .xls',
        Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(512)]),
        /oud Excel-bestand \(\.xls\)/,
        /old Excel file \(\.xls\)/,
      ],
      [
        'an .ods',
        Buffer.concat([
          Buffer.from('504b0304', 'hex'),
          Buffer.alloc(26),
          Buffer.from('mimetypeapplication/vnd.oasis.opendocument.spreadsheet'),
        ]),
        /OpenDocument-bestand/,
        /OpenDocument file/,
      ],
      [
        'a PDF',
        Buffer.from('%PDF-1.7\n%\u00e2\u00e3\n1 0 obj'),
        /geen lijst die het register kan lezen/,
        /not a list/,
      ],
      [
        'a damaged .xlsx',
        Buffer.from('504b030414000000', 'hex'),
        /beschadigd of versleuteld/,
        /damaged or encrypted/,
      ],
    ];
    for (const [what, bytes, dutch, english] of REFUSED) {
      it(`refuses ${what} with a message in Dutch and English, keeping the typed date`, async () => {
        const nl = await post(
          request.agent(demo.app),
          { peildatum: '2026-01-02' },
          { bytes, name: 'lijst.bin' },
        );
        assert.equal(nl.status, 400);
        assert.match(nl.text, dutch);
        assert.match(nl.text, /value="2026-01-02"/);
        const en = await post(
          request.agent(demo.app),
          { peildatum: '2026-01-02' },
          { bytes, name: 'lijst.bin' },
          '/controleren/lijst?lang=en',
        );
        assert.equal(en.status, 400);
        assert.match(en.text, english);
      });
    }

    const STRAY_QUOTES: [string, { nummers: string } | { file: string }, number][] = [
      ['a pasted quote never closed', { nummers: '"99990002\n99990003' }, 1],
      ['a pasted name with text after its quotes', { nummers: '"De Molen" BV\t99990002' }, 1],
      [
        'a file line with a quote never closed',
        { file: 'Naam;KvK\r\nA;99990001\r\n"Open quote;99990002\r\n' },
        3,
      ],
      ['a file line with text after a closing quote', { file: 'Naam,KvK\nA,99990001\n"C" x,99990003\n' }, 3],
    ];
    for (const [what, input, line] of STRAY_QUOTES) {
      it(`answers ${what} with a message naming line ${line}, never a 500`, async () => {
        const send = (url?: string) =>
          'nummers' in input
            ? post(
                request.agent(demo.app),
                { nummers: input.nummers, peildatum: '2026-01-02' },
                undefined,
                url,
              )
            : post(
                request.agent(demo.app),
                { peildatum: '2026-01-02' },
                { bytes: Buffer.from(input.file), name: 'lijst.csv' },
                url,
              );
        const nl = await send();
        assert.equal(nl.status, 400);
        assert.match(nl.text, new RegExp(`regel ${line} heeft een aanhalingsteken`));
        assert.match(nl.text, /value="2026-01-02"/);
        if ('nummers' in input)
          assert.ok(nl.text.includes(input.nummers.replace(/"/g, '&quot;')), 'the text is kept');
        else assert.match(nl.text, /data-kept-file/);
        const en = await send('/controleren/lijst?lang=en');
        assert.equal(en.status, 400);
        assert.match(en.text, new RegExp(`line ${line} has a quotation mark`));
      });
    }

    it('refuses a list of 230,000 columns with a short page, uploaded or sent back as the kept copy', async () => {
      const wide = Buffer.from(`${Array.from({ length: 230_000 }, (_, i) => String(i % 10)).join(';')}\n`);
      assert.ok(wide.length > 400_000);
      const uploaded = await post(
        request.agent(demo.app),
        { peildatum: today, formaat: 'csv' },
        { bytes: wide, name: 'breed.csv' },
      );
      assert.equal(uploaded.status, 400);
      assert.match(uploaded.text, /meer dan 100 kolommen/);
      // The page keeps the upload for the next try; the page itself is no bigger for it than the file.
      assert.ok(uploaded.text.length < 200_000, `page of ${uploaded.text.length} characters`);
      const kept = await post(
        request.agent(demo.app),
        { peildatum: today, formaat: 'csv', bron: gzipSync(wide).toString('base64'), bronNaam: 'breed.csv' },
        undefined,
        '/controleren/lijst?lang=en',
      );
      assert.equal(kept.status, 400);
      assert.match(kept.text, /more than 100 columns/);
      assert.ok(kept.text.length < 200_000, `page of ${kept.text.length} characters`);
    });

    it('refuses a kept copy that unpacks to more than an upload may be', async () => {
      const big = gzipSync(Buffer.alloc(MAX_LIST_BYTES + 1, '1')).toString('base64');
      const res = await post(request.agent(demo.app), { peildatum: today, bron: big, bronNaam: 'x.csv' });
      assert.equal(res.status, 400);
      assert.match(res.text, /groter dan 4 MB/);
    });

    it('offers a few dozen columns to choose from, even when a CSV answer was asked for', async () => {
      const line = (n: number) =>
        Array.from({ length: 90 }, (_, i) => String(10_000_000 + n * 100 + i)).join(';');
      const res = await post(request.agent(demo.app), {
        peildatum: today,
        formaat: 'csv',
        nummers: `${line(1)}\n${line(2)}`,
      });
      assert.equal(res.status, 200);
      assert.match(res.text, /data-column-choice/);
      assert.equal([...res.text.matchAll(/name="kolom"/g)].length, 24);
    });

    it('refuses a worksheet of too many cells before exceljs reads it', async () => {
      // 3,000 rows of 100 numbers: 300,000 cells, a 7 MB sheet that packs into a few kilobytes.
      const row = (r: number) => `<row r="${r}">${'<c><v>12345678</v></c>'.repeat(100)}</row>`;
      const zip = new ZipFile();
      zip.addBuffer(Buffer.from('<workbook/>'), 'xl/workbook.xml');
      zip.addBuffer(
        Buffer.from(
          `<worksheet><sheetData>${Array.from({ length: 3000 }, (_, i) => row(i + 1)).join('')}</sheetData></worksheet>`,
        ),
        'xl/worksheets/sheet1.xml',
      );
      zip.end();
      const chunks: Buffer[] = [];
      for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
      const res = await post(
        request.agent(demo.app),
        { peildatum: today },
        { bytes: Buffer.concat(chunks), name: 'cellen.xlsx' },
      );
      assert.equal(res.status, 400);
      assert.match(res.text, /meer dan 250000 cellen/);
    });

    it('refuses a zip bomb dressed as .xlsx after unpacking no more than its limit', async () => {
      // 48 MB of spaces packs into some 50 kB: a library that unpacks everything would take it all.
      const zip = new ZipFile();
      zip.addBuffer(Buffer.from('<workbook/>'), 'xl/workbook.xml');
      zip.addBuffer(Buffer.alloc(48 * 1024 * 1024, 0x20), 'xl/worksheets/sheet1.xml');
      zip.end();
      const chunks: Buffer[] = [];
      for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
      const bytes = Buffer.concat(chunks);
      assert.ok(bytes.length < 200_000, `the bomb is ${bytes.length} bytes`);
      const res = await post(request.agent(demo.app), { peildatum: today }, { bytes, name: 'bom.xlsx' });
      assert.equal(res.status, 400);
      assert.match(res.text, /pakt uit tot meer dan 20 MB/);
    });
  });

  describe('POST /api/v1/controles', () => {
    it('reads the numbers as the web does, and says when a leading zero was lost', async () => {
      const res = await request(demo.app)
        .post('/api/v1/controles')
        .send({
          kvkNummers: [
            '9999 0001',
            '99.99.00.03',
            'KvK 99990004',
            'KvK-nummer: 9999-0006',
            '9990042',
            '1234567',
            '1234',
          ],
        })
        .expect(200);
      type Row = {
        kvkNummer: string;
        gelezenAls: string | null;
        uitkomst: string;
        opmerking: { code: string; tekst: string } | null;
      };
      const rows = (res.body as { resultaten: Row[] }).resultaten;
      assert.deepEqual(
        rows.map((r) => [r.kvkNummer, r.gelezenAls, r.uitkomst, r.opmerking?.code ?? null]),
        [
          ['9999 0001', '99990001', 'verantwoord', null],
          ['99.99.00.03', '99990003', 'verantwoord', null],
          ['KvK 99990004', '99990004', 'verantwoord', null],
          ['KvK-nummer: 9999-0006', '99990006', 'niet_verantwoord', null],
          ['9990042', '09990042', 'verantwoord', 'voorloopnul_aangevuld'],
          ['1234567', '01234567', 'ongeldig', 'voorloopnul_weggevallen'],
          ['1234', null, 'ongeldig', null],
        ],
      );
      assert.match(rows[5]!.opmerking!.tekst, /bedoelt u 01234567\?/);
      const english = await request(demo.app)
        .post('/api/v1/controles')
        .set('Accept-Language', 'en')
        .send({ kvkNummers: ['1234567'] })
        .expect(200);
      assert.match(
        (english.body as { resultaten: Row[] }).resultaten[0]!.opmerking!.tekst,
        /did you mean 01234567\?/,
      );
    });
  });

  describe('GET /controleren (one provider)', () => {
    it('reads the number as the bulk check does and answers for today without a date', async () => {
      const res = await request(demo.app)
        .get('/controleren')
        .query({ kvkNummer: 'KvK 9999 0001' })
        .expect(200);
      assert.match(res.text, /Polderwolk Hosting B\.V\./);
      assert.match(res.text, new RegExp(`value="${today}"`));
      const zero = await request(demo.app).get('/controleren').query({ kvkNummer: '9990042' }).expect(200);
      assert.match(zero.text, /Nulpunt Hosting B\.V\./);
      assert.match(zero.text, /gecontroleerd als 09990042/);
      const lost = await request(demo.app).get('/controleren').query({ kvkNummer: '1234567' }).expect(200);
      assert.match(lost.text, /Bedoelt u 01234567\?/);
      await assertValidHtml(lost.text, 'single check, leading zero');
    });
  });
  describe("the outside tester's findings", () => {
    async function downloadOf(formaat: 'xlsx' | 'csv', bytes: Buffer, name: string, kolom = '') {
      const agent = request.agent(demo.app);
      const token = await tokenFor(agent, '/controleren/lijst');
      return agent
        .post('/controleren/lijst')
        .field('_csrf', token)
        .field('peildatum', today)
        .field('formaat', formaat)
        .field('kolom', kolom)
        .attach('bestand', bytes, name)
        .buffer(true)
        .parse(binary);
    }

    /** A workbook with a title row and an empty row above the header, and a date column. */
    async function titledWorkbook(): Promise<Buffer> {
      const workbook = new ExcelJS.Workbook();
      const sheet = workbook.addWorksheet('Leveranciers');
      sheet.getCell('A1').value = 'Leveranciers 2026';
      sheet.getRow(3).values = ['Leverancier', 'KvK nummer', 'Startdatum', 'Telefoon'];
      sheet.getRow(4).values = ['Polderwolk', '99990001', new Date(Date.UTC(2026, 0, 1)), '+31 6 1234'];
      sheet.getRow(5).values = ['Klompenserver', '99990003', new Date(Date.UTC(2026, 1, 1)), '-12'];
      sheet.getRow(6).values = [
        'Formule',
        '=HYPERLINK("http://x","y")',
        new Date(Date.UTC(2026, 2, 1)),
        '-3,50',
      ];
      return Buffer.from(await workbook.xlsx.writeBuffer());
    }

    it('refuses a peildatum in the future on the form, keeping the input, in Dutch and English', async () => {
      const future = toLocalDate(new Date(Date.now() + 400 * 86_400_000));
      const nl = await post(request.agent(demo.app), { nummers: '99990001', peildatum: future });
      assert.equal(nl.status, 400);
      assert.match(nl.text, /ligt in de toekomst/);
      assert.match(nl.text, new RegExp(`value="${future}"`));
      assert.match(nl.text, />99990001</);
      assert.deepEqual(outcomesOf(nl.text), []);
      const en = await post(
        request.agent(demo.app),
        { nummers: '99990001', peildatum: future },
        undefined,
        '/controleren/lijst?lang=en',
      );
      assert.equal(en.status, 400);
      assert.match(en.text, /in the future/);
    });

    it('finds the header below a title row and an empty row, and does not check the rows above it', async () => {
      const agent = request.agent(demo.app);
      const res = await post(
        agent,
        { peildatum: today, formaat: 'html' },
        { bytes: await titledWorkbook(), name: 'leveranciers.xlsx' },
      );
      assert.equal(res.status, 200);
      assert.deepEqual(outcomesOf(res.text), ['4:verantwoord', '5:verantwoord', '6:ongeldig']);
      assert.match(res.text, /data-kvk-column="B"/);
      assert.match(res.text, /KvK nummer/);
    });

    it('finds the header below two title lines of a CSV, and one below a sep= line', async () => {
      const titled =
        'Leveranciers\r\nInkoop 2026\r\nLeverancier;KvK nummer;Startdatum\r\nPolderwolk;99990001;01-01-2026\r\n';
      const res = await post(
        request.agent(demo.app),
        { peildatum: today, formaat: 'html' },
        {
          bytes: Buffer.from(titled),
          name: 'lijst.csv',
        },
      );
      assert.deepEqual(outcomesOf(res.text), ['4:verantwoord']);
      const sep = 'sep=,\r\nLeverancier,KvK nummer\r\nPolderwolk,99990001\r\n';
      const res2 = await post(
        request.agent(demo.app),
        { peildatum: today, formaat: 'html' },
        {
          bytes: Buffer.from(sep),
          name: 'lijst.csv',
        },
      );
      assert.deepEqual(outcomesOf(res2.text), ['3:verantwoord']);
    });

    it('takes the column by its header text in any case and spacing, or by its number', async () => {
      for (const kolom of ['kvk NUMMER', '2', 'b']) {
        const res = await post(request.agent(demo.app), {
          nummers: 'Lijst\nLeverancier\tKvK nummer\tStartdatum\nPolderwolk\t99990001\t01-01-2026',
          peildatum: today,
          kolom,
        });
        assert.equal(res.status, 200, kolom);
        assert.deepEqual(outcomesOf(res.text), ['3:verantwoord'], kolom);
      }
    });

    it('does not take dates for KvK numbers: a header-less list with a date column is clear', async () => {
      const res = await post(request.agent(demo.app), {
        nummers: 'Polderwolk;99990001;01-01-2026\nKlompenserver;99990003;01-02-2026',
        peildatum: today,
      });
      assert.deepEqual(outcomesOf(res.text), ['1:verantwoord', '2:verantwoord']);
      assert.match(res.text, /data-kvk-column="B"/);
      const single = await request(demo.app).get('/controleren').query({ kvkNummer: '01-01-2026' });
      assert.equal(single.status, 400);
    });

    it('shows the form again with the list and date, status 429 and Retry-After, when the client runs its checks already', async () => {
      // The client's places are taken (as by two checks still running on some instance).
      await demo.db.dataSource.query(
        `INSERT INTO concurrency_leases (key, expires_at) VALUES ($1, now() + interval '1 minute'), ($1, now() + interval '1 minute')`,
        ['bulk_check:127.0.0.1'],
      );
      const app = testApp(demo.db.dataSource, { config: { bulkChecksPerClient: 2 } }).app;
      try {
        const res = await post(request.agent(app), {
          nummers: '99990001\n99990003',
          peildatum: '2026-01-15',
        });
        assert.equal(res.status, 429);
        assert.equal(res.headers['retry-after'], '2');
        assert.match(
          res.text,
          /Er lopen al 2 controles van uw adres tegelijk; probeer het over enkele seconden opnieuw/,
        );
        assert.doesNotMatch(res.text, /Te veel pogingen|1 minuut/);
        assert.match(res.text, />99990001\n99990003</);
        assert.match(res.text, /value="2026-01-15"/);
        assert.match(res.text, /id="bulk-form"/);
        await assertValidHtml(res.text, 'bulk check refused while busy');
        const en = await post(
          request.agent(app),
          { nummers: '99990001', peildatum: '2026-01-15' },
          undefined,
          '/controleren/lijst?lang=en',
        );
        assert.equal(en.status, 429);
        assert.match(en.text, /2 checks from your address are already running/);
      } finally {
        await demo.db.dataSource.query(`DELETE FROM concurrency_leases WHERE key = $1`, [
          'bulk_check:127.0.0.1',
        ]);
      }
    });

    it('gives the real column names and the values as typed in the .xlsx, and keeps numbers plain in the CSV', async () => {
      const xlsx = await downloadOf('xlsx', await titledWorkbook(), 'leveranciers.xlsx');
      assert.equal(xlsx.status, 200);
      const sheet = (await workbookOf(xlsx)).worksheets[0]!;
      assert.deepEqual((sheet.getRow(1).values as unknown[]).slice(1, 5), [
        'Leverancier',
        'KvK nummer',
        'Startdatum',
        'Telefoon',
      ]);
      const values = [2, 3, 4].map((r) => [sheet.getCell(r, 2).value, sheet.getCell(r, 4).value]);
      assert.deepEqual(values, [
        ['99990001', '+31 6 1234'],
        ['99990003', '-12'],
        ['=HYPERLINK("http://x","y")', '-3,50'],
      ]);
      assert.equal(sheet.getCell(4, 2).type, ExcelJS.ValueType.String, 'text, not a formula');
      const csv = await downloadOf('csv', await titledWorkbook(), 'leveranciers.xlsx');
      const records: string[][] = parse((csv.body as Buffer).toString('utf8').slice(1), { delimiter: ';' });
      assert.deepEqual(records[0]?.slice(0, 4), ['Leverancier', 'KvK nummer', 'Startdatum', 'Telefoon']);
      assert.deepEqual(
        records.slice(1).map((r) => [r[1], r[3]]),
        [
          ['99990001', "'+31 6 1234"],
          ['99990003', '-12'],
          [`'=HYPERLINK("http://x","y")`, '-3,50'],
        ],
      );
    });
    it('says an empty KvK cell is empty, reads ten digits with two leading zeros, and warns when no value in the column is a KvK number', async () => {
      const res = await post(request.agent(demo.app), {
        nummers: 'Naam;KvK-nummer\nPolderwolk;0099990001\nLeeg;\nKlompenserver;99990003',
        peildatum: today,
      });
      assert.deepEqual(outcomesOf(res.text), ['2:verantwoord', '3:ongeldig', '4:verantwoord']);
      assert.match(res.text, /tien cijfers met twee voorloopnullen: gecontroleerd als 99990001/);
      assert.match(res.text, /data-line="3"[^]*?leeg/);
      assert.doesNotMatch(res.text, /data-wrong-column/);
      const wrong = await post(request.agent(demo.app), {
        nummers: 'Polderwolk;99990001;Assen\nKlompenserver;99990003;Emmen',
        peildatum: today,
        kolom: 'C',
      });
      assert.match(wrong.text, /data-wrong-column/);
      assert.match(wrong.text, /geen enkele waarde in kolom C is een KvK-nummer; kies een andere kolom/i);
      const en = await post(
        request.agent(demo.app),
        { nummers: 'Naam;KvK\nLeeg;\nX;99990001', peildatum: today },
        undefined,
        '/controleren/lijst?lang=en',
      );
      assert.match(en.text, /data-line="2"[^]*?empty/);
    });

    it('labels the KvK number of each row block and leaves out an empty name (320 px)', async () => {
      const res = await post(request.agent(demo.app), { nummers: '99990001\n12121212', peildatum: today });
      assert.match(
        res.text,
        /<th scope="row" class="utrecht-table__header-cell" data-label="KvK-nummer">12121212<\/th>/,
      );
      // No cell without content: an empty cell would show a bare "Naam:" in the row block.
      assert.doesNotMatch(res.text, /data-label="Naam"><\/td>/);
    });

    it('adds "read as" to both downloads, local times in the CSV, and the row number and peildatum as a number and a date in the .xlsx', async () => {
      const list = Buffer.from('Naam;KvK\nPolderwolk;9999 0001\nNul;9990042\n');
      const csv = await downloadOf('csv', list, 'lijst.csv');
      const records: string[][] = parse((csv.body as Buffer).toString('utf8').slice(1), { delimiter: ';' });
      const head = records[0]!;
      const col = (name: string) => head.indexOf(name);
      assert.ok(col('Gelezen als') >= 0, head.join('|'));
      assert.deepEqual(
        records.slice(1).map((r) => r[col('Gelezen als')]),
        ['99990001', '09990042'],
      );
      assert.match(records[1]![col('Sinds')]!, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
      assert.match(records[1]![col('Geldig tot')]!, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
      const xlsx = await downloadOf('xlsx', list, 'lijst.csv');
      const sheet = (await workbookOf(xlsx)).worksheets[0]!;
      const header = (sheet.getRow(1).values as unknown[]).slice(1) as string[];
      const at = (name: string) => header.indexOf(name) + 1;
      assert.equal(sheet.getCell(2, at('Gelezen als')).value, '99990001');
      assert.equal(sheet.getCell(2, at('Regel')).value, 2);
      assert.ok(sheet.getCell(2, at('Peildatum')).value instanceof Date);
      assert.equal(toLocalDate(sheet.getCell(2, at('Peildatum')).value as Date), today);
    });
  });
});
