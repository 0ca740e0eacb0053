/*
 * Issue 19 §3: what a signal supplier learns of its signals. Aggregate figures only, each below the
 * threshold shown as "fewer than N" (zero too: "none" would tell as much as a number), and the
 * matches a provider chose to share, one by one. Nothing else about a provider, ever.
 */
import type { EntityManager } from 'typeorm';

import { MATCH_ACTIONS, type MatchAction } from './signal-terms';

/** What a provider did about a match: the actions the aggregates count, in the order they show. */
export const SIGNAL_ACTIONS = MATCH_ACTIONS;
export type SignalAction = MatchAction;

/** One match of a signal, as the aggregates read it (never shown to the supplier as such). */
export interface MatchFacts {
  providerId: string;
  kind: 'exact' | 'possible';
  confirmedAt: Date | null;
  dismissedAt: Date | null;
  matchedAt: Date;
  action: SignalAction | null;
  firstAnsweredAt: Date | null;
}

/** A figure as the supplier may see it: the number, or only that it is below the threshold. */
export type Figure = { shown: true; value: number } | { shown: false; below: number };

export interface SignalAggregate {
  /** Providers with a match that counts (exact, or possible and confirmed). */
  providers: Figure;
  /** Of those, providers that answered. */
  answered: Figure;
  /** Per action, providers whose answer in force is it. */
  actions: { action: SignalAction; providers: Figure }[];
  /** Median whole days from match to first answer; undefined when fewer than the threshold answered. */
  medianDays: number | undefined;
}

/** A count as the supplier may see it. */
export function figure(count: number, threshold: number): Figure {
  return count >= threshold ? { shown: true, value: count } : { shown: false, below: threshold };
}

/** Whether a match counts: exact, or possible and confirmed by the provider (a dismissed or undecided one does not). */
export function matchCounts(match: Pick<MatchFacts, 'kind' | 'confirmedAt' | 'dismissedAt'>): boolean {
  return match.kind === 'exact' || (match.confirmedAt !== null && match.dismissedAt === null);
}

const DAY_MS = 24 * 3600 * 1000;

/** The median of numbers (the mean of the middle two for an even count). */
export function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * The aggregate figures of one signal from its matches. A provider with several matching resellers
 * counts once: it answered when any of its counting matches did, its action is that of its match
 * answered last, and its days are those of its first answer.
 */
export function aggregateSignal(matches: MatchFacts[], threshold: number): SignalAggregate {
  const perProvider = new Map<
    string,
    { answeredAt?: Date; matchedAt: Date; action?: SignalAction; last?: Date }
  >();
  for (const match of matches.filter(matchCounts)) {
    const entry = perProvider.get(match.providerId) ?? { matchedAt: match.matchedAt };
    if (match.firstAnsweredAt && (!entry.answeredAt || match.firstAnsweredAt < entry.answeredAt)) {
      entry.answeredAt = match.firstAnsweredAt;
      entry.matchedAt = match.matchedAt;
    }
    if (match.action && match.firstAnsweredAt && (!entry.last || match.firstAnsweredAt >= entry.last)) {
      entry.action = match.action;
      entry.last = match.firstAnsweredAt;
    }
    perProvider.set(match.providerId, entry);
  }
  const providers = [...perProvider.values()];
  const answered = providers.filter((p) => p.answeredAt);
  const days = answered.map((p) => Math.max(0, (p.answeredAt!.getTime() - p.matchedAt.getTime()) / DAY_MS));
  const middle = median(days);
  return {
    providers: figure(providers.length, threshold),
    answered: figure(answered.length, threshold),
    actions: SIGNAL_ACTIONS.map((action) => ({
      action,
      providers: figure(providers.filter((p) => p.action === action).length, threshold),
    })),
    medianDays:
      answered.length >= threshold && middle !== undefined ? Math.round(middle * 10) / 10 : undefined,
  };
}

/** A match its provider shared with the supplier: who, which of its customers (its reference) and what it did. */
export interface SharedMatch {
  signalId: string;
  providerName: string;
  reference: string;
  action: SignalAction | null;
  note: string;
}

/**
 * The aggregates of a page of signals (one query for the matches, one for the shared ones, not one
 * per signal), keyed by signal id; a signal without matches has its aggregate too.
 */
export async function signalAggregates(
  manager: EntityManager,
  signalIds: string[],
  threshold: number,
): Promise<Map<string, { aggregate: SignalAggregate; shared: SharedMatch[] }>> {
  const rows =
    signalIds.length === 0
      ? []
      : await manager.query<(MatchFacts & { signalId: string })[]>(
          `SELECT signal_id AS "signalId", provider_id AS "providerId", kind,
                  confirmed_at AS "confirmedAt", dismissed_at AS "dismissedAt", matched_at AS "matchedAt",
                  action, first_answered_at AS "firstAnsweredAt"
             FROM signal_matches WHERE signal_id = ANY($1::uuid[])`,
          [signalIds],
        );
  const shared =
    signalIds.length === 0
      ? []
      : await manager.query<SharedMatch[]>(
          `SELECT m.signal_id AS "signalId", p.legal_name AS "providerName", r.reference, m.action,
                  coalesce((SELECT a.note FROM signal_match_answers a WHERE a.signal_match_id = m.id
                             ORDER BY a.id DESC LIMIT 1), '') AS note
             FROM signal_matches m
             JOIN providers p ON p.id = m.provider_id
             JOIN declared_resellers r ON r.id = m.declared_reseller_id
            WHERE m.signal_id = ANY($1::uuid[]) AND m.shared_at IS NOT NULL AND m.dismissed_at IS NULL
            ORDER BY lower(p.legal_name), r.reference`,
          [signalIds],
        );
  return new Map(
    signalIds.map((id) => [
      id,
      {
        aggregate: aggregateSignal(
          rows.filter((r) => r.signalId === id),
          threshold,
        ),
        shared: shared.filter((s) => s.signalId === id),
      },
    ]),
  );
}
