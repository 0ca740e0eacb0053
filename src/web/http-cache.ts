import type { Request, Response } from 'express';
import { sha256Hex } from '../shared/tokens';
import { requestTime } from './clock';

/**
 * HTTP caching of public data (RFC 9111) and its validators (RFC 9110 §8.8): what may be cached for
 * how long, and when a client's copy is still good (304 Not Modified).
 */

/** Public data that changes at any moment: shared caches may keep it a minute, then must ask again. */
export const CACHE_CURRENT = 'public, max-age=60, must-revalidate';
/** Public data that changes rarely and only at its end (a full page of the change feed). */
export const CACHE_SETTLED = 'public, max-age=300';
/**
 * An archive page of the Atom feed that already has its successor: its entries never change (a
 * renamed provider's name aside, which an archive may keep).
 */
export const CACHE_ARCHIVE = 'public, max-age=604800, immutable';

/**
 * A weak validator (W/"…") over `data`: weak because equal validators promise an equivalent answer,
 * not the same bytes (a lookup's `peilmoment` differs; gzip and brotli answers differ from the plain one).
 */
export const weakEtag = (data: unknown): string =>
  `W/"${sha256Hex(typeof data === 'string' ? data : JSON.stringify(data)).slice(0, 32)}"`;

/**
 * Whether an answer of the web side may go to shared caches: not when the request carries a cookie
 * (a session, whose cookie a rolling session sends again, or a chosen language) or sets one (`?lang=`).
 * Those answers keep the `no-store` every web answer starts with.
 */
function publicOnWeb(req: Request): boolean {
  return !req.headers.cookie && req.query.lang === undefined;
}

/**
 * Sets the validators and Cache-Control of a public answer and tells whether the client's copy is
 * still good; the caller then ends with `notModified`. Express answers 304 by itself for bodies sent
 * with `res.send`/`res.json`/`res.render` once the headers are set; streamed answers ask here first.
 */
export function setValidators(
  req: Request,
  res: Response,
  validators: { etag?: string; lastModified?: Date | null; cacheControl: string; web?: boolean },
): boolean {
  // A 304 names what the answer varies on as its 200 does; compression adds it only to a body.
  res.vary('Accept-Encoding');
  if (validators.etag) res.setHeader('ETag', validators.etag);
  if (validators.lastModified) res.setHeader('Last-Modified', validators.lastModified.toUTCString());
  if (!validators.web || publicOnWeb(req)) res.setHeader('Cache-Control', validators.cacheControl);
  // A date after the server's clock is no date this server sent (RFC 2616 §14.25 called it invalid):
  // ignored, so a client's wrong clock cannot keep stale data fresh.
  const since = Date.parse(req.headers['if-modified-since'] ?? '');
  if (since > requestTime(res).getTime()) delete req.headers['if-modified-since'];
  return req.fresh;
}

/** Ends a request whose copy is still good: 304 without a body. */
export function notModified(res: Response): void {
  res.status(304).end();
}
