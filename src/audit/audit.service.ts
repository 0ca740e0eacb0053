import type { DataSource, EntityManager, QueryDeepPartialEntity } from 'typeorm';
import { AuditEvent } from './audit-event.entity';
import { type BrokenLink, chainHash, checkLinks, GENESIS_HASH } from './audit-chain';
import { lastAuditHash, lockAuditChain, reserveAuditEventIds } from './audit.queries';

/** The translation key of an audit action's name in words: `audit.actions.status.suspended`. */
export const actionLabelKey = (action: string) => `audit.actions.${action}`;

export interface AuditEntry {
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string;
  data?: Record<string, unknown>;
  /** When it happened, if not `now`: bulk seeding appends a history made at many moments at once. */
  occurredAt?: Date;
}

/**
 * Appends one event to the audit log inside the caller's transaction, so that it commits or
 * fails together with the change it records. Appends wait for each other on a transaction-scoped
 * lock until the earlier transaction ends.
 */
export async function appendAuditEvent(
  manager: EntityManager,
  now: Date,
  entry: AuditEntry,
): Promise<AuditEvent> {
  const [event] = await appendAuditEvents(manager, now, [entry]);
  if (!event) throw new Error('appendAuditEvents answered no event');
  return event;
}

export interface ChainVerification {
  checked: number;
  broken?: BrokenLink;
  /** The newest event, when the chain is intact: the hash that stands for the whole log. */
  head?: { id: string; hash: string; occurredAt: Date };
}

/** Walks the whole chain in id order, in batches so memory stays flat however long the log. */
export async function verifyAuditChain(dataSource: DataSource, batchSize = 1000): Promise<ChainVerification> {
  let checked = 0;
  let prev = GENESIS_HASH;
  let after = '0';
  let head: ChainVerification['head'];
  for (;;) {
    const batch = await dataSource
      .getRepository(AuditEvent)
      .createQueryBuilder('e')
      .where('e.id > :after', { after })
      .orderBy('e.id', 'ASC')
      .limit(batchSize)
      .getMany();
    const last = batch.at(-1);
    if (!last) return { checked, head };
    const result = checkLinks(batch, prev);
    if (result.broken) {
      return {
        checked: checked + batch.findIndex((e) => e.id === result.broken.id) + 1,
        broken: result.broken,
      };
    }
    checked += batch.length;
    prev = result.lastHash;
    after = last.id;
    head = { id: last.id, hash: last.hash, occurredAt: last.occurredAt };
  }
}

/**
 * Appends many events at once (bulk seeding) inside the caller's transaction: one lock, one read
 * of the chain's head, ids reserved in one go, rows inserted in batches. Same chain as appending
 * them one by one.
 */
export async function appendAuditEvents(
  manager: EntityManager,
  now: Date,
  entries: AuditEntry[],
): Promise<AuditEvent[]> {
  if (!manager.queryRunner?.isTransactionActive)
    throw new Error('appendAuditEvent must run inside a transaction');
  if (entries.length === 0) return [];
  await lockAuditChain(manager);
  let prevHash = (await lastAuditHash(manager)) ?? GENESIS_HASH;
  const ids = await reserveAuditEventIds(manager, entries.length);
  const events = entries.map((entry, i) => {
    const event = manager.create(AuditEvent, {
      id: ids[i],
      occurredAt: entry.occurredAt ?? now,
      actor: entry.actor,
      action: entry.action,
      subjectType: entry.subjectType,
      subjectId: entry.subjectId,
      // Through JSON once, so that what is hashed is exactly what jsonb gives back (dates as strings).
      data: JSON.parse(JSON.stringify(entry.data ?? {})) as Record<string, unknown>,
      prevHash,
    });
    event.hash = chainHash(prevHash, event);
    prevHash = event.hash;
    return event;
  });
  for (let i = 0; i < events.length; i += 1000) {
    await manager.insert(AuditEvent, events.slice(i, i + 1000) as QueryDeepPartialEntity<AuditEvent>[]);
  }
  return events;
}
