import assert from 'node:assert/strict';
import { aanChange, parseAanList } from '../../src/aan/aan-list';
import type { StatusFact } from '../../src/status/status-rules';

describe('the AAN participant list', () => {
  it('reads the rows and skips a header line', () => {
    const { rows, problems } = parseAanList(
      '\uFEFFkvk_nummer;naam;deelname_sinds;deelname_tot\n12345678;A B.V.;2024-01-01;\n87654321,C B.V.,2023-05-01,2026-01-01\n',
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

  const cases: [string, string][] = [
    ['1234;A;2024-01-01;', 'kvkNumber'],
    ['12345678;A;2024-13-01;', 'since'],
    ['12345678;A;2024-01-01;gisteren', 'until'],
    ['12345678;A;2024-01-01;2023-01-01', 'untilBeforeSince'],
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
      parseAanList('12345678;A;2024-01-01\n12345678;A;2024-01-01\n').problems[0]?.problem,
      'duplicate',
    );
    assert.equal(parseAanList('\n\n').problems[0]?.problem, 'empty');
  });

  describe('aanChange', () => {
    const aanSince = new Date('2024-01-01T00:00:00Z');
    const now = new Date('2026-06-01T12:00:00Z');
    const row = (until: string | null, since = '2024-01-01') => ({
      line: 2,
      kvkNumber: '12345678',
      name: 'A',
      since,
      until,
    });
    const event = (kind: StatusFact['kind'], at: string, sequence: number): StatusFact => ({
      sequence,
      kind,
      effectiveAt: new Date(at),
      recordedAt: new Date(at),
    });
    const ended = event('aan_participation_ended', '2026-02-01T00:00:00Z', 10);

    it('records an end the history lacks, at the start of that Dutch day', () => {
      assert.deepEqual(aanChange(row('2026-03-01'), [], aanSince, now), {
        kind: 'aan_participation_ended',
        effectiveAt: new Date('2026-02-28T23:00:00.000Z'),
      });
    });
    it('records nothing when the end is already there, or still to come', () => {
      assert.equal(aanChange(row('2026-03-01'), [ended], aanSince, now), undefined);
      assert.equal(aanChange(row('2026-09-01'), [], aanSince, now), undefined);
    });
    it('records a resumption when the list shows participation again after a recorded end', () => {
      assert.deepEqual(aanChange(row(null, '2026-04-01'), [ended], aanSince, now), {
        kind: 'aan_participation_resumed',
        effectiveAt: new Date('2026-03-31T22:00:00.000Z'),
      });
      assert.equal(
        aanChange(
          row(null),
          [ended, event('aan_participation_resumed', '2026-04-01T00:00:00Z', 11)],
          aanSince,
          now,
        ),
        undefined,
      );
    });
  });
});
