import type { EntityManager } from 'typeorm';

/**
 * The register's live tables against the audit log: every status_events row must be named by one
 * `status.<kind>` event (data.statusEventId) and every attestations row by one `attestation.issued`
 * event (subject_id), and row and event must agree on every field both hold.
 *
 * Each check is ONE statement over one snapshot, no per-row round trip:
 * - full: a hash FULL JOIN of the log's status (attestation) events, read by one sequential scan of
 *   audit_events filtered on the action, with one sequential scan of status_events (attestations;
 *   its PDFs sit in TOAST and are not read), folded by one aggregate into the counts and the first
 *   disagreement. At 1,000,000 providers (some 5 million status events, 10 million+ audit events)
 *   that is two sequential scans and a hash join that spills to disk in batches beyond work_mem:
 *   in proportion to the log, as the full chain walk already is.
 * - incremental: the events after the anchor, by a primary-key range scan of audit_events, each
 *   joined to its row by a primary-key lookup (nested loop), plus `count(*)` of the table (an index
 *   only scan): in proportion to the new events, and one count.
 * A value the log holds that is not an id (an insider's edit) never makes a cast fail: it matches no row.
 */

/** The status_events id an event names, or NULL. */
const STATUS_ROW_ID = `CASE WHEN e.data->>'statusEventId' ~ '^[0-9]{1,18}$' THEN (e.data->>'statusEventId')::bigint END`;

/** The attestation id an event names, or NULL. */
const ATTESTATION_ROW_ID = `CASE WHEN e.subject_id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN e.subject_id::uuid END`;

/** An instant as JavaScript's toISOString writes it (how the log holds it), to compare as text. */
const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * Row s and event e (its data) disagree on a field both hold. recorded_at is the event's
 * occurred_at: the row and its event are written with the same instant.
 */
const STATUS_DISAGREES = `(
     s.kind IS DISTINCT FROM substr(e.action, 8)
  OR s.provider_id::text IS DISTINCT FROM e.subject_id
  OR ${iso('s.effective_at')} IS DISTINCT FROM e.data->>'effectiveAt'
  OR s.recorded_at IS DISTINCT FROM e.occurred_at
  OR s.reason IS DISTINCT FROM e.data->>'reason'
  OR ${iso('s.valid_until')} IS DISTINCT FROM e.data->>'validUntil'
  OR ${iso('s.suspended_until')} IS DISTINCT FROM e.data->>'suspendedUntil'
  OR ${iso('s.aan_since')} IS DISTINCT FROM e.data->>'aanSince'
  OR to_char(s.code_signed_on, 'YYYY-MM-DD') IS DISTINCT FROM e.data->>'codeSignedOn'
  OR s.code_of_conduct_version_id::text IS DISTINCT FROM e.data->>'codeOfConductVersionId'
  OR s.application_id::text IS DISTINCT FROM e.data->>'applicationId')`;

/** Attestation a and its issue event e disagree on a field both hold (issued_at is the event's occurred_at). */
const ATTESTATION_DISAGREES = `(
     a.number IS DISTINCT FROM e.data->>'number'
  OR a.provider_id::text IS DISTINCT FROM e.data->>'providerId'
  OR a.pdf_sha256::text IS DISTINCT FROM e.data->>'pdfSha256'
  OR a.fingerprint::text IS DISTINCT FROM e.data->>'fingerprint'
  OR ${iso('a.valid_until')} IS DISTINCT FROM e.data->>'validUntil'
  OR a.issued_at IS DISTINCT FROM e.occurred_at)`;

export interface TableReconciliation {
  /** The table's events in the log up to and including the head (full), or after the anchor up to the head (incremental). */
  logged: number;
  /** Incremental: the table's events after the anchor, the head or not, and the rows the table holds now. */
  loggedSinceAnchor?: number;
  rows?: number;
  /** The first event (by id) whose row is gone, and the id of that row as the event names it. */
  missing?: { eventId: string; row: string | null };
  /** The first event (by id) whose row disagrees with it. */
  altered?: { eventId: string; row: string };
  /** The first row no event names (full only). */
  unlogged?: { row: string };
  /** How many events and rows disagree in all. */
  disagreements: number;
}

interface Aggregate {
  logged: number;
  loggedSinceAnchor: number | null;
  rows: number | null;
  missing: string[] | null;
  altered: string[] | null;
  unlogged: string | null;
  disagreements: number;
}

function answer(row: Aggregate | undefined): TableReconciliation {
  if (!row) throw new Error('an aggregate answers one row');
  const pair = (v: string[] | null) => (v ? { eventId: v[0] ?? '', row: v[1] ?? null } : undefined);
  const missing = pair(row.missing);
  const altered = pair(row.altered);
  return {
    logged: row.logged,
    ...(row.loggedSinceAnchor !== null ? { loggedSinceAnchor: row.loggedSinceAnchor } : {}),
    ...(row.rows !== null ? { rows: row.rows } : {}),
    ...(missing ? { missing } : {}),
    ...(altered ? { altered: { eventId: altered.eventId, row: altered.row ?? '' } } : {}),
    ...(row.unlogged !== null ? { unlogged: { row: row.unlogged } } : {}),
    disagreements: row.disagreements,
  };
}

/**
 * The status events: full (every event and row) when `after` is undefined, else the events after
 * event `after` and the count of rows. `head` bounds what `logged` counts.
 */
export async function reconcileStatusEvents(
  manager: EntityManager,
  head: string,
  after?: string,
): Promise<TableReconciliation> {
  // Event ids as text pairs with the row id; min() over text[] would sort "10" before "9": padded.
  const key = `ARRAY[lpad(e.id::text, 20, '0'), ${STATUS_ROW_ID}::text]`;
  const sql =
    after === undefined
      ? `SELECT count(e.id) FILTER (WHERE e.id <= $1)::float8 AS logged, NULL AS "loggedSinceAnchor", NULL AS rows,
                min(${key}) FILTER (WHERE e.id IS NOT NULL AND s.id IS NULL) AS missing,
                min(${key}) FILTER (WHERE e.id IS NOT NULL AND s.id IS NOT NULL AND ${STATUS_DISAGREES}) AS altered,
                (min(s.id) FILTER (WHERE e.id IS NULL))::text AS unlogged,
                count(*) FILTER (WHERE e.id IS NULL OR s.id IS NULL OR ${STATUS_DISAGREES})::float8 AS disagreements
           FROM (SELECT * FROM audit_events e WHERE e.action LIKE 'status.%') e
           FULL JOIN status_events s ON s.id = ${STATUS_ROW_ID}`
      : `SELECT count(*) FILTER (WHERE e.id <= $1)::float8 AS logged, count(*)::float8 AS "loggedSinceAnchor",
                (SELECT count(*) FROM status_events)::float8 AS rows,
                min(${key}) FILTER (WHERE s.id IS NULL) AS missing,
                min(${key}) FILTER (WHERE s.id IS NOT NULL AND ${STATUS_DISAGREES}) AS altered,
                NULL AS unlogged,
                count(*) FILTER (WHERE s.id IS NULL OR ${STATUS_DISAGREES})::float8 AS disagreements
           FROM audit_events e LEFT JOIN status_events s ON s.id = ${STATUS_ROW_ID}
          WHERE e.id > $2 AND e.action LIKE 'status.%'`;
  const [row] = await manager.query<Aggregate[]>(sql, after === undefined ? [head] : [head, after]);
  return unpad(answer(row));
}

/** The attestations, as `reconcileStatusEvents`; a row is named by its number. */
export async function reconcileAttestations(
  manager: EntityManager,
  head: string,
  after?: string,
): Promise<TableReconciliation> {
  const key = `ARRAY[lpad(e.id::text, 20, '0'), coalesce(a.number, e.data->>'number')]`;
  const sql =
    after === undefined
      ? `SELECT count(e.id) FILTER (WHERE e.id <= $1)::float8 AS logged, NULL AS "loggedSinceAnchor", NULL AS rows,
                min(${key}) FILTER (WHERE e.id IS NOT NULL AND a.id IS NULL) AS missing,
                min(${key}) FILTER (WHERE e.id IS NOT NULL AND a.id IS NOT NULL AND ${ATTESTATION_DISAGREES}) AS altered,
                min(a.number) FILTER (WHERE e.id IS NULL) AS unlogged,
                count(*) FILTER (WHERE e.id IS NULL OR a.id IS NULL OR ${ATTESTATION_DISAGREES})::float8 AS disagreements
           FROM (SELECT * FROM audit_events e WHERE e.action = 'attestation.issued') e
           FULL JOIN attestations a ON a.id = ${ATTESTATION_ROW_ID}`
      : `SELECT count(*) FILTER (WHERE e.id <= $1)::float8 AS logged, count(*)::float8 AS "loggedSinceAnchor",
                (SELECT count(*) FROM attestations)::float8 AS rows,
                min(${key}) FILTER (WHERE a.id IS NULL) AS missing,
                min(${key}) FILTER (WHERE a.id IS NOT NULL AND ${ATTESTATION_DISAGREES}) AS altered,
                NULL AS unlogged,
                count(*) FILTER (WHERE a.id IS NULL OR ${ATTESTATION_DISAGREES})::float8 AS disagreements
           FROM audit_events e LEFT JOIN attestations a ON a.id = ${ATTESTATION_ROW_ID}
          WHERE e.id > $2 AND e.action = 'attestation.issued'`;
  const [row] = await manager.query<Aggregate[]>(sql, after === undefined ? [head] : [head, after]);
  return unpad(answer(row));
}

/** The event ids came padded (to order them as numbers): without the zeros. */
function unpad(r: TableReconciliation): TableReconciliation {
  const id = (padded: string) => padded.replace(/^0+(?=.)/, '');
  return {
    ...r,
    ...(r.missing ? { missing: { ...r.missing, eventId: id(r.missing.eventId) } } : {}),
    ...(r.altered ? { altered: { ...r.altered, eventId: id(r.altered.eventId) } } : {}),
  };
}
