import type { EntityManager } from 'typeorm';

/** One name (legal or trade) of a provider whose identity is confirmed. */
export interface VerifiedName {
  provider_id: string;
  kvk_number: string;
  name: string;
}

/** Every legal and trade name of the providers whose identity is confirmed, except this one's and this number's. */
export function verifiedNames(
  manager: EntityManager,
  except: { providerId: string; kvkNumber: string },
): Promise<VerifiedName[]> {
  return manager.query<VerifiedName[]>(
    `SELECT p.id AS provider_id, p.kvk_number, n.name
       FROM providers p CROSS JOIN LATERAL unnest(array_prepend(p.legal_name, p.trade_names)) AS n(name)
      WHERE p.identity_confirmed_at IS NOT NULL AND p.id <> $1 AND p.kvk_number <> $2`,
    [except.providerId, except.kvkNumber],
  );
}

/** A pair of keys, by their places in the two lists, with their pg_trgm similarity. */
export interface KeyPair {
  ours: number;
  theirs: number;
  similarity: number;
}

/**
 * The pairs of keys (one of `ours`, one of `theirs`) that are equal or whose trigram similarity
 * reaches `threshold` (only keys of at least `minLength` characters), most similar first; places
 * count from 0.
 */
export function similarKeyPairs(
  manager: EntityManager,
  ours: string[],
  theirs: string[],
  threshold: number,
  minLength: number,
): Promise<KeyPair[]> {
  return manager.query<KeyPair[]>(
    `SELECT o.i::int - 1 AS ours, t.i::int - 1 AS theirs, similarity(o.key, t.key)::float8 AS similarity
       FROM unnest($1::text[]) WITH ORDINALITY AS o(key, i)
       JOIN unnest($2::text[]) WITH ORDINALITY AS t(key, i)
         ON o.key = t.key
         OR (length(o.key) >= $4 AND length(t.key) >= $4 AND similarity(o.key, t.key) >= $3)
      WHERE o.key <> '' AND t.key <> ''
      ORDER BY o.key = t.key DESC, 3 DESC, 1, 2
      LIMIT 20`,
    [ours, theirs, threshold, minLength],
  );
}
