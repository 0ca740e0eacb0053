import type { DataSource } from 'typeorm';
import { streamQuery } from '../database/stream';
import { endOfLocalDay, startOfLocalDay } from '../shared/time';

/** What an auditor can narrow the log to; every part is optional. Dates are Dutch calendar days. */
export interface AuditFilter {
  /** Part of the actor (an e-mail address or a system actor), case-insensitive. */
  actor?: string;
  /** The start of the action, e.g. `status.` or `attestation.issued`. */
  action?: string;
  subjectType?: string;
  subjectId?: string;
  /** First and last day, inclusive. */
  from?: string;
  to?: string;
}

function where(filter: AuditFilter): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const conditions: string[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const like = (value: string) => value.replace(/[%_\\]/g, '\\$&');
  if (filter.actor) conditions.push(`e.actor ILIKE ${param(`%${like(filter.actor)}%`)}`);
  if (filter.action) conditions.push(`e.action LIKE ${param(`${like(filter.action)}%`)}`);
  if (filter.subjectType) conditions.push(`e.subject_type = ${param(filter.subjectType)}`);
  if (filter.subjectId) conditions.push(`e.subject_id = ${param(filter.subjectId)}`);
  if (filter.from) conditions.push(`e.occurred_at >= ${param(startOfLocalDay(filter.from))}`);
  if (filter.to) conditions.push(`e.occurred_at <= ${param(endOfLocalDay(filter.to))}`);
  return { sql: conditions.length ? `WHERE ${conditions.join(' AND ')}` : '', params };
}

export interface AuditEventRow {
  id: string;
  occurred_at: Date;
  actor: string;
  action: string;
  subject_type: string;
  subject_id: string;
  data: Record<string, unknown>;
  prev_hash: string;
  hash: string;
  kvk_number: string | null;
}

const SELECT = `SELECT e.id::text AS id, e.occurred_at, e.actor, e.action, e.subject_type, e.subject_id, e.data,
         e.prev_hash, e.hash, p.kvk_number
    FROM audit_events e
    LEFT JOIN providers p ON e.subject_type = 'provider' AND p.id::text = e.subject_id`;

/** How many events match the filter. */
export async function countAuditEvents(dataSource: DataSource, filter: AuditFilter): Promise<number> {
  const { sql, params } = where(filter);
  const [row] = await dataSource.query<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM audit_events e ${sql}`,
    params,
  );
  return row?.n ?? 0;
}

/** The matching events newest first, `limit` of them after skipping `offset`. */
export function auditEventPage(
  dataSource: DataSource,
  filter: AuditFilter,
  limit: number,
  offset: number,
): Promise<AuditEventRow[]> {
  const { sql, params } = where(filter);
  return dataSource.query<AuditEventRow[]>(
    `${SELECT} ${sql} ORDER BY e.id DESC LIMIT ${limit} OFFSET ${offset}`,
    params,
  );
}

/** The matching events in chain order (oldest first), each through `map`, from a cursor. */
export function streamAuditEvents<T>(
  dataSource: DataSource,
  filter: AuditFilter,
  map: (row: AuditEventRow) => T,
) {
  const { sql, params } = where(filter);
  return streamQuery(dataSource, `${SELECT} ${sql} ORDER BY e.id ASC`, params, map);
}
