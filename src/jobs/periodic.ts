import { logBackgroundFailure } from '../database/availability';
import type { Logger } from '../shared/logger';

/**
 * Runs `work` every `intervalSeconds` on this instance (first after a second), never twice at
 * once: a tick that finds the previous run still going skips. A failure is logged with
 * `failure` (an error; load or the database away a warning) and tried again at the next tick. 0 seconds: never. Answers a function that stops the
 * ticks and waits for a run in progress.
 */
export function startPeriodic(
  intervalSeconds: number,
  work: () => Promise<void>,
  logger: Logger,
  failure: string,
): () => Promise<void> {
  if (intervalSeconds <= 0) return async () => {};
  let running: Promise<void> | undefined;
  const tick = () => {
    if (running) return;
    running = work()
      .catch((error: unknown) => logBackgroundFailure(logger, error, failure))
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(tick, intervalSeconds * 1000);
  timer.unref();
  setTimeout(tick, 1000).unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
