import assert from 'node:assert/strict';
import {
  aggregateSignal,
  figure,
  type MatchFacts,
  matchCounts,
  median,
} from '../../src/signals/signal-aggregates';

const DAY = 86_400_000;
const t0 = new Date('2026-11-01T10:00:00Z');
const at = (days: number) => new Date(t0.getTime() + days * DAY);

/** A counting match of `provider`, answered `days` after the match with `action` (unanswered without). */
const match = (
  provider: string,
  days?: number,
  action?: MatchFacts['action'],
  over: Partial<MatchFacts> = {},
): MatchFacts => ({
  providerId: provider,
  kind: 'exact',
  confirmedAt: null,
  dismissedAt: null,
  matchedAt: t0,
  action: days === undefined ? null : (action ?? 'investigating'),
  firstAnsweredAt: days === undefined ? null : at(days),
  ...over,
});

describe('signal aggregates (what a supplier may learn)', () => {
  describe('figure', () => {
    for (const [count, threshold, expected] of [
      [0, 3, { shown: false, below: 3 }],
      [1, 3, { shown: false, below: 3 }],
      [2, 3, { shown: false, below: 3 }],
      [3, 3, { shown: true, value: 3 }],
      [7, 3, { shown: true, value: 7 }],
      [4, 5, { shown: false, below: 5 }],
    ] as const)
      it(`${count} with threshold ${threshold} reads ${JSON.stringify(expected)}`, () =>
        assert.deepEqual(figure(count, threshold), expected));
  });

  describe('matchCounts', () => {
    for (const [name, facts, counts] of [
      ['an exact match', { kind: 'exact', confirmedAt: null, dismissedAt: null }, true],
      ['a possible match not decided', { kind: 'possible', confirmedAt: null, dismissedAt: null }, false],
      ['a possible match confirmed', { kind: 'possible', confirmedAt: t0, dismissedAt: null }, true],
      ['a possible match dismissed', { kind: 'possible', confirmedAt: null, dismissedAt: t0 }, false],
    ] as const)
      it(`${name}: ${counts ? 'counts' : 'does not count'}`, () => assert.equal(matchCounts(facts), counts));
  });

  describe('median', () => {
    for (const [values, expected] of [
      [[], undefined],
      [[4], 4],
      [[5, 1, 3], 3],
      [[1, 2, 3, 10], 2.5],
    ] as const)
      it(`of ${JSON.stringify(values)} is ${expected}`, () => assert.equal(median([...values]), expected));
  });

  describe('aggregateSignal', () => {
    it('hides every figure for 0, 1 and 2 providers, and the median', () => {
      for (const matches of [[], [match('p1', 2)], [match('p1', 2), match('p2', 4)]]) {
        const a = aggregateSignal(matches, 3);
        assert.deepEqual(a.providers, { shown: false, below: 3 }, `${matches.length} providers`);
        assert.deepEqual(a.answered, { shown: false, below: 3 });
        assert.ok(a.actions.every((x) => !x.providers.shown));
        assert.equal(a.medianDays, undefined);
      }
    });

    it('shows 3 providers, 3 answered, the action count and the median days', () => {
      const a = aggregateSignal(
        [match('p1', 2, 'terminated'), match('p2', 4, 'terminated'), match('p3', 10, 'terminated')],
        3,
      );
      assert.deepEqual(a.providers, { shown: true, value: 3 });
      assert.deepEqual(a.answered, { shown: true, value: 3 });
      assert.deepEqual(a.actions.find((x) => x.action === 'terminated')!.providers, {
        shown: true,
        value: 3,
      });
      assert.deepEqual(a.actions.find((x) => x.action === 'suspended')!.providers, {
        shown: false,
        below: 3,
      });
      assert.equal(a.medianDays, 4);
    });

    it('shows the providers but hides answers and median when fewer than the threshold answered', () => {
      const a = aggregateSignal([match('p1', 1), match('p2', 3), match('p3'), match('p4')], 3);
      assert.deepEqual(a.providers, { shown: true, value: 4 });
      assert.deepEqual(a.answered, { shown: false, below: 3 });
      assert.equal(a.medianDays, undefined);
    });

    it('counts dismissed and undecided possible matches nowhere, confirmed ones like exact ones', () => {
      const a = aggregateSignal(
        [
          match('p1', 1),
          match('p2', 1),
          match('p3', 1, 'investigating', { kind: 'possible', dismissedAt: t0 }),
          match('p4', undefined, null, { kind: 'possible' }),
        ],
        3,
      );
      assert.deepEqual(a.providers, { shown: false, below: 3 });
      const b = aggregateSignal(
        [
          match('p1', 1),
          match('p2', 1),
          match('p3', 1, 'investigating', { kind: 'possible', confirmedAt: t0 }),
        ],
        3,
      );
      assert.deepEqual(b.providers, { shown: true, value: 3 });
    });

    it('counts a provider with several matching resellers once', () => {
      const a = aggregateSignal([match('p1', 1), match('p1', 2), match('p2', 3), match('p2', 3)], 3);
      assert.deepEqual(a.providers, { shown: false, below: 3 });
    });
  });
});
