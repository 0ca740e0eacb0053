import assert from 'node:assert/strict';
import { matchState, signalFiguresOrder, signalReference } from '../../src/signals/signal-review';
import type { ReviewedMatchRow } from '../../src/signals/signal-review.queries';

const NOW = new Date('2026-11-30T12:00:00Z');
const day = (offset: number) => new Date(NOW.getTime() + offset * 86_400_000);
const match = (fields: Partial<ReviewedMatchRow>): ReviewedMatchRow => ({
  signal_number: '12',
  category: 'spam',
  kind: 'exact',
  matched_at: day(-30),
  answer_due_at: day(0),
  first_answered_at: null,
  confirmed_at: null,
  dismissed_at: null,
  withdrawn_at: null,
  expires_on: '2027-11-30',
  ...fields,
});

describe('where a signal match stands for a reviewer', () => {
  for (const [what, fields, expected] of [
    ['answered before the deadline', { first_answered_at: day(-1) }, 'onTime'],
    ['answered at the deadline', { first_answered_at: day(0) }, 'onTime'],
    ['answered after the deadline', { first_answered_at: day(1), answer_due_at: day(0) }, 'late'],
    ['not answered, deadline ahead', { answer_due_at: day(1) }, 'open'],
    ['not answered, deadline now', {}, 'overdue'],
    ['not answered, deadline passed', { answer_due_at: day(-1) }, 'overdue'],
    [
      'dismissed possible match',
      { kind: 'possible', dismissed_at: day(-2), answer_due_at: day(-1) },
      'dismissed',
    ],
    ['signal withdrawn, not answered', { withdrawn_at: day(-5), answer_due_at: day(-1) }, 'withdrawn'],
    ['signal withdrawn after an answer', { withdrawn_at: day(-5), first_answered_at: day(-6) }, 'onTime'],
    ['signal expired before an answer', { expires_on: '2026-11-29', answer_due_at: day(-1) }, 'expired'],
    [
      'signal expires today, deadline passed',
      { expires_on: '2026-11-30', answer_due_at: day(-1) },
      'overdue',
    ],
    ['signal expired after an answer', { expires_on: '2026-11-29', first_answered_at: day(-6) }, 'onTime'],
  ] as [string, Partial<ReviewedMatchRow>, string][])
    it(`${what}: ${expected}`, () => assert.equal(matchState(match(fields), NOW), expected));

  it('sorts by overdue only when asked exactly so', () => {
    assert.equal(signalFiguresOrder('achterstallig'), 'overdue');
    for (const other of [undefined, '', 'naam', ['achterstallig'], 'ACHTERSTALLIG'])
      assert.equal(signalFiguresOrder(other), 'name');
  });

  it('writes a signal number as SIG- and six digits', () => {
    assert.equal(signalReference('12'), 'SIG-000012');
    assert.equal(signalReference(1234567), 'SIG-1234567');
  });
});
