import path from 'node:path';
import type { Express } from 'express';
import { create } from 'express-handlebars';
import type { HelperOptions } from 'handlebars';
import { dateInWords, isLanguage, translate, type Language } from '../shared/i18n';
import { reasonInLanguage } from '../shared/status-reasons';

const VIEWS_DIR = path.join(__dirname, '..', '..', '..', 'views');

function languageOf(options: HelperOptions): Language {
  const data: unknown = options.data;
  const root = data && typeof data === 'object' && 'root' in data ? data.root : undefined;
  const lang = root && typeof root === 'object' && 'lang' in root ? root.lang : undefined;
  return isLanguage(lang) ? lang : 'nl';
}

function toDate(value: unknown): Date | undefined {
  if (value instanceof Date) return value;
  if (typeof value === 'string' && value) return new Date(value.length === 10 ? `${value}T12:00:00Z` : value);
  return undefined;
}

export const helpers = {
  /**
   * {{t "key" name=value}}: the text for key in the page's language; placeholders not given here
   * come from the page's `messageParams` (the limits a ValidationError names).
   */
  t(key: string, options: HelperOptions) {
    const root = (options.data as { root?: { messageParams?: Record<string, unknown> } } | undefined)?.root;
    const language = languageOf(options);
    // A date among the values is written in words in the page's language, never as an ISO string.
    const given: Record<string, unknown> = {
      ...root?.messageParams,
      ...(options.hash as Record<string, unknown>),
    };
    const params = Object.fromEntries(
      Object.entries(given).map(([name, value]): [string, unknown] => [
        name,
        value instanceof Date ? dateInWords(language, value) : value,
      ]),
    );
    return translate(language, key, params);
  },
  /** {{date value}}: a date in words in the page's language, Dutch calendar. */
  date(value: unknown, options: HelperOptions) {
    const date = toDate(value);
    return date ? dateInWords(languageOf(options), date) : '';
  },
  /** {{dateTime value}}: date and time of day in the page's language, Dutch time. */
  dateTime(value: unknown, options: HelperOptions) {
    const date = toDate(value);
    return date ? dateInWords(languageOf(options), date, true) : '';
  },
  /** {{statusReason reason}}: a status change's stored reason, an AAN import's in the page's language. */
  statusReason(reason: unknown, options: HelperOptions) {
    return reasonInLanguage(typeof reason === 'string' ? reason : null, languageOf(options)) ?? '';
  },
  /** {{isoDate value}}: for machine-readable <time datetime>. */
  iso(value: unknown) {
    return toDate(value)?.toISOString() ?? '';
  },
  eq(a: unknown, b: unknown) {
    return a === b;
  },
  /** {{concat "fields." name}} */
  concat(...parts: unknown[]) {
    return parts.slice(0, -1).map(String).join('');
  },
  /** {{default value "fallback"}} */
  default(value: unknown, fallback: unknown) {
    return value === undefined || value === null || value === '' ? fallback : value;
  },
  /** The ids a form control is described by: its hint and its error, when present. */
  describedBy(name: string, hint: unknown, error: unknown) {
    return [hint ? `hint-${name}` : '', error ? `error-${name}` : ''].filter(Boolean).join(' ');
  },
  /** Bytes in words: 1.2 MB. */
  fileSize(bytes: unknown) {
    const n = Number(bytes);
    return n >= 1024 * 1024
      ? `${(n / 1024 / 1024).toFixed(1)} MB`
      : `${Math.max(1, Math.round(n / 1024))} kB`;
  },
  /** Text for XML: drops what XML 1.0 does not allow (control characters, lone surrogates); escaping follows as usual. */
  xmlText(value: string | null | undefined) {
    return (value ?? '').replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '');
  },
  join(list: unknown, separator: unknown) {
    return Array.isArray(list) ? list.join(typeof separator === 'string' ? separator : ', ') : '';
  },
  /** A value as one component of a URL (a query parameter's value). */
  uriComponent(value: unknown) {
    return typeof value === 'string' ? encodeURIComponent(value) : '';
  },
};

export function configureViews(app: Express): void {
  const engine = create({
    extname: '.hbs',
    defaultLayout: 'main',
    layoutsDir: path.join(VIEWS_DIR, 'layouts'),
    partialsDir: path.join(VIEWS_DIR, 'partials'),
    // A partial on a line of its own is not indented: Handlebars would otherwise indent every line
    // of its output, the text inside a message or a textarea too (a message's second line showed
    // two spaces in front).
    compilerOptions: { preventIndent: true },
    helpers,
  });
  app.engine('.hbs', engine.engine);
  app.set('view engine', '.hbs');
  app.set('views', VIEWS_DIR);
}
