import type { NextFunction, Request, Response } from 'express';
import { isCsrfError } from './auth';
import { isDatabaseBusy, isDatabaseUnavailable } from '../database/availability';
import {
  AppError,
  type ChangedMeanwhile,
  ConflictError,
  OverloadedError,
  TooManyRequestsError,
  ValidationError,
} from '../shared/errors';
import type { Logger } from '../shared/logger';
import { safeReturnPath } from '../shared/paths';
import {
  carriedErrors,
  isLanguageSwitch,
  LanguageSwitchRequested,
  offerLanguageSwitch,
} from './form-language';

/** Status → the key of its texts in the translation files; other 4xx show as 400, other 5xx as 500. */
const PAGES: Record<number, string> = {
  400: 'validation',
  403: 'forbidden',
  404: 'notFound',
  409: 'conflict',
  429: 'tooMany',
  500: 'server',
  503: 'unavailable',
};

/**
 * A route that shows a form sets this before it acts, so that a ValidationError re-shows the same
 * form with the errors and everything the user typed.
 */
export interface FormContext {
  view: string;
  model: Record<string, unknown>;
  values: Record<string, string>;
  /** Where the error summary links for a field, when not to `#field-<name>` (a form in a table row). */
  anchors?: Record<string, string>;
  /**
   * A limit's refusal (429) shows this form again, with what was typed and the limit's message,
   * instead of the bare 429 page: for a long form that took time to fill in (registration).
   */
  keepOnTooMany?: boolean;
}

/**
 * A form whose page takes queries to build: `load` runs only when the form is shown again, so a
 * POST that succeeds never pays for the page it does not show.
 */
export interface LazyFormContext {
  view: string;
  load: () => Promise<Pick<FormContext, 'model' | 'values'>>;
  anchors?: Record<string, string>;
  /**
   * What changed meanwhile, read only when a conflict (409) meets this form. A form that gives it is
   * shown again on a conflict, with what was typed, on the current state; one without it gets the 409 page.
   */
  meanwhile?: () => Promise<ChangedMeanwhile | undefined>;
}

export function setFormContext(res: Response, context: FormContext | LazyFormContext): void {
  res.locals.form = context;
  // A language switch of a form shown again (form-language.ts) stops here, before anything is done.
  if (isLanguageSwitch(res.req)) throw new LanguageSwitchRequested();
}

async function loadedForm(form: FormContext | LazyFormContext): Promise<FormContext> {
  return 'load' in form ? { view: form.view, anchors: form.anchors, ...(await form.load()) } : form;
}

/**
 * Hidden fields that carry the state a form was based on (the application's version, the status a
 * confirmation previewed). A conflict drops them, so the form shown again acts on the current state.
 */
const BASIS_FIELDS = ['version', 'basis'];

async function renderConflict(
  res: Response,
  form: FormContext | LazyFormContext,
  error: ConflictError,
): Promise<void> {
  const shown = await loadedForm(form);
  const meanwhile = 'meanwhile' in form ? await form.meanwhile?.() : undefined;
  const values = { ...shown.values };
  for (const field of [...SECRET_FIELDS, ...BASIS_FIELDS]) delete values[field];
  res.status(409).render(shown.view, {
    ...shown.model,
    values,
    errors: {},
    errorList: [],
    // A step the state does not allow is titled so, not as a change made meanwhile.
    conflict: { key: error.messageKey, params: error.messageParams, meanwhile, kind: error.kind },
  });
}

/** Answers 404 for any URL no route claimed. */
export function notFoundHandler(_req: Request, res: Response): void {
  res.status(404).render('errors/404', { title: 'errors.notFound.title' });
}

/** Fields never sent back to the browser, even when the form is re-shown. */
const SECRET_FIELDS = ['password', 'passwordConfirmation', 'currentPassword', 'code', '_csrf'];

/** Errors that belong to no single control link to the part of the page they are about. */
const ANCHORS: Record<string, string> = {
  evidenceCode: 'bewijsstukken',
  evidenceAan: 'bewijsstukken',
  form: 'form-heading',
  token: 'inhoud',
  action: 'action-start_review',
  staffMember: 'medewerkers',
  invitation: 'uitnodigingen',
};

/** A limit refused a form that keeps what was typed (keepOnTooMany): the form again, answered with 429. */
function renderTooMany(res: Response, form: FormContext, error: TooManyRequestsError): void {
  const values = { ...form.values };
  for (const field of SECRET_FIELDS) delete values[field];
  res.setHeader('Retry-After', String(error.retryAfterSeconds));
  res.status(429).render(form.view, {
    ...form.model,
    values,
    errors: {},
    errorList: [],
    tooMany: {
      key: error.messageKey.endsWith('.title') ? 'errors.tooMany.body' : error.messageKey,
      retryMinutes: Math.ceil(error.retryAfterSeconds / 60),
    },
  });
}

function renderForm(req: Request, res: Response, form: FormContext, error: ValidationError): void {
  const values = { ...form.values };
  for (const field of SECRET_FIELDS) delete values[field];
  offerLanguageSwitch(req, res, values, error);
  // The summary lists the errors in the order of the form's fields, whatever order the checks ran in.
  const order = Object.keys(form.values);
  const place = (field: string) => (order.includes(field) ? order.indexOf(field) : order.length);
  const errors = Object.entries(error.fields)
    .sort(([a], [b]) => place(a) - place(b))
    .map(([field, keys]) => ({
      field,
      key: keys[0],
      anchor: form.anchors?.[field] ?? ANCHORS[field] ?? `field-${field}`,
    }));
  // The same page in the other language keeps the status it had: 400 while it shows errors.
  res.status(errors.length > 0 ? 400 : 200).render(form.view, {
    ...form.model,
    values,
    errors: Object.fromEntries(errors.map((e) => [e.field, e.key])),
    errorList: errors,
    ...(error.params ? { messageParams: error.params } : {}),
  });
}

/**
 * Where a 409 page links back to: the page of the thing concerned when the error names it, else the
 * page the form was on (the Referer), but only a path of this same site: never an open redirect.
 */
export function conflictBackTo(error: unknown, req: Request): string | undefined {
  if (error instanceof ConflictError && error.backTo) return safeReturnPath(error.backTo);
  const referer = req.get('referer');
  if (!referer) return undefined;
  try {
    const url = new URL(referer);
    if (url.host !== req.get('host')) return undefined;
    return safeReturnPath(`${url.pathname}${url.search}`);
  } catch {
    return undefined;
  }
}

/** The HTTP status an error answers with; anything unexpected is a 500. */
export function errorStatus(error: unknown): number {
  if (error instanceof AppError) return error.status;
  if (isCsrfError(error)) return 403;
  if (isDatabaseBusy(error) || isDatabaseUnavailable(error)) return 503;
  if (typeof (error as { status?: unknown })?.status === 'number') {
    // Errors from Express' own parsers (body too large, malformed body): client errors.
    const candidate = (error as { status: number }).status;
    if (candidate >= 400 && candidate < 500) return candidate;
  }
  return 500;
}

/** Seconds a client is asked to wait after the database was too busy or away. */
const DATABASE_RETRY_SECONDS = '5';

/**
 * True when a 503 is load, not an outage: a place for heavy work or a password hash that did not
 * come free, a connection of the pool that did not, a statement or transaction at its limit.
 */
export function isBusy(error: unknown): boolean {
  return error instanceof OverloadedError || isDatabaseBusy(error);
}

/** Logs what needs logging (stack for a 500, a warning for a 503) and sets Retry-After where it helps. */
export function logAndSetRetry(error: unknown, status: number, log: Logger, res: Response): void {
  if (error instanceof OverloadedError) {
    log.warn(
      { err: error, load: true },
      'too busy: the work waits for a place that does not come free in time',
    );
    res.setHeader('Retry-After', String(error.retryAfterSeconds));
  } else if (isDatabaseBusy(error)) {
    log.warn(
      { err: error, load: true },
      'too busy: the database did not answer within its limit, or no connection came free in time',
    );
    res.setHeader('Retry-After', DATABASE_RETRY_SECONDS);
  } else if (status === 503) {
    log.warn({ err: error }, 'database unavailable');
    res.setHeader('Retry-After', DATABASE_RETRY_SECONDS);
  } else if (status >= 500) {
    log.error({ err: error }, 'unexpected error');
  } else if (error instanceof TooManyRequestsError) {
    res.setHeader('Retry-After', String(error.retryAfterSeconds));
  }
}

/**
 * Maps every error to a status and a page inside the layout. Unexpected errors are logged with
 * their stack and the page shows only a reference (the request id).
 */
export function errorHandler(logger: Logger, hooks: { csrfRefused?: (req: Request) => Promise<void> } = {}) {
  const handle = async (error: unknown, req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (res.headersSent) return next(error);
    const log = (req as Request & { log?: Logger }).log ?? logger;
    if (isCsrfError(error) && hooks.csrfRefused) {
      // A lost audit line must not turn a refusal into a 500.
      await hooks.csrfRefused(req).catch((e: unknown) => log.warn({ err: e }, 'security event not recorded'));
    }

    const form = res.locals.form as FormContext | LazyFormContext | undefined;
    const refusal =
      error instanceof LanguageSwitchRequested
        ? carriedErrors(req)
        : error instanceof ValidationError
          ? error
          : undefined;
    if (refusal && form) {
      delete res.locals.form;
      // Building the page can fail in its own right (the application is not the user's: 404).
      const shown = await loadedForm(form).catch((loadError: unknown) => ({ loadError }));
      if ('loadError' in shown) return handle(shown.loadError, req, res, next);
      return renderForm(req, res, shown, refusal);
    }
    if (error instanceof TooManyRequestsError && form && 'keepOnTooMany' in form && form.keepOnTooMany) {
      delete res.locals.form;
      return renderTooMany(res, form, error);
    }
    if (error instanceof ConflictError && form && 'meanwhile' in form && form.meanwhile) {
      // Changed meanwhile: the form again, on the current state, with what was typed and what changed.
      // Only forms that can say what changed take part; other conflicts keep the 409 page.
      delete res.locals.form;
      // Building the page can fail in its own right, as above.
      const failed = await renderConflict(res, form, error).then(
        () => undefined,
        (loadError: unknown) => ({ loadError }),
      );
      if (failed) return handle(failed.loadError, req, res, next);
      return;
    }

    const status = errorStatus(error);
    logAndSetRetry(error, status, log, res);

    const page = PAGES[status] ? status : status < 500 ? 400 : 500;
    // Too busy is not "cannot be reached": the 503 page says which, so the reader knows to try again.
    const busy = status === 503 && isBusy(error);
    const detailKey = isCsrfError(error)
      ? 'errors.csrf'
      : error instanceof AppError && !error.messageKey.endsWith('.title')
        ? error.messageKey
        : undefined;
    res.status(status);
    res.render(
      `errors/${page}`,
      {
        // A step the state does not allow is no change made meanwhile: its own title.
        title:
          error instanceof ConflictError && error.kind === 'notNow'
            ? 'errors.conflict.notNowTitle'
            : busy
              ? 'errors.busy.title'
              : `errors.${PAGES[page]}.title`,
        busy,
        reference: req.id,
        detailKey,
        detailParams: error instanceof AppError ? error.messageParams : {},
        backTo: status === 409 ? conflictBackTo(error, req) : undefined,
        // A limit of an hour is not "a few minutes": the page says how long, as Retry-After does.
        retryMinutes:
          error instanceof TooManyRequestsError ? Math.ceil(error.retryAfterSeconds / 60) : undefined,
      },
      (renderError, html) => {
        if (renderError) {
          log.error({ err: renderError }, 'error page could not be rendered');
          res
            .type('text/plain')
            .send(
              `Er ging iets mis / Something went wrong. Referentie / reference: ${typeof req.id === 'object' ? '' : String(req.id)}`,
            );
          return;
        }
        res.send(html);
      },
    );
  };
  return handle;
}
