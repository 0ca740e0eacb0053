import assert from 'node:assert/strict';
import { decodeAanFile, detectSeparator, lookalikeCharset, parseAanList } from '../../src/aan/aan-list';

describe('the AAN participant list', () => {
  it('reads the rows, finding the columns by the names in the first line', () => {
    const { rows, problems } = parseAanList(
      '\uFEFFkvk_nummer;naam;deelname_sinds;deelname_tot\n12345678;A B.V.;2024-01-01;\n87654321;C B.V.;2023-05-01;2026-01-01\n',
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(
      rows.map((r) => [r.line, r.kvkNumber, r.since, r.until]),
      [
        [2, '12345678', '2024-01-01', null],
        [3, '87654321', '2023-05-01', '2026-01-01'],
      ],
    );
  });

  it('finds the columns in any order, in any usual spelling, and ignores other columns', () => {
    const { rows, problems } = parseAanList(
      'Deelname tot,Opmerking,KvK-nummer,Deelname_Sinds\n2026-01-01,x,87654321,2023-05-01\n,,12345678,2024-01-01\n',
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(
      rows.map((r) => [r.line, r.kvkNumber, r.name, r.since, r.until]),
      [
        [2, '87654321', '', '2023-05-01', '2026-01-01'],
        [3, '12345678', '', '2024-01-01', null],
      ],
    );
  });

  it('keeps a comma in an unquoted name of a ; list, and reads quoted names with separators and line breaks', () => {
    const { rows, problems } = parseAanList(
      'kvk_nummer;naam;deelname_sinds;deelname_tot\r\n12345678;Wolk, Dijk & Co B.V.;2024-01-01;\r\n87654321;"Rek; en ""Kast""\nB.V.";2024-01-01;\r\n11223344;Het "Rek" B.V.;2024-01-01;\r\n',
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(
      rows.map((r) => [r.line, r.name]),
      [
        [2, 'Wolk, Dijk & Co B.V.'],
        [3, 'Rek; en "Kast"\nB.V.'],
        [5, 'Het "Rek" B.V.'],
      ],
    );
  });

  it('takes the separator the header line uses', () => {
    assert.equal(detectSeparator('kvk_nummer;naam;deelname_sinds;deelname_tot'), ';');
    assert.equal(detectSeparator('kvk_nummer\tnaam\tdeelname_sinds\tdeelname_tot'), '\t');
    assert.equal(detectSeparator('kvk_nummer,naam,deelname_sinds,deelname_tot'), ',');
    assert.equal(detectSeparator('"kvk;nummer",naam'), ',');
  });

  it('refuses a list whose first line lacks a column, naming the missing ones', () => {
    assert.deepEqual(parseAanList('kvk_nummer;naam;deelname_sinds\n12345678;A;2024-01-01\n').problems, [
      {
        line: 1,
        problem: 'missingColumns',
        value: 'kvk_nummer;naam;deelname_sinds',
        missing: 'deelname_tot',
      },
    ]);
    assert.deepEqual(parseAanList('12345678;A;2024-01-01;\n').problems, [
      {
        line: 1,
        problem: 'missingColumns',
        value: '12345678;A;2024-01-01;',
        missing: 'kvk_nummer, deelname_sinds, deelname_tot',
      },
    ]);
    assert.equal(
      parseAanList('kvk;kvk_nummer;deelname_sinds;deelname_tot\n').problems[0]?.problem,
      'duplicateColumn',
    );
  });

  it('shows a header with a typo as the file has it, and names the cell that looks like the missing column', () => {
    assert.deepEqual(
      parseAanList('kvk_nummer;naam;Deelnam_sinds ;deelname_tot\n12345678;A;2024-01-01;\n').problems,
      [
        {
          line: 1,
          problem: 'missingColumns',
          value: 'kvk_nummer;naam;Deelnam_sinds ;deelname_tot',
          missing: 'deelname_sinds',
          suggestion: { cell: 'Deelnam_sinds', column: 'deelname_sinds' },
        },
      ],
    );
    // A cell nothing like the missing column suggests nothing.
    assert.equal(parseAanList('kvk_nummer;naam;begin;deelname_tot\n').problems[0]?.suggestion, undefined);
  });

  const cases: [string, string][] = [
    ['1234;A;2024-01-01;', 'kvkNumber'],
    ['12345678;A;2024-13-01;', 'since'],
    ['12345678;A;2024-01-01;gisteren', 'until'],
    ['12345678;A;2024-01-01;2023-01-01', 'untilBeforeSince'],
    ['12345678;A\u202E;2024-01-01;', 'controlCharacters'],
  ];
  for (const [line, problem] of cases) {
    it(`reports "${line}" as ${problem}, with its line`, () => {
      const { problems } = parseAanList(`kvk;naam;sinds;tot\n${line}\n`);
      assert.deepEqual(
        problems.map((p) => [p.line, p.problem]),
        [[2, problem]],
      );
    });
  }

  it('reports a repeated KvK number and an empty file', () => {
    assert.equal(
      parseAanList('kvk;naam;sinds;tot\n12345678;A;2024-01-01;\n12345678;A;2024-01-01;\n').problems[0]
        ?.problem,
      'duplicate',
    );
    assert.equal(parseAanList('\n\n').problems[0]?.problem, 'empty');
    assert.equal(parseAanList('kvk;naam;sinds;tot\n\n').problems[0]?.problem, 'empty');
  });

  it('reads UTF-8 with or without a byte-order mark, and nothing else', () => {
    assert.equal(decodeAanFile(Buffer.from('\uFEFFkvk;naam\n', 'utf8')), 'kvk;naam\n');
    assert.equal(decodeAanFile(Buffer.from('Caf\u00e9 B.V.', 'latin1')), undefined);
  });

  it('takes UTF-16 for what it is, with or without its byte order mark, and names what a file that is not UTF-8 looks like', () => {
    const text = 'kvk_nummer;naam\r\n12345678;Café\r\n';
    const bom = (bytes: number[], body: Buffer) => Buffer.concat([Buffer.from(bytes), body]);
    const utf16be = Buffer.from(text, 'utf16le').swap16();
    for (const bytes of [
      Buffer.from(text, 'utf16le'),
      bom([0xff, 0xfe], Buffer.from(text, 'utf16le')),
      bom([0xfe, 0xff], utf16be),
      utf16be,
    ]) {
      assert.equal(decodeAanFile(bytes), undefined);
      assert.equal(lookalikeCharset(bytes), 'UTF-16');
    }
    assert.equal(lookalikeCharset(Buffer.from(text, 'latin1')), 'Windows-1252');
    assert.equal(decodeAanFile(Buffer.from('', 'utf8')), '');
  });
});
