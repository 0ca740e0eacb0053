import assert from 'node:assert/strict';
import { MIN_SIMILAR_KEY_LENGTH, RESEMBLANCE_THRESHOLD } from '../../src/register/name-resemblance';
import { isPlainKey, resemblanceCandidates } from '../../src/signals/name-candidates';
import { pgTrigrams } from '../../src/signals/signal-matching.queries';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

/** A fixed pseudo-random sequence (mulberry32): the same keys every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Issue 19 §4: the candidates for resembling names found in memory never leave out a pair that
 * pg_trgm's similarity() accepts, for plain keys and for keys with letters of other scripts.
 */
describe('candidates for resembling names (trigram prefix filter)', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(() => db.drop());

  /** Keys from a small alphabet (many shared trigrams), each with look-alikes one to three edits away. */
  const keysOf = (seed: number, count: number, alphabet: string[]) => {
    const next = random(seed);
    const pick = () => alphabet[Math.floor(next() * alphabet.length)]!;
    const keys: string[] = [];
    while (keys.length < count) {
      const base = Array.from({ length: 2 + Math.floor(next() * 14) }, pick);
      keys.push(base.join(''));
      for (let v = Math.floor(next() * 3); v > 0; v--) {
        const variant = [...base];
        for (let e = 1 + Math.floor(next() * 3); e > 0; e--) {
          const at = Math.floor(next() * variant.length);
          const edit = next();
          if (edit < 0.33) variant.splice(at, 1);
          else if (edit < 0.66) variant.splice(at, 0, pick());
          else variant[at] = pick();
        }
        keys.push(variant.join(''));
      }
    }
    return keys;
  };

  /** Every pair (left, right) of different keys, both long enough, that pg_trgm finds similar enough. */
  const accepted = async (left: string[], right: string[]) =>
    (
      await db.dataSource.query<{ a: string; b: string }[]>(
        `SELECT DISTINCT a, b FROM unnest($1::text[]) a, unnest($2::text[]) b
          WHERE a <> b AND length(a) >= $4 AND length(b) >= $4 AND similarity(a, b) >= $3`,
        [left, right, RESEMBLANCE_THRESHOLD, MIN_SIMILAR_KEY_LENGTH],
      )
    ).map((r) => `${r.a}|${r.b}`);

  const candidates = async (left: string[], right: string[]) => {
    const fromPg = await pgTrigrams(
      db.dataSource.manager,
      [...new Set([...left, ...right])].filter((k) => !isPlainKey(k)),
    );
    return new Set(
      resemblanceCandidates(left, right, fromPg, RESEMBLANCE_THRESHOLD).map(([a, b]) => `${a}|${b}`),
    );
  };

  /** One pool of keys and their look-alikes, split: every `every`-th key left, the others right. */
  const split = (keys: string[], every: number): [string[], string[]] => [
    keys.filter((_, i) => i % every === 0),
    keys.filter((_, i) => i % every !== 0),
  ];
  const ascii = [...'abcdefghijklmnopqrstuvwxyz0123456789'];
  const other = [...'abcdeéèßøжзλμ中文'];
  /** Every key of two letters, 4 to 9 long: pairs at every similarity, right at the threshold too. */
  const binary = Array.from({ length: 6 }, (_, l) =>
    Array.from({ length: 2 ** (l + 4) }, (_, n) =>
      n
        .toString(2)
        .padStart(l + 4, '0')
        .replace(/0/g, 'a')
        .replace(/1/g, 'b'),
    ),
  ).flat();
  const cases: [string, string[], string[]][] = [
    ['every key of two letters, 4 to 9 long', binary, binary],
    ['plain keys, a small alphabet', ...split(keysOf(1, 1500, ascii.slice(0, 6)), 4)],
    ['plain keys, the whole alphabet', ...split(keysOf(3, 1500, ascii), 3)],
    ['keys with accented, Cyrillic, Greek and CJK letters', ...split(keysOf(5, 1500, other), 3)],
    [
      'more left keys than right ones',
      ...(split(keysOf(7, 1500, [...'abcdéж']), 4).reverse() as [string[], string[]]),
    ],
  ];
  for (const [name, left, right] of cases)
    it(`leaves out no pair pg_trgm accepts: ${name}`, async () => {
      const must = await accepted(left, right);
      assert.ok(must.length >= 50, `the case has pairs to find (${must.length})`);
      const found = await candidates(left, right);
      assert.deepEqual(
        must.filter((pair) => !found.has(pair)),
        [],
      );
      // And it filters: far fewer candidates than pairs.
      assert.ok(found.size < (new Set(left).size * new Set(right).size) / 4, `${found.size} candidates`);
    });

  it('gives no pair of equal keys, and nothing for keys without trigrams in common', async () => {
    const found = await candidates(['polderwolk', 'zonlicht'], ['polderwolk', 'polderwolken', 'nachtwacht']);
    assert.deepEqual([...found], ['polderwolk|polderwolken']);
  });
});
