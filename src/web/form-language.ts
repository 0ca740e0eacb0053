import type { Request, Response } from 'express';
import { ValidationError } from '../shared/errors';

/**
 * The language switch of a form shown again after a POST (with its errors). Its URL accepts only
 * POST, so a link to it in the other language would be a 404, and a link to the empty form would
 * lose what was typed. Instead the switch is a small form that posts the same fields again, to the
 * same URL with `?lang=`, marked `_taalwissel`: the route sets its form context as always, and at
 * that moment the page is shown again in the other language, with the typed values and the same
 * messages, before anything is checked or done. Secret fields (passwords, codes) are never carried;
 * an uploaded file cannot be, and is chosen again as after any refusal.
 */

/** Marks a POST as a language switch: show the form again, do nothing. */
export const SWITCH_FIELD = '_taalwissel';
/** The messages the form showed, carried through the switch (translation keys only). */
const ERRORS_FIELD = '_fouten';
/** Fields of the form machinery itself, never carried as typed values. */
const OWN_FIELDS = new Set(['_csrf', SWITCH_FIELD, ERRORS_FIELD]);

/** Thrown by setFormContext on a language switch; the error handler shows the form again. */
export class LanguageSwitchRequested extends Error {
  constructor() {
    super('language switch: the form is shown again, nothing is done');
  }
}

export function isLanguageSwitch(req: Request): boolean {
  return req.method === 'POST' && (req.body as Record<string, unknown> | undefined)?.[SWITCH_FIELD] === '1';
}

const NAME = /^[A-Za-z][A-Za-z0-9_]{0,59}$/;
const KEY = /^[A-Za-z][A-Za-z0-9_.]{0,99}$/;
/** A date among the messages' values travels as JSON's ISO instant and is a date again, written in words. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * The messages carried by a switch, as the ValidationError they came from; anything that is not a
 * field name and a translation key is left out (a key only ever shows as its text, escaped).
 */
export function carriedErrors(req: Request): ValidationError {
  const raw = (req.body as Record<string, unknown>)[ERRORS_FIELD];
  const fields: Record<string, string[]> = {};
  const params: Record<string, string | number | Date> = {};
  try {
    const parsed = JSON.parse(typeof raw === 'string' ? raw : '{}') as unknown;
    const { errors, params: given } = (parsed ?? {}) as { errors?: unknown; params?: unknown };
    for (const [field, key] of Object.entries(errors ?? {}).slice(0, 50))
      if (NAME.test(field) && typeof key === 'string' && KEY.test(key)) fields[field] = [key];
    for (const [name, value] of Object.entries(given ?? {}).slice(0, 20))
      if (NAME.test(name) && (typeof value === 'number' || typeof value === 'string'))
        params[name] =
          typeof value !== 'string' ? value : ISO_INSTANT.test(value) ? new Date(value) : value.slice(0, 200);
  } catch {
    // Not ours (edited by hand): the form shows without messages.
  }
  return new ValidationError(fields, undefined, Object.keys(params).length ? params : undefined);
}

/** The URL of this request in `language`: the same path and query, `lang` replaced. */
function inLanguage(req: Request, language: string): string {
  const url = new URL(req.originalUrl, 'http://register.invalid');
  url.searchParams.set('lang', language);
  return `${url.pathname}${url.search}`;
}

/** Puts the switch form in the page: the typed (non-secret) values and the messages shown. */
export function offerLanguageSwitch(
  req: Request,
  res: Response,
  values: Record<string, string>,
  error: ValidationError,
): void {
  const other = res.locals.otherLang as string;
  res.locals.languageSwitch = {
    action: inLanguage(req, other),
    fields: Object.entries(values)
      .filter(([name, value]) => !OWN_FIELDS.has(name) && typeof value === 'string')
      .map(([name, value]) => ({ name, value })),
    errors: JSON.stringify({
      errors: Object.fromEntries(Object.entries(error.fields).map(([field, keys]) => [field, keys[0]])),
      params: error.params ?? {},
    }),
  };
}

/**
 * The language switch of a page a POST shows without storing anything (a confirmation page): it
 * posts the same fields again to the same URL in the other language, not marked as a switch, so the
 * route shows that page again, checked anew, in the other language.
 */
export function offerResubmitInLanguage(req: Request, res: Response, values: Record<string, string>): void {
  offerLanguageSwitch(req, res, values, new ValidationError({}));
  (res.locals.languageSwitch as { resubmit?: boolean }).resubmit = true;
}

/**
 * The language switch of a result page whose own form holds everything the result came from (the
 * bulk check: the pasted list or the kept copy of the file): a button of that form (`form`), sent
 * to the same URL in the other language, so the page comes back with the same result, without a
 * second copy of the form's fields in the page. `button` is the name and value it sends (the page
 * of the result, say).
 */
export function offerFormResubmitInLanguage(
  req: Request,
  res: Response,
  form: string,
  button: { name: string; value: string },
): void {
  res.locals.languageSwitch = {
    action: inLanguage(req, res.locals.otherLang as string),
    form,
    button,
  };
}
