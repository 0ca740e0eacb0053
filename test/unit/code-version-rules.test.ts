import assert from 'node:assert/strict';
import {
  listingValidUntil,
  newApplicationAllowed,
  signatureDateProblem,
} from '../../src/application/application-rules';
import { startOfLocalDay } from '../../src/shared/time';
import {
  compareVersionLabels,
  firstDayFrom,
  isVersionLabel,
  type LabelledVersion,
  publicationProblems,
} from '../../src/status/code-version-rules';
import { type CodeVersionFact, type StatusFact, statusAt } from '../../src/status/status-rules';

const at = (iso: string) => new Date(iso);
const version = (
  id: string,
  label: string,
  published: string,
  transitionEnds = published,
): LabelledVersion => ({
  id,
  label,
  publishedAt: at(published),
  transitionEndsAt: at(transitionEnds),
});

describe('code-of-conduct version labels', () => {
  const order: [string, string, number][] = [
    ['2.5', '3.0', -1],
    ['3.0', '10.0', -1],
    ['10.0', '9.9', 1],
    ['3', '3.0', 0],
    ['3.0.1', '3.0', 1],
    ['1.10', '1.9', 1],
  ];
  for (const [a, b, sign] of order) {
    it(`compares ${a} with ${b} by number: ${sign < 0 ? 'lower' : sign > 0 ? 'higher' : 'equal'}`, () =>
      assert.equal(Math.sign(compareVersionLabels(a, b)), sign));
  }
  for (const [label, valid] of [
    ['4.0', true],
    ['10', true],
    ['T-2', false],
    ['4.0-beta', false],
    ['', false],
    ['.4', false],
    ['4.', false],
    ['04.0', false],
    ['4.00', false],
    ['4.01', false],
    ['0.9', true],
    ['10.0', true],
  ] as const) {
    it(`${JSON.stringify(label)} is ${valid ? '' : 'not '}a version label`, () =>
      assert.equal(isVersionLabel(label), valid));
  }
});

describe('publicationProblems: a published transition is never shortened', () => {
  // 2.0 is in its transition until 1 July 2026 (3.0's), 3.0 is current.
  const V1 = version('v1', '1.0', '2020-01-01T00:00:00Z');
  const V2 = version('v2', '2.0', '2024-01-01T00:00:00Z', '2024-06-01T00:00:00Z');
  const V3 = version('v3', '3.0', '2026-01-01T00:00:00Z', '2026-07-01T00:00:00Z');
  const VERSIONS = [V1, V2, V3];
  const cases: [string, LabelledVersion, string[]][] = [
    [
      'a higher label, later, transition after every announced lapse',
      version('n', '4.0', '2026-03-01T00:00:00Z', '2026-09-01T00:00:00Z'),
      [],
    ],
    [
      '10.0 after 3.0 (numbers, not text)',
      version('n', '10.0', '2026-03-01T00:00:00Z', '2026-09-01T00:00:00Z'),
      [],
    ],
    [
      'a transition ending exactly at the announced lapse',
      version('n', '4.0', '2026-03-01T00:00:00Z', '2026-07-01T00:00:00Z'),
      [],
    ],
    [
      '2.5 after 3.0: the label must increase',
      version('n', '2.5', '2026-03-01T00:00:00Z', '2026-09-01T00:00:00Z'),
      ['versionLabel:codeVersions.labelNotHigher'],
    ],
    [
      'a label equal by number',
      version('n', '3', '2026-03-01T00:00:00Z', '2026-09-01T00:00:00Z'),
      ['versionLabel:codeVersions.labelTaken'],
    ],
    [
      'published before the latest',
      version('n', '4.0', '2025-12-01T00:00:00Z', '2026-09-01T00:00:00Z'),
      ['publishedOn:codeVersions.notNewest'],
    ],
    [
      'published at the same instant as the latest',
      version('n', '4.0', '2026-01-01T00:00:00Z', '2026-09-01T00:00:00Z'),
      ['publishedOn:codeVersions.notNewest'],
    ],
    [
      "a transition that would cut 2.0's announced lapse",
      version('n', '4.0', '2026-03-01T00:00:00Z', '2026-06-01T00:00:00Z'),
      ['transitionEndsOn:codeVersions.shortensTransition'],
    ],
    // The incident of issue 12: 2.5 published after 3.0, with a shorter transition.
    [
      'the issue-12 incident',
      version('n', '2.5', '2026-03-01T00:00:00Z', '2026-06-01T00:00:00Z'),
      ['versionLabel:codeVersions.labelNotHigher', 'transitionEndsOn:codeVersions.shortensTransition'],
    ],
    [
      'not a numeric label',
      version('n', 'T-2', '2026-03-01T00:00:00Z', '2026-09-01T00:00:00Z'),
      ['versionLabel:codeVersions.invalidLabel'],
    ],
  ];
  for (const [name, candidate, expected] of cases) {
    it(`${name} → ${expected.length ? expected.join(', ') : 'may be published'}`, () =>
      assert.deepEqual(
        publicationProblems(candidate, VERSIONS).map((p) => `${p.field}:${p.key}`),
        expected,
      ));
  }

  it('names the latest announced lapse a transition must meet', () => {
    const problems = publicationProblems(
      version('n', '4.0', '2026-03-01T00:00:00Z', '2026-01-15T00:00:00Z'),
      [...VERSIONS],
    );
    // 2.0 lapses at 02:00 on 1 July (Dutch time): a transition ending on 1 July would end before that.
    assert.deepEqual(problems.at(-1)?.params, {
      shortenedLabel: '2.0',
      firstDay: startOfLocalDay('2026-07-02'),
    });
  });

  it('leaves labels that are not numbers out of the order', () =>
    assert.deepEqual(
      publicationProblems(version('n', '1.0', '2026-03-01T00:00:00Z', '2026-09-01T00:00:00Z'), [
        version('t', 'test-7', '2025-01-01T00:00:00Z'),
      ]),
      [],
    ));
});

describe('moving to a new code version during its transition: verantwoord at every instant', () => {
  // Listed on v1 from 1 December 2025 to 1 December 2026; v2 published 2 March 2026, v1 lapses 1 June 2026.
  const V1: CodeVersionFact = {
    id: 'v1',
    publishedAt: at('2024-01-01T00:00:00Z'),
    transitionEndsAt: at('2024-01-01T00:00:00Z'),
  };
  const V2: CodeVersionFact = {
    id: 'v2',
    publishedAt: at('2026-03-02T09:00:00Z'),
    transitionEndsAt: at('2026-05-31T22:00:00Z'),
  };
  const VERSIONS = [V1, V2];
  const FIRST: StatusFact = {
    sequence: 1,
    kind: 'listing_approved',
    effectiveAt: at('2025-12-01T10:00:00Z'),
    recordedAt: at('2025-12-01T10:00:00Z'),
    validUntil: at('2026-12-01T10:00:00Z'),
    codeOfConductVersionId: 'v1',
    aanSince: at('2024-12-01T00:00:00Z'),
  };

  for (const switchAt of ['2026-03-02T09:00:00Z', '2026-04-15T12:00:00Z', '2026-05-31T21:59:59.999Z']) {
    it(`approved on v2 at ${switchAt}: verantwoord every quarter of an hour from before v2 to the listing's end`, () => {
      const now = at(switchAt);
      const before = statusAt([FIRST], VERSIONS, now);
      const answer = newApplicationAllowed(before, false, now, 90, VERSIONS);
      assert.ok(answer.allowed && answer.codeSwitch, 'the provider may apply on v2 now');
      const validUntil = listingValidUntil(before, now, 12, 90);
      assert.equal(validUntil.toISOString(), '2026-12-01T10:00:00.000Z');
      const history: StatusFact[] = [
        FIRST,
        {
          ...FIRST,
          sequence: 2,
          effectiveAt: now,
          recordedAt: now,
          validUntil,
          codeOfConductVersionId: 'v2',
        },
      ];
      const start = at('2026-02-01T00:00:00Z').getTime();
      const end = validUntil.getTime();
      const instants = [
        V2.transitionEndsAt.getTime() - 1,
        V2.transitionEndsAt.getTime(),
        now.getTime() - 1,
        now.getTime(),
      ];
      for (let t = start; t < end; t += 15 * 60_000) instants.push(t);
      for (const t of instants) {
        const status = statusAt(history, VERSIONS, new Date(t));
        assert.equal(status.verantwoord, true, new Date(t).toISOString());
        assert.equal(status.since?.toISOString(), '2025-12-01T10:00:00.000Z');
      }
      const after = statusAt(history, VERSIONS, validUntil);
      assert.equal(after.verantwoord ? 'verantwoord' : after.reason, 'expired');
    });
  }

  it('without the move, v1 lapses at the end of the transition', () => {
    const status = statusAt([FIRST], VERSIONS, V2.transitionEndsAt);
    assert.equal(status.verantwoord ? 'verantwoord' : status.reason, 'code_of_conduct_outdated');
  });
});

describe('firstDayFrom: the first day a transition may end on to keep an announced lapse', () => {
  for (const [lapse, day] of [
    ['2026-06-30T22:00:00.000Z', '2026-07-01'], // midnight in summer: that very day
    ['2026-07-01T00:00:00.000Z', '2026-07-02'], // 02:00 Dutch time: the next day
    ['2026-12-31T23:00:00.000Z', '2027-01-01'], // midnight in winter
    ['2026-03-28T23:30:00.000Z', '2026-03-30'], // late on the day before summer time starts
  ] as const) {
    it(`${lapse} → ${day}`, () => assert.equal(firstDayFrom(at(lapse)), day));
  }
});

describe('signatureDateProblem: a version is signed from its publication day to today', () => {
  const published = at('2026-03-02T09:00:00Z');
  const now = at('2026-03-10T10:00:00Z');
  for (const [signed, expected] of [
    ['2020-01-01', 'signedBeforePublished'],
    ['2026-03-01', 'signedBeforePublished'],
    ['2026-03-02', undefined], // the publication day itself, before 09:00 too: days, not instants
    ['2026-03-10', undefined],
    ['2026-03-11', 'signedInFuture'],
  ] as const) {
    it(`signed on ${signed} → ${expected ?? 'fine'}`, () =>
      assert.equal(signatureDateProblem(signed, published, now), expected));
  }
});
