import type { EntityManager } from 'typeorm';

/** The advisory lock that serialises appends, so that every event's predecessor is the one before it. */
const CHAIN_LOCK = 7_306_117_001;

/** Waits for the chain's lock, held until the caller's transaction ends. */
export async function lockAuditChain(manager: EntityManager): Promise<void> {
  await manager.query('SELECT pg_advisory_xact_lock($1)', [CHAIN_LOCK]);
}

/** The hash of the newest event, or undefined while the log is empty. */
export async function lastAuditHash(manager: EntityManager): Promise<string | undefined> {
  const [last] = await manager.query<{ hash: string }[]>(
    'SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1',
  );
  return last?.hash;
}

/** Reserves `count` event ids from the sequence, in ascending order (bigints as text). */
export async function reserveAuditEventIds(manager: EntityManager, count: number): Promise<string[]> {
  const rows = await manager.query<{ id: string }[]>(
    "SELECT nextval('audit_events_id_seq')::text AS id FROM generate_series(1, $1)",
    [count],
  );
  return rows.map((r) => r.id).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
}
