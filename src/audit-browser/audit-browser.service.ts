import type { DataSource } from 'typeorm';
import type { ChainLink } from '../audit/audit-chain';
import {
  type AuditEventRow,
  type AuditFilter,
  auditEventPage,
  countAuditEvents,
  streamAuditEvents,
} from './audit-browser.queries';

export type { AuditFilter };

export const AUDIT_PAGE_SIZE = 50;

/** An event with its chain fields, and for a provider subject its KvK number (to link to it). */
export interface AuditRow extends ChainLink {
  kvkNumber: string | null;
}

const toRow = (r: AuditEventRow): AuditRow => ({
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
  const n = await countAuditEvents(dataSource, filter);
  const pageCount = Math.max(1, Math.ceil(n / AUDIT_PAGE_SIZE));
  const page = Math.min(Math.max(1, requestedPage), pageCount);
  const rows = await auditEventPage(dataSource, filter, AUDIT_PAGE_SIZE, (page - 1) * AUDIT_PAGE_SIZE);
  return { rows: rows.map(toRow), total: n, page, pageCount };
}

/** The matching events in chain order (oldest first), streamed from a cursor, for the exports. */
export async function streamAudit(dataSource: DataSource, filter: AuditFilter) {
  return streamAuditEvents(dataSource, filter, toRow);
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
