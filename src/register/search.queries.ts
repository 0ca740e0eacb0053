import type { DataSource } from 'typeorm';
import { preparedQuery } from '../database/prepared';
import { must } from '../shared/must';
import { REASON_CODES } from '../status/status-rules';
import type { SearchReading } from './search.reading';

export const SORTS = ['relevance', 'name', 'kvk', 'status'] as const;
export type Sort = (typeof SORTS)[number];

/** How a query is read: one, several or part of a KvK number, a btw-id, a domain, or a name (and place). */
export type SearchKind = SearchReading['kind'];

/**
 * Dictionary words one query word may match, the best first (exact, beginning, part, then by
 * typos and trigram similarity): a query word like "wolk" is part of many words, and each brings
 * its providers; beyond these few the matches add noise, not better results.
 */
export const WORDS_PER_QUERY_WORD = 12;

/**
 * The providers whose names match every word of the query, each with a score from 0 to 1, as the
 * CTE `hits (id, score, sort_name, kvk_number, confirmed)`. A query word matches a word of a name exactly (1), as its beginning (0.9),
 * as a part of it (0.8, "wolk" in "polderwolk"), or with a typo: words of four to seven characters
 * may differ in one letter, longer ones in two, from the whole name word (0.5 for one typo, 0.4 for
 * two: "poldrwolk", "hostng") or, below every whole-word typo, from its beginning (0.36 and 0.32:
 * "polderwlk" is two typos from "polderklo", the beginning of "polderklomp", and ranks that below
 * "polderwad"). A typo is a fallback, not a widening: a query word that matches a dictionary word
 * exactly or as its beginning matches no word by typo ("polderwad" finds no "polderhaven"). Words are compared in the dictionary of distinct
 * name words (migration SearchWords), whose trigram index offers the candidates, so the cost
 * follows the number of distinct words that come close, not the size of the register; of those,
 * only the WORDS_PER_QUERY_WORD best per query word count. The trigram
 * operator `%` offers words at pg_trgm's default similarity threshold (0.3): a word of four or
 * five characters with a typo in its middle may fall below it and is then not found (words of three
 * characters or fewer match only exactly or as a part anyway).
 *
 * A query word may also match a word of the provider's place (`providers.city_words`, from the same
 * dictionary), exactly, as its beginning or with a typo (not as a part: `dam` is no Amsterdam). A
 * word that matches a place ("place word") only ranks and confirms: the name words decide, so
 * `Polderwolk Hosting, Zwolle` finds Polderwolk Hosting wherever it is (first where it is in
 * Zwolle), and a query of place words alone (`Zwolle`) lists the providers there. A place match
 * counts for 0.3 of a name match (below a name word with two typos), so a provider with the word
 * in its name ranks above every provider that is only in that place.
 *
 * The rows the word index finds carry what the order needs (lower-case name, KvK number) and
 * whether the identity is confirmed, so ordering the matches reads no other row: only the page is
 * fetched whole.
 */
function nameMatches(words: string): string {
  return `WITH qw AS (
      SELECT DISTINCT q, CASE WHEN length(q) >= 8 THEN 2 WHEN length(q) >= 4 THEN 1 ELSE 0 END AS typos
        FROM unnest(${words}::text[]) AS q),
    c AS (
      SELECT qw.q, d.word, strpos(d.word, qw.q) AS at,
             levenshtein_less_equal(qw.q, d.word, qw.typos + 1) AS whole,
             levenshtein_less_equal(qw.q, left(d.word, length(qw.q)), qw.typos + 1) AS lead, qw.typos AS allowed
        FROM qw JOIN search_words d ON (qw.q % d.word OR d.word LIKE '%' || qw.q || '%')),
    ranked AS (
      SELECT q, word, at, CASE WHEN word = q THEN 1 WHEN at = 1 THEN 0.9 WHEN at > 1 THEN 0.8
                               WHEN whole <= allowed THEN 0.6 - 0.1 * whole ELSE 0.4 - 0.04 * lead END AS sim
        FROM (SELECT c.*, bool_or(at = 1) OVER (PARTITION BY q) AS started FROM c) AS c
       WHERE at > 0 OR (NOT started AND least(whole, lead) <= allowed)),
    m AS (
      SELECT q, word, at, sim FROM (
        SELECT *, row_number() OVER (PARTITION BY q ORDER BY sim DESC, similarity(q, word) DESC, word) AS n
          FROM ranked) AS r
       WHERE n <= ${WORDS_PER_QUERY_WORD}),
    place AS (
      SELECT DISTINCT m.q FROM m
       WHERE m.at <= 1 AND EXISTS (SELECT 1 FROM providers p WHERE p.city_words @> ARRAY[m.word])),
    per AS (
      SELECT id, q, sort_name, kvk_number, confirmed, max(sim) AS best FROM (
        SELECT p.id, m.q, m.sim, lower(p.legal_name) AS sort_name, p.kvk_number,
               p.identity_confirmed_at IS NOT NULL AS confirmed
          FROM m JOIN providers p ON p.search_words @> ARRAY[m.word]
        UNION ALL
        SELECT p.id, m.q, m.sim * 0.3, lower(p.legal_name), p.kvk_number, p.identity_confirmed_at IS NOT NULL
          FROM m JOIN providers p ON p.city_words @> ARRAY[m.word] WHERE m.at <= 1) AS w
       GROUP BY id, q, sort_name, kvk_number, confirmed),
    hits AS (
      SELECT id, sort_name, kvk_number, confirmed, sum(best) / (SELECT count(*) FROM qw) AS score FROM per
       GROUP BY id, sort_name, kvk_number, confirmed
      HAVING count(*) FILTER (WHERE q NOT IN (SELECT q FROM place))
             = (SELECT count(*) FROM qw WHERE q NOT IN (SELECT q FROM place)))`;
}

/** The order of name matches, over the columns `hits` carries (and the status, for that order). */
const NAME_ORDER: Record<Sort, string> = {
  relevance: 'r.score DESC, r.sort_name ASC, r.kvk_number ASC',
  name: 'r.sort_name ASC, r.kvk_number ASC',
  kvk: 'r.kvk_number ASC',
  status: "(r.status = 'verantwoord') DESC, r.status ASC, r.sort_name ASC, r.kvk_number ASC",
};

/**
 * A name search: the matches ranked with only what the word index found (and the status, when the
 * search filters or orders by it), then the page fetched whole. The total is a window count over
 * the ranked matches, in the same pass.
 */
function nameSearch(
  dataSource: DataSource,
  words: string[],
  { status, sort, includeUnconfirmed }: SearchPlan,
) {
  const params: unknown[] = [words];
  const where: string[] = includeUnconfirmed ? [] : ['h.confirmed'];
  const needStatus = status !== undefined || sort === 'status';
  if (status !== undefined) {
    params.push(status);
    where.push(`s.status = $${params.length}`);
  }
  const ranked = `${nameMatches('$1')},
    r AS (
      SELECT h.id, h.score, h.sort_name, h.kvk_number${needStatus ? ', s.status' : ''}
        FROM hits h${needStatus ? ' CROSS JOIN LATERAL (SELECT status FROM provider_status WHERE provider_id = h.id LIMIT 1) s' : ''}
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''})`;
  return {
    /** A name search counts its matches in the page's pass (a window count), not from kept counts. */
    counted: false,
    count: async () => {
      const [row] = await preparedQuery<{ n: number }>(
        dataSource,
        `${ranked} SELECT count(*)::int AS n FROM r`,
        params,
      );
      return row?.n ?? 0;
    },
    page: (limit: number, offset: number) =>
      preparedQuery<SearchPageRow>(
        dataSource,
        `${ranked}
         SELECT p.id, p.kvk_number, p.legal_name, p.trade_names, p.city, p.website, s.status, s.since, s.valid_until,
                (p.identity_confirmed_at IS NOT NULL) AS identity_confirmed, r.total
           FROM (SELECT r.*, count(*) OVER ()::int AS total FROM r
                  ORDER BY ${NAME_ORDER[sort]} LIMIT $${params.length + 1} OFFSET $${params.length + 2}) r
           CROSS JOIN LATERAL (SELECT * FROM providers WHERE id = r.id LIMIT 1) p
           CROSS JOIN LATERAL (SELECT * FROM provider_status WHERE provider_id = r.id LIMIT 1) s
          ORDER BY ${NAME_ORDER[sort]}`,
        [...params, limit, offset],
      ),
  };
}

const ORDER: Record<Sort, string> = {
  relevance: 'score DESC, lower(p.legal_name) ASC, p.kvk_number ASC',
  name: 'lower(p.legal_name) ASC, p.kvk_number ASC',
  kvk: 'p.kvk_number ASC',
  status: "(s.status = 'verantwoord') DESC, s.status ASC, lower(p.legal_name) ASC, p.kvk_number ASC",
};

/** A search as the queries take it: the query as read, a status to filter on and the order. */
export interface SearchPlan {
  reading: SearchReading;
  status?: string;
  sort: Sort;
  /** Staff see registrations whose identity no reviewer has confirmed yet too. */
  includeUnconfirmed?: boolean;
}

/** One provider of a page of search results; `total` (all matches) only on a name search. */
export type SearchPageRow = {
  id: string;
  kvk_number: string;
  legal_name: string;
  trade_names: string[];
  city: string;
  website: string | null;
  status: string;
  since: Date | null;
  valid_until: Date | null;
  identity_confirmed: boolean;
  total?: number;
};

/**
 * The queries of one search: how many public providers match, and a page of them in the chosen
 * order. The texts vary only with the kind of search, the filter and the order, never with the
 * values: each is prepared once per connection (planning a name search costs about as much as
 * running it).
 */
export function providerSearch(dataSource: DataSource, plan: SearchPlan) {
  const { reading, status, sort, includeUnconfirmed } = plan;
  if (reading.kind === 'name') return nameSearch(dataSource, reading.words, plan);
  const kind = reading.kind;
  const params: unknown[] = [];
  const where: string[] = [];
  let score = '0::real';
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };

  if (reading.kind === 'kvk') where.push(`p.kvk_number = ${param(reading.kvkNumber)}`);
  else if (reading.kind === 'kvkList') {
    // Each number exactly; by relevance in the order typed.
    const numbers = param(reading.kvkNumbers);
    where.push(`p.kvk_number = ANY(${numbers}::bpchar[])`);
    score = `-array_position(${numbers}::bpchar[], p.kvk_number)`;
  } else if (reading.kind === 'kvkPrefix') {
    // Seven digits: also the number that lost its leading zero, first when sorted by relevance.
    const padded = param(reading.padded ?? null);
    // A range, not LIKE: a KvK number is eight digits, so the numbers that begin with the prefix
    // run from it padded with 0s to it padded with 9s, and the index finds that range (LIKE on
    // char(8) compares as text, and read the whole index at every search).
    const [first, last] = [param(reading.prefix.padEnd(8, '0')), param(reading.prefix.padEnd(8, '9'))];
    where.push(`(p.kvk_number BETWEEN ${first}::bpchar AND ${last}::bpchar OR p.kvk_number = ${padded})`);
    score = `((p.kvk_number = ${padded}) IS TRUE)::int`;
  } else if (reading.kind === 'vat') where.push(`p.vat_number = ${param(reading.vatNumber)}`);
  else if (reading.kind === 'domain') where.push(`p.website_host = ANY(${param(reading.hosts)}::text[])`);
  if (status !== undefined) where.push(`s.status = ${param(status)}`);

  // Only providers whose identity a reviewer has confirmed are public.
  const tables = 'providers p JOIN provider_status s ON s.provider_id = p.id';
  if (!includeUnconfirmed) where.push('p.identity_confirmed_at IS NOT NULL');
  const from = `FROM ${tables} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`;
  const order = sort === 'relevance' && kind !== 'kvkPrefix' && kind !== 'kvkList' ? 'name' : sort;
  // The texts vary only with the kind of search, the filter and the order, never with the values:
  // each is prepared once per connection (planning a name search costs about as much as running it).

  // The whole register (no query): the kept counts answer how many, a page by name or KvK number
  // is found in a covering index (see registerPage), and one by status is cut from the statuses'
  // name-ordered lists by their counts (see statusOrderedPage).
  const whole = kind === 'none';
  // Public providers by name, or by KvK number without a status filter: from a covering index.
  const keyed =
    whole && !includeUnconfirmed && (order === 'name' || (order === 'kvk' && status === undefined));
  return {
    /** True when `count` is exact and costs nothing: the kept counts answer it. */
    counted: whole,
    /**
     * How many match; with `limit`, at most that many (counted no further). The limit is written in
     * the text (it is one constant): the plan then knows how few rows it needs.
     */
    count: async (limit?: number) => {
      if (whole) return countedProviders(dataSource, status, includeUnconfirmed);
      const [row] = await preparedQuery<{ n: number }>(
        dataSource,
        limit === undefined
          ? `SELECT count(*)::int AS n ${from}`
          : `SELECT count(*)::int AS n FROM (SELECT 1 ${from} LIMIT ${Math.trunc(limit)}) AS c`,
        params,
      );
      return must(row, 'a count answers one row').n;
    },
    page: (limit: number, offset: number, total?: number) =>
      keyed
        ? registerPage(dataSource, { order: order === 'kvk' ? 'kvk' : 'name', status }, limit, offset, total)
        : whole && status === undefined && order === 'status'
          ? statusOrderedPage(dataSource, reading, limit, offset, includeUnconfirmed)
          : preparedQuery<SearchPageRow>(
              dataSource,
              `SELECT p.id, p.kvk_number, p.legal_name, p.trade_names, p.city, p.website, s.status, s.since, s.valid_until,
                (p.identity_confirmed_at IS NOT NULL) AS identity_confirmed
         ${from} ORDER BY ${ORDER[order].replace(/\bscore\b/, () => score)}
         LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
              [...params, limit, offset],
            ),
  };
}

/**
 * How many providers the register holds, with this status or any; public ones only unless
 * `includeUnconfirmed`. From the counts the database keeps beside the snapshots (migration
 * ProviderStatusCounts): a sum over a few dozen rows, whatever the size of the register.
 */
export async function countedProviders(
  dataSource: DataSource,
  status?: string,
  includeUnconfirmed = false,
): Promise<number> {
  const [row] = await preparedQuery<{ n: number }>(
    dataSource,
    `SELECT coalesce(sum(n), 0)::int AS n FROM provider_status_counts
      WHERE ($1::text IS NULL OR status = $1) AND (identity_confirmed OR $2::boolean)`,
    [status ?? null, includeUnconfirmed],
  );
  return must(row, 'a sum answers one row').n;
}

/** Where a page of the public register is picked: the index's table, condition and keys. */
function keyIndex(order: 'name' | 'kvk', status: string | undefined) {
  if (status !== undefined) {
    // By name within one status: provider_status's copy of the name order (migration ProviderStatusSortKeys).
    return {
      table: 'provider_status',
      id: 'provider_id',
      where: 'identity_confirmed AND status = $3',
      keys: ['name_key', 'kvk_number'],
    };
  }
  return {
    table: 'providers',
    id: 'id',
    where: 'identity_confirmed_at IS NOT NULL',
    keys: order === 'name' ? ['lower(legal_name)', 'kvk_number'] : ['kvk_number'],
  };
}

/**
 * A page of the public register by name or KvK number without a query, or by name within one
 * status. The page's providers are picked in a covering index (migrations ProviderStatusCounts and
 * ProviderStatusSortKeys), which skips `offset` entries without reading a row; only the page's rows
 * are read. Past the middle (`total`, from the kept counts) it reads the index from the other end,
 * so the last page costs what the first does and the deepest page half the index entries, never
 * the rows.
 */
export async function registerPage(
  dataSource: DataSource,
  { order, status }: { order: 'name' | 'kvk'; status?: string },
  limit: number,
  offset: number,
  total?: number,
): Promise<SearchPageRow[]> {
  const fromEnd = total !== undefined && offset > total / 2;
  // From the end: the rows that stand after this page, skipped; a last page that is not full is short.
  const skip = fromEnd ? Math.max(0, total - offset - limit) : offset;
  const take = fromEnd ? Math.max(0, Math.min(limit, total - offset)) : limit;
  if (take === 0) return [];
  const index = keyIndex(order, status);
  const direction = fromEnd ? 'DESC' : 'ASC';
  // Planned for each request's LIMIT and OFFSET, not prepared: a generic plan cannot know them and
  // then sorts the register instead of reading the index (planning this costs well under 1 ms). The
  // page's rows are fetched one by one by key.
  return dataSource.query<SearchPageRow[]>(
    `SELECT p.id, p.kvk_number, p.legal_name, p.trade_names, p.city, p.website, s.status, s.since, s.valid_until,
            true AS identity_confirmed
       FROM (SELECT ${index.id} AS id FROM ${index.table} WHERE ${index.where}
              ORDER BY ${index.keys.map((k) => `${k} ${direction}`).join(', ')} LIMIT $1 OFFSET $2) AS k
       CROSS JOIN LATERAL (SELECT * FROM providers WHERE id = k.id LIMIT 1) AS p
       CROSS JOIN LATERAL (SELECT * FROM provider_status WHERE provider_id = k.id LIMIT 1) AS s
      ORDER BY ${order === 'name' ? 'lower(p.legal_name), p.kvk_number' : 'p.kvk_number'}`,
    status === undefined ? [take, skip] : [take, skip, status],
  );
}

/** The statuses in the order of the status sort: verantwoord first, the others alphabetically. */
const STATUS_ORDER = ['verantwoord', ...[...REASON_CODES].sort()];

/**
 * A page of the whole register sorted by status (verantwoord first, then by status, each by name)
 * without sorting the register: the kept counts say which statuses' lists the page's rows stand
 * in and where, and each of those (one, or a few at a boundary) gives its part as a status filter
 * by name does.
 */
async function statusOrderedPage(
  dataSource: DataSource,
  reading: SearchReading,
  limit: number,
  offset: number,
  includeUnconfirmed?: boolean,
): Promise<SearchPageRow[]> {
  const rows = await preparedQuery<{ status: string; n: number }>(
    dataSource,
    `SELECT status, sum(n)::int AS n FROM provider_status_counts
      WHERE identity_confirmed OR $1::boolean GROUP BY status`,
    [includeUnconfirmed ?? false],
  );
  const counts = new Map(rows.map((r) => [r.status, r.n]));
  const page: SearchPageRow[] = [];
  let skip = offset;
  for (const status of STATUS_ORDER) {
    const n = counts.get(status) ?? 0;
    if (skip >= n) {
      skip -= n;
      continue;
    }
    const part = await providerSearch(dataSource, { reading, status, sort: 'name', includeUnconfirmed }).page(
      Math.min(limit - page.length, n - skip),
      skip,
      n,
    );
    page.push(...part);
    skip = 0;
    if (page.length >= limit) break;
  }
  return page;
}
