import type { EntityManager } from 'typeorm';
import type { ChainProblem } from './chain-problems';
import type { LoggedCounts } from './reconciliation';

/** The advisory lock that serialises appends, so that every event's predecessor is the one before it. */
const CHAIN_LOCK = 7_306_117_001;

/** Waits for the chain's lock, held until the caller's transaction ends. */
export async function lockAuditChain(manager: EntityManager): Promise<void> {
  await manager.query('SELECT pg_advisory_xact_lock($1)', [CHAIN_LOCK]);
}

/** The hash of the newest event, or undefined while the log is empty. */
export async function lastAuditHash(manager: EntityManager): Promise<string | undefined> {
  const [last] = await manager.query<{ hash: string }[]>(
    'SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1',
  );
  return last?.hash;
}

/** Reserves `count` event ids from the sequence, in ascending order (bigints as text). */
export async function reserveAuditEventIds(manager: EntityManager, count: number): Promise<string[]> {
  const rows = await manager.query<{ id: string }[]>(
    "SELECT nextval('audit_events_id_seq')::text AS id FROM generate_series(1, $1)",
    [count],
  );
  return rows.map((r) => r.id).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
}

/** What an earlier verification of the chain vouched for (a row of audit_verifications). */
export interface VerificationAnchor {
  verificationId: string;
  verifiedAt: Date;
  verifiedBy: string;
  mode: 'full' | 'incremental';
  /** The newest event it checked, and that event's hash then. */
  headId: string;
  headHash: string;
  /** How many events the log held up to and including that event. */
  eventCount: number;
  /** How many status events and attestations it recorded up to that event; null for a verification from before they were kept. */
  counts: LoggedCounts | null;
}

const ANCHOR_COLUMNS = `v.id::text AS "verificationId", v.verified_at AS "verifiedAt", v.verified_by AS "verifiedBy",
  v.mode, v.head_event_id::text AS "headId", v.head_hash AS "headHash", v.event_count::float8 AS "eventCount",
  CASE WHEN v.status_event_count IS NOT NULL THEN jsonb_build_object('statusEvents', v.status_event_count::float8,
    'attestations', v.attestation_count::float8) END AS counts`;

/** The newest verification that found the chain intact, or undefined when there was none. */
export async function latestAuditVerification(
  manager: EntityManager,
): Promise<VerificationAnchor | undefined> {
  const [anchor] = await manager.query<VerificationAnchor[]>(
    `SELECT ${ANCHOR_COLUMNS} FROM audit_verifications v WHERE v.problem IS NULL ORDER BY v.id DESC LIMIT 1`,
  );
  return anchor;
}

/** A verification that found the chain broken (a row of audit_verifications with a problem). */
export interface RecordedBreak {
  verifiedAt: Date;
  verifiedBy: string;
  mode: 'full' | 'incremental';
  /** The event the break was found at, and what was wrong. */
  eventId: string;
  problem: ChainProblem;
}

/**
 * The oldest break recorded since the newest intact full verification (or ever, when there was
 * none), or undefined when there is none: until a full run finds the log intact again, the log is
 * known to be broken.
 */
export async function standingAuditBreak(manager: EntityManager): Promise<RecordedBreak | undefined> {
  const [recorded] = await manager.query<RecordedBreak[]>(
    `SELECT v.verified_at AS "verifiedAt", v.verified_by AS "verifiedBy", v.mode,
            v.broken_event_id::text AS "eventId", v.problem
       FROM audit_verifications v
      WHERE v.problem IS NOT NULL
        AND v.id > COALESCE((SELECT max(f.id) FROM audit_verifications f WHERE f.problem IS NULL AND f.mode = 'full'), 0)
      ORDER BY v.id LIMIT 1`,
  );
  return recorded;
}

/**
 * The oldest verification whose event is gone or carries another hash than the one it vouched for
 * (`missing` tells which), or undefined when every earlier verification still agrees with the log.
 * One primary-key lookup per verification ever recorded.
 */
export async function disagreeingAuditVerification(
  manager: EntityManager,
): Promise<(VerificationAnchor & { missing: boolean }) | undefined> {
  const [anchor] = await manager.query<(VerificationAnchor & { missing: boolean })[]>(
    `SELECT ${ANCHOR_COLUMNS}, e.id IS NULL AS missing
       FROM audit_verifications v LEFT JOIN audit_events e ON e.id = v.head_event_id
      WHERE v.problem IS NULL AND (e.id IS NULL OR e.hash <> v.head_hash)
      ORDER BY v.head_event_id, v.id LIMIT 1`,
  );
  return anchor;
}

/** Records what a verification that found the chain broken found: the event and the problem. */
export async function insertAuditBreak(
  manager: EntityManager,
  row: RecordedBreak & { fromEventId: string | null; checked: number; milliseconds: number },
): Promise<void> {
  await manager.query(
    `INSERT INTO audit_verifications
       (verified_at, verified_by, mode, from_event_id, broken_event_id, problem, checked, milliseconds)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      row.verifiedAt,
      row.verifiedBy,
      row.mode,
      row.fromEventId,
      row.eventId,
      row.problem,
      row.checked,
      row.milliseconds,
    ],
  );
}

/** Records what a verification that found the chain intact vouched for. */
export async function insertAuditVerification(
  manager: EntityManager,
  row: {
    verifiedAt: Date;
    verifiedBy: string;
    mode: 'full' | 'incremental';
    fromEventId: string | null;
    headId: string;
    headHash: string;
    eventCount: number;
    counts: LoggedCounts | null;
    checked: number;
    milliseconds: number;
  },
): Promise<void> {
  await manager.query(
    `INSERT INTO audit_verifications
       (verified_at, verified_by, mode, from_event_id, head_event_id, head_hash, event_count, checked, milliseconds,
        status_event_count, attestation_count)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [
      row.verifiedAt,
      row.verifiedBy,
      row.mode,
      row.fromEventId,
      row.headId,
      row.headHash,
      row.eventCount,
      row.checked,
      row.milliseconds,
      row.counts?.statusEvents ?? null,
      row.counts?.attestations ?? null,
    ],
  );
}

/** Stores events' personal details beside the log (same transaction as the events). */
export async function insertPersonalData(
  manager: EntityManager,
  rows: readonly { eventId: string; data: Record<string, unknown>; salt: Buffer }[],
): Promise<void> {
  if (rows.length === 0) return;
  await manager.query(
    `INSERT INTO audit_personal_data (event_id, data, salt)
     SELECT * FROM unnest($1::bigint[], $2::jsonb[], $3::bytea[])`,
    [rows.map((r) => r.eventId), rows.map((r) => JSON.stringify(r.data)), rows.map((r) => r.salt)],
  );
}
