import assert from 'node:assert/strict';
import type { NewApplicationAnswer } from '../../src/application/application-rules';
import { nextStep, type NextStepAnswer, type NextStepFacts } from '../../src/application/next-step';
import type { Listing, StatusAt } from '../../src/status/status-rules';

const day = (d: string) => new Date(`${d}T10:00:00Z`);

const listing: Listing = {
  approvedAt: day('2026-01-10'),
  validUntil: day('2027-01-10'),
  codeOfConductVersionId: 'v1',
  aanSince: day('2025-06-01'),
};
const listed: StatusAt = { verantwoord: true, since: listing.approvedAt, listing };
const not = (reason: Exclude<StatusAt, { verantwoord: true }>['reason'], extra = {}): StatusAt => ({
  verantwoord: false,
  reason,
  since: day('2026-05-01'),
  ...extra,
});

const renewalNotYet: NewApplicationAnswer = {
  allowed: false,
  reason: 'renewal_not_yet',
  renewalFrom: day('2026-10-12'),
};
const renewal: NewApplicationAnswer = { allowed: true, kind: 'renewal' };
const newListing: NewApplicationAnswer = { allowed: true, kind: 'listing' };
const openOne: NewApplicationAnswer = { allowed: false, reason: 'open_application' };
const codeSwitch = (lapsesAt: Date): NewApplicationAnswer => ({
  allowed: true,
  kind: 'renewal',
  codeSwitch: { newestVersionId: 'v2', lapsesAt },
});

const cases: [string, NextStepFacts, NextStepAnswer][] = [
  [
    'listed, before the renewal window: renew from the day it opens',
    { status: listed, possibility: renewalNotYet },
    { step: 'renewFrom', date: day('2026-10-12') },
  ],
  [
    'listed, inside the renewal window: renew before the listing ends',
    { status: listed, possibility: renewal },
    { step: 'renewNow', date: listing.validUntil },
  ],
  [
    'listed, the signed code version lapses before the listing ends: sign the new version by the lapse',
    { status: listed, possibility: codeSwitch(day('2026-09-01')) },
    { step: 'signNewCode', date: day('2026-09-01') },
  ],
  [
    'listed, the code version lapses only after the listing ends: renewing is what matters',
    { status: listed, possibility: codeSwitch(day('2027-03-01')) },
    { step: 'renewNow', date: listing.validUntil },
  ],
  [
    'listed, AAN participation ends before the listing: keep taking part',
    { status: listed, possibility: renewalNotYet, aanEndsAt: day('2026-08-01') },
    { step: 'continueAan', date: day('2026-08-01') },
  ],
  [
    'listed, a code lapse and an AAN end: the code lapse is checked first',
    { status: listed, possibility: codeSwitch(day('2026-09-01')), aanEndsAt: day('2026-08-01') },
    { step: 'signNewCode', date: day('2026-09-01') },
  ],
  [
    'listed, a renewal submitted: wait for the review',
    { status: listed, possibility: openOne, openApplication: { id: 'a1', state: 'submitted' } },
    { step: 'awaitReview', applicationId: 'a1' },
  ],
  [
    'never listed, no application: apply',
    { status: { verantwoord: false, reason: 'not_listed' }, possibility: newListing },
    { step: 'apply' },
  ],
  [
    'never listed, a draft: finish it',
    {
      status: { verantwoord: false, reason: 'not_listed' },
      possibility: openOne,
      openApplication: { id: 'a2', state: 'draft' },
    },
    { step: 'finishDraft', applicationId: 'a2' },
  ],
  [
    'pending review: wait',
    {
      status: not('application_pending'),
      possibility: openOne,
      openApplication: { id: 'a3', state: 'in_review' },
    },
    { step: 'awaitReview', applicationId: 'a3' },
  ],
  [
    'changes asked: make them and submit again',
    {
      status: not('application_pending'),
      possibility: openOne,
      openApplication: { id: 'a4', state: 'changes_requested' },
    },
    { step: 'answerChanges', applicationId: 'a4' },
  ],
  [
    'rejected: a new application',
    { status: not('rejected'), possibility: newListing },
    { step: 'applyAfterRejection' },
  ],
  [
    'expired: a new application',
    { status: not('expired', { listing }), possibility: newListing },
    { step: 'renewExpired' },
  ],
  [
    'suspended with a planned end: it ends then, or a reviewer lifts it sooner',
    { status: not('suspended', { until: day('2026-07-01'), listing }), possibility: renewalNotYet },
    { step: 'awaitSuspensionEnd', date: day('2026-07-01') },
  ],
  [
    'suspended without an end: a reviewer lifts it',
    { status: not('suspended', { listing }), possibility: renewalNotYet },
    { step: 'resolveSuspension' },
  ],
  [
    'suspended with a renewal under way: the application does not lift the suspension',
    {
      status: not('suspended', { listing }),
      possibility: openOne,
      openApplication: { id: 'a5', state: 'submitted' },
    },
    { step: 'resolveSuspension' },
  ],
  [
    'revoked: a new application',
    { status: not('revoked', { listing }), possibility: newListing },
    { step: 'applyAfterRevocation' },
  ],
  [
    'revoked, a new application submitted: wait for the review',
    {
      status: not('revoked', { listing }),
      possibility: openOne,
      openApplication: { id: 'a6', state: 'submitted' },
    },
    { step: 'awaitReview', applicationId: 'a6' },
  ],
  [
    'code version lapsed: sign the version in force',
    { status: not('code_of_conduct_outdated', { listing }), possibility: codeSwitch(day('2026-05-01')) },
    { step: 'signNewCodeLapsed' },
  ],
  [
    'AAN participation ended: take part again',
    { status: not('aan_participation_ended', { listing }), possibility: renewalNotYet },
    { step: 'resumeAan' },
  ],
];

describe('nextStep: what the account page tells a provider to do now', () => {
  for (const [name, facts, expected] of cases) {
    it(name, () => assert.deepEqual(nextStep(facts), expected));
  }
});
