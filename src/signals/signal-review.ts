import type { DataSource } from 'typeorm';
import { paths } from '../shared/paths';
import { toLocalDate } from '../shared/time';
import { signalReference } from './signal-terms';
import {
  latestMatchesOf,
  providersWithMatchesCount,
  type ReviewedMatchRow,
  type SignalFiguresOrder,
  type SignalFiguresRow,
  signalFiguresOf,
  signalFiguresPage,
} from './signal-review.queries';

/*
 * Issue 19 §3: reviewers see per provider whether its signal matches were answered within the
 * deadline: counts, signal numbers, categories and dates. Never a signal's content, never which
 * declared reseller matched; the match itself is the provider's to act on.
 */

/** Providers per page of the reviewers' overview. */
export const SIGNAL_REVIEW_PAGE_SIZE = 50;
/**
 * From this many possible matches (a name only) confirmed, a provider's figure is marked for the
 * reviewer: confirming unlocks the police's text, and a provider that declares guessed names and
 * confirms what they bring reads signals about others' resellers (outside tries, F1). A provider
 * with real name-only customers confirms a few; many is worth a look.
 */
export const POSSIBLE_CONFIRMED_NOTABLE = 5;

/** How many of a provider's latest matches its staff page lists. */
export const STAFF_PAGE_MATCHES = 10;

export { signalReference } from './signal-terms';

/** The order the query string asks for (`?sorteer=achterstallig`): overdue first, else by name. */
export function signalFiguresOrder(raw: unknown): SignalFiguresOrder {
  return raw === 'achterstallig' ? 'overdue' : 'name';
}

/** A provider's figures as the pages show them. */
export function figuresView(row: SignalFiguresRow) {
  return {
    legalName: row.legal_name,
    kvkNumber: row.kvk_number,
    url: paths.reviewProvider(row.kvk_number),
    matches: row.matches,
    answeredOnTime: row.answered_on_time,
    answeredLate: row.answered_late,
    open: row.open,
    overdue: row.overdue,
    possibleUndecided: row.possible_undecided,
    possibleConfirmed: row.possible_confirmed,
    possibleConfirmedNotable: row.possible_confirmed >= POSSIBLE_CONFIRMED_NOTABLE,
    declared: row.declared,
    flagged: row.flagged,
  };
}

/** Where a match stands for a reviewer, a key under `reviewSignals.state` in the locales. */
export function matchState(row: ReviewedMatchRow, now: Date): string {
  if (row.dismissed_at) return 'dismissed';
  if (row.first_answered_at) return row.first_answered_at <= row.answer_due_at ? 'onTime' : 'late';
  if (row.withdrawn_at) return 'withdrawn';
  if (row.expires_on < toLocalDate(now)) return 'expired';
  return row.answer_due_at <= now ? 'overdue' : 'open';
}

/** One page of the overview of every provider with a match, in the order asked for. */
export async function signalReviewOverview(
  dataSource: DataSource,
  now: Date,
  order: SignalFiguresOrder,
  requestedPage: number,
) {
  const total = await providersWithMatchesCount(dataSource);
  const pageCount = Math.max(1, Math.ceil(total / SIGNAL_REVIEW_PAGE_SIZE));
  const page = Math.min(Math.max(1, requestedPage), pageCount);
  const rows = await signalFiguresPage(
    dataSource,
    now,
    order,
    (page - 1) * SIGNAL_REVIEW_PAGE_SIZE,
    SIGNAL_REVIEW_PAGE_SIZE,
  );
  return { total, page, pageCount, providers: rows.map(figuresView) };
}

/** The section of a provider's staff page: its figures and latest matches, or undefined when it has none. */
export async function providerSignalSection(dataSource: DataSource, providerId: string, now: Date) {
  const figures = await signalFiguresOf(dataSource, providerId, now);
  if (!figures) return undefined;
  const latest = await latestMatchesOf(dataSource, providerId, STAFF_PAGE_MATCHES);
  return {
    ...figuresView(figures),
    overviewUrl: paths.reviewSignals,
    latest: latest.map((m) => ({
      reference: signalReference(m.signal_number),
      category: m.category,
      kind: m.kind,
      matchedAt: m.matched_at,
      answerDueAt: m.answer_due_at,
      state: matchState(m, now),
    })),
  };
}
