import { waitingTime } from '../shared/working-days';
import { addDays, addMonths, toLocalDate } from '../shared/time';
import {
  codeVersionAcceptedAt,
  codeVersionLapsesAt,
  type CodeVersionFact,
  listingInForce,
  type StatusAt,
} from '../status/status-rules';
import { APPLICATION_STATES, type ApplicationState } from './application.entity';

/**
 * The application lifecycle (design §3), as pure rules:
 * draft → submitted → in_review → (changes_requested → submitted …) → approved | rejected;
 * the provider may withdraw before a decision.
 */
export type ProviderAction = 'save' | 'upload' | 'delete_evidence' | 'submit' | 'withdraw' | 'reply';
export type ReviewAction = 'start_review' | 'request_changes' | 'approve' | 'reject';

const PROVIDER_ACTIONS: Record<ProviderAction, readonly ApplicationState[]> = {
  save: ['draft', 'changes_requested'],
  upload: ['draft', 'changes_requested'],
  delete_evidence: ['draft', 'changes_requested'],
  submit: ['draft', 'changes_requested'],
  withdraw: ['draft', 'submitted', 'in_review', 'changes_requested'],
  // A conversation with the reviewer: once there is one to talk to, and until the decision.
  reply: ['submitted', 'in_review', 'changes_requested'],
};

const REVIEW_ACTIONS: Record<ReviewAction, readonly ApplicationState[]> = {
  start_review: ['submitted'],
  request_changes: ['submitted', 'in_review'],
  approve: ['submitted', 'in_review'],
  reject: ['submitted', 'in_review'],
};

export const NEXT_STATE: Record<
  Exclude<ProviderAction, 'save' | 'upload' | 'delete_evidence' | 'reply'> | ReviewAction,
  ApplicationState
> = {
  submit: 'submitted',
  withdraw: 'withdrawn',
  start_review: 'in_review',
  request_changes: 'changes_requested',
  approve: 'approved',
  reject: 'rejected',
};

export function providerMay(action: ProviderAction, state: ApplicationState): boolean {
  return PROVIDER_ACTIONS[action].includes(state);
}

/**
 * Evidence may be deleted while the provider may still change the application, and only evidence
 * no reviewer has been sent yet: what came with an earlier submission is part of what was decided
 * on (uploaded at or before the last submission) and stays.
 */
export function evidenceDeletable(
  state: ApplicationState,
  evidenceUploadedAt: Date,
  lastSubmittedAt: Date | null,
): boolean {
  if (!providerMay('delete_evidence', state)) return false;
  return lastSubmittedAt === null || evidenceUploadedAt.getTime() > lastSubmittedAt.getTime();
}

/** The steps of an application as the provider sees them, in order. */
export const APPLICATION_STEPS = ['details', 'evidence', 'check', 'submitted'] as const;
export type ApplicationStep = (typeof APPLICATION_STEPS)[number];

/**
 * The step the provider is at: filling in the details until they are stored complete and as typed,
 * then adding the two required pieces of evidence, then checking; once submitted (or decided, or
 * withdrawn after submitting) the last step. A draft withdrawn before it was ever submitted stays
 * at the step it was withdrawn at: it never got past it.
 */
export function applicationStep(
  state: ApplicationState,
  everSubmitted: boolean,
  detailsComplete: boolean,
  evidenceKinds: readonly string[],
): ApplicationStep {
  const stoppedAsDraft = state === 'withdrawn' && !everSubmitted;
  if (!providerMay('submit', state) && !stoppedAsDraft) return 'submitted';
  if (!detailsComplete) return 'details';
  if (!evidenceKinds.includes('code_of_conduct') || !evidenceKinds.includes('aan_confirmation'))
    return 'evidence';
  return 'check';
}

/**
 * What stands in the way of submitting: details not stored complete (or typed ones not saved yet),
 * and each of the two required pieces of evidence that is missing. Keys are the page's anchors.
 */
export function submissionProblems(
  detailsComplete: boolean,
  evidenceKinds: readonly string[],
): Record<string, string[]> {
  const missing: Record<string, string[]> = {};
  if (!detailsComplete) missing.form = ['application.incomplete'];
  if (!evidenceKinds.includes('code_of_conduct'))
    missing.evidenceCode = ['application.evidenceMissing.code_of_conduct'];
  if (!evidenceKinds.includes('aan_confirmation'))
    missing.evidenceAan = ['application.evidenceMissing.aan_confirmation'];
  return missing;
}

/**
 * Working days (Monday to Friday, Dutch calendar; public holidays not counted) from `from` to `to`:
 * the days after the day of `from` up to and including the day of `to` that are weekdays. A
 * decision on the day of submission takes 0 working days.
 */
export function workingDaysBetween(from: Date, to: Date): number {
  return waitingTime(from, to).workingDays;
}

/** Fewer decisions than this say too little about how long review takes to name a number. */
export const MIN_DECISIONS_FOR_TYPICAL = 5;

/**
 * How long review usually takes: the median of the working days submissions waited for their first
 * decision, rounded up (a provider is better told a day too many); undefined with fewer than
 * MIN_DECISIONS_FOR_TYPICAL.
 */
export function typicalReviewDays(waits: readonly number[]): number | undefined {
  if (waits.length < MIN_DECISIONS_FOR_TYPICAL) return undefined;
  const sorted = [...waits].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return Math.ceil(median);
}

export function reviewerMay(action: ReviewAction, state: ApplicationState): boolean {
  return REVIEW_ACTIONS[action].includes(state);
}

/** Every decision a reviewer can take, in the order the page offers them. */
export const REVIEW_ACTION_NAMES = Object.keys(REVIEW_ACTIONS) as readonly ReviewAction[];

/** The decisions a reviewer may take on an application in `state`, in the order the page offers them. */
export function reviewActions(state: ApplicationState): ReviewAction[] {
  return REVIEW_ACTION_NAMES.filter((action) => reviewerMay(action, state));
}

/** The states a reviewer can filter the queue on: every state but a draft, which only its provider sees. */
export const QUEUE_FILTERS: readonly ApplicationState[] = APPLICATION_STATES.filter(
  (state) => state !== 'draft',
);

/** What the queue shows unfiltered: the applications waiting for a reviewer. */
const AWAITING_REVIEW: readonly ApplicationState[] = ['submitted', 'in_review'];

/**
 * The states the review queue lists for the filter asked for (`?status=`): that one state when the
 * queue offers it as a filter; otherwise, and for anything unknown, the applications awaiting review.
 */
export function queueStates(requested: unknown): { filter?: ApplicationState; states: ApplicationState[] } {
  const filter = QUEUE_FILTERS.find((state) => state === requested);
  return filter ? { filter, states: [filter] } : { states: [...AWAITING_REVIEW] };
}

/** Whom an application in a state waits for: what the queue's "waits for" column says. */
export type WaitsFor =
  | 'reviewer_start'
  | 'reviewer_decision'
  | 'reviewer_answer'
  | 'provider_changes'
  | 'provider_submission'
  | 'nobody';

const WAITS_FOR: Record<ApplicationState, WaitsFor> = {
  draft: 'provider_submission',
  submitted: 'reviewer_start',
  in_review: 'reviewer_decision',
  changes_requested: 'provider_changes',
  approved: 'nobody',
  rejected: 'nobody',
  withdrawn: 'nobody',
};

/**
 * Whom an application waits for, by its state and the newest message in its conversation: a
 * provider's reply (a question) while the conversation is open waits for a reviewer's answer,
 * even when the state itself waits for the provider's changes.
 */
export function waitsFor(state: ApplicationState, newestMessageKind?: string): WaitsFor {
  if (newestMessageKind === 'provider_reply' && providerMay('reply', state)) return 'reviewer_answer';
  return WAITS_FOR[state];
}

/**
 * Since when an application has waited for what it waits for: a submitted application or one in
 * review since submitting (as the reviewers' digest counts; a question asked meanwhile does not
 * make that shorter), anything else since the last step (for a question while changes are
 * requested: since the question).
 */
export function waitingSince(
  application: { state: ApplicationState; submittedAt: Date | null },
  lastStepAt: Date,
): Date {
  const reviewer = WAITS_FOR[application.state].startsWith('reviewer_');
  return reviewer && application.submittedAt ? application.submittedAt : lastStepAt;
}

/** The decisions that cannot be undone: the reviewer confirms them on a page that says what they do. */
export const CONFIRMED_REVIEW_ACTIONS: readonly ReviewAction[] = ['approve', 'reject'];

export const OPEN_STATES: readonly ApplicationState[] = [
  'draft',
  'submitted',
  'in_review',
  'changes_requested',
];

/** What a reviewer may do to a provider's listing. */
export const PROVIDER_STATUS_ACTIONS = ['suspend', 'lift', 'revoke'] as const;
export type ProviderStatusAction = (typeof PROVIDER_STATUS_ACTIONS)[number];

/** The status actions that cannot be undone (a suspension can be lifted, but stays in the public history). */
export const CONFIRMED_PROVIDER_ACTIONS: readonly ProviderStatusAction[] = ['suspend', 'revoke'];

/**
 * The status actions a reviewer may take on a provider: suspend a listing in force that is not
 * suspended, lift a suspension, revoke a listing in force (suspended or not).
 */
export function providerStatusActions(status: StatusAt): ProviderStatusAction[] {
  const listed = listingInForce(status) !== undefined;
  const suspended = !status.verantwoord && status.reason === 'suspended';
  const actions: ProviderStatusAction[] = [];
  if (listed && !suspended) actions.push('suspend');
  if (suspended) actions.push('lift');
  if (listed) actions.push('revoke');
  return actions;
}

/**
 * A newer code-of-conduct version is published while the listing rests on an older one: the
 * provider may move to the newest version now, whatever the renewal window says.
 */
export interface CodeSwitch {
  /** The newest version accepted now: the one to sign. */
  newestVersionId: string;
  /** When the signed version lapses (in the past when it already has). */
  lapsesAt: Date;
}

export type NewApplicationAnswer =
  | { allowed: true; kind: 'listing' | 'renewal'; codeSwitch?: CodeSwitch }
  | { allowed: false; reason: 'open_application' | 'renewal_not_yet'; renewalFrom?: Date };

/**
 * The switch to a newer code version open to a listing, if any: a version published after the
 * signed one is accepted at `now`, so the signed one lapses or has lapsed.
 */
export function codeSwitchOpen(
  signedVersionId: string,
  versions: readonly CodeVersionFact[],
  now: Date,
): CodeSwitch | undefined {
  const signed = versions.find((v) => v.id === signedVersionId);
  const lapsesAt = signed ? codeVersionLapsesAt(signed, versions) : undefined;
  if (!signed || !lapsesAt) return undefined;
  const newest = versions
    .filter((v) => v.publishedAt.getTime() > signed.publishedAt.getTime())
    .filter((v) => codeVersionAcceptedAt(v, versions, now))
    .sort((a, b) => b.publishedAt.getTime() - a.publishedAt.getTime())[0];
  return newest ? { newestVersionId: newest.id, lapsesAt } : undefined;
}

/**
 * May the provider start an application now, and of which kind? A first listing (or one after
 * expiry or revocation) any time; a renewal from `windowDays` before the listing ends, or at any
 * time once a newer code version is published than the one the listing rests on (so no listing
 * lapses for want of a way to sign the new version). A suspended listing may move too: the
 * approval changes its version, not its suspension.
 */
export function newApplicationAllowed(
  status: StatusAt,
  hasOpenApplication: boolean,
  now: Date,
  windowDays: number,
  versions: readonly CodeVersionFact[],
): NewApplicationAnswer {
  if (hasOpenApplication) return { allowed: false, reason: 'open_application' };
  const listing = listingInForce(status);
  if (!listing) return { allowed: true, kind: 'listing' };
  const codeSwitch = codeSwitchOpen(listing.codeOfConductVersionId, versions, now);
  if (codeSwitch) return { allowed: true, kind: 'renewal', codeSwitch };
  const renewalFrom = addDays(listing.validUntil, -windowDays);
  if (now.getTime() < renewalFrom.getTime())
    return { allowed: false, reason: 'renewal_not_yet', renewalFrom };
  return { allowed: true, kind: 'renewal' };
}

/**
 * The end of the listing an approval at `now` grants. Without a listing in force: `months` from
 * approval. Inside the renewal window: `months` from the end of the listing in force, so it carries
 * on without a gap. Before the window (a move to a newer code version): the end it already has, so
 * the move never shortens a listing and never grants more than a renewal would.
 */
export function listingValidUntil(status: StatusAt, now: Date, months: number, windowDays: number): Date {
  const listing = listingInForce(status);
  if (!listing || listing.validUntil.getTime() <= now.getTime()) return addMonths(now, months);
  if (now.getTime() < addDays(listing.validUntil, -windowDays).getTime()) return listing.validUntil;
  return addMonths(listing.validUntil, months);
}

/** Why a signature's date does not fit the version signed. */
export type SignatureDateProblem = 'signedBeforePublished' | 'signedInFuture';

/**
 * A version can only be signed once it is published, and not on a day still to come: the date
 * (YYYY-MM-DD, Dutch calendar) lies from the version's publication day to today.
 */
export function signatureDateProblem(
  codeSignedOn: string,
  versionPublishedAt: Date,
  now: Date,
): SignatureDateProblem | undefined {
  if (codeSignedOn > toLocalDate(now)) return 'signedInFuture';
  if (codeSignedOn < toLocalDate(versionPublishedAt)) return 'signedBeforePublished';
  return undefined;
}

/** Where the code version an application names stands: in its transition, lapsed or withdrawn. */
export type CodeVersionStanding =
  | { kind: 'current' }
  | { kind: 'transition' | 'lapsed'; lapsesAt: Date; successorLabel: string }
  | { kind: 'withdrawn' };

/**
 * The standing of `named` among `versions` (withdrawn ones included) at `now`: a successor was
 * published, so it lapses when the successor's transition ends (in its transition until then), or
 * it was withdrawn and never took effect.
 */
export function codeVersionStanding(
  named: CodeVersionFact & { label: string; withdrawnAt: Date | null },
  versions: readonly (CodeVersionFact & { label: string; withdrawnAt: Date | null })[],
  now: Date,
): CodeVersionStanding {
  if (named.withdrawnAt) return { kind: 'withdrawn' };
  const counting = versions.filter((v) => !v.withdrawnAt);
  const lapsesAt = codeVersionLapsesAt(named, counting);
  if (!lapsesAt) return { kind: 'current' };
  // The successor whose transition ends it, as codeVersionLapsesAt finds the lapse.
  const successor = counting.find(
    (v) =>
      v.publishedAt.getTime() > named.publishedAt.getTime() &&
      Math.max(v.transitionEndsAt.getTime(), v.publishedAt.getTime()) === lapsesAt.getTime(),
  )!;
  return {
    kind: lapsesAt.getTime() <= now.getTime() ? 'lapsed' : 'transition',
    lapsesAt,
    successorLabel: successor.label,
  };
}
