import type { EntityManager } from 'typeorm';
import { appendAuditEvent } from '../audit/audit.service';
import { insertReviewTask } from '../provider/review-tasks';
import type { AanTask } from './aan-rules';
import { type OpenReviewTaskRow, type SettledReviewTaskRow, supersedeReviewTask } from './aan.queries';

/** The task a list asks for one provider, in the form it is stored. */
export interface WantedTask {
  kind: AanTask['kind'];
  detail: Record<string, string | null | undefined> | null;
}

/** Whether a task says what the list says now (the line a row is on does not matter). */
function sameTask(task: Pick<OpenReviewTaskRow, 'kind' | 'detail'>, wanted: WantedTask): boolean {
  if (task.kind !== wanted.kind) return false;
  const fields = ['difference', 'since', 'until', 'aanSince'] as const;
  return fields.every((f) => (task.detail?.[f] ?? null) === (wanted.detail?.[f] ?? null));
}

export interface TaskSync {
  providerId: string;
  /** What the list asks for this provider (undefined: no task). */
  wanted: WantedTask | undefined;
  /** The line of the provider's row, kept with a new task. */
  line: number | undefined;
  /** The provider's open tasks, and the closed ones whose difference every list since still showed. */
  open: OpenReviewTaskRow[];
  settled: SettledReviewTaskRow[];
}

export interface TaskSyncOutcome {
  /** Open tasks closed because this list no longer shows their difference (or tells it otherwise). */
  closed: number;
  /** Whether a new task was opened. */
  opened: boolean;
  /** The task a reviewer closed whose difference this list shows again: not opened again. */
  keptClosed?: string;
  /** Tasks a reviewer closed whose difference this list no longer shows: a later list showing it opens a task. */
  superseded: string[];
}

/**
 * Brings one provider's tasks in line with the list just imported, in the import's transaction: an
 * open task the list no longer agrees with is closed (audited with the list's SHA-256 and date); a
 * task a reviewer closed keeps the same difference from opening again for as long as every list
 * shows it, so importing the same list again reopens nothing; otherwise the wanted task is opened.
 */
export async function syncReviewTasks(
  manager: EntityManager,
  sync: TaskSync,
  list: { importId: string; fileSha256: string; listDate: string; actor: string },
  now: Date,
): Promise<TaskSyncOutcome> {
  const { providerId, wanted } = sync;
  const outcome: TaskSyncOutcome = { closed: 0, opened: false, superseded: [] };
  for (const open of sync.open) {
    if (wanted && sameTask(open, wanted)) continue;
    await supersedeReviewTask(manager, open.id, now);
    await appendAuditEvent(manager, now, {
      actor: list.actor,
      action: 'review_task.closed_by_list',
      subjectType: 'provider',
      subjectId: providerId,
      data: {
        taskId: open.id,
        kind: open.kind,
        detail: open.detail,
        fileSha256: list.fileSha256,
        listDate: list.listDate,
      },
    });
    outcome.closed++;
  }
  for (const settled of sync.settled) {
    if (wanted && sameTask(settled, wanted)) outcome.keptClosed = settled.id;
    else {
      await supersedeReviewTask(manager, settled.id, now);
      outcome.superseded.push(settled.id);
    }
  }
  if (wanted && !outcome.keptClosed) {
    const detail = wanted.detail && { ...wanted.detail, line: sync.line };
    const opened = await insertReviewTask(
      manager,
      { providerId, kind: wanted.kind, detail, importId: list.importId },
      now,
    );
    outcome.opened = opened !== undefined;
  }
  return outcome;
}
