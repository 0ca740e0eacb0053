import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { AanRow } from '../../src/aan/aan-list';
import { aanEndedAt, aanEvents, type AanPlan, looksIncomplete, planAanChange } from '../../src/aan/aan-rules';
import { startOfLocalDay } from '../../src/shared/time';
import {
  type CodeVersionFact,
  type Listing,
  plannedAanEnd,
  type StatusFact,
  statusAt,
} from '../../src/status/status-rules';

const AAN_SINCE = startOfLocalDay('2024-01-01');
const VERSIONS: CodeVersionFact[] = [
  {
    id: 'v1',
    publishedAt: new Date('2020-01-01T00:00:00Z'),
    transitionEndsAt: new Date('2020-01-01T00:00:00Z'),
  },
];
const APPROVAL: StatusFact = {
  sequence: 1,
  kind: 'listing_approved',
  effectiveAt: AAN_SINCE,
  recordedAt: AAN_SINCE,
  validUntil: startOfLocalDay('2030-01-01'),
  codeOfConductVersionId: 'v1',
  aanSince: AAN_SINCE,
};

const row = (since: string, until: string | null = null): AanRow => ({
  line: 2,
  kvkNumber: '12345678',
  name: 'A',
  since,
  until,
});
const fact = (kind: StatusFact['kind'], day: string, sequence: number): StatusFact => ({
  sequence,
  kind,
  effectiveAt: startOfLocalDay(day),
  recordedAt: startOfLocalDay(day),
});

/** Applies a plan as the import does: its event is appended to the history. */
function apply(history: StatusFact[], plan: AanPlan): StatusFact[] {
  if (!plan.event) return history;
  const sequence = Math.max(...history.map((e) => e.sequence)) + 1;
  return [...history, { sequence, ...plan.event, recordedAt: plan.event.effectiveAt }];
}

describe('what a row of the AAN list means (planAanChange)', () => {
  const ended = fact('aan_participation_ended', '2026-02-01', 10);
  const resumed = fact('aan_participation_resumed', '2026-04-01', 11);

  it('records an end the history lacks, at the start of that Dutch day, also when it lies in the future', () => {
    assert.deepEqual(planAanChange(row('2024-01-01', '2026-03-01'), [APPROVAL], AAN_SINCE), {
      event: { kind: 'aan_participation_ended', effectiveAt: new Date('2026-02-28T23:00:00.000Z') },
    });
    assert.deepEqual(planAanChange(row('2024-01-01', '2031-06-01'), [APPROVAL], AAN_SINCE).event, {
      kind: 'aan_participation_ended',
      effectiveAt: new Date('2031-05-31T22:00:00.000Z'),
    });
  });

  it('records no end that the history already holds, nor one before a recorded resumption', () => {
    assert.deepEqual(planAanChange(row('2024-01-01', '2026-03-01'), [APPROVAL, ended], AAN_SINCE), {});
    assert.deepEqual(
      planAanChange(row('2024-01-01', '2026-03-01'), [APPROVAL, ended, resumed], AAN_SINCE),
      {},
    );
    assert.deepEqual(
      planAanChange(row('2024-01-01', '2026-04-01'), [APPROVAL, ended, resumed], AAN_SINCE),
      {},
    );
    assert.ok(planAanChange(row('2026-04-01', '2026-06-01'), [APPROVAL, ended, resumed], AAN_SINCE).event);
  });

  it('records a resumption only from a day at or after the recorded end; an earlier one is a task', () => {
    assert.deepEqual(planAanChange(row('2026-04-01'), [APPROVAL, ended], AAN_SINCE), {
      event: { kind: 'aan_participation_resumed', effectiveAt: new Date('2026-03-31T22:00:00.000Z') },
    });
    assert.deepEqual(planAanChange(row('2024-01-01'), [APPROVAL, ended], AAN_SINCE), {
      task: { kind: 'aan_list_differs', difference: 'end_not_on_list' },
    });
    assert.deepEqual(planAanChange(row('2026-04-01'), [APPROVAL, ended, resumed], AAN_SINCE), {});
  });

  it('raises a task when participation starts after, or ends before, the listing says', () => {
    assert.deepEqual(planAanChange(row('2024-06-01'), [APPROVAL], AAN_SINCE), {
      task: { kind: 'aan_list_differs', difference: 'since_later' },
    });
    assert.deepEqual(planAanChange(row('2023-01-01', '2023-12-01'), [APPROVAL], AAN_SINCE), {
      task: { kind: 'aan_list_differs', difference: 'end_before_since' },
    });
    assert.deepEqual(planAanChange(undefined, [APPROVAL], AAN_SINCE), {
      task: { kind: 'aan_missing_from_list' },
    });
  });

  it('list A (resumed), then an older list B (ended earlier), then A again: one end, one resumption', () => {
    const listA = row('2026-04-01');
    const listB = row('2024-01-01', '2026-02-01');
    let history: StatusFact[] = [APPROVAL, ended];
    for (const list of [listA, listB, listA, listB, listA])
      history = apply(history, planAanChange(list, history, AAN_SINCE));
    assert.deepEqual(
      aanEvents(history, AAN_SINCE).map((e) => [e.kind, e.effectiveAt.toISOString()]),
      [
        ['aan_participation_ended', '2026-01-31T23:00:00.000Z'],
        ['aan_participation_resumed', '2026-03-31T22:00:00.000Z'],
      ],
    );
  });

  describe('over random sequences of lists (fast-check, 500 sequences)', () => {
    const DAYS = [
      '2023-06-01',
      '2024-01-01',
      '2024-06-01',
      '2025-01-01',
      '2025-06-01',
      '2026-01-01',
      '2026-06-01',
      '2027-01-01',
      '2028-01-01',
    ];
    const aRow = fc
      .tuple(fc.integer({ min: 0, max: DAYS.length - 1 }), fc.integer({ min: 0, max: DAYS.length }))
      .map(([s, u]) => row(DAYS[s]!, u > s && u < DAYS.length ? DAYS[u]! : null));
    // A few lists, imported in a random order with repeats, as an administrator might.
    const sequence = fc
      .tuple(
        fc.array(fc.option(aRow, { nil: undefined }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 10 }),
      )
      .map(([lists, order]) => order.map((i) => lists[i % lists.length]));
    const probes = [...DAYS, '2029-06-01'].map(startOfLocalDay);

    it('is idempotent, records no duplicate or stale event, and the rules agree with the recorded participation', () => {
      fc.assert(
        fc.property(sequence, (lists) => {
          let history: StatusFact[] = [APPROVAL];
          for (const [index, list] of lists.entries()) {
            const before = history;
            const plan = planAanChange(list, before, AAN_SINCE);
            history = apply(before, plan);
            const events = aanEvents(before, AAN_SINCE);
            if (plan.event?.kind === 'aan_participation_ended') {
              const at = plan.event.effectiveAt;
              assert.ok(!aanEndedAt(events, at), 'an end the history already holds');
              assert.ok(at.getTime() > AAN_SINCE.getTime(), 'an end before the listing’s AAN-since');
              assert.ok(
                events.every(
                  (e) => e.kind !== 'aan_participation_resumed' || e.effectiveAt.getTime() < at.getTime(),
                ),
                'an end before a recorded resumption',
              );
            }
            if (plan.event?.kind === 'aan_participation_resumed') {
              const last = events.at(-1);
              assert.equal(last?.kind, 'aan_participation_ended', 'a resumption without an end');
              assert.ok(
                last.effectiveAt.getTime() <= plan.event.effectiveAt.getTime(),
                'a resumption before the end',
              );
            }
            // Importing the same list again changes nothing.
            assert.equal(planAanChange(list, history, AAN_SINCE).event, undefined);
            // No two events of one kind at one instant.
            const keys = aanEvents(history, AAN_SINCE).map((e) => `${e.kind}@${e.effectiveAt.getTime()}`);
            assert.equal(new Set(keys).size, keys.length, `duplicates: ${keys.join(', ')}`);
            // The status rules read the history as the import did.
            for (const t of probes) {
              const status = statusAt(history, VERSIONS, t);
              const expected =
                t.getTime() >= AAN_SINCE.getTime() && aanEndedAt(aanEvents(history, AAN_SINCE), t);
              assert.equal(!status.verantwoord && status.reason === 'aan_participation_ended', expected);
            }
            // The first list the register hears of is taken as it is.
            if (index === 0 && list && !(list.until && startOfLocalDay(list.until) <= AAN_SINCE)) {
              const until = list.until ? startOfLocalDay(list.until).getTime() : Infinity;
              for (const t of probes.filter((p) => p.getTime() >= AAN_SINCE.getTime()))
                assert.equal(aanEndedAt(aanEvents(history, AAN_SINCE), t), t.getTime() >= until);
            }
          }
        }),
        { numRuns: 500, seed: 12 },
      );
    });
  });

  describe('looksIncomplete: a list lacking more than a third of the listed providers, and at least two', () => {
    const cases: [missing: number, listed: number, refused: boolean][] = [
      [0, 0, false],
      [1, 1, false],
      [1, 2, false],
      [2, 3, true],
      [5, 6, true],
      [2, 6, false],
      [3, 9, false],
      [4, 9, true],
      [34, 100, true],
      [33, 100, false],
    ];
    for (const [missing, listed, refused] of cases)
      it(`${missing} of ${listed} missing: ${refused ? 'refused' : 'accepted'}`, () =>
        assert.equal(looksIncomplete(missing, listed), refused));
  });

  describe('plannedAanEnd: a recorded AAN end still to come', () => {
    const listing: Listing = {
      approvedAt: AAN_SINCE,
      validUntil: startOfLocalDay('2030-01-01'),
      codeOfConductVersionId: 'v1',
      aanSince: AAN_SINCE,
    };
    const t = startOfLocalDay('2026-06-01');
    it('is the next end after t while participation is active', () =>
      assert.deepEqual(
        plannedAanEnd([APPROVAL, fact('aan_participation_ended', '2026-12-15', 2)], listing, t),
        startOfLocalDay('2026-12-15'),
      ));
    it('is nothing once that end has passed, or when a resumption comes first', () => {
      assert.equal(
        plannedAanEnd([APPROVAL, fact('aan_participation_ended', '2026-05-01', 2)], listing, t),
        undefined,
      );
      assert.equal(
        plannedAanEnd(
          [
            APPROVAL,
            fact('aan_participation_ended', '2026-05-01', 2),
            fact('aan_participation_resumed', '2026-07-01', 3),
            fact('aan_participation_ended', '2026-09-01', 4),
          ],
          listing,
          t,
        ),
        undefined,
      );
    });
    it("ignores ends before the listing's AAN-since", () =>
      assert.equal(
        plannedAanEnd([APPROVAL, fact('aan_participation_ended', '2023-01-01', 2)], listing, t),
        undefined,
      ));
  });
});
