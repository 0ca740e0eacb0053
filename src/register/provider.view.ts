import type { StatusEvent } from '../status/status-event.entity';
import type { ProviderDetail } from './provider.service';
import type { StatusAt } from '../status/status-rules';
import type { CodeOfConductVersion } from '../status/code-of-conduct-version.entity';

/** What a page needs to show a status: translation keys and dates, no logic left for the template. */
export interface StatusView {
  verantwoord: boolean;
  code: string;
  labelKey: string;
  explanationKey: string;
  since?: Date;
  until?: Date;
  validUntil?: Date;
  reasonText?: string | null;
  /** A recorded end of AAN participation still to come. */
  aanEndsAt?: Date;
}

export function statusView(status: StatusAt, causeReason?: string | null, aanEndsAt?: Date): StatusView {
  if (status.verantwoord) {
    return {
      verantwoord: true,
      code: 'verantwoord',
      labelKey: 'status.label.verantwoord',
      explanationKey: 'status.explanation.verantwoord',
      since: status.since,
      validUntil: status.listing.validUntil,
      aanEndsAt,
    };
  }
  return {
    verantwoord: false,
    code: status.reason,
    labelKey: `status.label.${status.reason}`,
    explanationKey: `status.explanation.${status.reason}`,
    since: status.since,
    until: status.until,
    validUntil: status.listing?.validUntil,
    reasonText: causeReason,
    aanEndsAt,
  };
}

/**
 * The words a person gave for the event that brought the current reason about (a suspension's, a
 * revocation's, a rejection's), when one did.
 */
export function causeReason({ status, history }: Pick<ProviderDetail, 'status' | 'history'>): string | null {
  const cause = status.verantwoord ? undefined : status.cause;
  return (cause && history.find((e) => Number(e.id) === cause.sequence)?.reason) ?? null;
}

export interface HistoryRow {
  id: string;
  effectiveAt: Date;
  recordedAt: Date;
  kindKey: string;
  reason: string | null;
  validUntil: Date | null;
  suspendedUntil: Date | null;
  codeOfConductLabel?: string;
  aanSince: Date | null;
  /** Recorded, but taking effect after now (a list's future end of AAN participation). */
  planned: boolean;
}

/** Kinds that read differently when they are still to come ("AAN participation ends"). */
const PLANNED_KINDS: readonly string[] = ['aan_participation_ended', 'aan_participation_resumed'];

/** What a history row shows of a status event: a recorded one, or one a confirmation page previews. */
export type HistoryEventFields = Pick<
  StatusEvent,
  | 'id'
  | 'effectiveAt'
  | 'recordedAt'
  | 'kind'
  | 'reason'
  | 'validUntil'
  | 'suspendedUntil'
  | 'codeOfConductVersionId'
  | 'aanSince'
>;

export function historyRows(
  history: readonly HistoryEventFields[],
  versions: readonly Pick<CodeOfConductVersion, 'id' | 'label'>[],
  now: Date,
): HistoryRow[] {
  const labels = new Map(versions.map((v) => [v.id, v.label]));
  return history.map((e) => {
    const planned = e.effectiveAt.getTime() > now.getTime();
    return {
      id: e.id,
      effectiveAt: e.effectiveAt,
      recordedAt: e.recordedAt,
      planned,
      kindKey:
        planned && PLANNED_KINDS.includes(e.kind)
          ? `statusEvent.planned.${e.kind}`
          : `statusEvent.kind.${e.kind}`,
      reason: e.reason,
      validUntil: e.validUntil,
      suspendedUntil: e.suspendedUntil,
      codeOfConductLabel: e.codeOfConductVersionId ? labels.get(e.codeOfConductVersionId) : undefined,
      aanSince: e.aanSince,
    };
  });
}

/** The badge of a stored status code (from the snapshot), for lists. */
export function snapshotView(code: string): Pick<StatusView, 'verantwoord' | 'code' | 'labelKey'> {
  return { verantwoord: code === 'verantwoord', code, labelKey: `status.label.${code}` };
}
