/*
 * Issue 17 §2: a registration whose name closely resembles the name of a provider whose identity
 * is confirmed, under another KvK number, is flagged for the reviewer: "Polderwolk B.V." posing as
 * "Polderwolk Hosting", "P0LDERWOLK" as "Polderwolk". Names are compared by their key: what is left
 * when case, accents, legal forms, punctuation, spaces and look-alike characters no longer count.
 */

/** Letters of other scripts that look like Latin ones, and letters that are written out. */
const LOOKALIKES: Readonly<Record<string, string>> = {
  // Cyrillic
  а: 'a',
  в: 'b',
  е: 'e',
  ё: 'e',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  і: 'i',
  ј: 'j',
  ѕ: 's',
  ԁ: 'd',
  // Greek
  α: 'a',
  β: 'b',
  ε: 'e',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  // Latin letters that no decomposition takes apart
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ı: 'i',
};

/**
 * Legal forms, as words once the dots are gone (B.V. → bv); they say nothing about which
 * organisation a name means.
 */
const LEGAL_FORMS = [
  'besloten vennootschap met beperkte aansprakelijkheid',
  'besloten vennootschap',
  'naamloze vennootschap',
  'vennootschap onder firma',
  'commanditaire vennootschap',
  'cooperatieve vereniging',
  'cooperatie',
  'eenmanszaak',
  'stichting',
  'bvba',
  'bv',
  'nv',
  'vof',
  'cv',
  'ua',
  'wa',
  'ba',
  'ltd',
  'limited',
  'gmbh',
  'inc',
  'llc',
  'plc',
  'b v',
  'n v',
  'v o f',
  'c v',
  'u a',
  'w a',
];
const LEGAL_FORM = new RegExp(`(?:^| )(?:${LEGAL_FORMS.join('|')})(?= |$)`, 'g');

/**
 * Words every hosting provider's name may hold: left out, so that "Polderwolk Hosting" and
 * "Polderwolk Cloud" count as the same name (unless nothing else is left).
 */
const COMMON_WORDS = new Set([
  'hosting',
  'host',
  'cloud',
  'internet',
  'services',
  'service',
  'solutions',
  'ict',
  'it',
  'datacenter',
  'datacentre',
  'group',
  'groep',
  'holding',
  'nederland',
  'netherlands',
  'nl',
  'the',
  'de',
  'het',
  'en',
  'and',
]);

/** Characters and pairs that pass for one another in a name: 0 and o; 1, i and l; rn and m; vv and w. */
function foldLookalikeGlyphs(key: string): string {
  return key.replace(/rn/g, 'm').replace(/vv/g, 'w').replace(/0/g, 'o').replace(/[1i]/g, 'l');
}

/**
 * The key of a name for comparison: lower case; accents, invisible characters and letters of other
 * scripts that look Latin made plain; legal forms (B.V., N.V., V.O.F., …), the words every hosting
 * name may hold, punctuation and spaces left out; look-alike characters folded together. Empty when
 * nothing is left (a name that is only a legal form).
 */
export function nameKey(name: string): string {
  const plain = [
    ...name
      .normalize('NFKD')
      .replace(/[\p{M}\p{Cf}]/gu, '')
      .toLowerCase(),
  ]
    .map((c) => LOOKALIKES[c] ?? c)
    .join('');
  const words = plain
    .replace(/\./g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .replace(LEGAL_FORM, ' ')
    .split(' ')
    .filter(Boolean);
  const significant = words.filter((w) => !COMMON_WORDS.has(w));
  return foldLookalikeGlyphs((significant.length > 0 ? significant : words).join(''));
}

/** Keys shorter than this only count when equal: a trigram similarity of short keys means little. */
export const MIN_SIMILAR_KEY_LENGTH = 4;
/** The trigram similarity (pg_trgm) from which two keys count as resembling. */
export const RESEMBLANCE_THRESHOLD = 0.5;

/** Whether two keys (with their pg_trgm similarity) name what could pass for the same organisation. */
export function keysResemble(a: string, b: string, similarity: number): boolean {
  if (a === '' || b === '') return false;
  if (a === b) return true;
  return Math.min(a.length, b.length) >= MIN_SIMILAR_KEY_LENGTH && similarity >= RESEMBLANCE_THRESHOLD;
}
