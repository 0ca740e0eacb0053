import { chainHash, GENESIS_HASH } from '../../src/audit/audit-chain';
import { carriedOverEntryAgrees, legacyLeafEntry } from '../../src/audit/legacy-leaf-entry';
import { must } from '../../src/shared/must';
import { asInsider, type TestDatabase } from './database';
import { eventsInChainOrder, treeOf } from './merkle';

/**
 * What an insider with the database owner role (no superuser, no log key) could do to the audit
 * log and its Merkle tree, each in one transaction with the tables' own triggers off.
 */

type Events = Awaited<ReturnType<typeof eventsInChainOrder>>;

/**
 * Changes events and recomputes the chain hash of every event from the first changed one on, so
 * that the chain is intact in itself. `change` edits the events in place and answers the index of
 * the first one it changed.
 */
export async function rewriteEvents(db: TestDatabase, change: (events: Events) => number): Promise<void> {
  const events = await eventsInChainOrder(db);
  const first = change(events);
  await asInsider(db, ['audit_events'], async (client) => {
    // The chain goes on from the stored hash of the event before the first changed one (untouched).
    let prev = GENESIS_HASH;
    if (first > 0) {
      const { rows } = await client.query<{ hash: string }>('SELECT hash FROM audit_events WHERE id = $1', [
        must(events[first - 1], 'the event before').id,
      ]);
      prev = must(rows[0], 'its row').hash;
    }
    for (const event of events.slice(first)) {
      const hash = chainHash(prev, event);
      await client.query(
        `UPDATE audit_events SET actor = $2, action = $3, subject_type = $4, subject_id = $5, data = $6,
                occurred_at = $7, prev_hash = $8, hash = $9 WHERE id = $1`,
        [
          event.id,
          event.actor,
          event.action,
          event.subjectType,
          event.subjectId,
          event.data,
          event.occurredAt,
          prev,
          hash,
        ],
      );
      prev = hash;
    }
  });
}

/** Swaps the content of events i and j (each keeps its id: the chain order is the id order); answers the first. */
export function swapEvents(events: Events, i: number, j: number): number {
  const a = must(events[i], 'event i');
  const b = must(events[j], 'event j');
  const { id: idA, ...contentA } = a;
  const { id: idB, ...contentB } = b;
  Object.assign(a, contentB, { id: idA });
  Object.assign(b, contentA, { id: idB });
  return Math.min(i, j);
}

/** Removes the last `count` events, and with `tree` also their leaves and every node that covers one. */
export async function removeLastEvents(db: TestDatabase, count: number, tree: boolean): Promise<void> {
  const events = await eventsInChainOrder(db);
  const kept = events.length - count;
  const lastKept = must(events[kept - 1], 'an event kept').id;
  const tables = tree ? ['audit_events', 'merkle_leaves', 'merkle_nodes'] : ['audit_events'];
  await asInsider(db, tables, async (client) => {
    await client.query('DELETE FROM audit_events WHERE id > $1', [lastKept]);
    if (!tree) return;
    await client.query('DELETE FROM merkle_leaves WHERE leaf_index >= $1', [kept]);
    // A node of level L, index i covers leaves i·2^L .. (i+1)·2^L - 1.
    await client.query('DELETE FROM merkle_nodes WHERE (index + 1) * (2::bigint ^ level)::bigint > $1', [
      kept,
    ]);
  });
}

/**
 * After changing the events: throws the Merkle tree away and builds it again, consistently, from
 * the events as they now are: each keeps its leaf's salt, and a carried-over event whose stored
 * entry no longer agrees with it gets the entry it now makes (every person in it unnamed).
 */
export async function rebuildMerkleTree(db: TestDatabase): Promise<void> {
  const events = (await eventsInChainOrder(db)).map((event) =>
    event.entry === null || carriedOverEntryAgrees(event.entry, event, event.salt)
      ? event
      : { ...event, entry: legacyLeafEntry(event, event.salt, new Map()) },
  );
  const { leaves, nodes } = treeOf(events);
  await asInsider(db, ['merkle_leaves', 'merkle_nodes'], async (client) => {
    await client.query('DELETE FROM merkle_leaves');
    await client.query('DELETE FROM merkle_nodes');
    for (const leaf of leaves)
      await client.query(
        'INSERT INTO merkle_leaves (leaf_index, event_id, entry, salt) VALUES ($1, $2, $3, $4)',
        [leaf.index, leaf.eventId, leaf.entry, leaf.salt],
      );
    for (const node of nodes)
      await client.query('INSERT INTO merkle_nodes (level, index, hash) VALUES ($1, $2, $3)', [
        node.level,
        node.index,
        node.hash,
      ]);
  });
}
