/**
 * When a failed webhook delivery is tried again, when it is given up, and when a subscription is
 * disabled: pure rules, the clock and the dice as parameters.
 */

/** The waits after the 1st, 2nd, … failed attempt; after the last, every 6 hours. */
export const RETRY_DELAYS_SECONDS = [5, 30, 120, 600, 3600, 3 * 3600] as const;
const LAST_DELAY_SECONDS = 6 * 3600;

/** A delivery is given up this long after it was made (the event is then 3 days old). */
export const GIVE_UP_AFTER_MS = 3 * 24 * 3600 * 1000;

/** Consecutive failed attempts (over all its deliveries) after which a subscription may be disabled… */
export const DISABLE_AFTER_FAILURES = 10;
/** …when it has also had no successful delivery for this long (or since it was made). */
export const DISABLE_AFTER_SILENCE_MS = 24 * 3600 * 1000;

/** Each wait is stretched or shrunk by up to this share, so retries of many deliveries spread out. */
const JITTER = 0.2;

export type RetryDecision = { retryAt: Date } | { giveUp: true };

/**
 * After the `failures`-th failed attempt (1 for the first) at `now` of a delivery made at
 * `createdAt`: the next attempt, or give up. The last attempt is made at the 3-day mark, not
 * skipped because the next wait would pass it. `random` in [0, 1).
 */
export function afterFailure(createdAt: Date, failures: number, now: Date, random: number): RetryDecision {
  const deadline = createdAt.getTime() + GIVE_UP_AFTER_MS;
  if (now.getTime() >= deadline) return { giveUp: true };
  const base = RETRY_DELAYS_SECONDS[failures - 1] ?? LAST_DELAY_SECONDS;
  const wait = base * 1000 * (1 - JITTER + 2 * JITTER * random);
  return { retryAt: new Date(Math.min(now.getTime() + wait, deadline)) };
}

/**
 * Whether a subscription is to be disabled after a failure: one of its deliveries was given up
 * (three days of failures), or it failed `DISABLE_AFTER_FAILURES` times in a row and has not
 * succeeded for `DISABLE_AFTER_SILENCE_MS` (a receiver that is merely slow to come back keeps its
 * subscription for a day; one that answers now and then is never disabled by a burst of failures).
 */
export function shouldDisable(
  consecutiveFailures: number,
  lastSuccessOrCreation: Date,
  now: Date,
  gaveUp: boolean,
): boolean {
  if (gaveUp) return true;
  return (
    consecutiveFailures >= DISABLE_AFTER_FAILURES &&
    now.getTime() - lastSuccessOrCreation.getTime() >= DISABLE_AFTER_SILENCE_MS
  );
}
