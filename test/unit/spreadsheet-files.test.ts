import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import { cellText, decodeText, readSpreadsheet, SpreadsheetError } from '../../src/shared/spreadsheet';
import { inspectZip, ZipRefusedError } from '../../src/shared/zip-guard';

/** A zip of these members, stored (method 0) or deflated (8), with the flags and method as given. */
function zip(members: { name: string; content: Buffer; method?: number; flags?: number }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const { name, content, method = 8, flags = 0 } of members) {
    const data = method === 8 ? deflateRawSync(content) : content;
    const nameBytes = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(content.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(content.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + data.length;
  }
  const centralBytes = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(members.length, 8);
  end.writeUInt16LE(members.length, 10);
  end.writeUInt32LE(centralBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, centralBytes, end]);
}

const refusedAs = (problem: string) => (e: unknown) => e instanceof SpreadsheetError && e.problem === problem;
const zipRefusedAs = (why: string) => (e: unknown) => e instanceof ZipRefusedError && e.why === why;
const LIMITS = { maxTotalBytes: 10_000, maxMembers: 5 };

describe('the spreadsheet reader: files that are not what a list is', () => {
  const CASES: [string, Buffer, string][] = [
    ['a PDF', Buffer.from('%PDF-1.7\n1 0 obj'), 'binary'],
    ['an Excel 97–2003 workbook', Buffer.from('d0cf11e0a1b11ae100000000', 'hex'), 'oldExcel'],
    [
      'an OpenDocument spreadsheet',
      zip([
        {
          name: 'mimetype',
          content: Buffer.from('application/vnd.oasis.opendocument.spreadsheet'),
          method: 0,
        },
      ]),
      'openDocument',
    ],
    ['a zip without a workbook', zip([{ name: 'notes.txt', content: Buffer.from('hallo') }]), 'otherZip'],
    [
      'a zip with a workbook part that is no workbook',
      zip([{ name: 'xl/workbook.xml', content: Buffer.from('this is not XML at all'), method: 0 }]),
      'damaged',
    ],
    [
      'an encrypted zip',
      zip([{ name: 'xl/workbook.xml', content: Buffer.from('<workbook/>'), flags: 1 }]),
      'damaged',
    ],
  ];
  for (const [what, bytes, problem] of CASES)
    it(`refuses ${what} as ${problem}`, async () => {
      await assert.rejects(readSpreadsheet({ bytes }, { maxRows: 10 }), refusedAs(problem));
    });

  it('reads UTF-16 big-endian text with its byte order mark', () => {
    const text = 'Naam;KvK\nCafé;99990001';
    const bytes = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]);
    assert.deepEqual(decodeText(bytes), { text, charset: 'utf-16be' });
  });
});

describe('the zip guard: members it cannot trust', () => {
  it('reads a stored member as it is', () => {
    assert.deepEqual(inspectZip(zip([{ name: 'a.xml', content: Buffer.from('abc'), method: 0 }]), LIMITS), [
      { name: 'a.xml', size: 3 },
    ]);
  });

  it('counts stored members against the limit too', () => {
    assert.throws(
      () => inspectZip(zip([{ name: 'a.xml', content: Buffer.alloc(20_000), method: 0 }]), LIMITS),
      zipRefusedAs('tooLarge'),
    );
  });

  it('refuses a compression method it does not know', () => {
    assert.throws(
      () => inspectZip(zip([{ name: 'a.xml', content: Buffer.from('abc'), method: 12 }]), LIMITS),
      zipRefusedAs('damaged'),
    );
  });

  it('refuses deflated data that does not inflate', () => {
    const bytes = zip([{ name: 'a.xml', content: Buffer.from('abc'.repeat(50)) }]);
    // Overwrite the deflated data (after the 30-byte header and the name) with bytes that are no deflate stream.
    bytes.fill(0xff, 30 + 'a.xml'.length, 30 + 'a.xml'.length + 4);
    assert.throws(() => inspectZip(bytes, LIMITS), zipRefusedAs('damaged'));
  });

  it('refuses more members than allowed', () => {
    const many = Array.from({ length: 6 }, (_, i) => ({ name: `m${i}.xml`, content: Buffer.from('x') }));
    assert.throws(() => inspectZip(zip(many), LIMITS), zipRefusedAs('tooLarge'));
  });

  it('refuses a member whose local header is not where the directory says', () => {
    const bytes = zip([{ name: 'a.xml', content: Buffer.from('abc') }]);
    bytes.writeUInt32LE(0, 0);
    assert.throws(() => inspectZip(bytes, LIMITS), zipRefusedAs('damaged'));
  });
});

describe('the spreadsheet reader: workbooks of several worksheets', () => {
  async function workbook(): Promise<Buffer> {
    const book = new ExcelJS.Workbook();
    const hidden = book.addWorksheet('Verborgen');
    hidden.state = 'hidden';
    hidden.addRow(['KvK']);
    hidden.addRow(['11111111']);
    const first = book.addWorksheet('Leveranciers');
    first.addRow(['Naam', 'KvK']);
    first.addRow(['Polderwolk', '99990001']);
    const second = book.addWorksheet('Archief');
    second.addRow(['KvK']);
    for (let i = 0; i < 12; i++) second.addRow([String(99990100 + i)]);
    return Buffer.from(await book.xlsx.writeBuffer());
  }

  it('reads the first visible worksheet and names them all', async () => {
    const sheet = await readSpreadsheet({ bytes: await workbook() }, { maxRows: 20 });
    assert.equal(sheet.sheetName, 'Leveranciers');
    assert.deepEqual(sheet.sheetNames, ['Verborgen', 'Leveranciers', 'Archief']);
    assert.deepEqual(
      sheet.rows.map((r) => r.cells),
      [['Polderwolk', '99990001']],
    );
  });

  it('reads the worksheet asked for, by name or by number', async () => {
    const bytes = await workbook();
    assert.equal((await readSpreadsheet({ bytes }, { maxRows: 20, sheet: 'Archief' })).rows.length, 12);
    assert.equal((await readSpreadsheet({ bytes }, { maxRows: 20, sheet: 1 })).rows[0]?.cells[0], '11111111');
  });

  it('refuses a worksheet that is not there, naming it', async () => {
    await assert.rejects(
      readSpreadsheet({ bytes: await workbook() }, { maxRows: 20, sheet: 'Blad9' }),
      (e: unknown) => refusedAs('noSheet')(e) && (e as SpreadsheetError).params.sheet === 'Blad9',
    );
  });

  it('refuses a worksheet of more rows than allowed before reading them', async () => {
    await assert.rejects(
      readSpreadsheet({ bytes: await workbook() }, { maxRows: 2, sheet: 'Archief' }),
      (e: unknown) => refusedAs('tooManyRows')(e) && (e as SpreadsheetError).params.max === 2,
    );
  });
});

describe('cellText: values people do not expect in a list', () => {
  const CASES: [string, Parameters<typeof cellText>[0], string][] = [
    ['false', false, 'FALSE'],
    ['a formula not yet computed', { formula: 'A1*2' }, ''],
    ['a shared formula by its result', { sharedFormula: 'A1', result: 7 }, '7'],
    ['a number that is not finite', Number.NaN, ''],
    ['a negative whole number, unpadded', -42, '-42'],
    ['a date with seconds', new Date(Date.UTC(2026, 2, 1, 9, 30, 15)), '2026-03-01 09:30:15'],
    ['a value of no known kind', {} as ExcelJS.CellValue, ''],
  ];
  for (const [what, value, text] of CASES)
    it(`writes ${what} as ${JSON.stringify(text)}`, () => assert.equal(cellText(value), text));
});
