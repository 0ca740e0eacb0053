/*
 * Issue 19 §4: candidates for resembling names in a large batch, found in memory. Probing the trigram
 * index once per signal name costs a few ms each (a minute for 10,000 signals); instead, a trigram
 * inverted index with the prefix filter for Jaccard similarity proposes the pairs that could reach
 * the threshold, and PostgreSQL decides them (`similarity()`) in one statement. The candidates may
 * hold pairs PostgreSQL rejects, never miss one it accepts.
 */

/** A key whose trigrams this module works out itself: ASCII lower-case letters and digits only. */
const PLAIN_KEY = /^[a-z0-9]+$/;

/**
 * Whether this module works out pg_trgm's trigrams of this key itself, the same in any locale: one
 * word padded with two spaces in front and one behind, every distinct window of three characters.
 */
export function isPlainKey(key: string): boolean {
  return PLAIN_KEY.test(key);
}

/** A character of a plain trigram as a digit in base 37: space, a–z, 0–9; -1 for any other. */
function symbol(code: number): number {
  if (code === 32) return 0;
  if (code >= 97 && code <= 122) return code - 96;
  if (code >= 48 && code <= 57) return code - 21;
  return -1;
}
const PLAIN_CODES = 37 * 37 * 37;

/** The threshold the filters work with: a little under the register's, for float4 rounding in pg_trgm (more candidates, none lost). */
const MARGIN = 0.001;

/**
 * How many trigrams a candidate pair must share within the prefixes. A pair sharing at least α
 * trigrams has its k rarest shared ones within the first |A| − α + k of either key (at most |A| − α
 * of A's trigrams are not shared), so prefixes of |A| − ceil(t·|A|) + k trigrams share k of them.
 */
const SHARED = 4;

/**
 * The pairs (left key, right key), keys different, whose trigram similarity may reach `threshold`,
 * never leaving out one whose pg_trgm similarity does. A key's trigrams: worked out here for plain
 * keys, else those `fromPg` holds for it (`show_trgm`). Keys become trigram ranks sorted rarest first
 * over both sides. A pair with similarity |A∩B| / |A∪B| ≥ t shares at least ceil(t·|A|) and
 * ceil(t·|B|) trigrams, so it shares min(k, those) within the prefixes (SHARED); an inverted index
 * of the smaller side's prefixes, probed with the other side's, counts them, and a pair with enough
 * is kept when its whole overlap reaches the threshold less a margin (PostgreSQL decides after).
 */
export function resemblanceCandidates(
  left: readonly string[],
  right: readonly string[],
  fromPg: ReadonlyMap<string, readonly string[]>,
  threshold: number,
): [string, string][] {
  const t = threshold - MARGIN;
  const leftKeys = [...new Set(left)];
  const rightKeys = [...new Set(right)];
  // Trigram codes: a plain trigram by its characters, any other by the order first seen after those.
  const others = new Map<string, number>();
  const codeOf = (trigram: string): number => {
    if (trigram.length === 3) {
      const a = symbol(trigram.charCodeAt(0));
      const b = symbol(trigram.charCodeAt(1));
      const c = symbol(trigram.charCodeAt(2));
      if (a >= 0 && b >= 0 && c >= 0) return (a * 37 + b) * 37 + c;
    }
    let code = others.get(trigram);
    if (code === undefined) {
      code = PLAIN_CODES + others.size;
      others.set(trigram, code);
    }
    return code;
  };
  const codesOf = (key: string): Int32Array => {
    if (!isPlainKey(key)) return Int32Array.from(new Set(fromPg.get(key) ?? []), codeOf);
    const set = new Set<number>();
    const padded = `  ${key} `;
    for (let i = 0; i + 3 <= padded.length; i++)
      set.add(
        (symbol(padded.charCodeAt(i)) * 37 + symbol(padded.charCodeAt(i + 1))) * 37 +
          symbol(padded.charCodeAt(i + 2)),
      );
    return Int32Array.from(set);
  };
  const leftCodes = leftKeys.map(codesOf);
  const rightCodes = rightKeys.map(codesOf);
  const universe = PLAIN_CODES + others.size;
  const frequency = new Int32Array(universe);
  for (const list of [...leftCodes, ...rightCodes]) for (const code of list) frequency[code]!++;
  // Rank of each trigram: rarest first (ties by code), the one order both sides sort by.
  const used = Int32Array.from(frequency.keys()).filter((code) => frequency[code]! > 0);
  used.sort((a, b) => frequency[a]! - frequency[b]! || a - b);
  const rank = new Int32Array(universe);
  used.forEach((code, r) => (rank[code] = r));
  const ranked = (list: Int32Array) => list.map((code) => rank[code]!).sort();
  const least = (size: number) => Math.max(1, Math.ceil(t * size));
  const prefixLength = (size: number) => Math.min(size, size - least(size) + SHARED);

  const indexLeft = leftKeys.length <= rightKeys.length;
  const [indexedKeys, probingKeys] = indexLeft ? [leftKeys, rightKeys] : [rightKeys, leftKeys];
  const indexed = (indexLeft ? leftCodes : rightCodes).map(ranked);
  const probing = indexLeft ? rightCodes : leftCodes;
  // Per indexed key: how many trigrams it must share within the prefixes, and how many it has.
  const needs = Int32Array.from(indexed, (list) => Math.min(SHARED, least(list.length)));
  const sizes = Int32Array.from(indexed, (list) => list.length);
  // Postings: trigram rank → the indexed keys with it in their prefix (flat: starts, then keys).
  const starts = new Int32Array(used.length + 1);
  for (const list of indexed)
    for (let j = prefixLength(list.length) - 1; j >= 0; j--) starts[list[j]! + 1]!++;
  for (let r = 0; r < used.length; r++) starts[r + 1]! += starts[r]!;
  const postings = new Int32Array(starts[used.length]!);
  const fill = starts.slice(0, used.length);
  indexed.forEach((list, n) => {
    for (let j = prefixLength(list.length) - 1; j >= 0; j--) postings[fill[list[j]!]!++] = n;
  });

  const pairs: [string, string][] = [];
  const shared = new Int32Array(indexed.length);
  const touched = new Int32Array(indexed.length);
  probingKeys.forEach((key, p) => {
    const x = ranked(probing[p]!);
    if (x.length === 0) return;
    let touchedCount = 0;
    const end = prefixLength(x.length);
    for (let i = 0; i < end; i++) {
      const r = x[i]!;
      for (let e = starts[r]!, stop = starts[r + 1]!; e < stop; e++) {
        const n = postings[e]!;
        if (shared[n]!++ === 0) touched[touchedCount++] = n;
      }
    }
    const needX = Math.min(SHARED, least(x.length));
    for (let u = 0; u < touchedCount; u++) {
      const n = touched[u]!;
      const count = shared[n]!;
      shared[n] = 0;
      if (count < Math.min(needs[n]!, needX)) continue;
      // Length filter: the similarity is at most min(|x|, |y|) / max(|x|, |y|).
      const size = sizes[n]!;
      if (Math.min(x.length, size) < t * Math.max(x.length, size)) continue;
      const y = indexed[n]!;
      // The overlap, given up once what is left cannot reach t/(1+t)·(|x|+|y|).
      const needed = (t / (1 + t)) * (x.length + size);
      let common = 0;
      for (let a = 0, b = 0; a < x.length && b < size;) {
        if (common + Math.min(x.length - a, size - b) < needed) break;
        if (x[a] === y[b]) {
          common++;
          a++;
          b++;
        } else if (x[a]! < y[b]!) a++;
        else b++;
      }
      const other = indexedKeys[n]!;
      if (other !== key && common >= t * (x.length + size - common))
        pairs.push(indexLeft ? [other, key] : [key, other]);
    }
  });
  return pairs;
}
