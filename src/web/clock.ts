import type { RequestHandler, Response } from 'express';
import type { Clock } from '../shared/clock';

declare module 'express-serve-static-core' {
  interface Locals {
    /** The app's clock (AppDependencies.clock), handed to every request by `clockMiddleware`. */
    clock: Clock;
  }
}

/** Puts the app's clock on every request, before any router, so routes and middleware can read it. */
export function clockMiddleware(clock: Clock): RequestHandler {
  return (_req, res, next) => {
    res.locals.clock = clock;
    next();
  };
}

/** The current instant by the app's clock: what routes hand to services as `now`. */
export function requestTime(res: Response): Date {
  return res.locals.clock.now();
}
