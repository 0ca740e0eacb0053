import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { appendAuditEvent } from '../audit/audit.service';
import { NotFoundError, ValidationError } from '../shared/errors';
import { recordStatusEvent } from '../status/status.service';
import { loadCodeVersions, loadHistories, toCodeVersionFact, toStatusFact } from '../status/status-history';
import { statusAt } from '../status/status-rules';
import { aanChange, parseAanList, type RowProblem } from './aan-list';
import {
  allProviderKeys,
  insertAanImport,
  insertMissingFromListTask,
  openReviewTaskRows,
  resolveOpenReviewTask,
  setAanImportCounts,
} from './aan.queries';

/** Thrown when the list has malformed rows: nothing is applied, every problem is reported. */
export class AanListRejected extends ValidationError {
  constructor(readonly problems: RowProblem[]) {
    super({ bestand: ['aan.rejected'] });
  }
}

export interface AanImportResult {
  rows: number;
  matched: number;
  notInRegister: number;
  ended: number;
  resumed: number;
  tasks: number;
}

/**
 * Imports the AAN participant list in one transaction: ends and resumptions of participation
 * become status events, and every provider with a listing that is missing from the list becomes a
 * review task. A list with any malformed row is refused whole. Importing the same list again
 * changes nothing.
 */
export async function importAanList(
  dataSource: DataSource,
  text: string,
  actor: string,
  now: Date,
  onProgress: (done: number, total: number) => void = () => {},
): Promise<AanImportResult> {
  const { rows, problems } = parseAanList(text);
  if (problems.length > 0) throw new AanListRejected(problems);
  const byKvk = new Map(rows.map((r) => [r.kvkNumber, r]));
  return dataSource.transaction(async (manager) => {
    const providers = await allProviderKeys(manager);
    const [histories, versions] = await Promise.all([
      loadHistories(
        manager,
        providers.map((p) => p.id),
      ),
      loadCodeVersions(manager),
    ]);
    const versionFacts = versions.map(toCodeVersionFact);
    const importId = await insertAanImport(
      manager,
      createHash('sha256').update(text).digest('hex'),
      now,
      actor,
    );
    const result: AanImportResult = {
      rows: rows.length,
      matched: 0,
      notInRegister: 0,
      ended: 0,
      resumed: 0,
      tasks: 0,
    };
    const known = new Set(providers.map((p) => p.kvk_number));
    result.notInRegister = rows.filter((r) => !known.has(r.kvkNumber)).length;
    for (const [index, provider] of providers.entries()) {
      onProgress(index + 1, providers.length);
      const history = (histories.get(provider.id) ?? []).map(toStatusFact);
      const status = statusAt(history, versionFacts, now);
      // Only a provider with a listing in force (or merely held up by its AAN status) declares participation.
      const listing = status.verantwoord
        ? status.listing
        : status.listing && !['expired', 'revoked'].includes(status.reason)
          ? status.listing
          : undefined;
      const row = byKvk.get(provider.kvk_number);
      if (row) result.matched++;
      if (!listing) continue;
      if (!row) {
        if (await insertMissingFromListTask(manager, provider.id, now, importId)) result.tasks++;
        continue;
      }
      const change = aanChange(row, history, listing.aanSince, now);
      if (!change) continue;
      await recordStatusEvent(
        manager,
        {
          providerId: provider.id,
          kind: change.kind,
          effectiveAt: change.effectiveAt,
          actor,
          reason: `AAN-deelnemerslijst, regel ${row.line}`,
        },
        now,
      );
      result[change.kind === 'aan_participation_ended' ? 'ended' : 'resumed']++;
    }
    await setAanImportCounts(manager, importId, { ...result });
    await appendAuditEvent(manager, now, {
      actor,
      action: 'aan.imported',
      subjectType: 'aan_import',
      subjectId: importId,
      data: { ...result },
    });
    return result;
  });
}

/** The open review tasks the AAN imports raised, oldest first, for reviewers and administrators. */
export async function openReviewTasks(dataSource: DataSource) {
  const rows = await openReviewTaskRows(dataSource);
  return rows.map((r) => ({
    id: r.id,
    createdAt: r.created_at,
    legalName: r.legal_name,
    kvkNumber: r.kvk_number,
    url: `/beoordeling/hostingproviders/${r.kvk_number}`,
    resolveUrl: `/beoordeling/taken/${r.id}/afgehandeld`,
  }));
}

/** One open review task, for the page that closes it; not found when unknown or closed already. */
export async function openReviewTask(dataSource: DataSource, taskId: string) {
  const task = (await openReviewTasks(dataSource)).find((t) => String(t.id) === taskId);
  if (!task) throw new NotFoundError(`no open review task ${taskId}`);
  return task;
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
    const providerId = await resolveOpenReviewTask(manager, taskId, now);
    if (providerId === undefined) throw new NotFoundError(`no open review task ${taskId}`);
    await appendAuditEvent(manager, now, {
      actor,
      action: 'review_task.resolved',
      subjectType: 'provider',
      subjectId: providerId,
      data: { taskId, note: text },
    });
  });
}
