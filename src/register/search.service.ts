import type { DataSource } from 'typeorm';
import { preparedQuery } from '../database/json-rows';
import { normaliseVatNumber } from '../shared/identifiers';
import { REASON_CODES } from '../status/status-rules';
import { refreshDueSnapshots } from '../status/status-snapshot.service';

export const SEARCH_PAGE_SIZE = 25;
export const STATUS_FILTERS = ['verantwoord', ...REASON_CODES] as const;
export const SORTS = ['relevance', 'name', 'kvk', 'status'] as const;
export type Sort = (typeof SORTS)[number];

export interface SearchQuery {
  /** Name or trade name (typo-tolerant), KvK number, btw-id or website domain. */
  q: string;
  status?: string;
  sort: Sort;
  page: number;
  pageSize?: number;
  /** A page past the last shows the last page (the web page does); false answers it empty (the API does). */
  clampPage?: boolean;
}

export interface SearchRow {
  id: string;
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
  rows: SearchRow[];
  total: number;
  page: number;
  pageCount: number;
}

/** How a query is read: a whole or partial KvK number, a btw-id, a domain, or a name. */
export function queryKind(q: string): 'none' | 'kvk' | 'kvkPrefix' | 'vat' | 'domain' | 'name' {
  const text = q.trim();
  if (!text) return 'none';
  if (/^[0-9]{8}$/.test(text)) return 'kvk';
  if (/^[0-9]{2,7}$/.test(text)) return 'kvkPrefix';
  if (/^nl[0-9 .]{9,13}b[0-9]{2}$/i.test(text.replace(/\s/g, ''))) return 'vat';
  if (/^(https?:\/\/)?[a-z0-9-]+(\.[a-z0-9-]+)+\/?$/i.test(text)) return 'domain';
  return 'name';
}

/**
 * The providers whose names match every word of the query, each with a score from 0 to 1, as the
 * CTE `hits (id, score)`. A query word matches a word of a name when it is part of it ("wolk" in
 * "polderwolk") or close to it by trigram word similarity ("polderwlk"); words are compared in the
 * dictionary of distinct name words (migration SearchWords), so the cost follows the number of
 * distinct words that match, not the size of the register.
 */
function nameMatches(q: string): string {
  return `WITH qw AS (
      SELECT DISTINCT w AS q FROM regexp_split_to_table(lower(${q}), '[^[:alnum:]]+') AS w WHERE length(w) >= 2),
    m AS (
      SELECT qw.q, d.word, CASE WHEN strpos(d.word, qw.q) > 0 THEN 1 ELSE word_similarity(qw.q, d.word) END AS sim
        FROM qw JOIN search_words d ON (qw.q <% d.word OR d.word LIKE '%' || qw.q || '%')),
    per AS (
      SELECT p.id, m.q, max(m.sim) AS best FROM m JOIN providers p ON p.search_words @> ARRAY[m.word]
       GROUP BY p.id, m.q),
    hits AS (
      SELECT id, sum(best) / (SELECT count(*) FROM qw) AS score FROM per
       GROUP BY id HAVING count(*) = (SELECT count(*) FROM qw))`;
}

const ORDER: Record<Sort, string> = {
  relevance: 'score DESC, lower(p.legal_name) ASC, p.kvk_number ASC',
  name: 'lower(p.legal_name) ASC, p.kvk_number ASC',
  kvk: 'p.kvk_number ASC',
  status: "(s.status = 'verantwoord') DESC, s.status ASC, lower(p.legal_name) ASC, p.kvk_number ASC",
};

/**
 * Searches the register. Statuses come from the snapshot the rules keep, brought up to date first
 * for every provider whose next change has come.
 */
export async function searchProviders(
  dataSource: DataSource,
  query: SearchQuery,
  now = new Date(),
): Promise<SearchResult> {
  await refreshDueSnapshots(dataSource.manager, now);
  const pageSize = query.pageSize ?? SEARCH_PAGE_SIZE;
  const params: unknown[] = [];
  const where: string[] = [];
  let score = '0::real';
  /** The CTE of name matches, for a name search. */
  let names = '';
  const text = query.q.trim();
  const kind = queryKind(text);
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };

  if (kind === 'kvk') where.push(`p.kvk_number = ${param(text)}`);
  else if (kind === 'kvkPrefix') where.push(`p.kvk_number LIKE ${param(`${text}%`)}`);
  else if (kind === 'vat') where.push(`p.vat_number = ${param(normaliseVatNumber(text))}`);
  else if (kind === 'domain') {
    const domain = text
      .replace(/^https?:\/\//i, '')
      .replace(/\/$/, '')
      .toLowerCase();
    where.push(`lower(p.website) LIKE ${param(`%${domain.replace(/[%_\\]/g, '\\$&')}%`)}`);
  } else if (kind === 'name') {
    names = nameMatches(param(text));
    score = 'h.score';
  }
  if (query.status && (STATUS_FILTERS as readonly string[]).includes(query.status))
    where.push(`s.status = ${param(query.status)}`);

  // Name matches are fetched one by one by key: the planner cannot estimate how many there are,
  // and a guess of one would otherwise turn the joins into scans.
  // Only providers whose identity a reviewer has confirmed are public. For a name search the
  // condition sits on the row fetched by key, so the word index still finds the matches.
  const tables = names
    ? `hits h CROSS JOIN LATERAL (SELECT * FROM providers WHERE id = h.id AND identity_confirmed_at IS NOT NULL LIMIT 1) p
       CROSS JOIN LATERAL (SELECT * FROM provider_status WHERE provider_id = h.id LIMIT 1) s`
    : 'providers p JOIN provider_status s ON s.provider_id = p.id';
  if (!names) where.push('p.identity_confirmed_at IS NOT NULL');
  const from = `FROM ${tables} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`;
  const sort = query.sort === 'relevance' && kind !== 'name' ? 'name' : query.sort;
  // A name search computes trigram scores for every match anyway: one pass answers both the page
  // and the total (a window count). Other searches count apart, so the page can stop early.
  const windowCount = kind === 'name';
  // The texts vary only with the kind of search, the filter and the order, never with the values:
  // each is prepared once per connection (planning a name search costs about as much as running it).
  const countAll = async () =>
    (await preparedQuery<{ n: number }>(dataSource, `${names} SELECT count(*)::int AS n ${from}`, params))[0]
      .n;
  const fetchPage = async (page: number) =>
    preparedQuery<Record<string, unknown>>(
      dataSource,
      `${names} SELECT p.id, p.kvk_number, p.legal_name, p.trade_names, p.city, p.website, s.status, s.since, s.valid_until
         ${windowCount ? ', count(*) OVER ()::int AS total' : ''}
       ${from} ORDER BY ${ORDER[sort].replace(/\bscore\b/, score)}
       LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, pageSize, (page - 1) * pageSize],
    );
  let page = Math.max(1, query.page);
  let total = windowCount ? 0 : await countAll();
  const clamp = query.clampPage ?? true;
  if (!windowCount && clamp) page = Math.min(page, Math.max(1, Math.ceil(total / pageSize)));
  let rows = await fetchPage(page);
  if (windowCount) total = rows.length > 0 ? (rows[0].total as number) : 0;
  if (rows.length === 0 && page > 1) {
    // Past the last page: the window gave no total, so count apart; the web page shows the last page.
    if (windowCount) total = await countAll();
    if (clamp) {
      page = Math.max(1, Math.ceil(total / pageSize));
      rows = total > 0 ? await fetchPage(page) : [];
    }
  }
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  return {
    total,
    page,
    pageCount,
    rows: rows.map((r) => ({
      id: r.id as string,
      kvkNumber: r.kvk_number as string,
      legalName: r.legal_name as string,
      tradeNames: r.trade_names as string[],
      city: r.city as string,
      website: r.website as string | null,
      status: r.status as string,
      since: r.since as Date | null,
      validUntil: r.valid_until as Date | null,
    })),
  };
}
