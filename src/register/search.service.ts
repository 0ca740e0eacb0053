import type { DataSource } from 'typeorm';
import { REASON_CODES } from '../status/status-rules';
import { catchUpFewSnapshots, currentStatuses } from '../status/status-snapshot.service';
import { providerSearch, type SearchKind, type SearchPageRow, SORTS, type Sort } from './search.queries';
import { readSearchQuery, type SearchReading } from './search.reading';

export { SORTS, type Sort };

export const SEARCH_PAGE_SIZE = 25;
/**
 * A search that is no name search counts its matches up to this many and then says "more than";
 * a count above it costs what the page does not need (`8` as the start of a KvK number matches the
 * whole bulk register). The whole register and its status filters are counted exactly, from the
 * kept counts.
 */
export const EXACT_COUNT_LIMIT = 1000;
export const STATUS_FILTERS = ['verantwoord', ...REASON_CODES] as const;

export interface SearchQuery {
  /** Name or trade name (typo-tolerant), KvK number, btw-id or website domain. */
  q: string;
  status?: string;
  sort: Sort;
  page: number;
  pageSize?: number;
  /** A page past the last shows the last page (the web page does); false answers it empty (the API does). */
  clampPage?: boolean;
  /** Staff only: registrations whose identity no reviewer has confirmed yet are found too. */
  includeUnconfirmed?: boolean;
}

export interface SearchRow {
  id: string;
  identityConfirmed: boolean;
  kvkNumber: string;
  legalName: string;
  tradeNames: string[];
  city: string;
  website: string | null;
  status: string;
  since: Date | null;
  validUntil: Date | null;
}

export interface SearchResult {
  /** How the query was read: the page says what it searched on, and which words it left out. */
  reading: SearchReading;
  rows: SearchRow[];
  /** The number of matches; with `more`, more than this many match (not counted further). */
  total: number;
  more?: boolean;
  page: number;
  pageCount: number;
  /**
   * Many stored statuses are due and wait for the background refresh (after a code version lapsed
   * many listings): the rows show their status at `now`, but the count, the status filter and the
   * order by status follow the stored statuses and may be behind for a short while.
   */
  behind?: boolean;
}

/** How a query is read: a whole or partial KvK number, a btw-id, a domain, or a name. */
export function queryKind(q: string): SearchKind {
  return readSearchQuery(q).kind;
}

/** Name searches kept per database on this instance, and those in flight: see `searchProviders`. */
interface KeptSearch {
  at: number;
  until: number;
  result: Promise<Found>;
}
const kept = new WeakMap<DataSource, Map<string, KeptSearch>>();
/** The most first pages kept per instance; the oldest goes first. */
export const SEARCH_CACHE_ENTRIES = 500;

/** A search's answer without the reading of the query (which says which words it left out, as typed). */
type Found = Omit<SearchResult, 'reading'>;

/**
 * Searches the register. Statuses come from the snapshots the rules keep: a few due ones are
 * brought up to date first; when many are due (the background refresh has not got to them yet),
 * the rows shown get their status at `now` from the rules, and the count, a filter or order by
 * status may be behind until the refresh is done (`catchUpFewSnapshots`): the result says so
 * (`behind`).
 *
 * A name search is shared: identical searches (the same words, filter, order and page) at the
 * same time are one computation, and the first page is kept for `cacheSeconds` on this instance.
 */
export async function searchProviders(
  dataSource: DataSource,
  query: SearchQuery & { cacheSeconds?: number },
  now: Date,
): Promise<SearchResult> {
  const reading = readSearchQuery(query.q);
  // Only characters that are no word at all ("🙂", "-"): nothing can match.
  if (reading.kind === 'name' && reading.words.length === 0) {
    return { reading, rows: [], total: 0, page: 1, pageCount: 1 };
  }
  if (reading.kind !== 'name') return { reading, ...(await search(dataSource, query, reading, now)) };

  const page = Math.max(1, query.page);
  const status = statusFilter(query.status);
  const key = JSON.stringify([
    reading.words,
    status ?? '',
    query.sort,
    page,
    query.pageSize ?? SEARCH_PAGE_SIZE,
    query.clampPage ?? true,
    query.includeUnconfirmed ?? false,
  ]);
  let entries = kept.get(dataSource);
  if (!entries) kept.set(dataSource, (entries = new Map<string, KeptSearch>()));
  const t = now.getTime();
  const entry = entries.get(key);
  if (entry && entry.at <= t && t < entry.until) return { reading, ...(await entry.result) };

  const keep = page === 1 ? (query.cacheSeconds ?? 0) * 1000 : 0;
  // Kept while it is computed (concurrent requests share it), and then for `keep` when it succeeds.
  const fresh = { at: t, until: Infinity, result: search(dataSource, query, reading, now) };
  entries.delete(key);
  entries.set(key, fresh);
  while (entries.size > SEARCH_CACHE_ENTRIES) entries.delete(entries.keys().next().value as string);
  const drop = () => {
    if (entries.get(key) === fresh) entries.delete(key);
  };
  try {
    const found = await fresh.result;
    if (keep > 0) fresh.until = t + keep;
    else drop();
    return { reading, ...found };
  } catch (error) {
    drop();
    throw error;
  }
}

function statusFilter(status: string | undefined): string | undefined {
  return status && (STATUS_FILTERS as readonly string[]).includes(status) ? status : undefined;
}

async function search(
  dataSource: DataSource,
  query: SearchQuery,
  reading: SearchReading,
  now: Date,
): Promise<Found> {
  const current = await catchUpFewSnapshots(dataSource, now);
  const pageSize = query.pageSize ?? SEARCH_PAGE_SIZE;
  const kind = reading.kind;
  const status = statusFilter(query.status);
  const search = providerSearch(dataSource, {
    reading,
    status,
    sort: query.sort,
    includeUnconfirmed: query.includeUnconfirmed,
  });
  // A name search computes trigram scores for every match anyway: one pass answers both the page
  // and the total (a window count). Other searches count apart, so the page can stop early.
  const windowCount = kind === 'name';
  // Kept counts and a name search's window count cost nothing more; other counts stop at the limit.
  const limited = !windowCount && !search.counted;
  const countAll = () => search.count(limited ? EXACT_COUNT_LIMIT + 1 : undefined);
  // With the total known, a page of the whole register may be read from its end.
  const fetchPage = (page: number, limit = pageSize) =>
    search.page(limit, (page - 1) * pageSize, windowCount || more ? undefined : total);
  let page = Math.max(1, query.page);
  let total = windowCount ? 0 : await countAll();
  let more = limited && total > EXACT_COUNT_LIMIT;
  if (more) total = EXACT_COUNT_LIMIT;
  const clamp = query.clampPage ?? true;
  const lastPage = () => Math.max(1, Math.ceil(total / pageSize));
  if (!windowCount && !more && clamp) page = Math.min(page, lastPage());
  // More than the limit: one row more than the page tells whether a next page exists.
  let rows = await fetchPage(page, more ? pageSize + 1 : pageSize);
  const hasNext = more && rows.length > pageSize;
  if (hasNext) rows = rows.slice(0, pageSize);
  if (windowCount) total = rows[0]?.total ?? 0;
  if (rows.length === 0 && page > 1) {
    // Past the last page: the window gave no total and a limited count says only "more than", so
    // count exactly (once, here only); the web page shows the last page, the API an empty one.
    if (windowCount || more) total = await search.count();
    more = false;
    if (clamp) {
      page = lastPage();
      rows = total > 0 ? await fetchPage(page) : [];
    }
  }
  // More than the limit and no page after this one: this page ends the matches, the total is exact.
  if (more && !hasNext) {
    total = (page - 1) * pageSize + rows.length;
    more = false;
  }
  const pageCount = more ? Math.max(Math.ceil((total + 1) / pageSize), page + 1) : lastPage();
  if (!current) rows = await atNow(dataSource, rows, now);
  return {
    total,
    ...(more ? { more } : {}),
    ...(current ? {} : { behind: true }),
    page,
    pageCount,
    rows: rows.map((r: SearchPageRow) => ({
      id: r.id,
      identityConfirmed: r.identity_confirmed,
      kvkNumber: r.kvk_number,
      legalName: r.legal_name,
      tradeNames: r.trade_names,
      city: r.city,
      website: r.website,
      status: r.status,
      since: r.since,
      validUntil: r.valid_until,
    })),
  };
}

/**
 * The rows with their status at `now` by the rules, for when stored snapshots are due and wait for
 * the background refresh: only the rows shown are computed. Every row stays, also one whose status
 * no longer matches the filter (it was found by its stored status, which the count follows too):
 * leaving it out would show a count above an empty page. The page says the statuses are behind.
 */
async function atNow(dataSource: DataSource, rows: SearchPageRow[], now: Date): Promise<SearchPageRow[]> {
  const statuses = await currentStatuses(
    dataSource.manager,
    rows.map((r) => r.id),
    now,
  );
  return rows.map((r, i) => ({ ...r, ...statuses[i] }));
}
