import type { EntityManager } from 'typeorm';
import type { MatchKind } from './reseller-identifiers';

/** A current signal's sealed content, to read its IP ranges and names in the application. */
export interface SealedSignalRow {
  id: string;
  sealed: string;
}

/** The signals among `ids` (every current signal when `ids` is null) that count on `today`: not withdrawn, not expired. */
export function currentSignals(
  manager: EntityManager,
  ids: string[] | null,
  today: string,
): Promise<SealedSignalRow[]> {
  return manager.query<SealedSignalRow[]>(
    `SELECT id, sealed FROM signals
      WHERE withdrawn_at IS NULL AND expires_on >= $2::date AND ($1::uuid[] IS NULL OR id = ANY ($1::uuid[]))`,
    [ids, today],
  );
}

/** Whether any of these declarations has an identifier only the application can match (an IP range or a name). */
export async function declarationsNeedUnsealing(manager: EntityManager, ids: string[]): Promise<boolean> {
  const [row] = await manager.query<{ any: boolean }[]>(
    `SELECT EXISTS (SELECT 1 FROM declared_reseller_identifiers
                     WHERE declared_reseller_id = ANY ($1::uuid[]) AND kind IN ('ip_range', 'name')) AS any`,
    [ids],
  );
  return row?.any ?? false;
}

/** One reason a signal and a declared reseller may be the same: what matched, and for names both keys and their similarity. */
export interface CandidateRow {
  signal_id: string;
  declared_reseller_id: string;
  provider_id: string;
  kind: MatchKind;
  signal_key: string | null;
  declared_key: string | null;
  similarity: number | null;
}

export interface CandidateQuery {
  /** The signals whose exact identifiers count (null: every current signal). */
  signalIds: string[] | null;
  today: string;
  /** The signals' IP ranges and name keys, unsealed by the application, as parallel arrays. */
  ipSignalIds: string[];
  ipRanges: string[];
  nameSignalIds: string[];
  nameKeys: string[];
  /** The declarations that count (null: every one not removed). */
  declarationIds: string[] | null;
  /** HMACs of identifiers that name no one (shared mail services, hosting platforms): never matched on. */
  sharedMacs: string[];
  /** Name keys with a trigram similarity from this are candidates; shorter keys than `minLength` only when equal. */
  threshold: number;
  minLength: number;
}

/**
 * Every (signal, declared reseller) pair with something in common, set-based: the HMACs of exact
 * identifiers joined on their index, the signals' IP ranges overlapping declared ranges (GiST), and
 * name keys equal or resembling (GIN trigram). Only current signals, only declarations not removed.
 */
/** Names, for many signals against every declaration: equal keys, by a hash join (resembling ones: resemblingNames). */
const NAMES_BY_INDEX = `
     UNION ALL
     SELECT s.signal_id, d.declared_reseller_id, d.provider_id, 'name', s.name_key, d.name_key, 1
       FROM unnest($5::uuid[], $6::text[]) AS s(signal_id, name_key)
       JOIN declared_reseller_identifiers d ON d.name_key = s.name_key AND s.name_key <> ''
       JOIN live ON live.id = d.declared_reseller_id`;

/**
 * Names, for a few declarations against every current signal: each declared key compared with every
 * signal's key (no index: probing the whole declared list once per signal would cost far more).
 */
const NAMES_OF_FEW = `
     UNION ALL
     SELECT s.signal_id, d.declared_reseller_id, d.provider_id, 'name', s.name_key, d.name_key,
            similarity(s.name_key, d.name_key)::float8
       FROM declared_reseller_identifiers d
       JOIN live ON live.id = d.declared_reseller_id
       JOIN unnest($5::uuid[], $6::text[]) AS s(signal_id, name_key)
         ON s.name_key <> '' AND (d.name_key = s.name_key
             OR (length(s.name_key) >= $10 AND length(d.name_key) >= $10 AND similarity(s.name_key, d.name_key) >= $9))
      WHERE d.kind = 'name' AND d.declared_reseller_id = ANY ($7::uuid[])`;

export async function matchCandidates(manager: EntityManager, q: CandidateQuery): Promise<CandidateRow[]> {
  return manager.query<CandidateRow[]>(
    `WITH live AS (
       SELECT id, provider_id FROM declared_resellers
        WHERE removed_at IS NULL AND ($7::uuid[] IS NULL OR id = ANY ($7::uuid[]))
     ), cur AS (
       SELECT id FROM signals
        WHERE withdrawn_at IS NULL AND expires_on >= $2::date AND ($1::uuid[] IS NULL OR id = ANY ($1::uuid[]))
     )
     SELECT si.signal_id, d.declared_reseller_id, d.provider_id, d.kind,
            NULL::text AS signal_key, NULL::text AS declared_key, NULL::float8 AS similarity
       FROM signal_identifiers si
       JOIN cur ON cur.id = si.signal_id
       JOIN declared_reseller_identifiers d ON d.kind = si.kind AND d.mac = si.mac AND d.mac IS NOT NULL
       JOIN live ON live.id = d.declared_reseller_id
      WHERE NOT (si.mac = ANY ($8::text[]))
     UNION ALL
     SELECT s.signal_id, d.declared_reseller_id, d.provider_id, 'ip_range', NULL, NULL, NULL
       FROM unnest($3::uuid[], $4::cidr[]) AS s(signal_id, ip_range)
       JOIN declared_reseller_identifiers d ON d.ip_range IS NOT NULL AND d.ip_range && s.ip_range
       JOIN live ON live.id = d.declared_reseller_id
     ${q.declarationIds === null ? NAMES_BY_INDEX : NAMES_OF_FEW}`,
    [
      q.signalIds,
      q.today,
      q.ipSignalIds,
      q.ipRanges,
      q.nameSignalIds,
      q.nameKeys,
      q.declarationIds,
      q.sharedMacs,
      // Only the few declarations' names compare by similarity here (a parameter not used has no type).
      ...(q.declarationIds === null ? [] : [q.threshold, q.minLength]),
    ],
  );
}

/**
 * The declared names (not removed) that resemble these signal names without being equal: one
 * trigram index probe per key (`%` at the register's threshold), the exact figure checked after.
 */
export async function resemblingNames(
  manager: EntityManager,
  signalIds: string[],
  keys: string[],
  threshold: number,
  minLength: number,
): Promise<CandidateRow[]> {
  // `%` uses the trigram index at the session's threshold: set it to ours for this transaction only.
  await manager.query(`SELECT set_config('pg_trgm.similarity_threshold', $1, true)`, [String(threshold)]);
  return manager.query<CandidateRow[]>(
    `SELECT s.signal_id, d.declared_reseller_id, d.provider_id, 'name' AS kind, s.name_key AS signal_key,
            d.name_key AS declared_key, similarity(s.name_key, d.name_key)::float8 AS similarity
       FROM unnest($1::uuid[], $2::text[]) AS s(signal_id, name_key)
       JOIN declared_reseller_identifiers d
         ON d.name_key % s.name_key AND d.name_key <> s.name_key
        AND length(d.name_key) >= $4 AND similarity(s.name_key, d.name_key) >= $3
       JOIN declared_resellers r ON r.id = d.declared_reseller_id AND r.removed_at IS NULL
      WHERE length(s.name_key) >= $4`,
    [signalIds, keys, threshold, minLength],
  );
}
/** One match to record. */
export interface NewMatch {
  signalId: string;
  providerId: string;
  declaredResellerId: string;
  kind: 'exact' | 'possible';
  matchedOn: MatchKind[];
}

/** Records these matches (a pair already recorded stays as it is); answers the new ones. */
export function insertMatches(
  manager: EntityManager,
  matches: NewMatch[],
  matchedAt: Date,
  answerDays: number,
): Promise<{ id: string; provider_id: string; signal_id: string; answer_due_at: Date }[]> {
  return manager.query(
    `INSERT INTO signal_matches (signal_id, provider_id, declared_reseller_id, kind, matched_on, matched_at, answer_due_at)
     SELECT s, p, d, k, string_to_array(m, ','), $6::timestamptz, $6::timestamptz + make_interval(days => $7::int)
       FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[]) AS t(s, p, d, k, m)
      -- A provider whose listing was revoked receives no new matches (signalsWithheld).
      WHERE NOT EXISTS (SELECT 1 FROM provider_status ps WHERE ps.provider_id = t.p AND ps.status = 'revoked')
     ON CONFLICT (signal_id, declared_reseller_id) DO NOTHING
     RETURNING id, provider_id, signal_id, answer_due_at`,
    [
      matches.map((m) => m.signalId),
      matches.map((m) => m.providerId),
      matches.map((m) => m.declaredResellerId),
      matches.map((m) => m.kind),
      matches.map((m) => m.matchedOn.join(',')),
      matchedAt,
      answerDays,
    ],
  );
}

/** Notes that the provider was told of these matches. */
export async function markNotified(manager: EntityManager, ids: string[], at: Date): Promise<void> {
  await manager.query(`UPDATE signal_matches SET notified_at = $2 WHERE id = ANY ($1::uuid[])`, [ids, at]);
}

/** The distinct name keys of declarations not removed, at least `minLength` characters long (those that can resemble). */
export async function declaredNameKeys(manager: EntityManager, minLength: number): Promise<string[]> {
  const rows = await manager.query<{ k: string }[]>(
    `SELECT DISTINCT d.name_key AS k
       FROM declared_reseller_identifiers d
       JOIN declared_resellers r ON r.id = d.declared_reseller_id AND r.removed_at IS NULL
      WHERE d.kind = 'name' AND length(d.name_key) >= $1`,
    [minLength],
  );
  return rows.map((r) => r.k);
}

/** pg_trgm's own trigrams of these keys, as `show_trgm` shows them (for keys the application cannot split itself). */
export async function pgTrigrams(manager: EntityManager, keys: string[]): Promise<Map<string, string[]>> {
  if (keys.length === 0) return new Map();
  const rows = await manager.query<{ k: string; t: string[] }[]>(
    `SELECT k, show_trgm(k) AS t FROM unnest($1::text[]) AS k`,
    [keys],
  );
  return new Map(rows.map((r) => [r.k, r.t]));
}

/**
 * The candidate pairs of name keys (signal key, declared key) that resemble by pg_trgm, for the
 * signals holding the signal key and the declarations (not removed) holding the declared key: one
 * statement; equal keys are left out (matchCandidates finds those).
 */
export async function resemblingPairs(
  manager: EntityManager,
  pairs: [string, string][],
  signalIds: string[],
  signalKeys: string[],
  threshold: number,
  minLength: number,
): Promise<CandidateRow[]> {
  if (pairs.length === 0) return [];
  return manager.query<CandidateRow[]>(
    `WITH ok AS (
       SELECT c.signal_key, c.declared_key, similarity(c.signal_key, c.declared_key)::float8 AS similarity
         FROM unnest($1::text[], $2::text[]) AS c(signal_key, declared_key)
        WHERE c.signal_key <> c.declared_key AND length(c.signal_key) >= $6 AND length(c.declared_key) >= $6
          AND similarity(c.signal_key, c.declared_key) >= $5
     )
     SELECT s.signal_id, d.declared_reseller_id, d.provider_id, 'name' AS kind, ok.signal_key,
            ok.declared_key, ok.similarity
       FROM ok
       JOIN unnest($3::uuid[], $4::text[]) AS s(signal_id, name_key) ON s.name_key = ok.signal_key
       JOIN declared_reseller_identifiers d ON d.kind = 'name' AND d.name_key = ok.declared_key
       JOIN declared_resellers r ON r.id = d.declared_reseller_id AND r.removed_at IS NULL`,
    [pairs.map((p) => p[0]), pairs.map((p) => p[1]), signalIds, signalKeys, threshold, minLength],
  );
}

/**
 * Whether a provider receives no signals: its listing was revoked, the register's judgement that it
 * does not act responsibly against abuse. A revoked provider that is itself under suspicion must not
 * learn which of its customers the police watch (outside tries, F12). A suspension is temporary and
 * the provider must still handle abuse meanwhile, so a suspended provider keeps receiving them.
 */
export async function signalsWithheld(manager: EntityManager, providerId: string): Promise<boolean> {
  const [row] = await manager.query<{ revoked: boolean }[]>(
    `SELECT EXISTS (SELECT 1 FROM provider_status WHERE provider_id = $1 AND status = 'revoked') AS revoked`,
    [providerId],
  );
  return row?.revoked ?? false;
}
