import type { DataSource } from 'typeorm';
import { streamQuery } from '../database/stream';
import type { ChainLink } from '../audit/audit-chain';
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

export const AUDIT_PAGE_SIZE = 50;

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

/** An event with its chain fields, and for a provider subject its KvK number (to link to it). */
export interface AuditRow extends ChainLink {
  kvkNumber: string | null;
}

interface Raw {
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

const toRow = (r: Raw): AuditRow => ({
  id: r.id,
  occurredAt: r.occurred_at,
  actor: r.actor,
  action: r.action,
  subjectType: r.subject_type,
  subjectId: r.subject_id,
  data: r.data,
  prevHash: r.prev_hash,
  hash: r.hash,
  kvkNumber: r.kvk_number,
});

/** One page of the audit log, newest first, with the number of matching events. */
export async function browseAudit(dataSource: DataSource, filter: AuditFilter, requestedPage: number) {
  const { sql, params } = where(filter);
  const [{ n }] = (await dataSource.query(
    `SELECT count(*)::int AS n FROM audit_events e ${sql}`,
    params,
  )) as {
    n: number;
  }[];
  const pageCount = Math.max(1, Math.ceil(n / AUDIT_PAGE_SIZE));
  const page = Math.min(Math.max(1, requestedPage), pageCount);
  const rows = (await dataSource.query(
    `${SELECT} ${sql} ORDER BY e.id DESC LIMIT ${AUDIT_PAGE_SIZE} OFFSET ${(page - 1) * AUDIT_PAGE_SIZE}`,
    params,
  )) as Raw[];
  return { rows: rows.map(toRow), total: n, page, pageCount };
}

/** The matching events in chain order (oldest first), streamed from a cursor, for the exports. */
export async function streamAudit(dataSource: DataSource, filter: AuditFilter) {
  const { sql, params } = where(filter);
  return streamQuery(dataSource, `${SELECT} ${sql} ORDER BY e.id ASC`, params, toRow);
}

/** An event as the exports give it: every field of the chain, so that anyone can recompute the hashes. */
export function exportRecord(row: AuditRow) {
  return {
    id: row.id,
    occurredAt: row.occurredAt.toISOString(),
    actor: row.actor,
    action: row.action,
    subjectType: row.subjectType,
    subjectId: row.subjectId,
    data: row.data,
    prevHash: row.prevHash,
    hash: row.hash,
  };
}
