import type { Language } from '../shared/i18n';

/**
 * The API's life cycle as data: what changed in each version (the changelog on the documentation
 * page) and which parts are deprecated, with their dates. The deprecation middleware
 * (api.routes.ts) sets the Deprecation, Sunset and Link headers from the same list the page shows.
 */

/** A deprecated part is announced this many days at least before it stops working (its sunset). */
export const DEPRECATION_NOTICE_DAYS = 365;

/** A deprecated operation of /api/v1, or one query parameter of it. */
export interface Deprecation {
  /** The method, upper case, e.g. `GET`. */
  method: string;
  /** The path below /api/v1 as the OpenAPI document names it, e.g. `/hostingproviders/{kvkNummer}`. */
  path: string;
  /** A query parameter: only requests that use it are deprecated. */
  parameter?: string;
  /** When it was deprecated (the changelog announces it the same day): the Deprecation header. */
  deprecatedAt: Date;
  /** When it stops working: the Sunset header; at least DEPRECATION_NOTICE_DAYS after `deprecatedAt`. */
  sunsetAt: Date;
  /** What to use instead, in each language. */
  instead: Record<Language, string>;
}

/**
 * What is deprecated now. Nothing yet: every part of 1.0.0 still works as it did. An entry added
 * here gets its headers on every matching request, the `deprecated` flag in the OpenAPI document,
 * and a line on the documentation page; the changelog names it in the version that deprecates it.
 */
export const DEPRECATIONS: readonly Deprecation[] = [];

/** One version of the API in the changelog. */
export interface ChangelogEntry {
  version: string;
  /** The day it was published, YYYY-MM-DD. */
  date: string;
  changes: Record<Language, string[]>;
}

/** Newest first; the first entry's version is API_VERSION. */
export const CHANGELOG: readonly ChangelogEntry[] = [
  {
    version: '1.1.0',
    date: '2026-11-30',
    changes: {
      nl: [
        '`GET /api/v1` geeft links naar dit document, de OpenAPI-specificatie en de resources.',
        'Nieuw: `GET /api/v1/statuswijzigingen`, alle statuswijzigingen van het register, oudste eerst, per cursor te pagineren (`vanaf`) en te filteren op `kvkNummer`.',
        'Opvragingen, open data en feeds hebben `ETag`, `Last-Modified` en `Cache-Control`; antwoorden komen gecomprimeerd (gzip of brotli) als de client daarom vraagt.',
        '`POST /api/v1/controles` leest KvK-nummers zoals mensen ze typen: met spaties, punten of het voorvoegsel KvK.',
        'Limieten per client: verzoeken per minuut en lijstcontroles tegelijk; elk antwoord heeft de headers `RateLimit-Policy` en `RateLimit`, een overschrijding is een 429 met `Retry-After`.',
        'Elk probleemantwoord (ook 404, 405, 415 en 429) heeft `Access-Control-Allow-Origin: *`; scripts kunnen `RateLimit`, `Retry-After`, `Deprecation` en `Sunset` lezen.',
        'Het beleid voor het uitfaseren van onderdelen, met de headers `Deprecation` en `Sunset`.',
        'Een 503 zegt waarom: `unavailable` (het register is even niet bereikbaar) of `busy` (het is te druk om het verzoek op tijd af te handelen); beide met `Retry-After`.',
      ],
      en: [
        '`GET /api/v1` links to this page, the OpenAPI document and the resources.',
        'New: `GET /api/v1/statuswijzigingen`, every status change in the register, oldest first, paged by cursor (`vanaf`) and filtered by `kvkNummer`.',
        'Lookups, open data and feeds carry `ETag`, `Last-Modified` and `Cache-Control`; answers are compressed (gzip or brotli) when the client asks.',
        '`POST /api/v1/controles` reads KvK numbers as people type them: with spaces, dots or a KvK prefix.',
        'Limits per client: requests per minute and bulk checks at once; every answer carries `RateLimit-Policy` and `RateLimit`, going over is a 429 with `Retry-After`.',
        'Every problem answer (404, 405, 415 and 429 too) carries `Access-Control-Allow-Origin: *`; scripts can read `RateLimit`, `Retry-After`, `Deprecation` and `Sunset`.',
        'The policy for phasing parts out, with the `Deprecation` and `Sunset` headers.',
        'A 503 says why: `unavailable` (the register cannot be reached for a moment) or `busy` (too busy to handle the request in time); both with `Retry-After`.',
      ],
    },
  },
  {
    version: '1.0.0',
    date: '2026-11-26',
    changes: {
      nl: [
        'Eerste versie: hostingproviders zoeken, de status van een hostingprovider nu of op een peildatum, de statusgeschiedenis, verklaringen controleren en lijsten van tot 10.000 KvK-nummers controleren.',
      ],
      en: [
        'First version: search providers, a provider’s status now or on a peildatum, its status history, verify attestations and check lists of up to 10,000 KvK numbers.',
      ],
    },
  },
];

/** The Deprecation header (RFC 9745): the instant as a structured-field date, `@<seconds since 1970>`. */
export function deprecationHeader(at: Date): string {
  return `@${Math.floor(at.getTime() / 1000)}`;
}

/** The Sunset header (RFC 8594): an HTTP date. */
export function sunsetHeader(at: Date): string {
  return at.toUTCString();
}

const templates = new Map<string, RegExp>();
function templatePattern(path: string): RegExp {
  let pattern = templates.get(path);
  if (!pattern) {
    const escaped = path.split(/\{[^}]+\}/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    pattern = new RegExp(`^${escaped.join('[^/]+')}$`);
    templates.set(path, pattern);
  }
  return pattern;
}

/** The entries of `list` a request matches: its method, its path below /api/v1, and the parameters it uses. */
export function deprecationsFor(
  list: readonly Deprecation[],
  method: string,
  path: string,
  parameters: readonly string[],
): Deprecation[] {
  const asked = method === 'HEAD' ? 'GET' : method;
  return list.filter(
    (d) =>
      d.method === asked &&
      templatePattern(d.path).test(path) &&
      (d.parameter === undefined || parameters.includes(d.parameter)),
  );
}

/** The section of the documentation page with the deprecation policy and what is deprecated now. */
export const DEPRECATION_ANCHOR = 'uitfasering';
