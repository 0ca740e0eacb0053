import type { NextFunction, Request, Response } from 'express';
import { BadRequestError } from '../shared/errors';
import { fieldWithForbiddenCharacters } from '../shared/forbidden-characters';
import { hasMessage, type Language, translate } from '../shared/i18n';

/**
 * Refuses a query string or form body with a control character or a text-direction override in
 * any field, before any route reads it: a clear 400 naming the field, never a 500 from the
 * database (which refuses NUL) or a cut-off export.
 */
export function refuseForbiddenCharacters(req: Request, res: Response, next: NextFunction): void {
  next(forbiddenCharactersError(res, req.query, req.body));
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
