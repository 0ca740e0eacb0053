import type { NextFunction, Request, Response } from 'express';
import { BadRequestError } from '../shared/errors';
import { fieldWithForbiddenCharacters } from '../shared/forbidden-characters';
import { hasMessage, type Language, translate } from '../shared/i18n';
import { paths } from '../shared/paths';

/**
 * Refuses a query string or form body with a control character or a text-direction override in
 * any field, before any route reads it: a clear 400 naming the field, never a 500 from the
 * database (which refuses NUL) or a cut-off export.
 */
export function refuseForbiddenCharacters(req: Request, res: Response, next: NextFunction): void {
  next(forbiddenCharactersError(res, req.query, bodyToGuard(req)));
}

/** A path of `paths` with each `:param` as one segment of anything: a pattern of whole paths. */
function pathPattern(build: (...segments: string[]) => string, params = 0): RegExp {
  const marker = '\u0001';
  const path = build(...Array<string>(params).fill(marker));
  const escaped = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped.split(marker).join('[^/]+')}$`);
}

/**
 * The typed fields whose routes refuse a forbidden character themselves (isOneLine, as a zero-width
 * character): the buyers' forms (watch lists, API keys, webhooks) and a provider's answer to a
 * signal match (its note, F4): a field error with the form kept, not this guard's bare 400 page.
 * Only these fields of these forms (POST); every other field, form and query string is guarded as
 * before.
 */
const FIELDS_CHECKED_BY_THEIR_FORMS: { pattern: RegExp; fields: readonly string[] }[] = [
  { pattern: pathPattern(() => paths.watchLists), fields: ['listName'] },
  { pattern: pathPattern(() => paths.watchFromBulkCheck), fields: ['listName'] },
  { pattern: pathPattern(paths.watchListRename, 1), fields: ['listName'] },
  { pattern: pathPattern(paths.watchListEntries, 1), fields: ['reference'] },
  { pattern: pathPattern(paths.watchListEntry, 2), fields: ['reference'] },
  { pattern: pathPattern(paths.buyerOrganisationName, 1), fields: ['buyerOrganisationName'] },
  { pattern: pathPattern(() => paths.buyerApiKeys), fields: ['keyName'] },
  { pattern: pathPattern(() => paths.signalApiKeys), fields: ['keyName'] },
  { pattern: pathPattern(() => paths.buyerWebhooks), fields: ['webhookDescription'] },
  { pattern: pathPattern(paths.signalMatchAnswer, 1), fields: ['matchNote'] },
];

/** The form body as the guard reads it: without the fields a form checks itself. */
function bodyToGuard(req: Request): unknown {
  if (req.method !== 'POST' || !req.body || typeof req.body !== 'object') return req.body;
  const own = FIELDS_CHECKED_BY_THEIR_FORMS.find(({ pattern }) => pattern.test(req.path));
  if (!own) return req.body;
  return Object.fromEntries(
    Object.entries(req.body as Record<string, unknown>).filter(
      // Only a single text value is left to the form: an array or object is guarded as ever.
      ([name, value]) => !(own.fields.includes(name) && typeof value === 'string'),
    ),
  );
}

/** The refusal for the first field of these inputs that holds a forbidden character, if one does. */
export function forbiddenCharactersError(
  res: Response | undefined,
  ...inputs: unknown[]
): BadRequestError | undefined {
  const field = inputs.map((input) => fieldWithForbiddenCharacters(input)).find(Boolean);
  if (!field) return undefined;
  const language = (res?.locals.lang ?? 'nl') as Language;
  const label = hasMessage(language, `fields.${field}`) ? translate(language, `fields.${field}`) : field;
  return new BadRequestError('errors.controlCharacters', undefined, { field: label });
}

/**
 * Pages of the web part are never stored by a browser or proxy cache: they carry a session, a CSRF
 * token or personal data. A route that serves public data may say otherwise.
 */
export function noStore(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Cache-Control', 'no-store');
  next();
}
