/*
 * Resembling names for many signals at once. One trigram index probe per signal name costs a few
 * milliseconds against 100,000 declared names: 10,000 signals would take half a minute. Instead,
 * the declared keys are read once and the candidates found in memory with a prefix filter: two
 * keys whose trigram similarity (pg_trgm's: shared / all) reaches t share at least ⌈t·|A|⌉ of A's
 * trigrams, so B holds at least one of any |A| − ⌈t·|A|⌉ + 1 of them; taking A's rarest trigrams
 * keeps the candidates few. The similarity that decides is still pg_trgm's, computed by PostgreSQL
 * for the candidates; this only chooses which pairs to ask about, and never leaves one out.
 */

/** Keys of plain ASCII letters and digits: their trigrams here are exactly pg_trgm's (one word, padded). */
export const ASCII_KEY = /^[a-z0-9]+$/;

/** pg_trgm's trigrams of a one-word key: the word padded with two spaces before and one after, each once. */
export function trigramsOf(key: string): Set<string> {
  const padded = `  ${key} `;
  const out = new Set<string>();
  for (let i = 0; i + 3 <= padded.length; i++) out.add(padded.slice(i, i + 3));
  return out;
}

/** pg_trgm's similarity of two trigram sets. */
export function trigramSimilarity(a: Set<string>, b: Set<string>): number {
  let shared = 0;
  for (const t of a) if (b.has(t)) shared++;
  return shared / (a.size + b.size - shared);
}

export interface DeclaredName {
  declared_reseller_id: string;
  provider_id: string;
  name_key: string;
}

/**
 * The (signal key, declared name) pairs worth asking PostgreSQL about: keys of at least
 * `minLength`, not equal (equal keys are joined apart), whose similarity by these trigrams comes
 * within a margin of `threshold`. Only ASCII keys: the caller probes the others one by one.
 */
export function nameCandidates(
  signalKeys: { signalId: string; key: string }[],
  declared: DeclaredName[],
  threshold: number,
  minLength: number,
): { signalId: string; key: string; declared: DeclaredName }[] {
  const sets = declared.map((d) => (d.name_key.length >= minLength && ASCII_KEY.test(d.name_key) ? trigramsOf(d.name_key) : undefined));
  const postings = new Map<string, number[]>();
  sets.forEach((set, i) => {
    if (!set) return;
    for (const t of set) {
      const list = postings.get(t);
      if (list) list.push(i);
      else postings.set(t, [i]);
    }
  });
  const out: { signalId: string; key: string; declared: DeclaredName }[] = [];
  for (const { signalId, key } of signalKeys) {
    if (key.length < minLength || !ASCII_KEY.test(key)) continue;
    const own = trigramsOf(key);
    const rarest = [...own].sort((a, b) => (postings.get(a)?.length ?? 0) - (postings.get(b)?.length ?? 0));
    const prefix = rarest.slice(0, own.size - Math.ceil(threshold * own.size) + 1);
    const seen = new Set<number>();
    for (const t of prefix)
      for (const i of postings.get(t) ?? []) {
        if (seen.has(i)) continue;
        seen.add(i);
        const d = declared[i]!;
        // A small margin: PostgreSQL's figure decides; this only keeps hopeless pairs from being asked.
        if (d.name_key !== key && trigramSimilarity(own, sets[i]!) >= threshold - 0.05)
          out.push({ signalId, key, declared: d });
      }
  }
  return out;
}
