import type { NextFunction, Request, Response } from 'express';
import { isDatabaseUnavailable } from '../database/availability';
import { AppError } from './errors';
import type { Logger } from './logger';

/** Status → the key of its texts in the translation files; other 4xx show as 400, other 5xx as 500. */
const PAGES: Record<number, string> = {
  400: 'validation',
  403: 'forbidden',
  404: 'notFound',
  409: 'conflict',
  500: 'server',
  503: 'unavailable',
};

/** Answers 404 for any URL no route claimed. */
export function notFoundHandler(_req: Request, res: Response): void {
  res.status(404).render('errors/404', { title: 'errors.notFound.title' });
}

/**
 * Maps every error to a status and a page inside the layout. Unexpected errors are logged with
 * their stack and the page shows only a reference (the request id).
 */
export function errorHandler(logger: Logger) {
  return (error: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) return next(error);
    const log = (req as Request & { log?: Logger }).log ?? logger;
    let status = 500;
    if (error instanceof AppError) status = error.status;
    else if (isDatabaseUnavailable(error)) status = 503;
    else if (typeof (error as { status?: unknown })?.status === 'number') {
      // Errors from Express' own parsers (body too large, malformed JSON): client errors.
      const candidate = (error as { status: number }).status;
      if (candidate >= 400 && candidate < 500) status = candidate;
    }

    if (status === 503) {
      log.warn({ err: error }, 'database unavailable');
      res.setHeader('Retry-After', '5');
    } else if (status >= 500) {
      log.error({ err: error }, 'unexpected error');
    }

    const page = PAGES[status] ? status : status < 500 ? 400 : 500;
    res.status(status);
    res.render(
      `errors/${page}`,
      { title: `errors.${PAGES[page]}.title`, reference: req.id },
      (renderError, html) => {
        if (renderError) {
          log.error({ err: renderError }, 'error page could not be rendered');
          res
            .type('text/plain')
            .send(`Er ging iets mis / Something went wrong. Referentie / reference: ${String(req.id)}`);
          return;
        }
        res.send(html);
      },
    );
  };
}
