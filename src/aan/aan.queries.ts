import { actorNameSql } from '../audit/people.queries';
import type { DataSource, EntityManager } from 'typeorm';

export interface ProviderKeyRow {
  id: string;
  kvk_number: string;
  legal_name: string;
}

/** Every provider's id, KvK number and name, by KvK number. */
export function allProviderKeys(manager: EntityManager): Promise<ProviderKeyRow[]> {
  return manager.query<ProviderKeyRow[]>(
    'SELECT id, kvk_number, legal_name FROM providers ORDER BY kvk_number',
  );
}

/** Records an import (its counts follow when it is done); answers its id. */
export async function insertAanImport(
  manager: EntityManager,
  fileSha256: string,
  importedAt: Date,
  actor: string,
): Promise<string> {
  const [row] = await manager.query<{ id: string }[]>(
    `INSERT INTO aan_imports (file_sha256, imported_at, actor, counts) VALUES ($1, $2, $3, '{}') RETURNING id`,
    [fileSha256, importedAt, actor],
  );
  if (!row) throw new Error('INSERT … RETURNING gave no row');
  return row.id;
}

export async function setAanImportCounts(
  manager: EntityManager,
  importId: string,
  counts: Record<string, number>,
): Promise<void> {
  await manager.query('UPDATE aan_imports SET counts = $2 WHERE id = $1', [importId, JSON.stringify(counts)]);
}

export interface OpenReviewTaskRow {
  id: string;
  provider_id: string;
  kind: string;
  detail: Record<string, string> | null;
  created_at: Date;
  legal_name: string;
  kvk_number: string;
  /** The import that opened the task (absent for a task from before imports were linked). */
  list_imported_at: Date | null;
  list_sha256: string | null;
}

/** The kinds of review task the AAN imports open and close; other kinds are none of an import's business. */
export const AAN_TASK_KINDS = ['aan_missing_from_list', 'aan_list_differs'] as const;

/**
 * The open review tasks with their provider and the list that opened them, oldest first; only
 * these kinds, or this provider's, when asked.
 */
export function openReviewTaskRows(
  dataSource: DataSource | EntityManager,
  filter: { kinds?: readonly string[]; providerId?: string } = {},
): Promise<OpenReviewTaskRow[]> {
  return dataSource.query<OpenReviewTaskRow[]>(
    `SELECT t.id, t.provider_id, t.kind, t.detail, t.created_at, p.legal_name, p.kvk_number,
            i.imported_at AS list_imported_at, i.file_sha256 AS list_sha256
       FROM review_tasks t JOIN providers p ON p.id = t.provider_id
       LEFT JOIN aan_imports i ON i.id = t.aan_import_id
      WHERE t.resolved_at IS NULL
        AND ($1::text[] IS NULL OR t.kind = ANY ($1::text[]))
        AND ($2::uuid IS NULL OR t.provider_id = $2::uuid)
      ORDER BY t.created_at, p.legal_name`,
    [filter.kinds ?? null, filter.providerId ?? null],
  );
}

/** When this list was imported last before (same SHA-256), or undefined when it never was. */
export async function lastImportOf(manager: EntityManager, fileSha256: string): Promise<Date | undefined> {
  const [row] = await manager.query<{ imported_at: Date }[]>(
    'SELECT max(imported_at) AS imported_at FROM aan_imports WHERE file_sha256 = $1',
    [fileSha256],
  );
  return row?.imported_at ?? undefined;
}

export interface SettledReviewTaskRow {
  id: string;
  provider_id: string;
  kind: string;
  detail: Record<string, string> | null;
}

/** The AAN tasks reviewers closed whose difference every list since has still shown. */
export function settledReviewTaskRows(manager: EntityManager): Promise<SettledReviewTaskRow[]> {
  return manager.query<SettledReviewTaskRow[]>(
    `SELECT id, provider_id, kind, detail FROM review_tasks
      WHERE resolved_at IS NOT NULL AND superseded_at IS NULL AND kind = ANY ($1::text[]) ORDER BY created_at`,
    [AAN_TASK_KINDS],
  );
}

/**
 * A list no longer shows the task's difference: an open task is closed, and a closed one no longer
 * keeps that difference from opening a task again.
 */
export async function supersedeReviewTask(manager: EntityManager, taskId: string, at: Date): Promise<void> {
  await manager.query(
    `UPDATE review_tasks SET resolved_at = coalesce(resolved_at, $2), superseded_at = $2
      WHERE id = $1 AND superseded_at IS NULL`,
    [taskId, at],
  );
}

/** Closes an open task; answers its provider's id and its kind, or undefined when no such task is open. */
export async function resolveOpenReviewTask(
  manager: EntityManager,
  taskId: string,
  resolvedAt: Date,
): Promise<{ provider_id: string; kind: string } | undefined> {
  const [rows] = await manager.query<[{ provider_id: string; kind: string }[], number]>(
    `UPDATE review_tasks SET resolved_at = $2 WHERE id::text = $1 AND resolved_at IS NULL RETURNING provider_id, kind`,
    [taskId, resolvedAt],
  );
  return rows[0];
}

/**
 * The audit action of a reviewer closing a task of this kind. A task about signals (issue 19) is
 * closed under a hidden-header action: a public `review_task.resolved` naming the provider, with no
 * public `review_task.opened` before it, would tell that the provider had a signal match.
 */
export const RESOLVED_ACTIONS: Readonly<Record<string, string>> = {
  signal_match_overdue: 'signal_match.task_resolved',
  reseller_declarations_many: 'reseller.task_resolved',
};

export const resolvedActionOf = (kind: string) => RESOLVED_ACTIONS[kind] ?? 'review_task.resolved';

export interface ReviewTaskRow extends OpenReviewTaskRow {
  resolved_at: Date | null;
  /** Who closed it: the name of the account of the audit event's actor, or the actor itself (see actorNameSql). */
  resolved_by: string | null;
}

/** One review task, open or closed, with its provider and, once closed, who closed it. */
export async function reviewTaskRow(
  dataSource: DataSource,
  taskId: string,
): Promise<ReviewTaskRow | undefined> {
  const [row] = await dataSource.query<ReviewTaskRow[]>(
    `SELECT t.id, t.kind, t.detail, t.created_at, t.resolved_at, p.legal_name, p.kvk_number,
            (SELECT ${actorNameSql('a.actor')} FROM audit_events a
              WHERE a.action IN ('review_task.resolved', 'signal_match.task_resolved', 'reseller.task_resolved')
                AND a.data->>'taskId' = t.id::text
              ORDER BY a.id DESC LIMIT 1) AS resolved_by
       FROM review_tasks t JOIN providers p ON p.id = t.provider_id
      WHERE t.id::text = $1`,
    [taskId],
  );
  return row;
}
