import { domainToUnicode } from 'node:url';
import { isDateShaped, kvkDigits, normaliseVatNumber } from '../shared/identifiers';

/**
 * How a search query is read. Pure functions, unit-tested on tables of cases: what people type
 * (a name with its legal form, a KvK number with spaces, a btw-id with hyphens, a web address) is
 * read into what the register can match exactly and with an index.
 */
export type SearchReading =
  /** Nothing to match: all providers. `ignored`: the words left out (only legal forms and noise). */
  | { kind: 'none'; ignored: string[] }
  /**
   * A whole KvK number (eight digits, or ten with two leading zeros as a spreadsheet's number format
   * writes it). `words`: name words typed beside the number (`Polderwolk Hosting B.V. (99990001)`),
   * as supplier lists write it; the number decides, the words are only shown.
   */
  | { kind: 'kvk'; kvkNumber: string; words?: string[] }
  /**
   * Two or more KvK numbers (`99990001 99990002`, a pasted column), each found exactly, in the order
   * typed; seven digits in a list are a number that lost its leading zero. `words`: as for `kvk`.
   */
  | { kind: 'kvkList'; kvkNumbers: string[]; words?: string[] }
  /**
   * The first 2 to 7 digits of KvK numbers; seven digits are also read as a number that lost its
   * leading zero (`padded`), which comes first.
   */
  | { kind: 'kvkPrefix'; prefix: string; padded?: string }
  /** A btw-id, as stored: `NL123456782B01`. */
  | { kind: 'vat'; vatNumber: string }
  /**
   * A web address or host name, read as the host without `www.`: it matches a provider whose
   * website has that host, or a host it is part of (`mail.polderwolk.nl` finds `polderwolk.nl`).
   * `hosts` are those hosts, in ASCII and Unicode spelling.
   */
  | { kind: 'domain'; host: string; hosts: string[] }
  /** Name words (lower case, at least two characters), without legal forms and noise words. */
  | { kind: 'name'; words: string[]; ignored: string[] };

/**
 * Legal forms, written without dots or spaces, as they appear in names: they say what kind of
 * company it is, not which, so a search ignores them ("Polderwolk BV" finds "Polderwolk Hosting
 * B.V."). "Holding", "groep" and the like are not legal forms and stay: a holding is another
 * company than the hosting company it holds.
 */
export const LEGAL_FORMS: ReadonlySet<string> = new Set([
  // Dutch, abbreviated and written out (coöperatie also without its diaeresis).
  'bv',
  'nv',
  'vof',
  'cv',
  'ua',
  'ba',
  'wa',
  'owm',
  'io',
  'besloten',
  'naamloze',
  'vennootschap',
  'commanditaire',
  'firma',
  'beperkte',
  'aansprakelijkheid',
  'uitgesloten',
  'cooperatie',
  'cooperatieve',
  'stichting',
  'vereniging',
  'maatschap',
  'eenmanszaak',
  // Belgian, German, British, American, French and other forms common among hosting companies.
  'bvba',
  'bvio',
  'sprl',
  'vzw',
  'gmbh',
  'ag',
  'kg',
  'ug',
  'ltd',
  'limited',
  'plc',
  'llc',
  'llp',
  'inc',
  'incorporated',
  'corp',
  'corporation',
  'sarl',
  'sas',
  'srl',
  'spa',
]);

/** Words too common to tell providers apart: articles, prepositions and conjunctions, Dutch and English. */
export const NOISE_WORDS: ReadonlySet<string> = new Set([
  'de',
  'het',
  'een',
  'van',
  'der',
  'den',
  'en',
  'in',
  'op',
  'te',
  'ten',
  'ter',
  'voor',
  'met',
  'onder',
  'of',
  'the',
  'an',
  'and',
  'for',
  'to',
]);

/** Shortest word the register matches; shorter words (single letters, the parts of "B.V.") are left out. */
const MIN_WORD = 2;

/** Without diacritics, so that "coöperatie" and "cooperatie" compare equal. */
function plain(word: string): string {
  return word.normalize('NFD').replace(/\p{M}/gu, '');
}

/** Reads a query: a KvK number, a btw-id, a web address or host name, or name words. */
export function readSearchQuery(query: string): SearchReading {
  const text = query.normalize('NFC').trim();
  if (!text) return { kind: 'none', ignored: [] };

  // A date ("01-01-2026") is no KvK number, as readKvkNumber reads it: its digits are words then.
  const digits = isDateShaped(text) ? '' : kvkDigits(text);
  if (/^[0-9]{8}$/.test(digits)) return { kind: 'kvk', kvkNumber: digits };
  if (/^00[0-9]{8}$/.test(digits)) return { kind: 'kvk', kvkNumber: digits.slice(2) };
  if (/^[0-9]{7}$/.test(digits)) return { kind: 'kvkPrefix', prefix: digits, padded: `0${digits}` };
  if (/^[0-9]{2,6}$/.test(digits)) return { kind: 'kvkPrefix', prefix: digits };

  const vatNumber = normaliseVatNumber(text);
  if (/^NL[0-9]{9}B[0-9]{2}$/.test(vatNumber)) return { kind: 'vat', vatNumber };

  const host = readHost(text);
  if (host) return { kind: 'domain', host, hosts: hostCandidates(host) };

  return readNumbersAmongWords(text) ?? readNameWords(text);
}

/**
 * One group of digits as a KvK number: eight digits, or ten with two leading zeros (a spreadsheet
 * cell formatted as a ten-digit number; the same reading as `readKvkNumber`). Seven digits only
 * where `lostZero` says the text is a list of numbers: there they are a number that lost its
 * leading zero, beside words they may be anything.
 */
function kvkNumberOf(digits: string, lostZero: boolean): string | undefined {
  if (/^[0-9]{8}$/.test(digits)) return digits;
  if (/^00[0-9]{8}$/.test(digits)) return digits.slice(2);
  if (lostZero && /^[0-9]{7}$/.test(digits)) return `0${digits}`;
  return undefined;
}

/** A group of digits as typed in a list or beside a name: `99990001`, `9999.0001`, `#99990001`. */
const DIGIT_GROUP = /^#?([0-9](?:[0-9.\u00a0\u202f-]*[0-9])?)$/u;

/**
 * KvK numbers among other text: a name with its number as supplier lists write it
 * (`Polderwolk Hosting B.V. (99990001)`, `#99990001`, `NL 99990001`), or a list of numbers
 * (`99990001 99990002`, a pasted column). Digit groups next to each other that make eight digits
 * together are one number (`Polderwolk 9999 0001`). Undefined when the text holds no whole number.
 */
function readNumbersAmongWords(text: string): SearchReading | undefined {
  // A date stays one token (its slashes split nothing), so its digits never join into a number.
  const tokens = text
    .split(/\s+/u)
    .flatMap((token) => (isDateShaped(token) ? [token] : token.split(/[,;:()[\]{}|/\\"'‘’“”]+/u)))
    .filter(Boolean);
  const groups = tokens.map((token) =>
    isDateShaped(token) ? undefined : DIGIT_GROUP.exec(token)?.[1]?.replace(/[^0-9]/g, ''),
  );
  const onlyNumbers = groups.every((group) => group !== undefined);
  const numbers: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const group = groups[i];
    if (group === undefined) {
      rest.push(tokens[i] ?? '');
      continue;
    }
    let number = kvkNumberOf(group, onlyNumbers);
    let last = i;
    // "9999 0001": groups shorter than a number that make one together.
    for (let joined = group, j = i + 1; !number && joined.length < 8 && groups[j] !== undefined; j++) {
      joined += groups[j];
      number = kvkNumberOf(joined, false);
      last = j;
    }
    if (number) {
      if (!numbers.includes(number)) numbers.push(number);
      i = last;
    } else rest.push(tokens[i] ?? '');
  }
  const [first] = numbers;
  if (first === undefined) return undefined;
  const words = readWords(rest.join(' '), NUMBER_WORDS).words;
  const extra = words.length ? { words } : {};
  return numbers.length === 1
    ? { kind: 'kvk', kvkNumber: first, ...extra }
    : { kind: 'kvkList', kvkNumbers: numbers, ...extra };
}

/** Words that introduce a number beside a name (`KvK`, `nr.`, `NL`): said of the number, no name. */
const NUMBER_WORDS: ReadonlySet<string> = new Set(['kvk', 'kvknummer', 'kvknr', 'nummer', 'nr', 'no', 'nl']);

/** The name words of a query, legal forms and noise words left out (and listed in `ignored`). */
export function readNameWords(text: string): SearchReading {
  const { words, ignored } = readWords(text);
  if (words.length === 0 && ignored.length > 0) return { kind: 'none', ignored };
  return { kind: 'name', words, ignored };
}

function readWords(text: string, alsoIgnore: ReadonlySet<string> = new Set()) {
  const words: string[] = [];
  const ignored: string[] = [];
  for (const token of text.toLowerCase().split(/[\s,;]+/)) {
    // "B.V.", "b.v" and "BV" are one legal form: compare the token without its punctuation.
    const compact = plain(token.replace(/[^\p{L}\p{N}]/gu, ''));
    if (LEGAL_FORMS.has(compact) || NOISE_WORDS.has(compact) || alsoIgnore.has(compact)) {
      if (!ignored.includes(token)) ignored.push(token);
      continue;
    }
    for (const word of token.split(/[^\p{L}\p{N}]+/u)) {
      if (word.length >= MIN_WORD && !words.includes(word)) words.push(word);
    }
  }
  return { words, ignored };
}

/** A host name: letters, digits and hyphens in labels, a top level of at least two letters. */
const HOST = String.raw`(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?\.)+\p{L}[\p{L}\p{N}-]*[\p{L}\p{N}]\.?`;
const BARE_ADDRESS = new RegExp(String.raw`^${HOST}(?::[0-9]{1,5})?(?:[/?#]\S*)?$`, 'iu');
const MAIL_ADDRESS = new RegExp(String.raw`^[^\s@/]+@(${HOST})$`, 'iu');

/**
 * The host of a web address, host name or mail address, lower case, without a trailing dot or a
 * leading `www.`, in ASCII (IDNA) spelling; undefined when the text is none of those. Any scheme,
 * user, port, path, query or fragment is left out: `http://www.Polderwolk.example:8080/contact?x#y`
 * reads `polderwolk.example`.
 */
export function readHost(text: string): string | undefined {
  const trimmed = text.trim();
  let address: string;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) address = trimmed;
  else if (BARE_ADDRESS.test(trimmed)) address = `http://${trimmed}`;
  else {
    const mailHost = MAIL_ADDRESS.exec(trimmed)?.[1];
    if (!mailHost) return undefined;
    address = `http://${mailHost}`;
  }
  let hostname: string;
  try {
    hostname = new URL(address).hostname;
  } catch {
    return undefined;
  }
  const host = hostname.replace(/\.+$/, '').replace(/^www\./, '');
  // A host is at least a name and a top level; "example" alone is no host and matches no website.
  return /^[^.]+(\.[^.]+)+$/.test(host) ? host : undefined;
}

/**
 * The hosts a provider's website may have for a query's host: the host itself and every host it
 * is part of down to two labels (`shop.polderwolk.example` → also `polderwolk.example`), each in
 * ASCII and Unicode spelling. A top level alone never: `example` matches no website.
 */
export function hostCandidates(host: string): string[] {
  const labels = host.split('.');
  const hosts: string[] = [];
  for (let i = 0; i <= labels.length - 2; i++) {
    const candidate = labels.slice(i).join('.');
    for (const spelling of [candidate, domainToUnicode(candidate) || candidate]) {
      if (!hosts.includes(spelling)) hosts.push(spelling);
    }
  }
  return hosts;
}
