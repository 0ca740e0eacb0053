import assert from 'node:assert/strict';
import { candidateCounts, foldCandidates, matchKindOf } from '../../src/signals/signal-matching';
import { declarationKey, readDeclaration } from '../../src/signals/declared-reseller.service';
import type { CandidateRow } from '../../src/signals/signal-matching.queries';
import type { MatchKind } from '../../src/signals/reseller-identifiers';

const row = (kind: MatchKind, extra: Partial<CandidateRow> = {}): CandidateRow => ({
  signal_id: 's1',
  declared_reseller_id: 'd1',
  provider_id: 'p1',
  kind,
  signal_key: null,
  declared_key: null,
  similarity: null,
  ...extra,
});

/** Issue 19 §2: which (signal, declared reseller) pairs count as a match, and as which kind. */
describe('signal matching rules', () => {
  const cases: [string, CandidateRow[], { kind: string; matchedOn: string[] }[]][] = [
    ['a KvK number alone is exact', [row('kvk')], [{ kind: 'exact', matchedOn: ['kvk'] }]],
    ['an IP overlap alone is exact', [row('ip_range')], [{ kind: 'exact', matchedOn: ['ip_range'] }]],
    [
      'equal name keys alone are possible',
      [row('name', { signal_key: 'schaduwhost', declared_key: 'schaduwhost', similarity: 1 })],
      [{ kind: 'possible', matchedOn: ['name'] }],
    ],
    [
      'similar long keys are possible',
      [row('name', { signal_key: 'schaduwhost', declared_key: 'schaduwhosts', similarity: 0.8 })],
      [{ kind: 'possible', matchedOn: ['name'] }],
    ],
    [
      'similar keys below the threshold are no match',
      [row('name', { signal_key: 'schaduwhost', declared_key: 'zonlicht', similarity: 0.2 })],
      [],
    ],
    [
      'short keys only count when equal',
      [row('name', { signal_key: 'abc', declared_key: 'abd', similarity: 0.6 })],
      [],
    ],
    [
      // F1: "Duister" declared against the police's "Duister Datacenter" (both key `dulster`).
      'equal keys shorter than eight characters are no match: one short word names no one',
      [row('name', { signal_key: 'dulster', declared_key: 'dulster', similarity: 1 })],
      [],
    ],
    [
      'a long signal key resembling a short declared key is no match',
      [row('name', { signal_key: 'dulsternacht', declared_key: 'dulstern', similarity: 0.5 })],
      [{ kind: 'possible', matchedOn: ['name'] }],
    ],
    [
      'a short declared key never resembles a long signal key',
      [row('name', { signal_key: 'dulsternacht', declared_key: 'dulster', similarity: 0.6 })],
      [],
    ],
    ['an empty key never counts', [row('name', { signal_key: '', declared_key: '', similarity: 1 })], []],
    [
      'a name with an identifier: exact, both listed in a fixed order',
      [
        row('name', { signal_key: 'schaduwhost', declared_key: 'schaduwhost', similarity: 1 }),
        row('domain'),
        row('kvk'),
      ],
      [{ kind: 'exact', matchedOn: ['kvk', 'domain', 'name'] }],
    ],
    [
      'the same reason twice is listed once',
      [row('domain'), row('domain')],
      [{ kind: 'exact', matchedOn: ['domain'] }],
    ],
    [
      'two declarations are two matches',
      [row('kvk'), row('kvk', { declared_reseller_id: 'd2' })],
      [
        { kind: 'exact', matchedOn: ['kvk'] },
        { kind: 'exact', matchedOn: ['kvk'] },
      ],
    ],
  ];
  for (const [title, rows, expected] of cases)
    it(title, () => {
      assert.deepEqual(
        foldCandidates(rows).map((m) => ({ kind: m.kind, matchedOn: m.matchedOn })),
        expected,
      );
    });

  it('what matched decides the kind', () => {
    assert.equal(matchKindOf([]), undefined);
    assert.equal(matchKindOf(['name']), 'possible');
    assert.equal(matchKindOf(['name', 'as_number']), 'exact');
    assert.equal(candidateCounts(row('mail_domain')), true);
  });

  const form = (overrides: Record<string, string>) => ({
    reference: '',
    resellerNames: '',
    resellerKvk: '',
    resellerDomains: '',
    resellerMailDomains: '',
    resellerIpRanges: '',
    resellerAsNumbers: '',
    ...overrides,
  });

  it('reads a declaration as typed, one value a line, in normal form', () => {
    const reading = readDeclaration(
      form({
        resellerNames: 'Voorbeeld  BV\n\n',
        resellerDomains: 'https://WWW.Voorbeeld.NL/x\nvoorbeeld.nl',
        resellerIpRanges: '192.0.2.7/24',
        resellerAsNumbers: 'AS64496',
        resellerMailDomains: 'abuse@Voorbeeld.nl',
      }),
    );
    assert.ok(reading.ok);
    assert.deepEqual(reading.value.domains, ['voorbeeld.nl']);
    assert.deepEqual(reading.value.names, ['Voorbeeld BV']);
    assert.deepEqual(reading.value.ipRanges, ['192.0.2.0/24']);
    assert.deepEqual(reading.value.asNumbers, [64496]);
    assert.deepEqual(reading.value.mailDomains, ['voorbeeld.nl']);
  });

  it('refuses the lines it cannot read, by number, and a declaration without an identifier', () => {
    const reading = readDeclaration(
      form({ resellerDomains: 'goed.nl\nniet goed\nook@fout', resellerIpRanges: '10.0.0.0/4' }),
    );
    assert.ok(!reading.ok);
    assert.deepEqual(reading.fields, {
      resellerDomains: ['resellers.invalid.domain'],
      resellerIpRanges: ['resellers.invalid.ipRangeTooWide'],
    });
    assert.equal(reading.params.resellerDomainsLines, '2, 3');
    const empty = readDeclaration(form({ reference: 'K-1' }));
    assert.ok(!empty.ok);
    assert.deepEqual(empty.fields, { resellerNames: ['resellers.invalid.nothing'] });
  });

  it('tells the same declaration typed in another order', () => {
    const a = readDeclaration(form({ resellerDomains: 'a.nl\nb.nl' }));
    const b = readDeclaration(form({ resellerDomains: 'b.nl\na.nl' }));
    assert.ok(a.ok && b.ok);
    assert.equal(declarationKey(a.value), declarationKey(b.value));
  });
});
