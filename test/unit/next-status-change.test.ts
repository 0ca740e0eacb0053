import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  type CodeVersionFact,
  nextStatusChange,
  STATUS_EVENT_KINDS,
  type StatusFact,
  statusAt,
} from '../../src/status/status-rules';

const DAY = 86_400_000;
const START = Date.UTC(2025, 0, 1);
const instant = fc.integer({ min: 0, max: 400 }).map((d) => new Date(START + d * DAY));

const VERSIONS: CodeVersionFact[] = [
  { id: 'v1', publishedAt: new Date(START - 400 * DAY), transitionEndsAt: new Date(START - 400 * DAY) },
  { id: 'v2', publishedAt: new Date(START + 100 * DAY), transitionEndsAt: new Date(START + 200 * DAY) },
  // Lapses v2 at START + 350 days (v1 already lapsed); none signs it in some histories.
  { id: 'v3', publishedAt: new Date(START + 250 * DAY), transitionEndsAt: new Date(START + 350 * DAY) },
];

const event = fc.record({
  kind: fc.constantFrom(...STATUS_EVENT_KINDS),
  effectiveAt: instant,
  validFor: fc.integer({ min: 1, max: 400 }),
  version: fc.constantFrom('v1', 'v2', 'v3'),
  aanOffset: fc.integer({ min: -300, max: 30 }),
  suspendedFor: fc.option(fc.integer({ min: 1, max: 60 }), { nil: undefined }),
});

const history = fc.array(event, { maxLength: 8 }).map((events) =>
  events.map((e, i): StatusFact => ({
    sequence: i + 1,
    kind: e.kind,
    effectiveAt: e.effectiveAt,
    recordedAt: e.effectiveAt,
    validUntil: e.kind === 'listing_approved' ? new Date(e.effectiveAt.getTime() + e.validFor * DAY) : null,
    codeOfConductVersionId: e.kind === 'listing_approved' ? e.version : null,
    aanSince: e.kind === 'listing_approved' ? new Date(e.effectiveAt.getTime() + e.aanOffset * DAY) : null,
    suspendedUntil:
      e.kind === 'suspended' && e.suspendedFor
        ? new Date(e.effectiveAt.getTime() + e.suspendedFor * DAY)
        : null,
  })),
);

const answer = (h: StatusFact[], t: Date) => {
  const s = statusAt(h, VERSIONS, t);
  return s.verantwoord ? 'verantwoord' : s.reason;
};

describe('nextStatusChange', () => {
  it('the status stays the same from t up to the next change (1,000 generated histories)', () => {
    fc.assert(
      fc.property(history, instant, fc.integer({ min: 0, max: 1000 }), (h, t, permille) => {
        const next = nextStatusChange(h, VERSIONS, t);
        const end = next?.getTime() ?? t.getTime() + 800 * DAY;
        const probe = new Date(t.getTime() + Math.floor(((end - t.getTime() - 1) * permille) / 1000));
        assert.equal(answer(h, probe), answer(h, t));
      }),
      { numRuns: 1000, seed: 42 },
    );
  });

  it('is undefined when nothing further is scheduled', () => {
    assert.equal(nextStatusChange([], VERSIONS.slice(0, 1), new Date(START)), undefined);
  });

  it('is the end of a listing when that comes first', () => {
    const approval: StatusFact = {
      sequence: 1,
      kind: 'listing_approved',
      effectiveAt: new Date(START + 300 * DAY),
      recordedAt: new Date(START + 300 * DAY),
      validUntil: new Date(START + 330 * DAY),
      codeOfConductVersionId: 'v2',
      aanSince: new Date(START),
    };
    assert.equal(
      nextStatusChange([approval], VERSIONS, new Date(START + 310 * DAY))?.getTime(),
      START + 330 * DAY,
    );
  });

  it('counts only the dates of the versions the provider signed: another version makes no snapshot due', () => {
    const approval: StatusFact = {
      sequence: 1,
      kind: 'listing_approved',
      effectiveAt: new Date(START),
      recordedAt: new Date(START),
      validUntil: new Date(START + 390 * DAY),
      codeOfConductVersionId: 'v1',
      aanSince: new Date(START),
    };
    // v1 lapses at the end of v2's transition; v2's publication and v3's dates change nothing for it.
    assert.equal(nextStatusChange([approval], VERSIONS, new Date(START + DAY))?.getTime(), START + 200 * DAY);
    assert.equal(
      nextStatusChange([approval], VERSIONS, new Date(START + 200 * DAY))?.getTime(),
      START + 390 * DAY,
    );
    // Signed on v3: its lapse comes only with a successor; v2's dates do not count.
    const onV3 = { ...approval, effectiveAt: new Date(START + 260 * DAY), codeOfConductVersionId: 'v3' };
    assert.equal(
      nextStatusChange([onV3], VERSIONS, new Date(START + 270 * DAY))?.getTime(),
      START + 390 * DAY,
    );
    const v4 = {
      id: 'v4',
      publishedAt: new Date(START + 300 * DAY),
      transitionEndsAt: new Date(START + 380 * DAY),
    };
    assert.equal(
      nextStatusChange([onV3], [...VERSIONS, v4], new Date(START + 270 * DAY))?.getTime(),
      START + 380 * DAY,
      'a successor counts at the end of its transition, when the signed version lapses',
    );
  });
});
