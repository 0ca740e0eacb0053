import connectPgSimple from 'connect-pg-simple';
import { csrfSync } from 'csrf-sync';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import session from 'express-session';
import type { Pool } from 'pg';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import type { Config } from '../config';
import { ForbiddenError } from '../shared/errors';
import { paths } from '../shared/paths';
import { isStaff, type Role, User } from './user.entity';

declare module 'express-session' {
  interface SessionData {
    userId?: string;
    /** Password checked, second factor still to come. */
    pendingUserId?: string;
    secondFactorVerified?: boolean;
    /** A TOTP secret being enrolled, until the user confirms it with a code. */
    enrolSecret?: string;
    /** Recovery codes to show once, right after enrolment. */
    recoveryCodes?: string[];
    returnTo?: string;
    /** When the user signed in (ms since the epoch): the session ends a fixed time after it. */
    signedInAt?: number;
  }
}

declare module 'express-serve-static-core' {
  interface Request {
    user?: User;
  }
}

export const SESSION_IDLE_MS = 30 * 60 * 1000;

/** Saves the session before a redirect, so the next request (sent at once) finds it. */
export function saveSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.save((error) => (error ? reject(error) : resolve())));
}
export const SESSION_COOKIE = 'vhp.sid';

export function databasePool(dataSource: DataSource): Pool {
  return (dataSource.driver as PostgresDriver).master as Pool;
}

/** Sessions in PostgreSQL, so that every instance of the register knows every session. */
export function sessionMiddleware(config: Config, dataSource: DataSource): RequestHandler {
  const PgStore = connectPgSimple(session);
  return session({
    name: SESSION_COOKIE,
    secret: config.sessionSecret,
    store: new PgStore({
      pool: databasePool(dataSource),
      tableName: 'sessions',
      createTableIfMissing: false,
      pruneSessionInterval: config.env === 'test' ? false : 15 * 60,
      ttl: SESSION_IDLE_MS / 1000,
    }),
    resave: false,
    saveUninitialized: false,
    // Every request moves the idle deadline: 30 minutes without a request ends the session.
    rolling: true,
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: config.env === 'production',
      maxAge: SESSION_IDLE_MS,
    },
  });
}

const csrf = csrfSync({
  getTokenFromRequest: (req) => {
    const body = req.body as Record<string, unknown> | undefined;
    return typeof body?._csrf === 'string' ? body._csrf : undefined;
  },
  errorConfig: { statusCode: 403, message: 'invalid csrf token', code: 'EBADCSRFTOKEN' },
});

/** Synchroniser-token CSRF check on every state-changing request (multipart forms check after parsing). */
export const csrfProtection: RequestHandler = (req, res, next) => {
  if (req.is('multipart/form-data')) return next();
  csrf.csrfSynchronisedProtection(req, res, next);
};

/** The same check, for a route that parsed its multipart body first. */
export const csrfProtectionAfterUpload: RequestHandler = (req, res, next) =>
  csrf.csrfSynchronisedProtection(req, res, next);

/** Puts a CSRF token in the view for forms; only where a session is wanted anyway. */
export const withCsrfToken: RequestHandler = (req, res, next) => {
  res.locals.csrfToken = csrf.generateToken(req);
  next();
};

export function isCsrfError(error: unknown): boolean {
  return (error as { code?: unknown })?.code === 'EBADCSRFTOKEN';
}

/**
 * Loads the signed-in user on every request; a disabled account ends its session, and so does the
 * absolute lifetime (`SESSION_ABSOLUTE_HOURS` after sign-in, however active the session was).
 */
export function loadUser(
  dataSource: DataSource,
  config: Pick<Config, 'sessionAbsoluteHours'>,
): RequestHandler {
  const absoluteMs = config.sessionAbsoluteHours * 3600 * 1000;
  return async (req, res, next) => {
    const id = req.session?.userId;
    if (id) {
      const signedInAt = req.session.signedInAt;
      const expired = typeof signedInAt !== 'number' || Date.now() - signedInAt >= absoluteMs;
      const user = expired ? null : await dataSource.getRepository(User).findOneBy({ id });
      if (!user || user.disabledAt) {
        // A fresh, empty session (not none): the rest of this request may still use it.
        await new Promise<void>((resolve, reject) =>
          req.session.regenerate((e) => (e ? reject(e) : resolve())),
        );
      } else {
        req.user = user;
        res.locals.user = user;
        res.locals.isStaff = isStaff(user);
        res.locals.csrfToken = csrf.generateToken(req);
      }
    }
    next();
  };
}

/** Anonymous visitors go to the login page first and come back afterwards. */
export function requireUser(req: Request, res: Response, next: NextFunction): void {
  if (req.user) return next();
  if (req.method === 'GET') req.session.returnTo = req.originalUrl;
  res.redirect(303, paths.login);
}

/**
 * Only these roles may pass. Staff must also have passed their second factor in this session
 * (unless the configuration relaxes this for a local demo).
 */
export function requireRole(config: Config, ...roles: Role[]): RequestHandler[] {
  return [
    requireUser,
    (req, res, next) => {
      const user = req.user!;
      if (!roles.includes(user.role)) throw new ForbiddenError('errors.forbidden.title');
      if (isStaff(user) && config.staffSecondFactorRequired) {
        if (!user.totpEnabledAt) return res.redirect(303, paths.secondFactorSetup);
        if (!req.session.secondFactorVerified) return res.redirect(303, paths.login);
      }
      next();
    },
  ];
}

export interface LoginLimiters {
  /** Login attempts per IP address in 15 minutes; a successful login gives its point back. */
  ip: RateLimiterPostgres;
  /** Consecutive failed logins per account (reset by a success); beyond the threshold a delay grows. */
  accountFailures: RateLimiterPostgres;
  /** The delay an account is under: blocked for 2^(n - threshold) seconds, at most the configured cap. */
  accountDelay: RateLimiterPostgres;
  /** Failed logins per account from one IP address in 15 minutes: one attacker cannot lock staff out. */
  accountIp: RateLimiterPostgres;
  /** Second-factor attempts per pending login (used before verifying; a success gives it back). */
  secondFactor: RateLimiterPostgres;
  /** Password resets, registrations and invitation acceptances per IP address (each its own prefix). */
  passwordForms: RateLimiterPostgres;
  /** The configured threshold and cap of the account delay. */
  delay: { after: number; maxSeconds: number };
}

/** Rate limits kept in PostgreSQL, so they hold across instances. */
export function loginLimiters(dataSource: DataSource, config: Config): LoginLimiters {
  const common = {
    storeClient: databasePool(dataSource),
    storeType: 'pool',
    tableName: 'rate_limits',
    tableCreated: true,
    clearExpiredByTimeout: false,
    duration: 15 * 60,
  };
  const limiter = (keyPrefix: string, points: number) =>
    new RateLimiterPostgres({ ...common, keyPrefix, points });
  return {
    ip: limiter('login_ip', config.loginAttemptsPerIp),
    accountFailures: limiter('login_account', 1_000_000),
    accountDelay: limiter('login_delay', 1),
    accountIp: limiter('login_account_ip', config.loginFailuresPerAccountAndIp),
    secondFactor: limiter('login_2fa', config.loginFailuresPerAccount),
    passwordForms: limiter('password_form_ip', config.passwordFormsPerIp),
    delay: { after: config.loginFailuresPerAccount, maxSeconds: config.loginDelayMaxSeconds },
  };
}

/** A refusal by a limiter: how long to wait, and whether this is the request that started the block. */
export interface Refusal {
  waitSeconds: number;
  blockStarted: boolean;
}

/** Uses a point atomically; answers the refusal when none was left, undefined when the caller may go on. */
export async function consume(limiter: RateLimiterPostgres, key: string): Promise<Refusal | undefined> {
  try {
    await limiter.consume(key);
    return undefined;
  } catch (error) {
    if (error instanceof RateLimiterRes)
      return {
        waitSeconds: Math.max(1, Math.ceil(error.msBeforeNext / 1000)),
        blockStarted: error.consumedPoints === limiter.points + 1,
      };
    throw error;
  }
}

/** Seconds to wait when the key already used up its points, without using one. */
export async function blockedFor(limiter: RateLimiterPostgres, key: string): Promise<number | undefined> {
  const state = await limiter.get(key);
  if (state && state.consumedPoints >= limiter.points && state.msBeforeNext > 0)
    return Math.max(1, Math.ceil(state.msBeforeNext / 1000));
  return undefined;
}

/**
 * Counts a failed login on an account; from the threshold on, the account waits 2^(n - threshold)
 * seconds (at most the cap) before the next attempt. Answers true when the delay starts.
 */
export async function delayAfterFailure(limiters: LoginLimiters, accountKey: string): Promise<boolean> {
  const failures = (await limiters.accountFailures.penalty(accountKey, 1)).consumedPoints;
  const { after, maxSeconds } = limiters.delay;
  if (failures < after) return false;
  const seconds = Math.min(2 ** Math.min(failures - after, 30), maxSeconds);
  await limiters.accountDelay.block(accountKey, seconds);
  return failures === after;
}
