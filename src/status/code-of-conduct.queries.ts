import type { EntityManager } from 'typeorm';

/** A provider as a publication names it: who it is, and whether anyone can be mailed there. */
export interface ProviderReach {
  id: string;
  kvkNumber: string;
  legalName: string;
  /** It has at least one active user; otherwise a mail about the code reaches nobody. */
  reachable: boolean;
}

/** Every provider in the register (or those with the given ids), by id, with whether a mail reaches it. */
export async function providersWithReach(
  manager: EntityManager,
  ids?: readonly string[],
): Promise<Map<string, ProviderReach>> {
  const rows = await manager.query<
    { id: string; kvk_number: string; legal_name: string; reachable: boolean }[]
  >(
    `SELECT p.id, p.kvk_number, p.legal_name,
            EXISTS (SELECT 1 FROM users u WHERE u.provider_id = p.id AND u.disabled_at IS NULL) AS reachable
       FROM providers p
      WHERE $1::uuid[] IS NULL OR p.id = ANY($1::uuid[])`,
    [ids ? [...ids] : null],
  );
  return new Map(
    rows.map((r) => [
      r.id,
      { id: r.id, kvkNumber: r.kvk_number, legalName: r.legal_name, reachable: r.reachable },
    ]),
  );
}

/**
 * Serialises publications and withdrawals until the caller's transaction ends, so two
 * administrators cannot both publish "the newest" version. Readers are not blocked.
 */
export async function lockCodeVersions(manager: EntityManager): Promise<void> {
  await manager.query('LOCK TABLE code_of_conduct_versions IN SHARE ROW EXCLUSIVE MODE');
}

/** Who published a version: the actor of its publication's audit event. */
export async function publishedBy(manager: EntityManager, versionId: string): Promise<string | undefined> {
  const rows = await manager.query<{ actor: string }[]>(
    `SELECT actor FROM audit_events
      WHERE action = 'code_of_conduct.published' AND subject_type = 'code_of_conduct_version'
        AND subject_id = $1::text
      ORDER BY id LIMIT 1`,
    [versionId],
  );
  return rows[0]?.actor;
}
