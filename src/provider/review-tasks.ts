import type { EntityManager } from 'typeorm';

/*
 * Review tasks: what a reviewer is asked to look at about a provider. Opened by many domains (the
 * AAN import, name resemblance, organisation claims and hand-overs, eHerkenning logins, signal
 * matches, declared resellers), so they sit low, beside the provider entity, where identity/ too
 * may open one.
 */

/**
 * Opens a review task of this kind unless one is open already for the provider (the index
 * review_tasks_one_open); answers the new task's id, or undefined when one was open. `importId`:
 * the AAN import that opened it.
 */
export async function insertReviewTask(
  manager: EntityManager,
  task: {
    providerId: string;
    kind: string;
    detail: Record<string, unknown> | null;
    importId?: string;
  },
  createdAt: Date,
): Promise<string | undefined> {
  const [created] = await manager.query<{ id: string }[]>(
    `INSERT INTO review_tasks (provider_id, kind, created_at, aan_import_id, detail)
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING id`,
    [
      task.providerId,
      task.kind,
      createdAt,
      task.importId ?? null,
      task.detail && JSON.stringify(task.detail),
    ],
  );
  return created?.id;
}
