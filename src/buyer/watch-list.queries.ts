import type { EntityManager } from 'typeorm';

/** A watch list as its pages show it. */
export interface WatchListRow {
  id: string;
  organisationId: string;
  ownerId: string;
  ownerName: string;
  name: string;
  entryCount: number;
  createdAt: Date;
  updatedAt: Date;
}

/** One supplier on a watch list: dates as YYYY-MM-DD. */
export interface WatchEntryRow {
  id: string;
  watchListId: string;
  kvkNumber: string;
  reference: string;
  contractStart: string | null;
  contractEnd: string | null;
}

/** What an entry holds, as added or edited. */
export interface WatchEntryInput {
  kvkNumber: string;
  reference: string;
  contractStart: string | null;
  contractEnd: string | null;
}

const LIST = `l.id, l.buyer_organisation_id AS "organisationId", l.owner_id AS "ownerId", u.name AS "ownerName",
  l.name, l.created_at AS "createdAt", l.updated_at AS "updatedAt",
  (SELECT count(*)::int FROM watch_list_entries e WHERE e.watch_list_id = l.id) AS "entryCount"`;

const ENTRY = `id, watch_list_id AS "watchListId", kvk_number AS "kvkNumber", reference,
  contract_start::text AS "contractStart", contract_end::text AS "contractEnd"`;

/** The organisation's watch lists, by name. */
export function listsOfOrganisation(manager: EntityManager, organisationId: string): Promise<WatchListRow[]> {
  return manager.query<WatchListRow[]>(
    `SELECT ${LIST} FROM watch_lists l JOIN users u ON u.id = l.owner_id
      WHERE l.buyer_organisation_id = $1 ORDER BY lower(l.name), l.created_at`,
    [organisationId],
  );
}

/** The list, when it belongs to the organisation (locked for a change when `lock`). */
export async function listOfOrganisation(
  manager: EntityManager,
  organisationId: string,
  listId: string,
  lock = false,
): Promise<WatchListRow | undefined> {
  const [row] = await manager.query<WatchListRow[]>(
    `SELECT ${LIST} FROM watch_lists l JOIN users u ON u.id = l.owner_id
      WHERE l.id = $1::uuid AND l.buyer_organisation_id = $2 ${lock ? 'FOR UPDATE OF l' : ''}`,
    [listId, organisationId],
  );
  return row;
}

export async function insertList(
  manager: EntityManager,
  organisationId: string,
  ownerId: string,
  name: string,
  now: Date,
): Promise<string> {
  const [row] = await manager.query<{ id: string }[]>(
    `INSERT INTO watch_lists (buyer_organisation_id, owner_id, name, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $4) RETURNING id`,
    [organisationId, ownerId, name, now],
  );
  return row!.id;
}

export async function renameList(
  manager: EntityManager,
  listId: string,
  name: string,
  now: Date,
): Promise<void> {
  await manager.query(`UPDATE watch_lists SET name = $2, updated_at = $3 WHERE id = $1`, [listId, name, now]);
}

/** Marks the list changed (an entry added, edited or removed). */
export async function touchList(manager: EntityManager, listId: string, now: Date): Promise<void> {
  await manager.query(`UPDATE watch_lists SET updated_at = $2 WHERE id = $1`, [listId, now]);
}

/** Deletes the list with its entries (and, by the schema's cascade, what was noted for them). */
export async function deleteList(manager: EntityManager, listId: string): Promise<void> {
  await manager.query(`DELETE FROM watch_lists WHERE id = $1`, [listId]);
}

/** The list's entries, by KvK number and reference. */
export function entriesOf(manager: EntityManager, listId: string): Promise<WatchEntryRow[]> {
  return manager.query<WatchEntryRow[]>(
    `SELECT ${ENTRY} FROM watch_list_entries WHERE watch_list_id = $1 ORDER BY kvk_number, reference, created_at`,
    [listId],
  );
}

export async function entryOf(
  manager: EntityManager,
  listId: string,
  entryId: string,
): Promise<WatchEntryRow | undefined> {
  const [row] = await manager.query<WatchEntryRow[]>(
    `SELECT ${ENTRY} FROM watch_list_entries WHERE id = $1::uuid AND watch_list_id = $2`,
    [entryId, listId],
  );
  return row;
}

/**
 * Adds entries; one that is on the list already (same KvK number and reference) is left as it is.
 * Answers the ids of those added.
 */
export async function insertEntries(
  manager: EntityManager,
  listId: string,
  entries: WatchEntryInput[],
  now: Date,
): Promise<string[]> {
  if (entries.length === 0) return [];
  const rows = await manager.query<{ id: string }[]>(
    `INSERT INTO watch_list_entries (watch_list_id, kvk_number, reference, contract_start, contract_end, created_at)
     SELECT $1, e.kvk, e.reference, e.start, e.end_, $6
       FROM unnest($2::text[], $3::text[], $4::date[], $5::date[]) AS e(kvk, reference, start, end_)
     ON CONFLICT ON CONSTRAINT watch_list_entries_unique DO NOTHING
     RETURNING id`,
    [
      listId,
      entries.map((e) => e.kvkNumber),
      entries.map((e) => e.reference),
      entries.map((e) => e.contractStart),
      entries.map((e) => e.contractEnd),
      now,
    ],
  );
  return rows.map((r) => r.id);
}

/** Sets the contract dates of the list's entries with these KvK numbers and references; answers how many. */
export async function updateEntries(
  manager: EntityManager,
  listId: string,
  entries: WatchEntryInput[],
): Promise<number> {
  if (entries.length === 0) return 0;
  // TypeORM answers an UPDATE … RETURNING on PostgreSQL as [rows, affected].
  const [rows] = await manager.query<[unknown[], number]>(
    `UPDATE watch_list_entries w SET contract_start = e.start, contract_end = e.end_,
            listing_end_warned_for = CASE WHEN w.contract_end IS DISTINCT FROM e.end_ THEN NULL ELSE w.listing_end_warned_for END
       FROM unnest($2::text[], $3::text[], $4::date[], $5::date[]) AS e(kvk, reference, start, end_)
      WHERE w.watch_list_id = $1 AND w.kvk_number = e.kvk AND w.reference = e.reference
      RETURNING w.id`,
    [
      listId,
      entries.map((e) => e.kvkNumber),
      entries.map((e) => e.reference),
      entries.map((e) => e.contractStart),
      entries.map((e) => e.contractEnd),
    ],
  );
  return rows.length;
}

/** How many lists the organisation keeps, its row locked until the transaction ends (a new list waits). */
export async function countListsOfOrganisation(
  manager: EntityManager,
  organisationId: string,
): Promise<number> {
  await manager.query(`SELECT 1 FROM buyer_organisations WHERE id = $1 FOR UPDATE`, [organisationId]);
  const [row] = await manager.query<{ count: number }[]>(
    `SELECT count(*)::int AS count FROM watch_lists WHERE buyer_organisation_id = $1`,
    [organisationId],
  );
  return row!.count;
}

export async function updateEntry(
  manager: EntityManager,
  entryId: string,
  input: WatchEntryInput,
): Promise<void> {
  await manager.query(
    `UPDATE watch_list_entries SET kvk_number = $2, reference = $3, contract_start = $4, contract_end = $5,
            listing_end_warned_for = CASE WHEN contract_end IS DISTINCT FROM $5::date THEN NULL ELSE listing_end_warned_for END
      WHERE id = $1`,
    [entryId, input.kvkNumber, input.reference, input.contractStart, input.contractEnd],
  );
}

export async function deleteEntry(manager: EntityManager, entryId: string): Promise<void> {
  await manager.query(`DELETE FROM watch_list_entries WHERE id = $1`, [entryId]);
}
