import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import { findKvkColumn, kvkListHeader, MAX_COLUMN_CHOICES, namesKvkColumn } from '../../src/check/kvk-column';
import {
  cellText,
  columnIndex,
  columnLetter,
  decodeText,
  detectSeparator,
  readSpreadsheet,
  SpreadsheetError,
  worksheetShape,
} from '../../src/shared/spreadsheet';
import { inspectZip, ZipRefusedError } from '../../src/shared/zip-guard';

describe('the spreadsheet reader', () => {
  describe('detectSeparator', () => {
    const CASES: [string, string, string | undefined][] = [
      ['semicolons', 'Leverancier;KvK-nummer;Contract\r\nA;99990001;C-1\r\nB;99990002;C-2\r\n', ';'],
      [
        'semicolons with commas in unquoted names',
        'Naam;KvK\nHosting, Inc.;99990001\nA, B en C;99990002\nD;99990003',
        ';',
      ],
      [
        'semicolons with a comma in a quoted cell',
        'Naam;KvK\n"Hosting, Inc.";99990001\n"X, Y";99990002',
        ';',
      ],
      ['commas', 'Naam,KvK,Ref\nA,99990001,x\nB,99990002,y', ','],
      [
        'commas with commas in quoted cells',
        'Naam,KvK\n"Polderwolk, Amersfoort",99990001\n"a ""b"", c",99990002',
        ',',
      ],
      [
        'commas with a semicolon in a quoted cell',
        'Naam,KvK\n"a;b",99990001\n"c;d",99990002\nE,99990003',
        ',',
      ],
      ['tabs pasted from Excel', 'Naam\tKvK\tContract\nA\t99990001\tC;1\nB\t99990002\tC,2', '\t'],
      ['a quoted cell across lines', 'Naam;KvK\n"regel een,\nregel twee";99990001\nB;99990002', ';'],
      ['one column', '99990001\n99990002\n', undefined],
      ['one column with a KvK written with spaces', '9999 0001\n9999 0002', undefined],
      ['empty lines around', '\n\nA;1\n\nB;2\n\n', ';'],
    ];
    for (const [what, text, expected] of CASES)
      it(`finds ${JSON.stringify(expected)} in ${what}`, () => assert.equal(detectSeparator(text), expected));
  });

  describe('decodeText', () => {
    const CASES: [string, Buffer, string, string][] = [
      ['UTF-8 with a byte order mark', Buffer.from('\uFEFFCafé;1', 'utf8'), 'Café;1', 'utf-8'],
      ['UTF-8 without one', Buffer.from('Überhosting;1', 'utf8'), 'Überhosting;1', 'utf-8'],
      ['Windows-1252', Buffer.from('Café Überhosting;1', 'latin1'), 'Café Überhosting;1', 'windows-1252'],
      [
        'Windows-1252 with a euro sign and quotes',
        Buffer.from([0x80, 0x20, 0x93, 0x61, 0x94]),
        '€ “a”',
        'windows-1252',
      ],
      [
        'UTF-16 with its byte order mark (Excel "Unicode text")',
        Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Café\t1', 'utf16le')]),
        'Café\t1',
        'utf-16le',
      ],
      ['plain ASCII', Buffer.from('a;b'), 'a;b', 'utf-8'],
    ];
    for (const [what, bytes, text, charset] of CASES)
      it(`reads ${what}`, () => assert.deepEqual(decodeText(bytes), { text, charset }));
  });

  describe('header rows', () => {
    const CASES: [string, string, boolean][] = [
      ['named KvK column', 'Leverancier;KvK-nummer;Contractnummer\nA;99990001;C-1', true],
      ['"KvK nummer" with a space', 'Naam;KvK nummer\nA;99990001', true],
      ['"Chamber of Commerce"', 'Supplier,Chamber of Commerce\nA,99990001', true],
      ['"CoC number"', 'Supplier,CoC number\nA,99990001', true],
      ['a column of numbers under a word, no KvK name', 'Naam;Nummer\nA;99990001\nB;99990002', true],
      ['data in the first row', 'A;99990001\nB;99990002', false],
      ['a KvK number with a prefix in the first row', 'Polderwolk;KvK 99990001\nB;KvK 99990002', false],
      ['only words', 'Polderwolk\nHunebed', false],
    ];
    for (const [what, text, header] of CASES)
      it(`${header ? 'takes' : 'does not take'} the first row as a header: ${what}`, async () => {
        const table = await readSpreadsheet({ text }, { maxRows: 100, header: kvkListHeader });
        assert.equal(table.header !== undefined, header);
        assert.equal(table.rows[0]?.number, header ? 2 : 1);
      });
  });

  describe('a header below title rows', () => {
    const CASES: [string, string, number, string[], number[] | undefined][] = [
      [
        'two title lines in a CSV',
        'Leveranciers 2026\r\nAfdeling inkoop\r\nLeverancier;KvK nummer;Startdatum\r\nPolderwolk;99990001;01-01-2026\r\n',
        3,
        ['Leverancier', 'KvK nummer', 'Startdatum'],
        [1, 2],
      ],
      [
        "Excel's sep= line, with a comma list",
        'sep=,\r\nLeverancier,KvK nummer\r\nPolderwolk,99990001\r\nKlompenserver,99990003\r\n',
        2,
        ['Leverancier', 'KvK nummer'],
        // The sep= line is no row: neither header, data nor title.
        undefined,
      ],
      [
        'a title, an empty line and a header that names no KvK column',
        'Overzicht leveranciers\n\nNaam;Nummer\nPolderwolk;99990001\nKlompenserver;99990003\n',
        3,
        ['Naam', 'Nummer'],
        [1],
      ],
    ];
    for (const [what, text, headerLine, header, above] of CASES)
      it(`finds it: ${what}`, async () => {
        const table = await readSpreadsheet({ text }, { maxRows: 100, header: kvkListHeader });
        assert.equal(table.header?.number, headerLine);
        assert.deepEqual(table.header?.cells, header);
        assert.ok(table.rows.every((r) => r.number > headerLine));
        assert.deepEqual(
          table.above?.map((r) => r.number),
          above,
        );
      });

    it('honours the separator of a sep= line', async () => {
      const table = await readSpreadsheet(
        { text: 'sep=;\nNaam, Inc.;KvK\nA, B;99990001\n' },
        { maxRows: 10, header: kvkListHeader },
      );
      assert.equal(table.separator, ';');
      assert.deepEqual(table.rows[0]?.cells, ['A, B', '99990001']);
      assert.equal(table.rows[0]?.number, 3);
    });

    it('does not take a data row with a word in a number column for a header', async () => {
      const table = await readSpreadsheet(
        { text: 'Polderwolk;99990001\nHunebed;onbekend\nKlompenserver;99990003\nA;99990004\n' },
        { maxRows: 10, header: kvkListHeader },
      );
      assert.equal(table.header, undefined);
      assert.equal(table.rows.length, 4);
    });
  });

  it('numbers rows as the file does: blank lines skipped, quoted line breaks counted', async () => {
    const table = await readSpreadsheet(
      { text: 'Naam;KvK\r\n\r\n"twee\nregels";99990001\r\nB;99990002\r\n' },
      { maxRows: 10, header: 'detect' },
    );
    assert.deepEqual(
      table.rows.map((r) => [r.number, r.cells[0]]),
      [
        [3, 'twee\nregels'],
        [5, 'B'],
      ],
    );
  });

  it('pads short rows to the widest and refuses more rows than allowed', async () => {
    const table = await readSpreadsheet({ text: 'a;b;c\nd\n' }, { maxRows: 10, header: 'none' });
    assert.deepEqual(table.rows[1]?.cells, ['d', '', '']);
    await assert.rejects(
      readSpreadsheet({ text: '1\n2\n3' }, { maxRows: 2, header: 'none' }),
      (e: unknown) => e instanceof SpreadsheetError && e.problem === 'tooManyRows',
    );
  });

  describe('stray quotes', () => {
    it('keeps a quote inside a cell that does not start with one', async () => {
      const table = await readSpreadsheet({ text: 'De "Molen" BV;99990002\nB;99990003' }, { maxRows: 10 });
      assert.deepEqual(table.rows[0]?.cells, ['De "Molen" BV', '99990002']);
    });
    const CASES: [string, string, number][] = [
      ['a pasted quote never closed', '"99990002\n99990003', 1],
      ['a pasted name with text after its quotes', '"De Molen" BV\t99990002', 1],
      ['a file line with a quote never closed', 'Naam;KvK\nA;99990001\n"Open quote;99990002\nB;99990003', 3],
      ['text after a closing quote', 'Naam,KvK\nA,99990001\n"C" x,99990003', 3],
    ];
    for (const [what, text, line] of CASES) {
      it(`refuses ${what} as the list's fault, naming line ${line}`, async () => {
        for (const input of [{ text }, { bytes: Buffer.from(text) }])
          await assert.rejects(
            readSpreadsheet(input, { maxRows: 10 }),
            (e: unknown) => e instanceof SpreadsheetError && e.problem === 'quotes' && e.params.line === line,
          );
      });
    }
  });

  it('refuses more columns than allowed, before it handles the cells', async () => {
    const wide = Array.from({ length: 230_000 }, (_, i) => String(i)).join(';');
    await assert.rejects(
      readSpreadsheet({ bytes: Buffer.from(`${wide}\n`) }, { maxRows: 10, maxColumns: 100 }),
      (e: unknown) => e instanceof SpreadsheetError && e.problem === 'tooManyColumns' && e.params.max === 100,
    );
    // Empty cells at the end of a row (as Excel writes them) do not count.
    const padded = await readSpreadsheet(
      { text: `a;b${';'.repeat(300)}\nc;d` },
      { maxRows: 10, maxColumns: 2 },
    );
    assert.equal(padded.columnCount, 2);
  });

  it('refuses control characters and text-direction marks, naming the line', async () => {
    await assert.rejects(
      readSpreadsheet({ text: 'a;1\nb\u202E;2' }, { maxRows: 10 }),
      (e: unknown) =>
        e instanceof SpreadsheetError && e.problem === 'controlCharacters' && e.params.line === 2,
    );
  });

  describe('the size of a worksheet, before exceljs reads it', () => {
    it('counts cells and the widest row from the XML', () => {
      const xml =
        '<worksheet><dimension ref="A1:C2"/><sheetData><row r="1"><c r="A1"><v>1</v></c><c r="C1" t="s"><v>0</v></c></row>' +
        '<row r="2"><c><v>1</v></c><c/><c><v>3</v></c><c><v>4</v></c></row></sheetData><cols><col min="1" max="3"/></cols></worksheet>';
      assert.deepEqual(worksheetShape(xml, { maxCells: 100, maxColumns: 100 }), { cells: 6, columns: 4 });
      assert.deepEqual(worksheetShape('<x:row><x:c r="XFD7"/></x:row>', { maxCells: 100, maxColumns: 100 }), {
        cells: 1,
        columns: 16_384,
      });
      // It stops counting just past a limit.
      assert.equal(worksheetShape('<c/>'.repeat(1000), { maxCells: 10, maxColumns: 100 }).cells, 11);
      assert.deepEqual(
        worksheetShape('<row><c/><c/><c/><c/></row>'.repeat(9), { maxCells: 100, maxColumns: 2 }),
        {
          cells: 3,
          columns: 3,
        },
      );
    });

    async function workbook(fill: (sheet: ExcelJS.Worksheet) => void): Promise<Buffer> {
      const book = new ExcelJS.Workbook();
      fill(book.addWorksheet('Blad1'));
      return Buffer.from(await book.xlsx.writeBuffer());
    }

    it('refuses a workbook of too many cells or columns without loading it', async () => {
      const wide = await workbook((sheet) => {
        for (let r = 0; r < 3; r++) sheet.addRow(Array.from({ length: 30 }, (_, c) => r * 30 + c));
      });
      await assert.rejects(
        readSpreadsheet({ bytes: wide }, { maxRows: 10, maxColumns: 20 }),
        (e: unknown) =>
          e instanceof SpreadsheetError && e.problem === 'tooManyColumns' && e.params.max === 20,
      );
      await assert.rejects(
        readSpreadsheet({ bytes: wide }, { maxRows: 10, maxCells: 50 }),
        (e: unknown) => e instanceof SpreadsheetError && e.problem === 'tooManyCells' && e.params.max === 50,
      );
      assert.equal((await readSpreadsheet({ bytes: wide }, { maxRows: 10 })).columnCount, 30);
      // One cell far to the right: exceljs would make every row 16,384 cells wide.
      const far = await workbook((sheet) => {
        sheet.getCell('A1').value = 99990001;
        sheet.getCell('XFD1').value = 'x';
      });
      await assert.rejects(
        readSpreadsheet({ bytes: far }, { maxRows: 10 }),
        (e: unknown) => e instanceof SpreadsheetError && e.problem === 'tooManyColumns',
      );
    });
  });

  describe('cellText', () => {
    const CASES: [string, Parameters<typeof cellText>[0], string | undefined, string][] = [
      ['a whole number without ".0"', 99990001, undefined, '99990001'],
      ['a large number without an exponent', 1e21, undefined, '1000000000000000000000'],
      ['a fraction', 2500.5, undefined, '2500.5'],
      ['a number formatted with zeros', 9990042, '00000000', '09990042'],
      ['a date', new Date(Date.UTC(2026, 2, 1)), undefined, '2026-03-01'],
      ['a date with a time', new Date(Date.UTC(2026, 2, 1, 9, 30)), undefined, '2026-03-01 09:30'],
      ['rich text', { richText: [{ text: 'Polder' }, { text: 'wolk' }] }, undefined, 'Polderwolk'],
      ['a formula by its result', { formula: 'A1*2', result: 42 }, undefined, '42'],
      ['a hyperlink by its text', { text: 'site', hyperlink: 'https://x.example' }, undefined, 'site'],
      ['an error', { error: '#N/A' }, undefined, '#N/A'],
      ['a boolean', true, undefined, 'TRUE'],
      ['nothing', null, undefined, ''],
    ];
    for (const [what, value, format, text] of CASES)
      it(`writes ${what} as ${JSON.stringify(text)}`, () => assert.equal(cellText(value, format), text));
  });

  it('names columns by letter and back', () => {
    assert.deepEqual([0, 1, 25, 26, 27, 701, 702].map(columnLetter), [
      'A',
      'B',
      'Z',
      'AA',
      'AB',
      'ZZ',
      'AAA',
    ]);
    assert.deepEqual(['A', 'b', 'Z', 'AA', 'AAA', '1', 'ABCD'].map(columnIndex), [
      0,
      1,
      25,
      26,
      702,
      undefined,
      undefined,
    ]);
  });
});

describe('finding the KvK column', () => {
  const CASES: [string, string, ReturnType<typeof findKvkColumn>][] = [
    [
      'by its header',
      'Leverancier;KvK-nummer;Contract\nA;99990001;12345678',
      { kind: 'found', column: 1, by: 'header' },
    ],
    ['by its values', 'A;99990001;C-1\nB;9999 0002;C-2\nC;x;C-3', { kind: 'found', column: 1, by: 'values' }],
    ['in a list of one column', '1234\nabc', { kind: 'found', column: 0, by: 'only' }],
    [
      'nowhere: two columns look alike',
      '99990001;99990002\n99990003;99990004',
      { kind: 'unclear', candidates: [0, 1] },
    ],
    ['nowhere: no column holds KvK numbers', 'a;b\nc;d', { kind: 'unclear', candidates: [0, 1] }],
    [
      'among two named columns, by the values',
      'KvK leverancier;KvK moeder\n99990001;x\n99990002;',
      { kind: 'found', column: 0, by: 'header' },
    ],
  ];
  for (const [what, text, expected] of CASES)
    it(`finds it ${what}`, async () => {
      const table = await readSpreadsheet({ text }, { maxRows: 100, header: kvkListHeader });
      assert.deepEqual(findKvkColumn(table), expected);
    });

  it('takes the column the person names, by letter or header, and refuses one that is not there', async () => {
    const table = await readSpreadsheet(
      { text: 'Eerste;Tweede\n99990001;99990002' },
      { maxRows: 10, header: 'first' },
    );
    assert.deepEqual(findKvkColumn(table, 'b'), { kind: 'found', column: 1, by: 'chosen' });
    assert.deepEqual(findKvkColumn(table, ' tweede '), { kind: 'found', column: 1, by: 'chosen' });
    assert.deepEqual(findKvkColumn(table, 'C'), { kind: 'badChoice' });
    assert.deepEqual(findKvkColumn(table, '2'), { kind: 'found', column: 1, by: 'chosen' });
    assert.deepEqual(findKvkColumn(table, '3'), { kind: 'badChoice' });
    assert.deepEqual(findKvkColumn(table, '0'), { kind: 'badChoice' });
  });

  it('does not offer a date column as the KvK column', async () => {
    const table = await readSpreadsheet(
      { text: 'Polderwolk;99990001;01-01-2026\nKlompenserver;99990003;2026-02-01\n' },
      { maxRows: 10, header: kvkListHeader },
    );
    assert.deepEqual(findKvkColumn(table), { kind: 'found', column: 1, by: 'values' });
  });

  it('finds a header named by the person, on a row below a title', async () => {
    const table = await readSpreadsheet(
      { text: 'Lijst\nLeverancier;Registratie;Plaats\nPolderwolk;99990001;Assen\n' },
      { maxRows: 10, header: kvkListHeader },
    );
    assert.deepEqual(findKvkColumn(table, 'registratie'), { kind: 'found', column: 1, by: 'chosen' });
  });

  it('offers a few dozen columns at most, those that hold KvK-like numbers', async () => {
    // 90 columns of numbers alike: no column wins, and the page must not offer all 90.
    const line = (n: number) =>
      Array.from({ length: 90 }, (_, i) => String(10_000_000 + n * 100 + i)).join(';');
    const table = await readSpreadsheet({ text: `${line(1)}\n${line(2)}` }, { maxRows: 10, header: 'none' });
    const found = findKvkColumn(table);
    assert.equal(found.kind, 'unclear');
    assert.ok(found.kind === 'unclear' && found.candidates.length === MAX_COLUMN_CHOICES);
    const mixed = await readSpreadsheet(
      { text: `${'x;'.repeat(40)}99990001;99990002\n${'y;'.repeat(40)}99990003;99990004` },
      { maxRows: 10, header: 'none' },
    );
    assert.deepEqual(findKvkColumn(mixed), { kind: 'unclear', candidates: [40, 41] });
  });

  it('knows the names people give the column', () => {
    for (const name of [
      'kvk',
      'KvK-nummer',
      'kvknummer',
      'KvK nummer',
      'KVK nr.',
      'Chamber of Commerce',
      'CoC number',
      'Kamer van Koophandel',
    ])
      assert.ok(namesKvkColumn(name), name);
    for (const name of ['Leverancier', 'Contractnummer', 'Nummer']) assert.ok(!namesKvkColumn(name), name);
  });
});

describe('the zip guard', () => {
  function zipOf(name: string, content: Buffer): Buffer {
    const data = deflateRawSync(content);
    const nameBytes = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(content.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(data.length, 20);
    // A bomb may lie about its size: the guard does not believe it.
    central.writeUInt32LE(10, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(1, 10);
    const centralOffset = local.length + nameBytes.length + data.length;
    end.writeUInt32LE(central.length + nameBytes.length, 12);
    end.writeUInt32LE(centralOffset, 16);
    return Buffer.concat([local, nameBytes, data, central, nameBytes, end]);
  }

  it('counts what each member really unpacks to', () => {
    assert.deepEqual(
      inspectZip(zipOf('a.xml', Buffer.alloc(5000, 0x61)), { maxTotalBytes: 10_000, maxMembers: 5 }),
      [{ name: 'a.xml', size: 5000 }],
    );
  });

  it('stops unpacking at the limit, whatever the member claims', () => {
    assert.throws(
      () => inspectZip(zipOf('a.xml', Buffer.alloc(1_000_000)), { maxTotalBytes: 10_000, maxMembers: 5 }),
      (e: unknown) => e instanceof ZipRefusedError && e.why === 'tooLarge',
    );
  });

  it('hands back the members asked for, unpacked', () => {
    const [member] = inspectZip(zipOf('xl/worksheets/sheet1.xml', Buffer.from('<worksheet/>')), {
      maxTotalBytes: 10_000,
      maxMembers: 5,
      keep: (name) => name.startsWith('xl/worksheets/'),
    });
    assert.equal(member?.data?.toString(), '<worksheet/>');
  });

  it('refuses what is no zip', () => {
    assert.throws(
      () => inspectZip(Buffer.from('PK\u0003\u0004 and nothing'), { maxTotalBytes: 10, maxMembers: 5 }),
      (e: unknown) => e instanceof ZipRefusedError && e.why === 'damaged',
    );
  });
});
