import { readFileSync } from 'node:fs';
import path from 'node:path';
import { TIME_ZONE } from './time';

export const LANGUAGES = ['nl', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'nl';

type Messages = { [key: string]: string | Messages };

/**
 * A text that depends on a number (the `count` parameter): one form per plural category of the
 * language, as `Intl.PluralRules` names them ("one", "other", …); `other` is always there.
 * In the catalogue it is an object whose keys are all such categories.
 */
type PluralForms = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };

const PLURAL_CATEGORIES: readonly string[] = ['zero', 'one', 'two', 'few', 'many', 'other'];

function isPlural(node: string | Messages): node is PluralForms {
  if (typeof node === 'string' || typeof node.other !== 'string') return false;
  return Object.entries(node).every(
    ([key, value]) => PLURAL_CATEGORIES.includes(key) && typeof value === 'string',
  );
}

const LOCALES_DIR = path.join(__dirname, '..', '..', '..', 'locales');

function load(language: Language): Messages {
  return JSON.parse(readFileSync(path.join(LOCALES_DIR, `${language}.json`), 'utf8')) as Messages;
}

const catalogues: Record<Language, Messages> = { nl: load('nl'), en: load('en') };

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** Every key of a catalogue as a dotted path, for the check that both languages have the same keys. */
export function messageKeys(language: Language): string[] {
  const keys: string[] = [];
  const walk = (node: Messages, prefix: string) => {
    for (const [key, value] of Object.entries(node)) {
      if (typeof value === 'string') keys.push(prefix + key);
      else walk(value, `${prefix}${key}.`);
    }
  };
  walk(catalogues[language], '');
  return keys.sort();
}

function lookup(language: Language, key: string): string | PluralForms | undefined {
  let node: string | Messages | undefined = catalogues[language];
  for (const part of key.split('.')) {
    if (node === undefined || typeof node === 'string') return undefined;
    node = node[part];
  }
  if (node === undefined) return undefined;
  return typeof node === 'string' || isPlural(node) ? node : undefined;
}

const pluralRules: Record<Language, Intl.PluralRules> = {
  nl: new Intl.PluralRules('nl'),
  en: new Intl.PluralRules('en'),
};

/** The form of a plural text for `count` in `language`; `other` when the language has no form of its own. */
function pluralForm(language: Language, forms: PluralForms, count: unknown): string {
  const category = pluralRules[language].select(Number(count));
  return forms[category] ?? forms.other;
}

/**
 * The text for `key` in `language` with `{name}` placeholders filled in; a missing key shows itself.
 * A plural text takes the form for the number in `params.count`.
 */
export function translate(language: Language, key: string, params: Record<string, unknown> = {}): string {
  const own = lookup(language, key);
  const [found, foundIn] =
    own !== undefined
      ? ([own, language] as const)
      : ([lookup(DEFAULT_LANGUAGE, key), DEFAULT_LANGUAGE] as const);
  const text =
    found === undefined ? key : typeof found === 'string' ? found : pluralForm(foundIn, found, params.count);
  return fillPlaceholders(text, params);
}

/**
 * `{name}` placeholders filled in with `params` (one not given stays as it is). A value that ends a
 * sentence itself ("Kaasmarkt Compute B.V.", "Yahoo!") takes the place of the full stop that follows
 * its placeholder, so no text ends a name in "B.V..".
 */
export function fillPlaceholders(text: string, params: Record<string, unknown>): string {
  return text.replace(/\{(\w+)\}(\.?)/g, (whole, name: string, stop: string) => {
    if (!(name in params)) return whole;
    const value = String(params[name]);
    return /[.!?]$/.test(value) ? value : value + stop;
  });
}

export function hasMessage(language: Language, key: string): boolean {
  return lookup(language, key) !== undefined;
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * A date in words in `language`, in the Dutch calendar ("3 maart 2027", "3 March 2027"), with the
 * time of day when asked; pages and mails both write dates with this.
 */
export function dateInWords(language: Language, instant: Date, withTime = false): string {
  const key = `${language}:${withTime}`;
  let formatter = dateFormats.get(key);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(language === 'nl' ? 'nl-NL' : 'en-GB', {
      timeZone: TIME_ZONE,
      dateStyle: 'long',
      ...(withTime ? { timeStyle: 'short' } : {}),
    });
    dateFormats.set(key, formatter);
  }
  return formatter.format(instant);
}
