import { CompactRange, leafHash, type NodeRef } from '../../monitor/lib/merkle';
import type { AuditContent } from '../../src/audit/audit-chain';
import { leafEntry } from '../../src/audit/leaf-entry';
import type { TestDatabase } from './database';

type EventRow = AuditContent & {
  /** The stored leaf entry of a carried-over event, or null (its leaf is `leafEntry(event, salt)`). */
  entry: string | null;
  /** Its leaf's salt. */
  salt: Buffer;
};

/** The leaf content of an event: its stored entry (carried over), else `leafEntry` with its salt. */
export function entryOf(event: Omit<EventRow, 'entry'> & { entry?: string | null }): string {
  return event.entry ?? leafEntry(event, event.salt);
}

/** The leaves and perfect-subtree hashes a log of these events makes, in chain order, from scratch. */
export function treeOf(events: readonly (Omit<EventRow, 'entry'> & { entry?: string | null })[]) {
  const range = new CompactRange();
  const nodes: (NodeRef & { hash: Buffer })[] = [];
  const leaves = events.map((event, i) => {
    nodes.push(...range.append(leafHash(entryOf(event))));
    return { index: i, eventId: event.id, entry: event.entry ?? null, salt: event.salt };
  });
  return { leaves, nodes, range };
}

const EVENT_COLUMNS = `e.id::text AS id, e.occurred_at AS "occurredAt", e.actor, e.action, e.subject_type AS "subjectType",
  e.subject_id AS "subjectId", e.data, l.entry, l.salt`;

/** Every event in chain order, with its leaf's salt and stored entry (carried over), if any. */
export async function eventsInChainOrder(db: TestDatabase): Promise<EventRow[]> {
  return db.asOwner<EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM audit_events e LEFT JOIN merkle_leaves l ON l.event_id = e.id ORDER BY e.id`,
  );
}
