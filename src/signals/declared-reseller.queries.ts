import type { EntityManager } from 'typeorm';
import type { ExactKind } from './reseller-identifiers';

/** How many resellers a provider declared in the 24 hours before `now`, and how many it keeps declared. */
export async function declarationCounts(
  manager: EntityManager,
  providerId: string,
  now: Date,
): Promise<{ lastDay: number; current: number }> {
  const [row] = await manager.query<{ last_day: number; current: number }[]>(
    `SELECT coalesce(sum(cardinality(names) + cardinality(domains) + cardinality(mail_domains) + cardinality(ip_ranges)
                         + cardinality(as_numbers) + (kvk_number IS NOT NULL)::int)
                     FILTER (WHERE created_at > $2::timestamptz - interval '24 hours'), 0)::int AS last_day,
            count(*) FILTER (WHERE removed_at IS NULL)::int AS current
       FROM declared_resellers WHERE provider_id = $1`,
    [providerId, now],
  );
  return { lastDay: row?.last_day ?? 0, current: row?.current ?? 0 };
}

/** A declaration as stored: the provider's own data in clear. */
export interface DeclarationInsert {
  reference: string;
  names: string[];
  kvkNumber: string | null;
  domains: string[];
  mailDomains: string[];
  ipRanges: string[];
  asNumbers: number[];
}

/** Stores declarations in one statement; answers their ids in the order given. */
export async function insertDeclarations(
  manager: EntityManager,
  providerId: string,
  userId: string,
  source: 'form' | 'spreadsheet',
  rows: DeclarationInsert[],
  now: Date,
): Promise<string[]> {
  const created = await manager.query<{ id: string; i: number }[]>(
    `INSERT INTO declared_resellers
       (provider_id, reference, names, kvk_number, domains, mail_domains, ip_ranges, as_numbers, source, created_at, created_by)
     SELECT $1, t.reference, t.names, t.kvk, t.domains, t.mail_domains, t.ip_ranges, t.as_numbers, $3, $4, $2
       FROM jsonb_to_recordset($5::jsonb) AS t(reference text, names text[], kvk text, domains text[],
                                               mail_domains text[], ip_ranges cidr[], as_numbers bigint[], i int)
      ORDER BY t.i
     RETURNING id`,
    [
      providerId,
      userId,
      source,
      now,
      JSON.stringify(
        rows.map((r, i) => ({
          reference: r.reference,
          names: r.names,
          kvk: r.kvkNumber,
          domains: r.domains,
          mail_domains: r.mailDomains,
          ip_ranges: r.ipRanges,
          as_numbers: r.asNumbers,
          i,
        })),
      ),
    ],
  );
  // INSERT … SELECT … ORDER BY inserts in that order, and RETURNING answers rows as inserted.
  return created.map((r) => r.id);
}

/** One identifier row of a declaration, as the matching reads it. */
export interface IdentifierInsert {
  declaredResellerId: string;
  kind: ExactKind | 'ip_range' | 'name';
  mac: string | null;
  ipRange: string | null;
  nameKey: string | null;
}

export async function insertDeclarationIdentifiers(
  manager: EntityManager,
  providerId: string,
  rows: IdentifierInsert[],
): Promise<void> {
  if (rows.length === 0) return;
  await manager.query(
    `INSERT INTO declared_reseller_identifiers (declared_reseller_id, provider_id, kind, mac, ip_range, name_key)
     SELECT d, $1, k, m, r, n FROM unnest($2::uuid[], $3::text[], $4::text[], $5::cidr[], $6::text[]) AS t(d, k, m, r, n)`,
    [
      providerId,
      rows.map((r) => r.declaredResellerId),
      rows.map((r) => r.kind),
      rows.map((r) => r.mac),
      rows.map((r) => r.ipRange),
      rows.map((r) => r.nameKey),
    ],
  );
}

/** Marks these declarations of the provider removed and drops their identifiers; answers the ids removed. */
export async function removeDeclarations(
  manager: EntityManager,
  providerId: string,
  ids: string[] | 'all-but',
  keep: string[],
  userId: string,
  now: Date,
): Promise<string[]> {
  // TypeORM answers an UPDATE … RETURNING on PostgreSQL as [rows, affected].
  const [removed] = await manager.query<[{ id: string }[], number]>(
    `UPDATE declared_resellers SET removed_at = $4, removed_by = $5
      WHERE provider_id = $1 AND removed_at IS NULL
        AND ($2::uuid[] IS NULL OR id = ANY ($2::uuid[]))
        AND NOT (id = ANY ($3::uuid[]))
      RETURNING id`,
    [providerId, ids === 'all-but' ? null : ids, keep, now, userId],
  );
  const removedIds = removed.map((r) => r.id);
  if (removedIds.length > 0)
    await manager.query(
      `DELETE FROM declared_reseller_identifiers WHERE declared_reseller_id = ANY ($1::uuid[])`,
      [removedIds],
    );
  return removedIds;
}

/** A declared reseller on the provider's list, with whether a current signal matches it. */
export interface DeclarationRow {
  id: string;
  reference: string;
  names: string[];
  kvk_number: string | null;
  domains: string[];
  mail_domains: string[];
  ip_ranges: string[];
  as_numbers: string[];
  source: string;
  created_at: Date;
  /** The newest current match (not dismissed), if any. */
  match_id: string | null;
  match_kind: 'exact' | 'possible' | null;
}

/** One page of the provider's declared resellers (not removed), newest first, filtered on name or reference. */
export async function declarationPage(
  manager: EntityManager,
  providerId: string,
  filter: string,
  today: string,
  limit: number,
  offset: number,
): Promise<{ rows: DeclarationRow[]; total: number }> {
  const where = `d.provider_id = $1 AND d.removed_at IS NULL
     AND ($2 = '' OR d.reference ILIKE '%' || $2 || '%' OR array_to_string(d.names, ' ') ILIKE '%' || $2 || '%')`;
  const escaped = filter.replace(/[\\%_]/g, (c) => `\\${c}`);
  const rows = await manager.query<DeclarationRow[]>(
    `SELECT d.id, d.reference, d.names, d.kvk_number, d.domains, d.mail_domains, d.ip_ranges::text[] AS ip_ranges,
            d.as_numbers::text[] AS as_numbers, d.source, d.created_at, m.id AS match_id, m.kind AS match_kind
       FROM declared_resellers d
       LEFT JOIN LATERAL (
         SELECT sm.id, sm.kind FROM signal_matches sm JOIN signals s ON s.id = sm.signal_id
          WHERE sm.declared_reseller_id = d.id AND sm.dismissed_at IS NULL
            AND s.withdrawn_at IS NULL AND s.expires_on >= $3::date
          ORDER BY sm.kind = 'exact' DESC, sm.matched_at DESC LIMIT 1) m ON true
      WHERE ${where}
      ORDER BY d.created_at DESC, d.id
      LIMIT $4 OFFSET $5`,
    [providerId, escaped, today, limit, offset],
  );
  const [count] = await manager.query<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM declared_resellers d WHERE ${where}`,
    [providerId, escaped],
  );
  return { rows, total: count?.n ?? 0 };
}

/** One of the provider's declarations not removed, as the list shows it (without its match); another's is none. */
export async function declarationOf(
  manager: EntityManager,
  providerId: string,
  id: string,
): Promise<Omit<DeclarationRow, 'match_id' | 'match_kind'> | undefined> {
  const [row] = await manager.query<Omit<DeclarationRow, 'match_id' | 'match_kind'>[]>(
    `SELECT id, reference, names, kvk_number, domains, mail_domains, ip_ranges::text[] AS ip_ranges,
            as_numbers::text[] AS as_numbers, source, created_at
       FROM declared_resellers WHERE id = $1 AND provider_id = $2 AND removed_at IS NULL`,
    [id, providerId],
  );
  return row;
}

/** The provider's declarations not removed, with what identifies them (to tell an import's rows already on the list). */
export function currentDeclarations(
  manager: EntityManager,
  providerId: string,
): Promise<(DeclarationInsert & { id: string })[]> {
  return manager.query(
    `SELECT id, reference, names, kvk_number AS "kvkNumber", domains, mail_domains AS "mailDomains",
            ip_ranges::text[] AS "ipRanges", as_numbers::float8[] AS "asNumbers"
       FROM declared_resellers WHERE provider_id = $1 AND removed_at IS NULL`,
    [providerId],
  );
}

/** A declared range of the provider that a new one overlaps: the new range, the one declared, and its reseller. */
export interface RangeOverlap {
  row: number;
  range: string;
  declared: string;
  reference: string;
  name: string | null;
  /** For an overlap among the new rows: the index of the other row. */
  other_row: number | null;
}

/**
 * The first overlap of these new ranges (with the index of the row each belongs to) with a range the
 * provider keeps declared (not removed, not among `removing`; every one when `keepOnly` lists those
 * kept), or with a new range of another row. Ranges of one row may overlap each other.
 */
export async function firstRangeOverlap(
  manager: EntityManager,
  providerId: string,
  keepOnly: string[] | null,
  ranges: { row: number; range: string }[],
): Promise<RangeOverlap | undefined> {
  if (ranges.length === 0) return undefined;
  const [row] = await manager.query<RangeOverlap[]>(
    `WITH fresh AS (SELECT * FROM unnest($3::int[], $4::cidr[]) AS f(row, range))
     SELECT f.row, f.range::text AS range, r::text AS declared, d.reference, d.names[1] AS name,
            NULL::int AS other_row
       FROM fresh f
       JOIN declared_resellers d ON d.provider_id = $1 AND d.removed_at IS NULL
        AND ($2::uuid[] IS NULL OR d.id = ANY ($2::uuid[]))
       CROSS JOIN LATERAL unnest(d.ip_ranges) AS r
      WHERE r && f.range
     UNION ALL
     SELECT a.row, a.range::text, b.range::text, '', NULL, b.row
       FROM fresh a JOIN fresh b ON a.row > b.row AND a.range && b.range
     ORDER BY 1
     LIMIT 1`,
    [providerId, keepOnly, ranges.map((r) => r.row), ranges.map((r) => r.range)],
  );
  return row;
}
