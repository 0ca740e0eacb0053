import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { type RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import { postgresLimiter } from '../database/rate-limits';
import { takeLease } from '../database/leases';
import { clientKey } from '../shared/client-address';
import { TooManyRequestsError } from '../shared/errors';
import { requestTime } from './clock';

/** The name of the API's request-rate policy in the RateLimit fields. */
export const API_RATE_POLICY = 'per-minute';
const WINDOW_SECONDS = 60;

/** When a refused bulk check may come again: one of the client's own checks ends within a second or two. */
export const BULK_RETRY_SECONDS = 2;
/** The message of that refusal: this client has its bulk checks running already. */
export const BULK_CHECKS_BUSY = 'errors.tooMany.bulkChecks';

/**
 * The RateLimit-Policy field of the API (draft-ietf-httpapi-ratelimit-headers, structured fields):
 * the quota `q` per window `w` seconds, counted per client address.
 */
export function rateLimitPolicy(points: number): string {
  return `"${API_RATE_POLICY}";q=${points};w=${WINDOW_SECONDS}`;
}

/** The RateLimit field: `r` requests left in the window, `t` seconds until it starts anew. */
export function rateLimitState(remaining: number, resetSeconds: number): string {
  return `"${API_RATE_POLICY}";r=${Math.max(0, remaining)};t=${Math.max(0, resetSeconds)}`;
}

/** What a client has left of its requests in the current window, or how long it must wait. */
type Allowance = { remaining: number; resetSeconds: number } | { waitSeconds: number };

/** The most requests one instance takes from a client's shared count in one round trip. */
const MAX_BATCH = 50;

/**
 * A client's requests counted in PostgreSQL, taken in batches: an instance takes up to one
 * hundredth of the quota (at most MAX_BATCH) from the shared count in one query and hands it out
 * from memory, so a busy client costs a query per batch rather than per request. The shared count
 * never goes past the quota; a batch an instance took but did not use before the window ends is
 * lost to that client (at most a batch per instance). Near the end of the quota the last requests
 * are taken one batch-remainder at a time, so the quota is reached exactly.
 */
export class RequestAllowance {
  private readonly batch: number;
  private readonly held = new Map<string, { left: number; resetAt: number; remainingShared: number }>();

  constructor(
    private readonly limiter: RateLimiterPostgres,
    readonly points: number,
  ) {
    this.batch = Math.min(MAX_BATCH, Math.max(1, Math.floor(points / 100)));
  }

  /** Takes one request of `key`'s quota at `at` (the request's time: the window's end is counted from it). */
  async take(key: string, at: Date): Promise<Allowance> {
    const now = at.getTime();
    const mine = this.held.get(key);
    if (mine && mine.resetAt > now && mine.left > 0) {
      mine.left--;
      return {
        remaining: mine.remainingShared + mine.left,
        resetSeconds: Math.ceil((mine.resetAt - now) / 1000),
      };
    }
    let granted: number;
    let state: RateLimiterRes;
    try {
      state = await this.limiter.consume(key, this.batch);
      granted = this.batch;
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      // Less than a batch was left: take what was left, and give back what went past the quota.
      // (A client refused from memory comes back with nothing consumed: nothing left then either.)
      const before = error.consumedPoints - this.batch;
      granted = before < 0 ? 0 : Math.min(this.batch, Math.max(0, this.points - before));
      if (granted === 0) return { waitSeconds: Math.max(1, Math.ceil(error.msBeforeNext / 1000)) };
      state = await this.limiter.reward(key, this.batch - granted);
    }
    if (this.held.size > 10_000) this.forgetEnded(now);
    const resetAt = now + state.msBeforeNext;
    this.held.set(key, { left: granted - 1, resetAt, remainingShared: Math.max(0, state.remainingPoints) });
    return {
      remaining: Math.max(0, state.remainingPoints) + granted - 1,
      resetSeconds: Math.ceil(state.msBeforeNext / 1000),
    };
  }

  private forgetEnded(now: number): void {
    for (const [key, entry] of this.held) if (entry.resetAt <= now) this.held.delete(key);
  }
}

/**
 * Requests per minute per client for the anonymous API, counted in PostgreSQL (rate_limits) so the
 * limit holds across instances. Every answer says the policy and what is left (RateLimit-Policy,
 * RateLimit); beyond the limit a 429 with Retry-After. A client is its address as TRUST_PROXY reads
 * it (an IPv6 address by its /64).
 */
export function apiRequestRate(dataSource: DataSource, config: Config): RequestHandler {
  const points = config.apiRequestsPerMinute;
  const allowance = new RequestAllowance(
    // A client over its limit is refused from memory until its window ends: a flood costs no queries.
    postgresLimiter(dataSource, { keyPrefix: 'api_minute', points, durationSeconds: WINDOW_SECONDS }),
    points,
  );
  const policy = rateLimitPolicy(points);
  return async (req: Request, res: Response, next: NextFunction) => {
    res.setHeader('RateLimit-Policy', policy);
    const answer = await allowance.take(clientKey(req.ip), requestTime(res));
    if ('waitSeconds' in answer) {
      res.setHeader('RateLimit', rateLimitState(0, answer.waitSeconds));
      throw new TooManyRequestsError(answer.waitSeconds);
    }
    res.setHeader('RateLimit', rateLimitState(answer.remaining, answer.resetSeconds));
    next();
  };
}

/**
 * At most `config.bulkChecksPerClient` bulk checks at once per client, the API's and the web form's
 * together, across every instance (a lease per check in PostgreSQL, ended by the answer, or by
 * itself when the instance dies). One more is refused with 429 and Retry-After.
 */
export function bulkCheckSlot(dataSource: DataSource, config: Config): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    if (!(await takeBulkCheckSlot(dataSource, config, req, res)))
      throw new TooManyRequestsError(BULK_RETRY_SECONDS, BULK_CHECKS_BUSY, {
        count: String(config.bulkChecksPerClient),
      });
    next();
  };
}

/**
 * The place bulkCheckSlot takes, for a route that decides itself what a refusal shows (the web
 * form shows itself again, with what was sent): true when the place was taken (it is given back
 * when the answer ends), false when the client has all its places in use.
 */
export async function takeBulkCheckSlot(
  dataSource: DataSource,
  config: Config,
  req: Request,
  res: Response,
): Promise<boolean> {
  const lease = await takeLease(dataSource, `bulk_check:${clientKey(req.ip)}`, config.bulkChecksPerClient);
  if (!lease) return false;
  res.once('close', () => void lease.release());
  return true;
}
