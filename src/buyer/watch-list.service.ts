import type { DataSource, EntityManager } from 'typeorm';
import { actorOf } from '../audit/actor';
import { appendAuditEvent } from '../audit/audit.service';
import { bulkCheck, type BulkResultRow } from '../check/bulk-check.service';
import type { Config } from '../config';
import { isUniqueViolation } from '../database/availability';
import type { User } from '../identity/user.entity';
import { NotFoundError, ValidationError } from '../shared/errors';
import { isOneLine } from '../shared/forbidden-characters';
import { isUuid, readKvkNumber } from '../shared/identifiers';
import { toLocalDate } from '../shared/time';
import {
  countListsOfOrganisation,
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
  updateEntries,
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

/**
 * How large a buyer organisation's lists may grow (settings WATCH_LIST_MAX_ENTRIES and
 * WATCH_LISTS_PER_ORGANISATION): one buyer must not be able to make pages and downloads that hold
 * up the register for everyone.
 */
export interface WatchLimits {
  maxEntries: number;
  listsPerOrganisation: number;
}

/** The limits as the settings give them. */
export const watchLimitsOf = (
  config: Pick<Config, 'watchListMaxEntries' | 'watchListsPerOrganisation'>,
): WatchLimits => ({
  maxEntries: config.watchListMaxEntries,
  listsPerOrganisation: config.watchListsPerOrganisation,
});

/** Refuses adding `adding` entries to a list holding `holding` when that passes the limit; says how many fit. */
function checkRoom(limits: WatchLimits, holding: number, adding: number, field: string): void {
  if (holding + adding <= limits.maxEntries) return;
  throw new ValidationError({ [field]: ['watch.listFull'] }, undefined, {
    max: limits.maxEntries,
    room: Math.max(0, limits.maxEntries - holding),
  });
}

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
  limits: WatchLimits,
  now: Date,
): Promise<string> {
  const name = checkedName(rawName);
  return dataSource.transaction((manager) => createListIn(manager, buyer, name, limits, now));
}

async function createListIn(
  manager: EntityManager,
  buyer: User,
  name: string,
  limits: WatchLimits,
  now: Date,
): Promise<string> {
  // Counted with the organisation's row locked: two new lists at once cannot both take the last place.
  if ((await countListsOfOrganisation(manager, organisationOf(buyer))) >= limits.listsPerOrganisation)
    throw new ValidationError({ listName: ['watch.tooManyLists'] }, undefined, {
      max: limits.listsPerOrganisation,
    });
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
  limits: WatchLimits,
  now: Date,
): Promise<void> {
  await dataSource.transaction(async (manager) => {
    const list = await listFor(manager, buyer, listId, true);
    const { entry, problems } = readEntry(typed);
    if (problems) throw new ValidationError(problems);
    checkRoom(limits, list.entryCount, 1, 'kvkNumber');
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
 * new one named `newListName` (or, without a name, "Lijstcontrole <date>"). An entry on the list
 * already (same KvK number and reference) is not added twice; with `updateDates` (an import) its
 * contract dates are set to the file's when they differ. Refused as a whole when the new entries
 * would not fit within the limit. Answers the list's id and how many were added and updated.
 */
export async function addWatchEntries(
  dataSource: DataSource,
  buyer: User,
  target: { listId: string } | { newListName: string },
  entries: WatchEntryInput[],
  way: 'import' | 'bulk_check',
  limits: WatchLimits,
  now: Date,
  options: { updateDates?: boolean; field?: string } = {},
): Promise<{ listId: string; added: number; updated: number }> {
  const newName =
    'newListName' in target
      ? checkedName(target.newListName.trim() === '' ? defaultListName(now) : target.newListName)
      : undefined;
  return dataSource.transaction(async (manager) => {
    const list =
      newName !== undefined
        ? undefined
        : await listFor(manager, buyer, (target as { listId: string }).listId, true);
    const listId = list?.id ?? (await createListIn(manager, buyer, newName!, limits, now));
    const { fresh, changed } = sortAgainst(list ? await entriesOf(manager, listId) : [], entries);
    checkRoom(limits, list?.entryCount ?? 0, fresh.length, options.field ?? 'bestand');
    const added = await insertEntries(manager, listId, fresh, now);
    const updated = options.updateDates ? await updateEntries(manager, listId, changed) : 0;
    await touchList(manager, listId, now);
    await appendAuditEvent(manager, now, {
      actor: actorOf(buyer),
      action: 'watch_list.entries_added',
      subjectType: 'watch_list',
      subjectId: listId,
      data: { entries: added.length, updated, way },
    });
    return { listId, added: added.length, updated };
  });
}

/** The name of a list made without one: "Lijstcontrole" and the day, as a bulk check's list is. */
export function defaultListName(now: Date): string {
  return `Lijstcontrole ${toLocalDate(now)}`;
}

/** Where an entry to add stands against a list: new, on it with other contract dates, or on it as it is. */
export type EntryStanding = 'new' | 'datesDiffer' | 'onList';

const entryKey = (entry: { kvkNumber: string; reference: string }) => `${entry.kvkNumber}|${entry.reference}`;

/**
 * An entry on the list as a file would leave it: a date the file gives replaces the list's, a
 * date it leaves out (no such column, or an empty cell) keeps the list's. A file without date
 * columns never wipes the contract dates a buyer typed, nor the "ends before the contract" notice
 * that hangs on them.
 */
function merged(there: WatchEntryInput, entry: WatchEntryInput): WatchEntryInput {
  return {
    ...there,
    contractStart: entry.contractStart ?? there.contractStart,
    contractEnd: entry.contractEnd ?? there.contractEnd,
  };
}

/**
 * Each entry's standing against the list's `existing` entries, in order, with the entry as the
 * list would hold it afterwards. Dates that would end before they start once merged (the file
 * gives a start after the list's end and no end of its own) are left as they are.
 */
function standingsWithMerged(
  existing: readonly WatchEntryInput[],
  entries: readonly WatchEntryInput[],
): { standing: EntryStanding; entry: WatchEntryInput }[] {
  const byKey = new Map(existing.map((entry) => [entryKey(entry), entry]));
  return entries.map((entry) => {
    const there = byKey.get(entryKey(entry));
    if (!there) return { standing: 'new', entry };
    const after = merged(there, entry);
    const same = after.contractStart === there.contractStart && after.contractEnd === there.contractEnd;
    const backwards = after.contractStart && after.contractEnd && after.contractEnd < after.contractStart;
    return { standing: same || backwards ? 'onList' : 'datesDiffer', entry: after };
  });
}

/** Each entry's standing against the list's `existing` entries, in order. */
export function standings(
  existing: readonly WatchEntryInput[],
  entries: readonly WatchEntryInput[],
): EntryStanding[] {
  return standingsWithMerged(existing, entries).map((s) => s.standing);
}

function sortAgainst(
  existing: readonly WatchEntryInput[],
  entries: readonly WatchEntryInput[],
): { fresh: WatchEntryInput[]; changed: WatchEntryInput[] } {
  const sorted = standingsWithMerged(existing, entries);
  return {
    fresh: sorted.filter((s) => s.standing === 'new').map((s) => s.entry),
    changed: sorted.filter((s) => s.standing === 'datesDiffer').map((s) => s.entry),
  };
}

/** The list's entries as they are, for an import's preview to compare with. */
export async function entriesOfList(
  dataSource: DataSource,
  buyer: User,
  listId: string,
): Promise<WatchEntryInput[]> {
  await listFor(dataSource.manager, buyer, listId);
  return entriesOf(dataSource.manager, listId);
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

/** The entries of a list's page. */
export const WATCH_PAGE_SIZE = 100;

/**
 * The list with each entry's supplier as the public bulk check answers for today (the same code:
 * its limits on the heavy share of the pool, its outcomes, and its dates: a supplier that is not
 * verantwoord has no "valid until"). A provider whose identity is not confirmed is "not in the
 * register", exactly as an unknown number. With `page`: only that page's entries (from 1), with the
 * count of the whole list's entries whose listing ends before the contract.
 */
export async function watchListWithStatuses(
  dataSource: DataSource,
  buyer: User,
  listId: string,
  now: Date,
  page?: number,
): Promise<{
  list: WatchListRow;
  entries: WatchEntryView[];
  endingCount: number;
  page: number;
  pageCount: number;
}> {
  const list = await listFor(dataSource.manager, buyer, listId);
  const all = await entriesOf(dataSource.manager, listId);
  const views = await withStatuses(dataSource, all, now);
  const endingCount = views.filter((entry) => entry.endsBeforeContract).length;
  if (page === undefined) return { list, entries: views, endingCount, page: 1, pageCount: 1 };
  const pageCount = Math.max(1, Math.ceil(views.length / WATCH_PAGE_SIZE));
  const shown = Math.min(page, pageCount);
  return {
    list,
    entries: views.slice((shown - 1) * WATCH_PAGE_SIZE, shown * WATCH_PAGE_SIZE),
    endingCount,
    page: shown,
    pageCount,
  };
}

async function withStatuses(
  dataSource: DataSource,
  entries: WatchEntryRow[],
  now: Date,
): Promise<WatchEntryView[]> {
  if (entries.length === 0) return [];
  const numbers = [...new Set(entries.map((e) => e.kvkNumber))];
  const { rows } = await bulkCheck(
    dataSource,
    numbers.map((kvkNumber, index) => ({ line: index + 1, kvkInput: kvkNumber })),
    toLocalDate(now),
    now,
  );
  const byKvk = new Map(rows.map((row) => [row.kvkNumber, row]));
  return entries.map((entry) => entryView(entry, byKvk.get(entry.kvkNumber)));
}

/** An entry with the bulk check's answer for its number. */
function entryView(entry: WatchEntryRow, answer: BulkResultRow | undefined): WatchEntryView {
  if (
    !answer ||
    !answer.legalName ||
    (answer.outcome !== 'verantwoord' && answer.outcome !== 'niet_verantwoord')
  )
    return { ...entry, status: 'not_listed', since: null, validUntil: null, endsBeforeContract: false };
  const verantwoord = answer.outcome === 'verantwoord';
  // As the bulk check: "until" is the end of the listing only while verantwoord (for a suspension
  // it is the suspension's planned end, which is no validity).
  const validUntil = verantwoord ? (answer.until ?? null) : null;
  return {
    ...entry,
    legalName: answer.legalName,
    status: verantwoord ? 'verantwoord' : answer.reason!,
    since: answer.since ?? null,
    validUntil,
    endsBeforeContract: listingEndsBeforeContract(verantwoord, validUntil, entry.contractEnd),
  };
}
