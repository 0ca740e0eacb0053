import assert from 'node:assert/strict';
import {
  hostCandidates,
  readHost,
  readSearchQuery,
  type SearchReading,
} from '../../src/register/search.reading';
import { kvkDigits, normaliseVatNumber, readKvkNumber } from '../../src/shared/identifiers';

describe('reading a search query', () => {
  const cases: [string, SearchReading][] = [
    ['', { kind: 'none', ignored: [] }],
    ['   ', { kind: 'none', ignored: [] }],
    // KvK numbers, however typed.
    ['99990001', { kind: 'kvk', kvkNumber: '99990001' }],
    ['9999 0001', { kind: 'kvk', kvkNumber: '99990001' }],
    ['99.99.00.01', { kind: 'kvk', kvkNumber: '99990001' }],
    ['9999-0001', { kind: 'kvk', kvkNumber: '99990001' }],
    ['KvK 99990001', { kind: 'kvk', kvkNumber: '99990001' }],
    ['kvk-nummer: 9999 0001', { kind: 'kvk', kvkNumber: '99990001' }],
    ['KvK nr. 99990001', { kind: 'kvk', kvkNumber: '99990001' }],
    // Ten digits with two leading zeros: a spreadsheet's number format.
    ['0099990001', { kind: 'kvk', kvkNumber: '99990001' }],
    ['00 9999 0001', { kind: 'kvk', kvkNumber: '99990001' }],
    // A number among words, as supplier lists write it: the number decides, the words are kept to show.
    [
      'Polderwolk Hosting B.V. (99990001)',
      { kind: 'kvk', kvkNumber: '99990001', words: ['polderwolk', 'hosting'] },
    ],
    ['#99990001', { kind: 'kvk', kvkNumber: '99990001' }],
    ['NL 99990001', { kind: 'kvk', kvkNumber: '99990001' }],
    ['Polderwolk 9999 0001', { kind: 'kvk', kvkNumber: '99990001', words: ['polderwolk'] }],
    ['KvK-nummer 99990001, Polderwolk', { kind: 'kvk', kvkNumber: '99990001', words: ['polderwolk'] }],
    ['Polderwolk (0099990001)', { kind: 'kvk', kvkNumber: '99990001', words: ['polderwolk'] }],
    ['99990001 99990001', { kind: 'kvk', kvkNumber: '99990001' }],
    // Two or more numbers: each exactly, in the order typed; in a list, seven digits lost a zero.
    ['99990001 99990002', { kind: 'kvkList', kvkNumbers: ['99990001', '99990002'] }],
    [
      '99990001\r\n99990002\n1234567\n0099990003\n',
      { kind: 'kvkList', kvkNumbers: ['99990001', '99990002', '01234567', '99990003'] },
    ],
    ['99990001, 99990002; #99990003', { kind: 'kvkList', kvkNumbers: ['99990001', '99990002', '99990003'] }],
    [
      'Polderwolk 99990001 Dijkgraaf 99990002',
      { kind: 'kvkList', kvkNumbers: ['99990001', '99990002'], words: ['polderwolk', 'dijkgraaf'] },
    ],
    // Digits beside words that make no KvK number are name words; seven digits too.
    ['Hosting 2000 B.V.', { kind: 'name', words: ['hosting', '2000'], ignored: ['b.v.'] }],
    ['Polderwolk 1234567', { kind: 'name', words: ['polderwolk', '1234567'], ignored: [] }],
    ['1234567', { kind: 'kvkPrefix', prefix: '1234567', padded: '01234567' }],
    ['123 4567', { kind: 'kvkPrefix', prefix: '1234567', padded: '01234567' }],
    ['9999', { kind: 'kvkPrefix', prefix: '9999' }],
    ['99 99', { kind: 'kvkPrefix', prefix: '9999' }],
    ['KvK 12', { kind: 'kvkPrefix', prefix: '12' }],
    // btw-ids, however typed.
    ['NL123456782B01', { kind: 'vat', vatNumber: 'NL123456782B01' }],
    ['NL-123456782-B01', { kind: 'vat', vatNumber: 'NL123456782B01' }],
    ['nl 1234.5678.2 b01', { kind: 'vat', vatNumber: 'NL123456782B01' }],
    ['nl123456782b01', { kind: 'vat', vatNumber: 'NL123456782B01' }],
    // Web addresses and host names: the host without www.
    ['www.nulhost.example', { kind: 'domain', host: 'nulhost.example', hosts: ['nulhost.example'] }],
    [
      'http://polderwolk.example/contact',
      { kind: 'domain', host: 'polderwolk.example', hosts: ['polderwolk.example'] },
    ],
    [
      'HTTPS://WWW.Polderwolk.Example:8443/a/b?c=d#e',
      { kind: 'domain', host: 'polderwolk.example', hosts: ['polderwolk.example'] },
    ],
    ['polderwolk.example.', { kind: 'domain', host: 'polderwolk.example', hosts: ['polderwolk.example'] }],
    [
      'abuse@polderwolk.example',
      { kind: 'domain', host: 'polderwolk.example', hosts: ['polderwolk.example'] },
    ],
    [
      'mail.polderwolk.example',
      {
        kind: 'domain',
        host: 'mail.polderwolk.example',
        hosts: ['mail.polderwolk.example', 'polderwolk.example'],
      },
    ],
    // Names: lower case words, legal forms and noise words left out.
    ['Polderwolk', { kind: 'name', words: ['polderwolk'], ignored: [] }],
    ['polderwolk bv', { kind: 'name', words: ['polderwolk'], ignored: ['bv'] }],
    ['Polderwolk Hosting B.V.', { kind: 'name', words: ['polderwolk', 'hosting'], ignored: ['b.v.'] }],
    ['Poldrwolk Hostng', { kind: 'name', words: ['poldrwolk', 'hostng'], ignored: [] }],
    [
      'De Wolk van het Noorden N.V.',
      { kind: 'name', words: ['wolk', 'noorden'], ignored: ['de', 'van', 'het', 'n.v.'] },
    ],
    ['Stichting Kennisnet', { kind: 'name', words: ['kennisnet'], ignored: ['stichting'] }],
    ['Coöperatie Datadijk U.A.', { kind: 'name', words: ['datadijk'], ignored: ['coöperatie', 'u.a.'] }],
    ['Cooperatie Datadijk UA', { kind: 'name', words: ['datadijk'], ignored: ['cooperatie', 'ua'] }],
    ['Jansen & Zn. V.O.F.', { kind: 'name', words: ['jansen', 'zn'], ignored: ['v.o.f.'] }],
    ['Hostco Ltd', { kind: 'name', words: ['hostco'], ignored: ['ltd'] }],
    ['Überhost GmbH', { kind: 'name', words: ['überhost'], ignored: ['gmbh'] }],
    ['The Cloud Company Inc.', { kind: 'name', words: ['cloud', 'company'], ignored: ['the', 'inc.'] }],
    // A holding is another company than the one it holds: not a legal form.
    ['Polderwolk Holding B.V.', { kind: 'name', words: ['polderwolk', 'holding'], ignored: ['b.v.'] }],
    // "B.V." without spaces is a legal form; a name with a dot in it is no domain.
    ['Polderwolk-B.V.', { kind: 'name', words: ['polderwolk'], ignored: [] }],
    ['Dijkgraaf DC', { kind: 'name', words: ['dijkgraaf', 'dc'], ignored: [] }],
    ['polderwolk polderwolk', { kind: 'name', words: ['polderwolk'], ignored: [] }],
    // Only legal forms and noise words: nothing to search on, the whole register.
    ['bv', { kind: 'none', ignored: ['bv'] }],
    ['B.V.', { kind: 'none', ignored: ['b.v.'] }],
    ['de b.v.', { kind: 'none', ignored: ['de', 'b.v.'] }],
    // No word at all: nothing can match.
    ['🙂', { kind: 'name', words: [], ignored: [] }],
    ['x', { kind: 'name', words: [], ignored: [] }],
    ['1', { kind: 'name', words: [], ignored: [] }],
    // "example" alone is no host name: it is read as a name word, and matches no website.
    ['example', { kind: 'name', words: ['example'], ignored: [] }],
  ];
  for (const [query, reading] of cases) {
    it(`reads ${JSON.stringify(query)} as ${reading.kind}`, () =>
      assert.deepEqual(readSearchQuery(query), reading));
  }

  const hosts: [string, string | undefined][] = [
    ['polderwolk.example', 'polderwolk.example'],
    ['www.polderwolk.example', 'polderwolk.example'],
    ['WWW.POLDERWOLK.EXAMPLE.', 'polderwolk.example'],
    ['https://polderwolk.example', 'polderwolk.example'],
    ['ftp://files.polderwolk.example/', 'files.polderwolk.example'],
    ['http://user:secret@polderwolk.example:8080/x', 'polderwolk.example'],
    ['polderwolk.example/contact?taal=nl', 'polderwolk.example'],
    ['http://bücher.example', 'xn--bcher-kva.example'],
    ['www2.polderwolk.example', 'www2.polderwolk.example'],
    ['example', undefined],
    ['.example', undefined],
    ['http://example', undefined],
    ['http://www.example', undefined],
    ['B.V.', undefined],
    ['N.V.', undefined],
    ['Polderwolk B.V.', undefined],
    ['polder wolk.example', undefined],
    ['http://', undefined],
  ];
  for (const [text, host] of hosts) {
    it(`reads the host of ${JSON.stringify(text)} as ${host ?? 'none'}`, () =>
      assert.equal(readHost(text), host));
  }

  it('offers a host and the hosts it is part of, down to two labels, in both spellings', () => {
    assert.deepEqual(hostCandidates('a.b.polderwolk.example'), [
      'a.b.polderwolk.example',
      'b.polderwolk.example',
      'polderwolk.example',
    ]);
    assert.deepEqual(hostCandidates('xn--bcher-kva.example'), ['xn--bcher-kva.example', 'bücher.example']);
    assert.deepEqual(hostCandidates('polderwolk.co.uk'), ['polderwolk.co.uk', 'co.uk']);
  });

  it('reads a date as no KvK number, alone or beside a name, as readKvkNumber does', () => {
    for (const query of ['01-01-2026', '2026-01-01', 'Polderwolk 01-01-2026', '31/12/2025']) {
      const reading = readSearchQuery(query);
      assert.ok(reading.kind !== 'kvk' && reading.kind !== 'kvkList', `${query}: ${reading.kind}`);
      assert.equal(readKvkNumber(query.split(' ').at(-1) ?? '').kind, 'invalid', query);
    }
    const beside = readSearchQuery('Polderwolk 31/12/2025 99990001');
    assert.equal(beside.kind === 'kvk' ? beside.kvkNumber : beside.kind, '99990001');
  });

  it('reads KvK digits and btw-ids the way forms and uploads do', () => {
    assert.equal(kvkDigits(' KvK: 9999 00.01 '), '99990001');
    assert.deepEqual(readKvkNumber('KvK-nummer 9999-0001'), { kind: 'valid', kvkNumber: '99990001' });
    assert.equal(normaliseVatNumber('nl-1234.56782-b01'), 'NL123456782B01');
    assert.equal(normaliseVatNumber('NL\u00a0123456782\u00a0B01'), 'NL123456782B01');
  });
});
