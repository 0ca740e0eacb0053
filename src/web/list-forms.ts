import express, { type NextFunction, type Request, type Response } from 'express';
import { AppError } from '../shared/errors';
import { paths } from '../shared/paths';

/**
 * The body a form of identifier lists may send (a signal, a declared reseller): more than the
 * 100 kB of other forms, so that a long list reaches the form's own limit on values and is refused
 * there, on the form, with everything typed kept. A body larger than this is refused unread.
 */
export const LIST_FORM_BODY_LIMIT = 1024 * 1024;
const LIST_FORM_LIMIT_IN_WORDS = '1 MB';

/** The forms of identifier lists, each with where a list too long for a form is imported instead. */
const LIST_FORMS: readonly { path: string; messageKey: string; importUrl: string }[] = [
  { path: paths.signalNew, messageKey: 'errors.listFormTooLarge.signal', importUrl: paths.signalImport },
  {
    path: paths.resellers,
    messageKey: 'errors.listFormTooLarge.reseller',
    importUrl: `${paths.resellers}#import-heading`,
  },
];

/** A list form's body over LIST_FORM_BODY_LIMIT: nothing of it was read, so the page says the limit and the import. */
export class ListFormTooLargeError extends AppError {
  readonly status = 413;
  constructor(messageKey: string, importUrl: string) {
    super(messageKey, 'list form body over its limit', {
      limit: LIST_FORM_LIMIT_IN_WORDS,
      importUrl,
    });
  }
}

/**
 * Reads the URL-encoded body of the list forms (POST) up to LIST_FORM_BODY_LIMIT; mounted before
 * the forms' general parser, which then leaves the body alone (it is read already). A middleware,
 * not a route: the routes of these forms are their own routers'.
 */
export function listFormBodies() {
  const parse = express.urlencoded({ extended: false, limit: LIST_FORM_BODY_LIMIT, parameterLimit: 100 });
  return (req: Request, res: Response, next: NextFunction): void => {
    // As Express matches a route: without regard to case or a trailing slash.
    const path = req.path.toLowerCase().replace(/(.)\/$/, '$1');
    const form = req.method === 'POST' ? LIST_FORMS.find((f) => f.path === path) : undefined;
    if (!form) return next();
    parse(req, res, (error?: unknown) =>
      next(
        (error as { type?: unknown } | undefined)?.type === 'entity.too.large'
          ? new ListFormTooLargeError(form.messageKey, form.importUrl)
          : error,
      ),
    );
  };
}
