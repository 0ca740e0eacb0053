import { startOfLocalDay } from '../shared/time';
import type { StatusFact } from '../status/status-rules';
import type { AanRow } from './aan-list';

/*
 * What one row of the AAN participant list means for one provider with a listing: pure, over the
 * provider's recorded history, with no clock. A list is a snapshot the register cannot date by
 * itself, so an older list may arrive after a newer one; the rules therefore only add what the
 * history does not already say, and never let a list undo something recorded later than what the
 * list knows:
 *
 * - an end is recorded only where the history has the participation active, and only after the
 *   last recorded resumption and after the listing's AAN-since (which a reviewer checked);
 * - a resumption is recorded only when participation ended and the list's `deelname_sinds` lies at
 *   or after that end (a list that shows no end at all predates it, or contradicts it: a task);
 * - dates in the future are recorded too, effective at that instant, so the rules count them from
 *   then on (as they do a suspension's planned end), without anyone acting.
 *
 * Applying a plan makes the same row plan nothing: importing a list twice changes nothing.
 */

export type AanEventKind = 'aan_participation_ended' | 'aan_participation_resumed';

/** Why the list and the register disagree in a way only a person can settle. */
export type AanDifference =
  /** The list has the provider participating only since a day after its listing's AAN-since. */
  | 'since_later'
  /** The list ends participation on or before the listing's AAN-since. */
  | 'end_before_since'
  /** The list shows participation without the end the register recorded. */
  | 'end_not_on_list';

export type AanTask =
  { kind: 'aan_missing_from_list' } | { kind: 'aan_list_differs'; difference: AanDifference };

export interface AanPlan {
  event?: { kind: AanEventKind; effectiveAt: Date };
  task?: AanTask;
}

const isAanEvent = (e: StatusFact): boolean =>
  e.kind === 'aan_participation_ended' || e.kind === 'aan_participation_resumed';

/** The AAN events that count for a listing whose participation counts from `aanSince`, in the rules' order. */
export function aanEvents(history: readonly StatusFact[], aanSince: Date): StatusFact[] {
  return history
    .filter((e) => isAanEvent(e) && e.effectiveAt.getTime() >= aanSince.getTime())
    .sort((a, b) => a.effectiveAt.getTime() - b.effectiveAt.getTime() || a.sequence - b.sequence);
}

/** Whether participation has ended at `t` by these events (as the status rules read them). */
export function aanEndedAt(events: readonly StatusFact[], t: Date): boolean {
  let ended = false;
  for (const e of events)
    if (e.effectiveAt.getTime() <= t.getTime()) ended = e.kind === 'aan_participation_ended';
  return ended;
}

/**
 * The plan for one provider with a listing whose AAN participation counts from `aanSince`: its row
 * on the list, or undefined when it is missing from the list.
 */
export function planAanChange(
  row: AanRow | undefined,
  history: readonly StatusFact[],
  aanSince: Date,
): AanPlan {
  if (!row) return { task: { kind: 'aan_missing_from_list' } };
  const events = aanEvents(history, aanSince);
  const since = startOfLocalDay(row.since);
  const plan: AanPlan = {};
  if (row.until) {
    const end = startOfLocalDay(row.until);
    if (end.getTime() <= aanSince.getTime())
      return { task: { kind: 'aan_list_differs', difference: 'end_before_since' } };
    const lastResumption = events.findLast((e) => e.kind === 'aan_participation_resumed');
    const afterResumption = !lastResumption || end.getTime() > lastResumption.effectiveAt.getTime();
    if (!aanEndedAt(events, end) && afterResumption)
      plan.event = { kind: 'aan_participation_ended', effectiveAt: end };
  } else {
    const last = events.at(-1);
    if (last?.kind === 'aan_participation_ended') {
      if (since.getTime() < last.effectiveAt.getTime())
        return { task: { kind: 'aan_list_differs', difference: 'end_not_on_list' } };
      plan.event = { kind: 'aan_participation_resumed', effectiveAt: since };
    }
  }
  const gapExplained = events.some(
    (e) => e.kind === 'aan_participation_ended' && e.effectiveAt.getTime() <= since.getTime(),
  );
  if (since.getTime() > aanSince.getTime() && !gapExplained)
    plan.task = { kind: 'aan_list_differs', difference: 'since_later' };
  return plan;
}

/**
 * Whether a list that lacks `missing` of the `listed` providers with a listing is probably cut
 * short (an export that stopped, a filter left on): it lacks more than a third of them, and at
 * least two. Such a list is refused unless an administrator confirms it is complete, so that one
 * truncated file does not open a review task for most of the register.
 */
export function looksIncomplete(missing: number, listed: number): boolean {
  return missing >= 2 && missing * 3 > listed;
}
