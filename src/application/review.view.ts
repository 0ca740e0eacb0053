import { attestationView } from '../attestation/attestation.view';
import { type HistoryRow, historyRows, type StatusView, statusView } from '../register/provider.view';
import { paths } from '../shared/paths';
import { waitingTime } from '../shared/working-days';
import type { NewStatusEvent } from '../status/status.service';
import type { StatusAt } from '../status/status-rules';
import {
  NEXT_STATE,
  type ProviderStatusAction,
  type ReviewAction,
  waitingSince,
  waitsFor,
} from './application-rules';
import type { ProviderActionPreview } from './provider-actions.service';
import type { DecisionPreview, QueueApplication } from './review.service';

/* What the reviewers' queue and confirmation pages show: keys, dates and values, no logic left for the template. */

/** One row of the queue: what the application waits for, and since when. */
export function queueRow(application: QueueApplication, now: Date) {
  const since = waitingSince(application, application.lastStepAt);
  const who = waitsFor(application.state, application.lastStepKind);
  return {
    ...application,
    waitsForKey: `review.waitsFor.${who}`,
    waitsFor: who,
    waitingSince: since,
    waited: waitingTime(since, now),
  };
}

/** The public history entry a status change will be, and the status the public page will show. */
export interface PublicPreview {
  row: HistoryRow;
  status: StatusView;
}

function publicPreview(
  event: NewStatusEvent,
  after: StatusAt,
  aanEndsAfter: Date | undefined,
  codeVersion: { id: string; label: string } | undefined,
  now: Date,
): PublicPreview {
  const [row] = historyRows(
    [
      {
        id: 'voorbeeld',
        kind: event.kind,
        effectiveAt: event.effectiveAt,
        recordedAt: now,
        reason: event.reason ?? null,
        validUntil: event.validUntil ?? null,
        suspendedUntil: event.suspendedUntil ?? null,
        codeOfConductVersionId: event.codeOfConductVersionId ?? null,
        aanSince: event.aanSince ?? null,
      },
    ],
    codeVersion ? [codeVersion] : [],
    now,
  );
  // The public page names the reason of the change that brought a status about: this one's.
  const caused = !after.verantwoord && after.cause?.effectiveAt.getTime() === event.effectiveAt.getTime();
  return { row: row!, status: statusView(after, caused ? event.reason : undefined, aanEndsAfter) };
}

function statusChange(before: StatusAt, after: StatusAt) {
  const key = (s: StatusAt) => `status.label.${s.verantwoord ? 'verantwoord' : s.reason}`;
  return { beforeKey: key(before), afterKey: key(after), changes: key(before) !== key(after) };
}

type Confirmed = ReviewAction | ProviderStatusAction;

/** The values the confirmation form posts again, as hidden fields: exactly what was typed. */
const hidden = (values: Record<string, string>) =>
  Object.entries(values).map(([name, value]) => ({ name, value }));

/** The confirmation page of a decision on an application (approve or reject). */
export function decisionConfirmation(
  preview: DecisionPreview,
  values: { action: ReviewAction; message: string; version: string },
  now: Date,
) {
  const { application, provider, statusEvent } = preview;
  const codeVersion =
    preview.codeVersionLabel && application.codeOfConductVersionId
      ? { id: application.codeOfConductVersionId, label: preview.codeVersionLabel }
      : undefined;
  return {
    ...confirmationBase(values.action, provider),
    stateChange: {
      fromKey: `application.state.${application.state}`,
      toKey: `application.state.${NEXT_STATE[values.action]}`,
    },
    statusChange:
      preview.statusBefore && preview.statusAfter
        ? statusChange(preview.statusBefore, preview.statusAfter)
        : undefined,
    validUntil: statusEvent?.kind === 'listing_approved' ? statusEvent.validUntil : undefined,
    codeVersionLabel: preview.codeVersionLabel,
    identityBecomesPublic: preview.identityBecomesPublic,
    mailRecipients: preview.mailRecipients,
    publicPreview:
      statusEvent && preview.statusAfter
        ? publicPreview(statusEvent, preview.statusAfter, preview.aanEndsAfter, codeVersion, now)
        : undefined,
    noPublicText: !values.message.trim(),
    formAction: paths.reviewDecision(application.id),
    fields: hidden(values),
  };
}

/** The confirmation page of a status action on a provider (suspend or revoke). */
export function providerActionConfirmation(
  preview: ProviderActionPreview,
  values: { action: ProviderStatusAction; reason: string; until: string },
  now: Date,
) {
  return {
    ...confirmationBase(values.action, preview.provider),
    statusChange: statusChange(preview.statusBefore, preview.statusAfter),
    attestationsShown: true,
    attestations: preview.affectedAttestations.map(attestationView),
    attestationsKey: `review.confirm.attestations.${values.action}`,
    mailRecipients: preview.mailRecipients,
    publicPreview: publicPreview(
      preview.statusEvent,
      preview.statusAfter,
      preview.aanEndsAfter,
      undefined,
      now,
    ),
    noPublicText: !values.reason.trim(),
    formAction: paths.reviewProviderAction(preview.provider.kvkNumber),
    // What the preview was based on goes back with the confirmation, so a status changed since is caught.
    fields: hidden({
      action: values.action,
      reason: values.reason,
      until: values.until,
      basis: preview.basis,
    }),
  };
}

function confirmationBase(action: Confirmed, provider: { legalName: string; kvkNumber: string }) {
  return {
    title: `review.confirm.title.${action}`,
    action,
    headingKey: `review.confirm.heading.${action}`,
    finalKey: `review.confirm.final.${action}`,
    submitKey: `review.confirm.submit.${action}`,
    organisation: provider.legalName,
    kvkNumber: provider.kvkNumber,
  };
}
