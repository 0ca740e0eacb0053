import type { EntityManager } from 'typeorm';
import {
  reconcileAttestations,
  reconcileStatusEvents,
  type TableReconciliation,
} from './reconciliation.queries';

/**
 * What can be wrong between the register's live tables and the log: an event whose row is gone
 * (`*_missing`), a row no event names (`*_unlogged`), a row that disagrees with its event (`*_altered`).
 */
export const RECONCILIATION_PROBLEMS = [
  'status_event_missing',
  'status_event_unlogged',
  'status_event_altered',
  'attestation_missing',
  'attestation_unlogged',
  'attestation_altered',
] as const;

export type ReconciliationProblem = (typeof RECONCILIATION_PROBLEMS)[number];

/** A disagreement between a live table and the log, as a verification names it. */
export interface RegisterMismatch {
  problem: ReconciliationProblem;
  /**
   * The event concerned; for a row no event names, the newest event of the log (the log up to
   * there does not record it).
   */
  eventId: string;
  /** The row: a status event's id, an attestation's number; null when the count is all that tells. */
  row: string | null;
  /** How many events and rows of that table disagree in all (incremental: among the new events, or the count's difference). */
  count: number;
}

/** How many status events and attestations the log records up to the head a verification vouched for. */
export interface LoggedCounts {
  statusEvents: number;
  attestations: number;
}

type Table = 'status_event' | 'attestation';

/** The first disagreement of one table, or undefined. */
function mismatchOf(table: Table, r: TableReconciliation, head: string): RegisterMismatch | undefined {
  const first = [
    r.missing && { ...r.missing, kind: 'missing' as const },
    r.altered && { ...r.altered, kind: 'altered' as const },
  ]
    .filter((x) => x !== undefined)
    .sort((a, b) => (BigInt(a.eventId) < BigInt(b.eventId) ? -1 : 1))[0];
  if (first)
    return {
      problem: `${table}_${first.kind}`,
      eventId: first.eventId,
      row: first.row,
      count: r.disagreements,
    };
  if (r.unlogged)
    return { problem: `${table}_unlogged`, eventId: head, row: r.unlogged.row, count: r.disagreements };
  return undefined;
}

/**
 * Every status event and attestation against the log (`reconciliation.queries.ts` for the plans),
 * up to head event `head` ('0' for an empty log): the first disagreement, status events first, or
 * the counts the log records up to the head, which an incremental run continues from.
 */
export async function reconcileFully(
  manager: EntityManager,
  head: string,
): Promise<{ mismatch: RegisterMismatch } | { mismatch?: undefined; counts: LoggedCounts }> {
  const status = await reconcileStatusEvents(manager, head);
  const statusMismatch = mismatchOf('status_event', status, head);
  if (statusMismatch) return { mismatch: statusMismatch };
  const attestations = await reconcileAttestations(manager, head);
  const attestationMismatch = mismatchOf('attestation', attestations, head);
  if (attestationMismatch) return { mismatch: attestationMismatch };
  return { counts: { statusEvents: status.logged, attestations: attestations.logged } };
}

/**
 * The rows of the events after the anchor (event `after`), and a count check: the table must hold
 * as many rows as the log records (the anchor's count and the events since). A count that is off
 * is named by the full reconciliation of that table (a row deleted or inserted before the anchor);
 * a deletion and an insertion that cancel out among the rows before the anchor are found only by a
 * full run. Without the anchor's counts (a verification from before they were kept) it is the full
 * reconciliation.
 */
export async function reconcileSince(
  manager: EntityManager,
  head: string,
  anchor: { headId: string; counts: LoggedCounts | null },
): Promise<{ mismatch: RegisterMismatch } | { mismatch?: undefined; counts: LoggedCounts }> {
  if (!anchor.counts) return reconcileFully(manager, head);
  const tables = [
    { table: 'status_event' as const, read: reconcileStatusEvents, before: anchor.counts.statusEvents },
    { table: 'attestation' as const, read: reconcileAttestations, before: anchor.counts.attestations },
  ];
  const logged: number[] = [];
  for (const { table, read, before } of tables) {
    const r = await read(manager, head, anchor.headId);
    const mismatch = mismatchOf(table, r, head);
    if (mismatch) return { mismatch };
    const expected = before + (r.loggedSinceAnchor ?? 0);
    const rows = r.rows ?? expected;
    if (rows !== expected) {
      const full = mismatchOf(table, await read(manager, head), head);
      return {
        mismatch: full ?? {
          problem: rows > expected ? `${table}_unlogged` : `${table}_missing`,
          eventId: head,
          row: null,
          count: Math.abs(rows - expected),
        },
      };
    }
    logged.push(before + r.logged);
  }
  return { counts: { statusEvents: logged[0] ?? 0, attestations: logged[1] ?? 0 } };
}
