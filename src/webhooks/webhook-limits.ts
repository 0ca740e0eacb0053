import { type RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { TooManyRequestsError, ValidationError } from '../shared/errors';

/** Subscriptions one buyer (or one API key) may make in an hour (each one is a target the register will call). */
export const SUBSCRIPTIONS_PER_HOUR = 20;

/**
 * Counts a subscription made against `limiter`'s hourly limit for `key`: refused (429) past the
 * limit; a form refused for its fields (a URL refused, the organisation's maximum reached) gives
 * its point back, so only subscriptions made count.
 */
export async function countedCreation<T>(
  limiter: RateLimiterPostgres,
  key: string,
  create: () => Promise<T>,
  /** What the page says of the refusal (a translation key); the API's problem has its own. */
  messageKey?: string,
): Promise<T> {
  try {
    await limiter.consume(key);
  } catch (error) {
    if (!(error instanceof RateLimiterRes)) throw error;
    throw new TooManyRequestsError(Math.max(1, Math.ceil(error.msBeforeNext / 1000)), messageKey);
  }
  try {
    return await create();
  } catch (error) {
    if (error instanceof ValidationError) await limiter.reward(key, 1);
    throw error;
  }
}
