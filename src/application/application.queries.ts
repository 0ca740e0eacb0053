import type { EntityManager } from 'typeorm';

/** Locks the application's row until the transaction ends, so changes to it wait their turn. */
export async function lockApplication(manager: EntityManager, applicationId: string): Promise<void> {
  await manager.query('SELECT id FROM applications WHERE id = $1 FOR UPDATE', [applicationId]);
}

/**
 * Whether the audit log records that this application's evidence `evidenceId` was deleted: a file
 * that is gone because it was deleted, not one that never was.
 */
export async function evidenceDeletedBefore(
  manager: EntityManager,
  applicationId: string,
  evidenceId: string,
): Promise<boolean> {
  const rows = await manager.query<unknown[]>(
    `SELECT 1 FROM audit_events
      WHERE subject_type = 'application' AND subject_id = $1 AND action = 'evidence.deleted'
        AND data->>'evidenceId' = $2
      LIMIT 1`,
    [applicationId, evidenceId],
  );
  return rows.length > 0;
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

/**
 * Each submission since `since` that has had its first decision (changes asked for, approved or
 * rejected), with when it was submitted and when that decision came: what "how long review takes"
 * is measured on. A resubmission counts as a submission of its own.
 */
export async function submissionsWithFirstDecision(
  manager: EntityManager,
  since: Date,
): Promise<{ submittedAt: Date; decidedAt: Date }[]> {
  const rows = await manager.query<{ submitted_at: Date; decided_at: Date }[]>(
    `SELECT s.created_at AS submitted_at, d.decided_at
       FROM application_messages s
       CROSS JOIN LATERAL (
         SELECT min(m.created_at) AS decided_at FROM application_messages m
          WHERE m.application_id = s.application_id AND m.id > s.id AND m.created_at >= s.created_at
            AND m.kind IN ('changes_requested', 'approved', 'rejected')
       ) d
      WHERE s.kind = 'submitted' AND s.created_at >= $1 AND d.decided_at IS NOT NULL`,
    [since],
  );
  return rows.map((r) => ({ submittedAt: new Date(r.submitted_at), decidedAt: new Date(r.decided_at) }));
}
