import type { DataSource, EntityManager } from 'typeorm';
import { actorOf } from '../audit/actor';
import { appendAuditEvent } from '../audit/audit.service';
import { publicProvidersByKvk } from '../check/bulk-check.queries';
import { isUniqueViolation } from '../database/availability';
import type { User } from '../identity/user.entity';
import { NotFoundError, ValidationError } from '../shared/errors';
import { isOneLine } from '../shared/forbidden-characters';
import { isUuid, readKvkNumber } from '../shared/identifiers';
import { currentStatuses } from '../status/status-snapshot.service';
import {
  deleteEntry,
  deleteList,
  entriesOf,
  entryOf,
  insertEntries,
  insertList,
  listOfOrganisation,
  listsOfOrganisation,
  renameList,
  touchList,
  updateEntry,
  type WatchEntryInput,
  type WatchEntryRow,
  type WatchListRow,
} from './watch-list.queries';
import { listingEndsBeforeContract, MAX_REFERENCE, parseContractDate } from './watch-list-rules';

/*
 * A buyer organisation's watch lists (issue 18 §2). Every buyer of the organisation sees and edits
 * its lists; the creator (the owner) is the one mailed about them. A list of another organisation
 * is not found (404): its id reveals nothing.
 */

/** The longest name of a list. */
export const MAX_LIST_NAME = 200;

/** The buyer's organisation; anyone else has no watch lists (the routes let only buyers in). */
function organisationOf(buyer: User): string {
  if (buyer.role !== 'buyer' || !buyer.buyerOrganisationId) throw new NotFoundError('not a buyer');
  return buyer.buyerOrganisationId;
}

/** The list when it is the buyer's organisation's; otherwise NotFoundError. */
async function listFor(
  manager: EntityManager,
  buyer: User,
  listId: string,
  lock = false,
): Promise<WatchListRow> {
  const list = isUuid(listId)
    ? await listOfOrganisation(manager, organisationOf(buyer), listId, lock)
    : undefined;
  if (!list) throw new NotFoundError(`no watch list ${listId}`);
  return list;
}

function checkedName(raw: string): string {
  const name = raw.trim();
  if (name === '') throw new ValidationError({ listName: ['validation.required'] });
  if (name.length > MAX_LIST_NAME) throw new ValidationError({ listName: ['validation.tooLong'] });
  if (!isOneLine(name)) throw new ValidationError({ listName: ['validation.oneLine'] });
  return name;
}

/** The list when it is the buyer's organisation's; otherwise NotFoundError (404). */
export function watchList(dataSource: DataSource, buyer: User, listId: string): Promise<WatchListRow> {
  return listFor(dataSource.manager, buyer, listId);
}

/** The buyer's organisation's watch lists. */
export function watchListsOf(dataSource: DataSource, buyer: User): Promise<WatchListRow[]> {
  return listsOfOrganisation(dataSource.manager, organisationOf(buyer));
}

/** A new list, owned by the buyer who makes it; answers its id. */
export async function createWatchList(
  dataSource: DataSource,
  buyer: User,
  rawName: string,
  now: Date,
): Promise<string> {
  const name = checkedName(rawName);
  return dataSource.transaction((manager) => createListIn(manager, buyer, name, now));
}

async function createListIn(manager: EntityManager, buyer: User, name: string, now: Date): Promise<string> {
  const id = await insertList(manager, organisationOf(buyer), buyer.id, name, now);
  await appendAuditEvent(manager, now, {
    actor: actorOf(buyer),
    action: 'watch_list.created',
    subjectType: 'watch_list',
    subjectId: id,
    data: { organisationId: buyer.buyerOrganisationId },
  });
  return id;
}

export async function renameWatchList(
  dataSource: DataSource,
  buyer: User,
  listId: string,
  rawName: string,
  now: Date,
): Promise<void> {
  await dataSource.transaction(async (manager) => {
    await listFor(manager, buyer, listId, true);
    const name = checkedName(rawName);
    await renameList(manager, listId, name, now);
    await appendAuditEvent(manager, now, {
      actor: actorOf(buyer),
      action: 'watch_list.renamed',
      subjectType: 'watch_list',
      subjectId: listId,
      data: {},
    });
  });
}

export async function deleteWatchList(
  dataSource: DataSource,
  buyer: User,
  listId: string,
  now: Date,
): Promise<void> {
  await dataSource.transaction(async (manager) => {
    const list = await listFor(manager, buyer, listId, true);
    await deleteList(manager, listId);
    await appendAuditEvent(manager, now, {
      actor: actorOf(buyer),
      action: 'watch_list.deleted',
      subjectType: 'watch_list',
      subjectId: listId,
      data: { entries: list.entryCount },
    });
  });
}

/** An entry as typed in the form: every field a string. */
export interface TypedEntry {
  kvkNumber: string;
  reference: string;
  contractStart: string;
  contractEnd: string;
}

/**
 * Reads a typed entry: a KvK number as the register reads one everywhere (readKvkNumber: spaces,
 * dots, "KvK" ignored; eight digits), a reference of at most MAX_REFERENCE characters on one line,
 * and optional contract dates (ISO or d-m-yyyy), the end not before the start. Answers the entry,
 * or the problems by field (translation keys).
 */
export function readEntry(
  typed: TypedEntry,
):
  | { entry: WatchEntryInput; problems?: undefined }
  | { entry?: undefined; problems: Record<string, string[]> } {
  const problems: Record<string, string[]> = {};
  const reading = readKvkNumber(typed.kvkNumber);
  // Eight digits (or Excel's ten with two leading zeros); seven are refused here: the person types
  // the number, and can type the zero (an import says which rows lost it).
  const kvkNumber = reading.kind === 'valid' || reading.kind === 'tenDigits' ? reading.kvkNumber : undefined;
  if (typed.kvkNumber.trim() === '') problems.kvkNumber = ['validation.required'];
  else if (!kvkNumber) problems.kvkNumber = ['validation.kvkNumber'];
  const reference = typed.reference.trim();
  if (reference.length > MAX_REFERENCE) problems.reference = ['validation.tooLong'];
  else if (!isOneLine(reference)) problems.reference = ['validation.oneLine'];
  const date = (field: 'contractStart' | 'contractEnd'): string | null => {
    if (typed[field].trim() === '') return null;
    const parsed = parseContractDate(typed[field]);
    if (!parsed) problems[field] = ['watch.badDate'];
    return parsed ?? null;
  };
  const contractStart = date('contractStart');
  const contractEnd = date('contractEnd');
  if (contractStart && contractEnd && contractEnd < contractStart)
    problems.contractEnd = ['watch.endBeforeStart'];
  if (Object.keys(problems).length > 0) return { problems };
  return { entry: { kvkNumber: kvkNumber!, reference, contractStart, contractEnd } };
}

const duplicate = () => new ValidationError({ kvkNumber: ['watch.duplicate'] });

/** Adds one supplier by hand; the same KvK number with the same reference twice is refused. */
export async function addWatchEntry(
  dataSource: DataSource,
  buyer: User,
  listId: string,
  typed: TypedEntry,
  now: Date,
): Promise<void> {
  await dataSource.transaction(async (manager) => {
    await listFor(manager, buyer, listId, true);
    const { entry, problems } = readEntry(typed);
    if (problems) throw new ValidationError(problems);
    const [id] = await insertEntries(manager, listId, [entry], now);
    if (!id) throw duplicate();
    await touchList(manager, listId, now);
    await appendAuditEvent(manager, now, {
      actor: actorOf(buyer),
      action: 'watch_list.entry_added',
      subjectType: 'watch_list',
      subjectId: listId,
      data: { entries: 1, way: 'form' },
    });
  });
}

/** The entry when it is on the buyer's organisation's list; otherwise NotFoundError. */
export async function watchEntry(
  dataSource: DataSource,
  buyer: User,
  listId: string,
  entryId: string,
): Promise<{ list: WatchListRow; entry: WatchEntryRow }> {
  const list = await listFor(dataSource.manager, buyer, listId);
  const entry = isUuid(entryId) ? await entryOf(dataSource.manager, listId, entryId) : undefined;
  if (!entry) throw new NotFoundError(`no watch list entry ${entryId}`);
  return { list, entry };
}

export async function editWatchEntry(
  dataSource: DataSource,
  buyer: User,
  listId: string,
  entryId: string,
  typed: TypedEntry,
  now: Date,
): Promise<void> {
  try {
    await dataSource.transaction(async (manager) => {
      await listFor(manager, buyer, listId, true);
      if (!isUuid(entryId) || !(await entryOf(manager, listId, entryId)))
        throw new NotFoundError(`no watch list entry ${entryId}`);
      const { entry, problems } = readEntry(typed);
      if (problems) throw new ValidationError(problems);
      await updateEntry(manager, entryId, entry);
      await touchList(manager, listId, now);
      await appendAuditEvent(manager, now, {
        actor: actorOf(buyer),
        action: 'watch_list.entry_changed',
        subjectType: 'watch_list',
        subjectId: listId,
        data: { entryId },
      });
    });
  } catch (error) {
    if (isUniqueViolation(error, 'watch_list_entries_unique')) throw duplicate();
    throw error;
  }
}

export async function removeWatchEntry(
  dataSource: DataSource,
  buyer: User,
  listId: string,
  entryId: string,
  now: Date,
): Promise<void> {
  await dataSource.transaction(async (manager) => {
    await listFor(manager, buyer, listId, true);
    if (!isUuid(entryId) || !(await entryOf(manager, listId, entryId)))
      throw new NotFoundError(`no watch list entry ${entryId}`);
    await deleteEntry(manager, entryId);
    await touchList(manager, listId, now);
    await appendAuditEvent(manager, now, {
      actor: actorOf(buyer),
      action: 'watch_list.entry_removed',
      subjectType: 'watch_list',
      subjectId: listId,
      data: { entryId },
    });
  });
}

/**
 * Adds many entries at once (an import, or a bulk check's suppliers), to an existing list or to a
 * new one named `newListName`: those on the list already are left as they are. Answers the list's
 * id and how many were added.
 */
export async function addWatchEntries(
  dataSource: DataSource,
  buyer: User,
  target: { listId: string } | { newListName: string },
  entries: WatchEntryInput[],
  way: 'import' | 'bulk_check',
  now: Date,
): Promise<{ listId: string; added: number }> {
  const newName = 'newListName' in target ? checkedName(target.newListName) : undefined;
  return dataSource.transaction(async (manager) => {
    const listId =
      newName !== undefined
        ? await createListIn(manager, buyer, newName, now)
        : (await listFor(manager, buyer, (target as { listId: string }).listId, true)).id;
    const added = await insertEntries(manager, listId, entries, now);
    await touchList(manager, listId, now);
    await appendAuditEvent(manager, now, {
      actor: actorOf(buyer),
      action: 'watch_list.entries_added',
      subjectType: 'watch_list',
      subjectId: listId,
      data: { entries: added.length, way },
    });
    return { listId, added: added.length };
  });
}

/** One entry as the list page and its downloads show it. */
export interface WatchEntryView extends WatchEntryRow {
  /** Only a registered provider whose identity a reviewer confirmed; otherwise not in the register. */
  legalName?: string;
  /** The status code today, as the public pages compute it; `not_listed` for a number not in the register. */
  status: string;
  since: Date | null;
  validUntil: Date | null;
  endsBeforeContract: boolean;
}

/**
 * The list with each entry's supplier as the public register shows it today: a provider whose
 * identity is not confirmed is "not in the register", exactly as an unknown number.
 */
export async function watchListWithStatuses(
  dataSource: DataSource,
  buyer: User,
  listId: string,
  now: Date,
): Promise<{ list: WatchListRow; entries: WatchEntryView[] }> {
  const list = await listFor(dataSource.manager, buyer, listId);
  const entries = await entriesOf(dataSource.manager, listId);
  const numbers = [...new Set(entries.map((e) => e.kvkNumber))];
  const providers = await publicProvidersByKvk(dataSource.manager, numbers);
  const statuses = await currentStatuses(
    dataSource.manager,
    providers.map((p) => p.id),
    now,
  );
  const byKvk = new Map(providers.map((p, i) => [p.kvkNumber, { ...p, ...statuses[i]! }]));
  return {
    list,
    entries: entries.map((entry) => {
      const found = byKvk.get(entry.kvkNumber);
      if (!found)
        return { ...entry, status: 'not_listed', since: null, validUntil: null, endsBeforeContract: false };
      return {
        ...entry,
        legalName: found.legalName,
        status: found.status,
        since: found.since,
        validUntil: found.valid_until,
        endsBeforeContract: listingEndsBeforeContract(
          found.status === 'verantwoord',
          found.valid_until,
          entry.contractEnd,
        ),
      };
    }),
  };
}
