import type { DataSource } from 'typeorm';
import { REASON_CODES } from '../status/status-rules';
import { refreshDueSnapshots } from '../status/status-snapshot.service';
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
}

/** How a query is read: a whole or partial KvK number, a btw-id, a domain, or a name. */
export function queryKind(q: string): SearchKind {
  return readSearchQuery(q).kind;
}

/**
 * Searches the register. Statuses come from the snapshot the rules keep, brought up to date first
 * for every provider whose next change has come.
 */
export async function searchProviders(
  dataSource: DataSource,
  query: SearchQuery,
  now: Date,
): Promise<SearchResult> {
  await refreshDueSnapshots(dataSource.manager, now);
  const pageSize = query.pageSize ?? SEARCH_PAGE_SIZE;
  const reading = readSearchQuery(query.q);
  const kind = reading.kind;
  // Only characters that are no word at all ("🙂", "-"): nothing can match.
  if (reading.kind === 'name' && reading.words.length === 0) {
    return { reading, rows: [], total: 0, page: 1, pageCount: 1 };
  }
  const search = providerSearch(dataSource, {
    reading,
    status:
      query.status && (STATUS_FILTERS as readonly string[]).includes(query.status) ? query.status : undefined,
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
  const fetchPage = (page: number) =>
    search.page(pageSize, (page - 1) * pageSize, windowCount ? undefined : total);
  let page = Math.max(1, query.page);
  let total = windowCount ? 0 : await countAll();
  let more = limited && total > EXACT_COUNT_LIMIT;
  if (more) total = EXACT_COUNT_LIMIT;
  const clamp = query.clampPage ?? true;
  if (!windowCount && !more && clamp) page = Math.min(page, Math.max(1, Math.ceil(total / pageSize)));
  let rows = await fetchPage(page);
  if (windowCount) total = rows[0]?.total ?? 0;
  if (rows.length === 0 && page > 1) {
    // Past the last page: the window gave no total, so count apart; the web page shows the last page.
    if (windowCount) total = await countAll();
    if (clamp) {
      page = Math.max(1, Math.ceil(total / pageSize));
      rows = total > 0 ? await fetchPage(page) : [];
    }
  }
  // More than the limit: a last page that is not full tells the total; otherwise at least the
  // pages past the limit, and the next one while this one is full.
  if (more && rows.length > 0 && rows.length < pageSize) {
    total = (page - 1) * pageSize + rows.length;
    more = false;
  }
  const atLeast = Math.ceil((total + 1) / pageSize);
  const pageCount = more
    ? rows.length === pageSize
      ? Math.max(atLeast, page + 1)
      : atLeast
    : Math.max(1, Math.ceil(total / pageSize));
  return {
    reading,
    total,
    ...(more ? { more } : {}),
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
