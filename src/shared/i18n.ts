import { readFileSync } from 'node:fs';
import path from 'node:path';

export const LANGUAGES = ['nl', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'nl';

type Messages = { [key: string]: string | Messages };

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

function lookup(language: Language, key: string): string | undefined {
  let node: string | Messages | undefined = catalogues[language];
  for (const part of key.split('.')) {
    if (node === undefined || typeof node === 'string') return undefined;
    node = node[part];
  }
  return typeof node === 'string' ? node : undefined;
}

/** The text for `key` in `language` with `{name}` placeholders filled in; a missing key shows itself. */
export function translate(language: Language, key: string, params: Record<string, unknown> = {}): string {
  const text = lookup(language, key) ?? lookup(DEFAULT_LANGUAGE, key) ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

export function hasMessage(language: Language, key: string): boolean {
  return lookup(language, key) !== undefined;
}
