import assert from 'node:assert/strict';
import { statusOnDateKnownAt } from '../../src/application/dossier.service';
import { statusOnDate } from '../../src/register/provider.service';
import type { CodeOfConductVersion } from '../../src/status/code-of-conduct-version.entity';
import type { StatusEvent } from '../../src/status/status-event.entity';
import { startOfLocalDay, toLocalDate } from '../../src/shared/time';

// Dutch summer time (UTC+2): local 10 June 2025 runs from 2025-06-09T22:00Z to 2025-06-10T21:59:59.999Z.
const DAY = '2025-06-10';
const local = (time: string) => new Date(`${DAY}T${time}+02:00`);
const LATER = new Date('2026-01-01T12:00:00Z');

const version = {
  id: 'v1',
  publishedAt: new Date('2020-01-01T00:00:00Z'),
  transitionEndsAt: new Date('2020-01-01T00:00:00Z'),
} as CodeOfConductVersion;

type Spec = Partial<StatusEvent> & Pick<StatusEvent, 'kind' | 'effectiveAt'>;

/** A history as the register stores it (newest first), recorded when it took effect unless told. */
function historyOf(...specs: Spec[]): StatusEvent[] {
  return specs
    .map((s, i) => ({
      id: String(i + 1),
      recordedAt: s.effectiveAt,
      validUntil: null,
      codeOfConductVersionId: null,
      aanSince: null,
      suspendedUntil: null,
      applicationId: null,
      reason: null,
      actor: 'test',
      ...s,
    }))
    .reverse() as StatusEvent[];
}

const submitted = (at: Date, recordedAt = at): Spec => ({
  kind: 'application_submitted',
  effectiveAt: at,
  recordedAt,
});
const approved = (at: Date, recordedAt = at): Spec => ({
  kind: 'listing_approved',
  effectiveAt: at,
  recordedAt,
  validUntil: new Date(at.getTime() + 365 * 86_400_000),
  codeOfConductVersionId: 'v1',
  aanSince: new Date('2020-01-01T00:00:00Z'),
});
const suspended = (at: Date, recordedAt = at): Spec => ({ kind: 'suspended', effectiveAt: at, recordedAt });
const lifted = (at: Date): Spec => ({ kind: 'suspension_lifted', effectiveAt: at });

const LISTED = [submitted(new Date('2025-01-10T09:00:00Z')), approved(new Date('2025-02-01T09:00:00Z'))];

function answer(history: StatusEvent[], date = DAY, now = LATER) {
  const result = statusOnDate({ history, codeVersions: [version] }, date, now);
  assert.equal(result.kind, 'answer');
  return result;
}

describe('the answer for a peildatum (statusOnDate)', () => {
  describe('"the status changed on this day": only when the answer itself changed', () => {
    const cases: { name: string; history: StatusEvent[]; code: string; changed: boolean }[] = [
      { name: 'a day without events', history: historyOf(...LISTED), code: 'verantwoord', changed: false },
      {
        // The Polderwolk case: verantwoord all day while a renewal was submitted and approved.
        name: 'a renewal submitted and approved while verantwoord',
        history: historyOf(...LISTED, submitted(local('09:00')), approved(local('15:00'))),
        code: 'verantwoord',
        changed: false,
      },
      {
        name: 'a suspension at 14:00',
        history: historyOf(...LISTED, suspended(local('14:00'))),
        code: 'suspended',
        changed: true,
      },
      {
        name: 'a suspension at 10:00 lifted at 15:00: the same at both ends, not all day',
        history: historyOf(...LISTED, suspended(local('10:00')), lifted(local('15:00'))),
        code: 'verantwoord',
        changed: true,
      },
      {
        name: 'a suspension at the very first instant of the day',
        history: historyOf(...LISTED, suspended(local('00:00'))),
        code: 'suspended',
        changed: true,
      },
      {
        name: 'a first application submitted: the reason changes from not listed to pending',
        history: historyOf(submitted(local('11:00'))),
        code: 'application_pending',
        changed: true,
      },
    ];
    for (const c of cases) {
      it(`${c.name}: ${c.code}, changed ${c.changed}`, () => {
        const result = answer(c.history);
        assert.equal(result.status.verantwoord ? 'verantwoord' : result.status.reason, c.code);
        assert.equal(result.changedThatDay, c.changed);
      });
    }
  });

  it('says the answer holds for now while the day is not over, and for the end of a day that is', () => {
    const history = historyOf(...LISTED);
    const today = answer(history, DAY, local('12:00'));
    assert.equal(today.dayNotOver, true);
    assert.deepEqual(today.at, local('12:00'));
    const past = answer(history, DAY, local('23:59:59.999'));
    assert.equal(past.dayNotOver, false);
    assert.equal(answer(history, '2025-06-09', local('12:00')).dayNotOver, false);
  });

  it('a day before the first event is before the provider was in the register', () => {
    assert.equal(answer(historyOf(...LISTED), '2024-12-31').beforeHistory, true);
    assert.equal(answer(historyOf(...LISTED), '2025-01-10').beforeHistory, false);
    assert.equal(answer([], DAY).beforeHistory, true);
  });
});

describe('the answer for a peildatum as known on a day (statusOnDateKnownAt)', () => {
  it('is before the register knew the provider when its first event was recorded after that day', () => {
    // Everything recorded on 1 December 2025, effective months before (as demo seeding does).
    const recorded = new Date('2025-12-01T10:00:00Z');
    const history = historyOf(
      submitted(new Date('2025-01-10T09:00:00Z'), recorded),
      approved(new Date('2025-02-01T09:00:00Z'), recorded),
    );
    const result = statusOnDateKnownAt({ history, codeVersions: [version] }, DAY, '2025-11-29', LATER);
    assert.equal(result.kind, 'answer');
    if (result.kind !== 'answer') return;
    assert.equal(result.status.verantwoord, false);
    assert.equal(result.beforeHistory, true, 'as known then, the provider was not in the register');
    assert.equal(result.nowKnown?.verantwoord, true);
    assert.equal(result.laterRecords.length, 2);
    const now = statusOnDateKnownAt({ history, codeVersions: [version] }, DAY, '2025-12-02', LATER);
    assert.equal(now.kind === 'answer' && now.beforeHistory, false);
  });

  it('judges "changed on this day" by what was known on that day', () => {
    const history = historyOf(...LISTED, suspended(local('14:00'), new Date('2025-06-20T10:00:00Z')));
    const known = statusOnDateKnownAt({ history, codeVersions: [version] }, DAY, '2025-06-15', LATER);
    assert.equal(known.kind === 'answer' && known.changedThatDay, false);
    const now = statusOnDateKnownAt({ history, codeVersions: [version] }, DAY, undefined, LATER);
    assert.equal(now.kind === 'answer' && now.changedThatDay, true);
  });

  it('a peildatum in the future is the future answer, with or without a known-on day', () => {
    const history = historyOf(...LISTED);
    for (const knownOn of [undefined, '2025-06-01']) {
      const result = statusOnDateKnownAt({ history, codeVersions: [version] }, '2026-01-02', knownOn, LATER);
      assert.equal(result.kind, 'future');
    }
  });

  it('a known-on day before the peildatum is no forecast: the day had not come yet then', () => {
    const history = historyOf(...LISTED);
    const before = new Date(startOfLocalDay(DAY).getTime() - 86_400_000);
    const result = statusOnDateKnownAt({ history, codeVersions: [version] }, DAY, toLocalDate(before), LATER);
    assert.deepEqual(result, { kind: 'knownBeforeDate', date: DAY, knownOn: toLocalDate(before) });
    assert.equal(statusOnDateKnownAt({ history, codeVersions: [version] }, DAY, DAY, LATER).kind, 'answer');
  });
});
