import type { EntityManager } from 'typeorm';

/** Locks the application's row until the transaction ends, so changes to it wait their turn. */
export async function lockApplication(manager: EntityManager, applicationId: string): Promise<void> {
  await manager.query('SELECT id FROM applications WHERE id = $1 FOR UPDATE', [applicationId]);
}

/** How many evidence files an application holds, and their bytes together. */
export async function evidenceHeld(
  manager: EntityManager,
  applicationId: string,
): Promise<{ files: number; bytes: number }> {
  // bigint comes back as text: a sum of sizes may exceed what a JavaScript number holds exactly.
  const [held] = await manager.query<{ files: number; bytes: string }[]>(
    'SELECT count(*)::int AS files, coalesce(sum(size), 0)::bigint AS bytes FROM evidence WHERE application_id = $1',
    [applicationId],
  );
  // An aggregate without GROUP BY answers exactly one row.
  if (!held) throw new Error('the evidence count answered no row');
  return { files: held.files, bytes: Number(held.bytes) };
}
