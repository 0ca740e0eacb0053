import assert from 'node:assert/strict';
import type { ApplicationState } from '../../src/application/application.entity';
import {
  applicationStep,
  type ApplicationStep,
  evidenceDeletable,
  submissionProblems,
  typicalReviewDays,
  workingDaysBetween,
  codeVersionStanding,
  listingValidUntil,
  newApplicationAllowed,
  providerMay,
  type ProviderAction,
  type ProviderStatusAction,
  providerStatusActions,
  queueStates,
  reviewActions,
  reviewerMay,
  type ReviewAction,
  waitingSince,
  waitsFor,
} from '../../src/application/application-rules';
import type { StatusAt } from '../../src/status/status-rules';

const NOW = new Date('2026-06-01T10:00:00Z');
const listing = (validUntil: string) => ({
  approvedAt: new Date('2025-09-01T10:00:00Z'),
  validUntil: new Date(validUntil),
  codeOfConductVersionId: 'v',
  aanSince: new Date('2025-01-01T00:00:00Z'),
});
const verantwoord = (validUntil: string): StatusAt => ({
  verantwoord: true,
  since: new Date('2025-09-01T10:00:00Z'),
  listing: listing(validUntil),
});
const not = (reason: Exclude<StatusAt, { verantwoord: true }>['reason'], validUntil?: string): StatusAt => ({
  verantwoord: false,
  reason,
  listing: validUntil ? listing(validUntil) : undefined,
});

describe('application lifecycle rules', () => {
  const provider: [ProviderAction, ApplicationState, boolean][] = [
    ['save', 'draft', true],
    ['save', 'changes_requested', true],
    ['save', 'submitted', false],
    ['save', 'approved', false],
    ['upload', 'in_review', false],
    ['submit', 'draft', true],
    ['submit', 'changes_requested', true],
    ['submit', 'submitted', false],
    ['withdraw', 'submitted', true],
    ['withdraw', 'in_review', true],
    ['withdraw', 'approved', false],
    ['withdraw', 'rejected', false],
    ['withdraw', 'withdrawn', false],
    ['delete_evidence', 'draft', true],
    ['delete_evidence', 'changes_requested', true],
    ['delete_evidence', 'submitted', false],
    ['delete_evidence', 'in_review', false],
    ['delete_evidence', 'approved', false],
    ['reply', 'draft', false],
    ['reply', 'submitted', true],
    ['reply', 'in_review', true],
    ['reply', 'changes_requested', true],
    ['reply', 'approved', false],
    ['reply', 'rejected', false],
    ['reply', 'withdrawn', false],
  ];
  for (const [action, state, allowed] of provider) {
    it(`a provider ${allowed ? 'may' : 'may not'} ${action} in ${state}`, () =>
      assert.equal(providerMay(action, state), allowed));
  }

  const review: [ReviewAction, ApplicationState, boolean][] = [
    ['start_review', 'submitted', true],
    ['start_review', 'in_review', false],
    ['approve', 'submitted', true],
    ['approve', 'in_review', true],
    ['approve', 'draft', false],
    ['approve', 'changes_requested', false],
    ['approve', 'approved', false],
    ['reject', 'withdrawn', false],
    ['request_changes', 'in_review', true],
  ];
  for (const [action, state, allowed] of review) {
    it(`a reviewer ${allowed ? 'may' : 'may not'} ${action} in ${state}`, () =>
      assert.equal(reviewerMay(action, state), allowed));
  }

  const decisions: [ApplicationState, ReviewAction[]][] = [
    ['draft', []],
    ['submitted', ['start_review', 'request_changes', 'approve', 'reject']],
    ['in_review', ['request_changes', 'approve', 'reject']],
    ['changes_requested', []],
    ['approved', []],
    ['rejected', []],
    ['withdrawn', []],
  ];
  for (const [state, actions] of decisions) {
    it(`a reviewer is offered [${actions.join(', ')}] on an application in ${state}`, () =>
      assert.deepEqual(reviewActions(state), actions));
  }

  const statusActions: [string, StatusAt, ProviderStatusAction[]][] = [
    ['verantwoord', verantwoord('2026-12-01T10:00:00Z'), ['suspend', 'revoke']],
    ['never listed', not('not_listed'), []],
    ['a first application pending', not('application_pending'), []],
    ['a first application rejected', not('rejected'), []],
    [
      'a renewal rejected while the listing runs',
      not('rejected', '2026-12-01T10:00:00Z'),
      ['suspend', 'revoke'],
    ],
    ['suspended', not('suspended', '2026-12-01T10:00:00Z'), ['lift', 'revoke']],
    ['expired', not('expired', '2026-05-01T10:00:00Z'), []],
    ['revoked', not('revoked', '2026-12-01T10:00:00Z'), []],
    [
      'on an outdated code of conduct',
      not('code_of_conduct_outdated', '2026-12-01T10:00:00Z'),
      ['suspend', 'revoke'],
    ],
    ['out of the AAN', not('aan_participation_ended', '2026-12-01T10:00:00Z'), ['suspend', 'revoke']],
  ];
  for (const [name, status, actions] of statusActions) {
    it(`a reviewer may [${actions.join(', ')}] a provider that is ${name}`, () =>
      assert.deepEqual(providerStatusActions(status), actions));
  }

  const queues: [unknown, ApplicationState | undefined, ApplicationState[]][] = [
    [undefined, undefined, ['submitted', 'in_review']],
    ['', undefined, ['submitted', 'in_review']],
    ['submitted', 'submitted', ['submitted']],
    ['in_review', 'in_review', ['in_review']],
    ['changes_requested', 'changes_requested', ['changes_requested']],
    ['approved', 'approved', ['approved']],
    ['rejected', 'rejected', ['rejected']],
    ['withdrawn', 'withdrawn', ['withdrawn']],
    ['draft', undefined, ['submitted', 'in_review']],
    ['APPROVED', undefined, ['submitted', 'in_review']],
    [['approved'], undefined, ['submitted', 'in_review']],
  ];
  for (const [requested, filter, states] of queues) {
    it(`the queue filtered on ${JSON.stringify(requested)} lists ${states.join(', ')}`, () =>
      assert.deepEqual(queueStates(requested), filter ? { filter, states } : { states }));
  }

  // The listing rests on version v. Alone it is current; then a successor in each stage.
  const V = {
    id: 'v',
    publishedAt: new Date('2020-01-01T00:00:00Z'),
    transitionEndsAt: new Date('2020-01-01T00:00:00Z'),
  };
  const CURRENT_ONLY = [V];
  const IN_TRANSITION = [
    V,
    {
      id: 'w',
      publishedAt: new Date('2026-05-01T00:00:00Z'),
      transitionEndsAt: new Date('2026-11-01T00:00:00Z'),
    },
  ];
  const ANNOUNCED = [
    V,
    {
      id: 'w',
      publishedAt: new Date('2026-07-01T00:00:00Z'),
      transitionEndsAt: new Date('2026-12-01T00:00:00Z'),
    },
  ];
  const LAPSED = [
    V,
    {
      id: 'w',
      publishedAt: new Date('2025-12-01T00:00:00Z'),
      transitionEndsAt: new Date('2026-03-01T00:00:00Z'),
    },
  ];
  const starts: [string, StatusAt, boolean, string, (typeof V)[]][] = [
    ['never listed', not('not_listed'), false, 'listing', CURRENT_ONLY],
    ['open application', not('application_pending'), true, 'open_application', CURRENT_ONLY],
    ['listing ends in 120 days', verantwoord('2026-09-29T10:00:00Z'), false, 'renewal_not_yet', CURRENT_ONLY],
    ['listing ends in exactly 90 days', verantwoord('2026-08-30T10:00:00Z'), false, 'renewal', CURRENT_ONLY],
    ['listing ends in 30 days', verantwoord('2026-07-01T10:00:00Z'), false, 'renewal', CURRENT_ONLY],
    [
      'suspended listing ends in 30 days',
      not('suspended', '2026-07-01T10:00:00Z'),
      false,
      'renewal',
      CURRENT_ONLY,
    ],
    ['expired', not('expired', '2026-05-01T10:00:00Z'), false, 'listing', CURRENT_ONLY],
    ['revoked', not('revoked', '2026-12-01T10:00:00Z'), false, 'listing', CURRENT_ONLY],
    // The blocker of issue 12: a newer version is out, the renewal window is far away.
    [
      'a newer version is in its transition, listing ends in 120 days',
      verantwoord('2026-09-29T10:00:00Z'),
      false,
      'renewal',
      IN_TRANSITION,
    ],
    [
      'suspended, a newer version in its transition, ends in 120 days',
      not('suspended', '2026-09-29T10:00:00Z'),
      false,
      'renewal',
      IN_TRANSITION,
    ],
    [
      'the signed version lapsed, listing ends in 120 days',
      not('code_of_conduct_outdated', '2026-09-29T10:00:00Z'),
      false,
      'renewal',
      LAPSED,
    ],
    [
      'a newer version only announced, listing ends in 120 days',
      verantwoord('2026-09-29T10:00:00Z'),
      false,
      'renewal_not_yet',
      ANNOUNCED,
    ],
    [
      'a newer version in its transition, but an application open',
      verantwoord('2026-09-29T10:00:00Z'),
      true,
      'open_application',
      IN_TRANSITION,
    ],
  ];
  for (const [name, status, open, expected, versions] of starts) {
    it(`a new application when ${name} → ${expected}`, () => {
      const answer = newApplicationAllowed(status, open, NOW, 90, versions);
      assert.equal(answer.allowed ? answer.kind : answer.reason, expected);
    });
  }

  it('during a transition the answer names the version to sign and when the signed one lapses', () => {
    const answer = newApplicationAllowed(verantwoord('2026-09-29T10:00:00Z'), false, NOW, 90, IN_TRANSITION);
    assert.deepEqual(answer, {
      allowed: true,
      kind: 'renewal',
      codeSwitch: { newestVersionId: 'w', lapsesAt: new Date('2026-11-01T00:00:00Z') },
    });
  });

  it('a renewal carries the listing on from its end, a new listing from the approval', () => {
    assert.equal(
      listingValidUntil(verantwoord('2026-07-01T10:00:00Z'), NOW, 12, 90).toISOString(),
      '2027-07-01T10:00:00.000Z',
    );
    assert.equal(listingValidUntil(not('not_listed'), NOW, 12, 90).toISOString(), '2027-06-01T10:00:00.000Z');
    assert.equal(
      listingValidUntil(not('expired', '2026-05-01T10:00:00Z'), NOW, 12, 90).toISOString(),
      '2027-06-01T10:00:00.000Z',
    );
  });

  it('a move to a newer code version before the renewal window keeps the end the listing has', () => {
    for (const status of [verantwoord('2026-09-29T10:00:00Z'), not('suspended', '2026-09-29T10:00:00Z')])
      assert.equal(listingValidUntil(status, NOW, 12, 90).toISOString(), '2026-09-29T10:00:00.000Z');
    // The first instant of the window: a normal renewal, carried on from the old end.
    assert.equal(
      listingValidUntil(verantwoord('2026-08-30T10:00:00Z'), NOW, 12, 90).toISOString(),
      '2027-08-30T10:00:00.000Z',
    );
  });
});

describe('evidence the provider may delete', () => {
  const submittedAt = new Date('2026-05-10T10:00:00Z');
  const cases: [string, ApplicationState, string, Date | null, boolean][] = [
    ['a draft never submitted', 'draft', '2026-05-01T10:00:00Z', null, true],
    ['added after a request for changes', 'changes_requested', '2026-05-12T10:00:00Z', submittedAt, true],
    ['sent with the earlier submission', 'changes_requested', '2026-05-09T10:00:00Z', submittedAt, false],
    [
      'uploaded at the very instant of submission',
      'changes_requested',
      '2026-05-10T10:00:00Z',
      submittedAt,
      false,
    ],
    ['of a submitted application', 'submitted', '2026-05-09T10:00:00Z', submittedAt, false],
    ['of a decided application', 'approved', '2026-05-09T10:00:00Z', submittedAt, false],
  ];
  for (const [name, state, uploaded, lastSubmitted, deletable] of cases) {
    it(`${deletable ? 'may' : 'may not'} delete evidence ${name}`, () =>
      assert.equal(evidenceDeletable(state, new Date(uploaded), lastSubmitted), deletable));
  }
});

describe('the step an application is at', () => {
  const both = ['code_of_conduct', 'aan_confirmation'];
  // state, ever submitted, details complete, evidence kinds → step
  const cases: [ApplicationState, boolean, boolean, string[], ApplicationStep][] = [
    ['draft', false, false, [], 'details'],
    ['draft', false, false, both, 'details'],
    ['draft', false, true, [], 'evidence'],
    ['draft', false, true, ['code_of_conduct', 'other'], 'evidence'],
    ['draft', false, true, both, 'check'],
    ['changes_requested', true, true, both, 'check'],
    ['changes_requested', true, true, ['code_of_conduct'], 'evidence'],
    ['submitted', true, true, both, 'submitted'],
    ['in_review', true, true, both, 'submitted'],
    ['approved', true, true, both, 'submitted'],
    ['rejected', true, true, both, 'submitted'],
    // Withdrawn after submitting: it got to the last step.
    ['withdrawn', true, true, both, 'submitted'],
    ['withdrawn', true, false, [], 'submitted'],
    // A draft withdrawn before submitting stays where it stopped: no step it never reached is done.
    ['withdrawn', false, false, [], 'details'],
    ['withdrawn', false, true, [], 'evidence'],
    ['withdrawn', false, true, both, 'check'],
  ];
  for (const [state, submitted, complete, kinds, step] of cases) {
    it(`${state}${submitted ? ' (submitted before)' : ''}, details ${complete ? 'complete' : 'incomplete'}, evidence [${kinds.join(', ')}]: ${step}`, () =>
      assert.equal(applicationStep(state, submitted, complete, kinds), step));
  }
});

describe('what stands in the way of submitting', () => {
  const cases: [boolean, string[], string[]][] = [
    [true, ['code_of_conduct', 'aan_confirmation'], []],
    [false, ['code_of_conduct', 'aan_confirmation'], ['form']],
    [true, ['aan_confirmation', 'other'], ['evidenceCode']],
    [true, ['code_of_conduct'], ['evidenceAan']],
    [false, [], ['form', 'evidenceCode', 'evidenceAan']],
  ];
  for (const [complete, kinds, problems] of cases) {
    it(`details ${complete ? 'complete' : 'incomplete'}, evidence [${kinds.join(', ')}]: [${problems.join(', ')}]`, () =>
      assert.deepEqual(Object.keys(submissionProblems(complete, kinds)), problems));
  }
});

describe('working days between two instants (Dutch calendar)', () => {
  const cases: [string, string, number][] = [
    ['2026-06-01T08:00:00Z', '2026-06-01T15:00:00Z', 0], // Monday, same day
    ['2026-06-01T08:00:00Z', '2026-06-02T08:00:00Z', 1], // Monday → Tuesday
    ['2026-06-05T08:00:00Z', '2026-06-08T08:00:00Z', 1], // Friday → Monday
    ['2026-06-06T08:00:00Z', '2026-06-07T08:00:00Z', 0], // Saturday → Sunday
    ['2026-06-01T08:00:00Z', '2026-06-15T08:00:00Z', 10], // two weeks
    ['2026-06-01T21:30:00Z', '2026-06-01T22:30:00Z', 1], // 23:30 Monday → 00:30 Tuesday in Amsterdam
    ['2026-06-02T08:00:00Z', '2026-06-01T08:00:00Z', 0], // the wrong way round counts nothing
  ];
  for (const [from, to, days] of cases) {
    it(`${from} → ${to}: ${days}`, () =>
      assert.equal(workingDaysBetween(new Date(from), new Date(to)), days));
  }
});

describe('how long review usually takes', () => {
  const cases: [number[], number | undefined][] = [
    [[], undefined],
    [[1, 2, 3, 4], undefined],
    [[1, 2, 3, 4, 5], 3],
    [[9, 1, 5, 3, 7], 5],
    [[1, 2, 3, 4, 5, 6], 4], // median 3.5, rounded up
    [[0, 0, 0, 0, 0], 0],
  ];
  for (const [waits, typical] of cases) {
    it(`[${waits.join(', ')}]: ${typical ?? 'too few to say'}`, () =>
      assert.equal(typicalReviewDays(waits), typical));
  }
});

describe('waitsFor and waitingSince: what the queue says an application waits for, and since when', () => {
  const submittedAt = new Date('2026-05-01T09:00:00Z');
  const lastStepAt = new Date('2026-05-20T09:00:00Z');
  const cases: [ApplicationState, string, Date][] = [
    ['draft', 'provider_submission', lastStepAt],
    // The provider has waited since submitting, also once a reviewer looks at it.
    ['submitted', 'reviewer_start', submittedAt],
    ['in_review', 'reviewer_decision', submittedAt],
    ['changes_requested', 'provider_changes', lastStepAt],
    ['approved', 'nobody', lastStepAt],
    ['rejected', 'nobody', lastStepAt],
    ['withdrawn', 'nobody', lastStepAt],
  ];
  for (const [state, who, since] of cases) {
    it(`${state}: waits for ${who} since ${since.toISOString()}`, () => {
      assert.equal(waitsFor(state), who);
      assert.equal(waitingSince({ state, submittedAt }, lastStepAt).toISOString(), since.toISOString());
    });
  }
});

describe("waitsFor: a provider's question in the conversation waits for a reviewer's answer", () => {
  // state, newest message kind → waits for
  const cases: [ApplicationState, string | undefined, string][] = [
    ['changes_requested', 'provider_reply', 'reviewer_answer'],
    ['changes_requested', 'changes_requested', 'provider_changes'],
    ['changes_requested', undefined, 'provider_changes'],
    ['submitted', 'provider_reply', 'reviewer_answer'],
    ['in_review', 'provider_reply', 'reviewer_answer'],
    ['in_review', 'review_started', 'reviewer_decision'],
    // Once decided or withdrawn nobody answers: the conversation is closed.
    ['approved', 'provider_reply', 'nobody'],
    ['withdrawn', 'provider_reply', 'nobody'],
    ['draft', 'provider_reply', 'provider_submission'],
  ];
  for (const [state, newest, who] of cases) {
    it(`${state}, newest message ${newest ?? 'none'}: waits for ${who}`, () =>
      assert.equal(waitsFor(state, newest), who));
  }
});

describe('codeVersionStanding: the review page flags a version in its transition', () => {
  const version = (
    label: string,
    publishedAt: string,
    transitionEndsAt = publishedAt,
    withdrawnAt?: string,
  ) => ({
    id: label,
    label,
    publishedAt: new Date(publishedAt),
    transitionEndsAt: new Date(transitionEndsAt),
    withdrawnAt: withdrawnAt ? new Date(withdrawnAt) : null,
  });
  const v1 = version('1.0', '2025-01-01T00:00:00Z');
  const v2 = version('2.0', '2026-05-01T00:00:00Z', '2026-08-01T00:00:00Z');
  const v2withdrawn = version('2.0', '2026-07-01T00:00:00Z', '2026-09-01T00:00:00Z', '2026-05-15T00:00:00Z');
  const v3 = version('3.0', '2026-09-01T00:00:00Z', '2026-12-01T00:00:00Z');
  const cases: [string, ReturnType<typeof version>, ReturnType<typeof version>[], Date, object][] = [
    ['the only version is current', v1, [v1], NOW, { kind: 'current' }],
    [
      'a successor published: in its transition until that transition ends',
      v1,
      [v1, v2],
      NOW,
      { kind: 'transition', lapsesAt: v2.transitionEndsAt, successorLabel: '2.0' },
    ],
    [
      'after the transition: lapsed',
      v1,
      [v1, v2],
      new Date('2026-08-01T00:00:00Z'),
      { kind: 'lapsed', lapsesAt: v2.transitionEndsAt, successorLabel: '2.0' },
    ],
    ['a withdrawn successor ends nothing', v1, [v1, v2withdrawn], NOW, { kind: 'current' }],
    ['the newest version is current', v2, [v1, v2], NOW, { kind: 'current' }],
    [
      'of two successors, the one whose transition ends first',
      v1,
      [v1, v3, v2],
      NOW,
      { kind: 'transition', lapsesAt: v2.transitionEndsAt, successorLabel: '2.0' },
    ],
    ['a withdrawn version itself', v2withdrawn, [v1, v2withdrawn], NOW, { kind: 'withdrawn' }],
  ];
  for (const [what, named, versions, now, expected] of cases) {
    it(what, () => assert.deepEqual(codeVersionStanding(named, versions, now), expected));
  }
});
