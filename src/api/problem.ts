import type { NextFunction, Request, Response } from 'express';
import { errorStatus, isBusy, logAndSetRetry } from '../web/error-handler';
import {
  AppError,
  NotFoundError,
  SupplierSuspendedError,
  TooManyRequestsError,
  ValidationError,
} from '../shared/errors';
import { BULK_CHECKS_BUSY } from '../web/client-limits';
import { type Language, translate } from '../shared/i18n';
import type { Logger } from '../shared/logger';
import type { Probleem } from './api.schemas';

/** An error answer as RFC 9457 problem details, with `invalidParams` for a 400 (schema in api.schemas.ts). */
export type Problem = Probleem;

/** Thrown by the API for an answer of its own kind: a trailing slash, a wrong method, a body it cannot read. */
export class ApiProblemError extends AppError {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(`api.problem.${code}.title`);
  }
}

/** The problem codes and the status each answers with; the documentation lists the same. */
export const PROBLEM_CODES: Record<string, number> = {
  badRequest: 400,
  unauthorized: 401,
  organisationSuspended: 403,
  invalidJson: 400,
  notFound: 404,
  providerNotFound: 404,
  attestationNotFound: 404,
  trailingSlash: 404,
  methodNotAllowed: 405,
  unsupportedMediaType: 415,
  tooLarge: 413,
  tooMany: 429,
  tooManyChecks: 429,
  server: 500,
  unavailable: 503,
  busy: 503,
};

/** The language of an API answer: English when the client prefers it, else Dutch. */
export function apiLanguage(req: Request): Language {
  return req.acceptsLanguages('nl', 'en') === 'en' ? 'en' : 'nl';
}

function problemCode(error: unknown, status: number): string {
  if (error instanceof ApiProblemError) return error.code;
  if (error instanceof NotFoundError) return 'notFound';
  if (error instanceof SupplierSuspendedError) return 'organisationSuspended';
  if (error instanceof TooManyRequestsError && error.messageKey === BULK_CHECKS_BUSY) return 'tooManyChecks';
  const type = (error as { type?: unknown })?.type;
  if (type === 'entity.parse.failed') return 'invalidJson';
  if (type === 'entity.too.large') return 'tooLarge';
  if (status === 415) return 'unsupportedMediaType';
  if (status === 503 && isBusy(error)) return 'busy';
  const known = Object.entries(PROBLEM_CODES).find(([, s]) => s === status);
  return known ? known[0] : status >= 500 ? 'server' : 'badRequest';
}

/** A body size in the words of the documentation: `2 MB`, `16 kB`. */
export function sizeInWords(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MB` : `${Math.round(bytes / 1024)} kB`;
}

/** Values for the placeholders of a problem's detail: the limit a too large body passed (body-parser gives it). */
function detailParams(error: unknown): Record<string, unknown> {
  const limit = (error as { type?: unknown; limit?: unknown } | null)?.limit;
  if ((error as { type?: unknown } | null)?.type === 'entity.too.large' && typeof limit === 'number') {
    return { limit: sizeInWords(limit) };
  }
  return {};
}

/** The problem details for `error`, in `language`; a ValidationError's fields become `invalidParams`. */
export function problemFor(
  error: unknown,
  status: number,
  language: Language,
  instance: string,
  docsUrl: string,
): Problem {
  const code = problemCode(error, status);
  const problem: Problem = {
    type: `${docsUrl}#probleem-${code}`,
    title: translate(language, `api.problem.${code}.title`),
    status,
    detail: translate(language, `api.problem.${code}.detail`, detailParams(error)),
    instance,
    code,
  };
  if (error instanceof ValidationError) {
    // A field's first reason is the one it answers with; a field is never listed without one.
    problem.invalidParams = Object.entries(error.fields).flatMap(([name, [key]]) =>
      key === undefined
        ? []
        : [{ name, code: key.split('.').pop() ?? 'invalid', reason: translate(language, key, error.params) }],
    );
  }
  return problem;
}

/** Sends `problem` as application/problem+json. */
export function sendProblem(res: Response, problem: Problem, language: Language): void {
  res
    .status(problem.status)
    .setHeader('Content-Language', language)
    .type('application/problem+json; charset=utf-8')
    .send(JSON.stringify(problem));
}

/** The API's error handler: every error, expected or not, answers as problem details, never as a page. */
export function problemHandler(logger: Logger, docsUrl: string) {
  return (error: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) return next(error);
    const log = (req as Request & { log?: Logger }).log ?? logger;
    const status = errorStatus(error);
    logAndSetRetry(error, status, log, res);
    if (error instanceof ApiProblemError)
      for (const [k, v] of Object.entries(error.headers)) res.setHeader(k, v);
    const language = apiLanguage(req);
    sendProblem(res, problemFor(error, status, language, req.originalUrl, docsUrl), language);
  };
}
