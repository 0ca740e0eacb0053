import { CompactRange, leafHash, type NodeRef } from '../../monitor/lib/merkle';
import { type AuditContent, canonicalJson } from '../../src/audit/audit-chain';
import type { TestDatabase } from './database';

type EventRow = AuditContent & {
  /** The stored leaf entry of a carried-over event, or null (its leaf is its canonical JSON). */
  entry: string | null;
};

/** The leaves and perfect-subtree hashes a log of these events makes, in chain order, from scratch. */
export function treeOf(events: readonly (Omit<EventRow, 'entry'> & { entry?: string | null })[]) {
  const range = new CompactRange();
  const nodes: (NodeRef & { hash: Buffer })[] = [];
  const leaves = events.map((event, i) => {
    const entry = event.entry ?? null;
    nodes.push(...range.append(leafHash(entry ?? canonicalJson(event))));
    return { index: i, eventId: event.id, entry };
  });
  return { leaves, nodes, range };
}

const EVENT_COLUMNS = `e.id::text AS id, e.occurred_at AS "occurredAt", e.actor, e.action, e.subject_type AS "subjectType",
  e.subject_id AS "subjectId", e.data, l.entry`;

/** Every event in chain order, with whether its leaf is carried over (has a stored entry). */
export async function eventsInChainOrder(db: TestDatabase): Promise<EventRow[]> {
  return db.asOwner<EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM audit_events e LEFT JOIN merkle_leaves l ON l.event_id = e.id ORDER BY e.id`,
  );
}
