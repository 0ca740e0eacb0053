import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { allowLongWork } from '../database/limits';
import { appendAuditEvent } from '../audit/audit.service';
import { NotFoundError, ValidationError } from '../shared/errors';
import { recordStatusEvent } from '../status/status.service';
import { loadCodeVersions, loadHistories, toCodeVersionFact, toStatusFact } from '../status/status-history';
import { type Listing, type StatusAt, statusAt } from '../status/status-rules';
import { toLocalDate } from '../shared/time';
import { paths } from '../shared/paths';
import { decodeAanFile, lookalikeCharset, parseAanList, type RowProblem } from './aan-list';
import { aanListReason } from '../shared/status-reasons';
import { type AanDifference, type AanPlan, looksIncomplete, planAanChange } from './aan-rules';
import {
  allProviderKeys,
  insertAanImport,
  lastImportOf,
  type OpenReviewTaskRow,
  openReviewTaskRows,
  AAN_TASK_KINDS,
  reviewTaskRow,
  resolvedActionOf,
  resolveOpenReviewTask,
  setAanImportCounts,
  settledReviewTaskRows,
} from './aan.queries';
import { syncReviewTasks, type WantedTask } from './aan-task-sync';

/** Thrown when the list is refused (a missing column, a malformed row …): nothing is applied, every problem is reported. */
export class AanListRejected extends ValidationError {
  constructor(
    readonly problems: RowProblem[],
    readonly fileSha256: string,
  ) {
    super({ bestand: ['aan.rejected'] });
  }
}

/**
 * Thrown when a well-formed list lacks so many providers with a listing that it is probably cut
 * short (aan-rules.ts, looksIncomplete): nothing is applied, the refusal is audited, and the
 * administrator may import it anyway by confirming that it is complete.
 */
export class AanListIncomplete extends ValidationError {
  constructor(
    readonly fileSha256: string,
    readonly missing: { kvkNumber: string; legalName: string }[],
    readonly listed: number,
  ) {
    super({ bestand: ['aan.incomplete'] });
  }
}

/** What the import did to one provider, for the report. */
export interface AanImportChange {
  kvkNumber: string;
  legalName: string;
  /** The line of the provider's row; absent when it is missing from the list. */
  line?: number;
  /** A translation key under `aan.change`. */
  change:
    'ended' | 'endPlanned' | 'resumed' | 'resumePlanned' | 'missingFromList' | 'taskClosed' | AanDifference;
  effectiveAt?: Date;
}

export interface AanImportResult {
  fileSha256: string;
  /** The day the list was imported, which names it in the status changes it brought about. */
  listDate: string;
  rows: number;
  matched: number;
  notInRegister: number;
  ended: number;
  endsPlanned: number;
  resumed: number;
  tasks: number;
  /** Open review tasks this list closed because it no longer shows their difference. */
  tasksClosed: number;
  /** Each provider the import changed or raised a task for, by KvK number. */
  changes: AanImportChange[];
  /** When this very file (same SHA-256) was imported last before, if it was. */
  alreadyImportedAt?: Date;
}

export interface AanImportOptions {
  onProgress?: (done: number, total: number) => void;
  /** The administrator confirmed that a list lacking many listed providers is complete. */
  acceptIncomplete?: boolean;
}

type Counts = Omit<AanImportResult, 'fileSha256' | 'listDate' | 'changes' | 'alreadyImportedAt'>;

/** The audit event of a refused list, in the caller's transaction: which file and why. */
function auditRefusal(
  manager: EntityManager,
  fileSha256: string,
  why: Record<string, unknown>,
  actor: string,
  now: Date,
) {
  return appendAuditEvent(manager, now, {
    actor,
    action: 'aan.refused',
    subjectType: 'aan_list',
    subjectId: fileSha256,
    data: { fileSha256, ...why },
  });
}

/** Refuses the list: an audit event says which file and why, and nothing else changes. */
async function refuse(
  dataSource: DataSource,
  fileSha256: string,
  problems: RowProblem[],
  actor: string,
  now: Date,
) {
  const why = {
    problemCount: problems.length,
    problems: problems.slice(0, 50).map((p) => ({ line: p.line, problem: p.problem })),
  };
  await dataSource.transaction((manager) => auditRefusal(manager, fileSha256, why, actor, now));
  return new AanListRejected(problems, fileSha256);
}

/**
 * Imports the AAN participant list (the file's bytes, or its text) in one transaction: what the
 * list adds to the history becomes status events (see aan-rules.ts), and what only a person can
 * settle becomes a review task; an open task whose difference this list no longer shows is
 * closed, so that the open tasks always agree with the latest list, except that a difference a
 * reviewer closed is not opened again while the lists keep showing it (aan-task-sync.ts). A list
 * with any problem is refused whole, and so is one that looks cut short unless confirmed; refusals
 * are audited. Importing the same list again changes nothing, and the report says when it was
 * imported before (same SHA-256).
 */
export async function importAanList(
  dataSource: DataSource,
  file: Buffer | string,
  actor: string,
  now: Date,
  options: AanImportOptions = {},
): Promise<AanImportResult> {
  const onProgress = options.onProgress ?? (() => {});
  const bytes = typeof file === 'string' ? Buffer.from(file, 'utf8') : file;
  const fileSha256 = createHash('sha256').update(bytes).digest('hex');
  const text = decodeAanFile(bytes);
  const { rows, problems } =
    text === undefined
      ? { rows: [], problems: [{ line: 0, problem: 'encoding', value: lookalikeCharset(bytes) }] }
      : parseAanList(text);
  if (problems.length > 0) throw await refuse(dataSource, fileSha256, problems, actor, now);
  const byKvk = new Map(rows.map((r) => [r.kvkNumber, r]));
  const listDate = toLocalDate(now);
  const reason = aanListReason(listDate);
  const outcome = await dataSource.transaction(async (manager) => {
    // Every provider's history against the list, in one transaction: the long limit, not a request's.
    await allowLongWork(manager);
    const providers = await allProviderKeys(manager);
    // One after the other: a transaction's connection runs one query at a time.
    const versions = await loadCodeVersions(manager);
    const histories = await loadHistories(
      manager,
      providers.map((p) => p.id),
    );
    // Only the tasks imports open: a task about something else (a name) is no list's to close.
    const openTasks = await openReviewTaskRows(manager, { kinds: AAN_TASK_KINDS });
    const settledTasks = await settledReviewTaskRows(manager);
    const alreadyImportedAt = await lastImportOf(manager, fileSha256);
    const versionFacts = versions.map(toCodeVersionFact);
    const plans = providers.map((provider) => {
      const history = (histories.get(provider.id) ?? []).map(toStatusFact);
      const listing = declaredListing(statusAt(history, versionFacts, now));
      const row = byKvk.get(provider.kvk_number);
      const plan: AanPlan = listing ? planAanChange(row, history, listing.aanSince) : {};
      return { provider, listing, row, plan };
    });
    const listed = plans.filter((p) => p.listing);
    const missing = listed.filter((p) => !p.row);
    if (!options.acceptIncomplete && looksIncomplete(missing.length, listed.length)) {
      const why = {
        problem: 'incomplete',
        rows: rows.length,
        listed: listed.length,
        missing: missing.length,
      };
      await auditRefusal(manager, fileSha256, why, actor, now);
      const names = missing.map((p) => ({
        kvkNumber: p.provider.kvk_number,
        legalName: p.provider.legal_name,
      }));
      return new AanListIncomplete(fileSha256, names, listed.length);
    }
    const importId = await insertAanImport(manager, fileSha256, now, actor);
    const known = new Set(providers.map((p) => p.kvk_number));
    const counts: Counts = {
      rows: rows.length,
      matched: rows.filter((r) => known.has(r.kvkNumber)).length,
      notInRegister: rows.filter((r) => !known.has(r.kvkNumber)).length,
      ended: 0,
      endsPlanned: 0,
      resumed: 0,
      tasks: 0,
      tasksClosed: 0,
    };
    const changes: AanImportChange[] = [];
    const list = { importId, fileSha256, listDate, actor };
    const keptClosed: string[] = [];
    const superseded: string[] = [];
    for (const [index, { provider, listing, row, plan }] of plans.entries()) {
      onProgress(index + 1, providers.length);
      const about = { kvkNumber: provider.kvk_number, legalName: provider.legal_name, line: row?.line };
      if (plan.event) {
        const { kind, effectiveAt } = plan.event;
        await recordStatusEvent(manager, { providerId: provider.id, kind, effectiveAt, actor, reason }, now);
        const planned = effectiveAt.getTime() > now.getTime();
        const change =
          kind === 'aan_participation_ended'
            ? planned
              ? 'endPlanned'
              : 'ended'
            : planned
              ? 'resumePlanned'
              : 'resumed';
        counts[
          change === 'endPlanned' ? 'endsPlanned' : kind === 'aan_participation_ended' ? 'ended' : 'resumed'
        ]++;
        changes.push({ ...about, change, effectiveAt });
      }
      const difference = plan.task?.kind === 'aan_list_differs' ? plan.task.difference : undefined;
      const wanted: WantedTask | undefined =
        plan.task && listing
          ? {
              kind: plan.task.kind,
              detail: row
                ? { difference, since: row.since, until: row.until, aanSince: toLocalDate(listing.aanSince) }
                : null,
            }
          : undefined;
      const synced = await syncReviewTasks(
        manager,
        {
          providerId: provider.id,
          wanted,
          line: row?.line,
          open: openTasks.filter((t) => t.provider_id === provider.id),
          settled: settledTasks.filter((t) => t.provider_id === provider.id),
        },
        list,
        now,
      );
      counts.tasksClosed += synced.closed;
      for (let i = 0; i < synced.closed; i++) changes.push({ ...about, change: 'taskClosed' });
      if (synced.opened) {
        counts.tasks++;
        changes.push({ ...about, change: difference ?? 'missingFromList' });
      }
      if (synced.keptClosed) keptClosed.push(synced.keptClosed);
      superseded.push(...synced.superseded);
    }
    await setAanImportCounts(manager, importId, { ...counts });
    await appendAuditEvent(manager, now, {
      actor,
      action: 'aan.imported',
      subjectType: 'aan_import',
      subjectId: importId,
      data: {
        fileSha256,
        listDate,
        ...counts,
        alreadyImportedAt: alreadyImportedAt ?? null,
        tasksKeptClosed: keptClosed.length,
        tasksSuperseded: superseded.length,
      },
    });
    await auditTaskIds(manager, now, actor, importId, { kept_closed: keptClosed, superseded });
    return { fileSha256, listDate, ...counts, changes, ...(alreadyImportedAt && { alreadyImportedAt }) };
  });
  if (outcome instanceof AanListIncomplete) throw outcome;
  return outcome;
}

/**
 * Task ids per audit event: an event is a leaf of the transparency log, whose entries hold at most
 * 65,535 bytes; 1,000 ids of 39 bytes stay well below that, however many tasks one list touches.
 */
export const TASK_IDS_PER_EVENT = 1000;

/**
 * Records which settled tasks a list kept closed and which it superseded, in as many events as
 * their number needs (the import's own event counts them), in the import's transaction.
 */
async function auditTaskIds(
  manager: EntityManager,
  now: Date,
  actor: string,
  importId: string,
  lists: Record<'kept_closed' | 'superseded', readonly string[]>,
): Promise<void> {
  for (const [kind, ids] of Object.entries(lists)) {
    for (let from = 0; from < ids.length; from += TASK_IDS_PER_EVENT) {
      await appendAuditEvent(manager, now, {
        actor,
        action: `aan.tasks_${kind}`,
        subjectType: 'aan_import',
        subjectId: importId,
        data: { taskIds: ids.slice(from, from + TASK_IDS_PER_EVENT), from, of: ids.length },
      });
    }
  }
}

/**
 * The listing whose AAN participation the list is about: one in force, or one merely held up
 * (suspended, code version lapsed, participation ended); not one that expired or was revoked.
 */
function declaredListing(status: StatusAt): Listing | undefined {
  if (status.verantwoord) return status.listing;
  return ['expired', 'revoked'].includes(status.reason) ? undefined : status.listing;
}

/**
 * The open review tasks (the AAN imports' and the name checks'), oldest first, for reviewers and
 * administrators; only one provider's when asked.
 */
export async function openReviewTasks(dataSource: DataSource, providerId?: string) {
  const rows = await openReviewTaskRows(dataSource, { providerId });
  return rows.map(taskView);
}

/** A review task as the pages show it. */
function taskView(r: OpenReviewTaskRow) {
  return {
    id: r.id,
    kind: r.kind,
    // An overdue-signals task whose matches have all been answered since says so (F8).
    kindKey:
      r.kind === 'signal_match_overdue' && r.detail?.count === '0'
        ? 'aan.task.signal_match_overdue_answered'
        : `aan.task.${r.detail?.difference ?? r.kind}`,
    detail: r.detail ?? {},
    createdAt: r.created_at,
    /** The list that opened the task: when it was imported and its SHA-256. */
    listImportedAt: r.list_imported_at,
    listSha256: r.list_sha256,
    listSha256Prefix: r.list_sha256?.slice(0, 12),
    legalName: r.legal_name,
    kvkNumber: r.kvk_number,
    url: `/beoordeling/hostingproviders/${r.kvk_number}`,
    /** A name task: the staff page of the provider whose name this one resembles. */
    resemblesUrl: r.detail?.resemblesKvk ? paths.reviewProvider(r.detail.resemblesKvk) : undefined,
    resolveUrl: `/beoordeling/taken/${r.id}/afgehandeld`,
  };
}

/**
 * One review task, for the page that closes it; once closed, it says by whom and when (a reviewer
 * who loaded the page before someone else closed it sees that). Not found when unknown.
 */
export async function reviewTask(dataSource: DataSource, taskId: string) {
  const row = /^[0-9a-f-]{36}$/i.test(taskId) ? await reviewTaskRow(dataSource, taskId) : undefined;
  if (!row) throw new NotFoundError(`no review task ${taskId}`);
  return {
    ...taskView(row),
    closed: row.resolved_at ? { at: row.resolved_at, by: row.resolved_by ?? '' } : undefined,
  };
}

/** The longest note a reviewer can write when closing a review task. */
export const REVIEW_TASK_NOTE_MAX = 2000;

/**
 * A reviewer closes a review task after looking into it, with a note saying what they found or
 * did (required: the audit log keeps who, when and why).
 */
export async function resolveReviewTask(
  dataSource: DataSource,
  taskId: string,
  actor: string,
  note: string,
  now: Date,
) {
  const text = note.trim();
  if (!text) throw new ValidationError({ note: ['reviewTask.noteRequired'] });
  if (text.length > REVIEW_TASK_NOTE_MAX)
    throw new ValidationError({ note: ['reviewTask.noteTooLong'] }, undefined, { max: REVIEW_TASK_NOTE_MAX });
  await dataSource.transaction(async (manager) => {
    const task = await resolveOpenReviewTask(manager, taskId, now);
    // Closed by someone else meanwhile: the page is shown again with who did it, and the typed note.
    if (task === undefined) throw new ValidationError({ note: ['reviewTask.closedAlready'] });
    await appendAuditEvent(manager, now, {
      actor,
      // A task about signals under a hidden-header action (see resolvedActionOf).
      action: resolvedActionOf(task.kind),
      subjectType: 'provider',
      subjectId: task.provider_id,
      data: { taskId, note: text },
    });
  });
}
