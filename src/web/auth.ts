import connectPgSimple from 'connect-pg-simple';
import { createHmac, randomBytes } from 'node:crypto';
import { doubleCsrf } from 'csrf-csrf';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import session from 'express-session';
import { type RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import { databasePool } from '../database/data-source';
import { postgresLimiter } from '../database/rate-limits';
import { ForbiddenError } from '../shared/errors';
import type { Logger } from '../shared/logger';
import { paths, safeReturnPath } from '../shared/paths';
import { isStaff, mayAct, needsStaffSecondFactor, type Role, User } from '../identity/user.entity';
import { signalSupplierSuspended } from '../identity/account.queries';
import type { EherkenningIdentity, PendingLogin } from '../identity/eherkenning-client';
import { requestTime } from './clock';

declare module 'express-session' {
  interface SessionData {
    userId?: string;
    /** Password checked, second factor still to come. */
    pendingUserId?: string;
    secondFactorVerified?: boolean;
    /** A TOTP secret being enrolled, until the user confirms it with a code. */
    /** Sealed with the secrets key (SecretBox), never in clear in the sessions table. */
    enrolSecret?: string;
    /** Recovery codes to show once, right after enrolment. */
    /** Sealed with the secrets key: a JSON list of codes. */
    recoveryCodes?: string;
    returnTo?: string;
    /** When the user signed in (ms since the epoch): the session ends a fixed time after it. */
    signedInAt?: number;
    /** An eHerkenning login under way: its state, nonce and PKCE verifier, used once by its callback. */
    eherkenningLogin?: PendingLogin & { returnTo?: string };
    /**
     * A checked eHerkenning login whose person still fills in the organisation or the join form:
     * who, for which KvK number, at which level, and when (ms since the epoch).
     */
    eherkenningIdentity?: EherkenningIdentity & { at: number; returnTo?: string };
  }
}

declare module 'express-serve-static-core' {
  interface Request {
    user?: User;
  }
}

export const SESSION_IDLE_MS = 30 * 60 * 1000;

/** What the session store calls back with, as an Error (it is one in practice). */
const asError = (error: unknown) => (error instanceof Error ? error : new Error(String(error)));

/** Saves the session before a redirect, so the next request (sent at once) finds it. */
export function saveSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) =>
    req.session.save((error: unknown) => (error ? reject(asError(error)) : resolve())),
  );
}
export const SESSION_COOKIE = 'vhp.sid';

/**
 * Where the session store reports its errors (a failed pruning, its pool's): JSON log lines like
 * the rest, not the console. It calls with a text ending in a colon and the error.
 */
export function sessionStoreErrorLog(logger: Logger): (message: unknown, error?: unknown) => void {
  return (message, error) =>
    logger.error({ err: error ?? message }, `session store: ${String(message).replace(/:$/, '')}`);
}

/** Sessions in PostgreSQL, so that every instance of the register knows every session. */
export function sessionMiddleware(config: Config, dataSource: DataSource, logger: Logger): RequestHandler {
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
      errorLog: sessionStoreErrorLog(logger),
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

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The anonymous browser's own id, for CSRF tokens before login (no session row needed for it). */
const BROWSER_ID = /^[0-9a-f]{32}$/;
const browserIds = new WeakMap<Request, string>();

function browserCookieName(production: boolean): string {
  // __Host-: only this host, path / and https can set it, so no sibling domain can plant one.
  return production ? '__Host-vhp.bid' : 'vhp.bid';
}

function csrfCookieName(production: boolean): string {
  return production ? '__Host-vhp.csrf' : 'vhp.csrf';
}

/** A CSRF refusal: the error handler shows the CSRF page (403) and records it via isCsrfError. */
export class CsrfRefusedError extends Error {
  readonly status = 403;
  readonly code = 'EBADCSRFTOKEN';
  constructor(readonly reason: 'token' | 'origin') {
    super(reason === 'origin' ? 'cross-site request refused' : 'invalid csrf token');
  }
}

/** What a CSRF token is bound to: the session once it holds someone, else this browser's own id. */
function csrfIdentifier(req: Request, production: boolean): string {
  if (req.session?.userId || req.session?.pendingUserId) return `session:${req.sessionID}`;
  const id =
    browserIds.get(req) ??
    (req.cookies as Record<string, string> | undefined)?.[browserCookieName(production)];
  // No id at all: a value no token was ever made for, so validation fails.
  return `browser:${typeof id === 'string' && BROWSER_ID.test(id) ? id : randomBytes(16).toString('hex') + '!'}`;
}

export interface Csrf {
  /** Checks the `_csrf` field of a URL-encoded form (multipart: only upload routes, see upload.ts). */
  protection: RequestHandler;
  /** Checks a token that arrived some other way (a streamed multipart field). */
  validToken(req: Request, token: string | undefined): boolean;
  /** A token for the forms of this response (sets the cookies it needs). */
  token(req: Request, res: Response): string;
}

/**
 * Signed double-submit tokens (csrf-csrf): an HMAC of the session id, or of an anonymous browser
 * id kept in its own cookie, so that an anonymous visitor needs no session row.
 */
export function csrfTokens(config: Config, isUploadRoute: (req: Request) => boolean): Csrf {
  const production = config.env === 'production';
  const secret = createHmac('sha256', config.sessionSecret).update('csrf-csrf tokens').digest('hex');
  const browserCookie = browserCookieName(production);
  const cookieOptions = { httpOnly: true, sameSite: 'lax' as const, secure: production, path: '/' };
  const streamedTokens = new WeakMap<Request, string>();
  const { generateCsrfToken, validateRequest } = doubleCsrf({
    getSecret: () => secret,
    getSessionIdentifier: (req) => csrfIdentifier(req, production),
    cookieName: csrfCookieName(production),
    cookieOptions,
    getCsrfTokenFromRequest: (req) => {
      const body = req.body as Record<string, unknown> | undefined;
      const streamed = streamedTokens.get(req);
      if (streamed !== undefined) return streamed;
      return typeof body?._csrf === 'string' ? body._csrf : undefined;
    },
  });
  return {
    protection: (req, _res, next) => {
      if (SAFE_METHODS.has(req.method)) return next();
      // Upload routes read their token from the stream (upload.ts); other routes never get here
      // with a multipart body (refused with 415 first).
      if (req.is('multipart/form-data') && isUploadRoute(req)) return next();
      if (!validateRequest(req)) return next(new CsrfRefusedError('token'));
      next();
    },
    validToken: (req, token) => {
      if (typeof token !== 'string' || token === '') return false;
      streamedTokens.set(req, token);
      try {
        return validateRequest(req);
      } finally {
        streamedTokens.delete(req);
      }
    },
    token: (req, res) => {
      if (!(req.session?.userId || req.session?.pendingUserId)) {
        const cookies = req.cookies as Record<string, string> | undefined;
        const existing = cookies?.[browserCookie];
        if (typeof existing === 'string' && BROWSER_ID.test(existing)) browserIds.set(req, existing);
        else {
          const id = randomBytes(16).toString('hex');
          browserIds.set(req, id);
          res.cookie(browserCookie, id, cookieOptions);
        }
      }
      return generateCsrfToken(req, res);
    },
  };
}

/**
 * Whether a request comes from another site. Browsers that send `Sec-Fetch-Site` are believed: only
 * `same-origin` (and `none`, a request the user made directly) count as this site. Without it, an
 * `Origin` that is neither the register's public origin nor the request's own, or `Origin: null`
 * (sandboxed frames, some redirects), is another site. A request with neither header (an older
 * browser, a script) is not refused here; a state change still needs its CSRF token.
 */
function fromAnotherSite(req: Request, publicOrigin: string): boolean {
  const site = req.get('sec-fetch-site');
  if (site !== undefined) return site !== 'same-origin' && site !== 'none';
  const origin = req.get('origin');
  if (origin === undefined) return false;
  const own = `${req.protocol}://${req.get('host') ?? ''}`;
  return origin !== publicOrigin && origin.toLowerCase() !== own.toLowerCase();
}

/** Refuses a state-changing request (any method but GET, HEAD, OPTIONS) that comes from another site. */
export function refuseCrossSite(config: Config): RequestHandler {
  const publicOrigin = new URL(config.publicBaseUrl).origin;
  return (req, _res, next) => {
    if (SAFE_METHODS.has(req.method)) return next();
    next(fromAnotherSite(req, publicOrigin) ? new CsrfRefusedError('origin') : undefined);
  };
}

/**
 * Refuses a read that is recorded (a staff download or export is an audit event: who saw what)
 * when another site started it: a link on another site could otherwise make a signed-in user's
 * browser fetch the file, and the audit log would say that person looked.
 */
export function refuseCrossSiteRead(config: Config): RequestHandler {
  const publicOrigin = new URL(config.publicBaseUrl).origin;
  return (req, _res, next) => {
    next(fromAnotherSite(req, publicOrigin) ? new CsrfRefusedError('origin') : undefined);
  };
}

/** Puts a CSRF token in the view for forms. */
export function withCsrfToken(req: Request, res: Response, next: NextFunction): void {
  const csrf = req.app.locals.csrf as Csrf;
  res.locals.csrfToken = csrf.token(req, res);
  next();
}

export function isCsrfError(error: unknown): boolean {
  return (error as { code?: unknown })?.code === 'EBADCSRFTOKEN';
}

/**
 * Loads the signed-in user on every request; a disabled account ends its session, and so does the
 * absolute lifetime (`SESSION_ABSOLUTE_HOURS` after sign-in, however active the session was). So
 * does an account that may not act (its address unconfirmed): no way in gives it a session, and
 * should one ever hold it, it does nothing with it; and so does a person of a suspended signal
 * supplier organisation (F22).
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
      const expired = typeof signedInAt !== 'number' || requestTime(res).getTime() - signedInAt >= absoluteMs;
      const user = expired ? null : await dataSource.getRepository(User).findOneBy({ id });
      // A person of a suspended signal supplier (F22) keeps no session either.
      const suspended =
        user?.signalSupplierId != null &&
        (await signalSupplierSuspended(dataSource.manager, user.signalSupplierId));
      if (!user || !mayAct(user) || suspended) {
        // A fresh, empty session (not none): the rest of this request may still use it.
        await new Promise<void>((resolve, reject) =>
          req.session.regenerate((e: unknown) => (e ? reject(asError(e)) : resolve())),
        );
      } else {
        req.user = user;
        res.locals.user = user;
        res.locals.isStaff = isStaff(user);
        res.locals.csrfToken = (req.app.locals.csrf as Csrf).token(req, res);
      }
    }
    next();
  };
}

/** Anonymous visitors go to the login page first and come back afterwards. */
export function requireUser(req: Request, res: Response, next: NextFunction): void {
  // Checked again here (loadUser ends such a session already): an account that may not act passes no door.
  if (req.user && mayAct(req.user)) return next();
  // An upload without a session: its token (read only from the body) cannot be valid, and the
  // body is not worth reading; the same answer as any other post without a valid token.
  if (req.is('multipart/form-data')) throw new CsrfRefusedError('token');
  // Where to come back to travels in the login URL, not in a session: an anonymous visitor gets none.
  const back = req.method === 'GET' ? safeReturnPath(req.originalUrl) : undefined;
  res.redirect(303, back ? `${paths.login}?terug=${encodeURIComponent(back)}` : paths.login);
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
      if (needsStaffSecondFactor(user) && config.staffSecondFactorRequired) {
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
  /** Valid registration forms per IP address in 24 hours (each keeps a pending registration or sends a mail). */
  registrationsPerIp: RateLimiterPostgres;
  /** Valid registration forms naming one KvK number in an hour, from any address (lenient: never a lock-out). */
  registrationsPerKvk: RateLimiterPostgres;
  /** Colleague invitations tried per provider user in an hour, refused ones too (no probing of addresses). */
  invitationsPerUser: RateLimiterPostgres;
  /** The same per organisation, whichever of its users tries. */
  invitationsPerProvider: RateLimiterPostgres;
  /** Claims of one KvK number (issue 17): a handful a day, whoever sends them. */
  claimsPerKvk: RateLimiterPostgres;
  /** The configured threshold and cap of the account delay. */
  delay: { after: number; maxSeconds: number };
}

/** An organisation's users together may try this many times one user's hourly invitations. */
export const INVITATION_ATTEMPTS_PER_PROVIDER_FACTOR = 3;

/**
 * Claims of one KvK number a day: the real owner needs one or two; more would let anyone keep the
 * reviewers (and the organisation's users, once handed over) busy with one number.
 */
export const CLAIMS_PER_KVK_PER_DAY = 5;

/** Rate limits kept in PostgreSQL, so they hold across instances. */
export function loginLimiters(dataSource: DataSource, config: Config): LoginLimiters {
  const limiter = (keyPrefix: string, points: number, refuseFromMemory = true, durationSeconds = 15 * 60) =>
    postgresLimiter(dataSource, { keyPrefix, points, durationSeconds, refuseFromMemory });
  return {
    ip: limiter('login_ip', config.loginAttemptsPerIp),
    // Every failure counts in the table: the account's delay is read from it by every instance.
    accountFailures: limiter('login_account', 1_000_000, false),
    accountDelay: limiter('login_delay', 1, false),
    accountIp: limiter('login_account_ip', config.loginFailuresPerAccountAndIp),
    secondFactor: limiter('login_2fa', config.loginFailuresPerAccount),
    passwordForms: limiter('password_form_ip', config.passwordFormsPerIp),
    registrationsPerIp: limiter('registration_ip', config.registrationsPerIpPerDay, true, 24 * 3600),
    registrationsPerKvk: limiter('registration_kvk', config.registrationsPerKvkPerHour, true, 3600),
    invitationsPerUser: limiter('invitation_user', config.invitationsPerUserPerHour, false, 3600),
    invitationsPerProvider: limiter(
      'invitation_provider',
      INVITATION_ATTEMPTS_PER_PROVIDER_FACTOR * config.invitationsPerUserPerHour,
      false,
      3600,
    ),
    claimsPerKvk: limiter('claim_kvk', CLAIMS_PER_KVK_PER_DAY, false, 24 * 3600),
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

/**
 * Claims a login attempt on an account before its password is checked, so that attempts sent at
 * once cannot all pass a check that only reads the count. Each attempt counts as a failure until
 * it succeeds (a success clears the count). From the threshold on, only one attempt at a time gets
 * through, and it makes the next one wait 2^(n - threshold) seconds, at most the cap: a growing
 * delay, never a lock. Answers how long to wait when refused, and whether this attempt started
 * the delay.
 */
export async function claimLoginAttempt(
  limiters: LoginLimiters,
  accountKey: string,
): Promise<{ waitSeconds?: number; delayStarted: boolean }> {
  const failures = (await limiters.accountFailures.penalty(accountKey, 1)).consumedPoints;
  const { after, maxSeconds } = limiters.delay;
  if (failures <= after) return { delayStarted: false };
  const refusal = await consume(limiters.accountDelay, accountKey);
  if (refusal) {
    // Refused without a check: not a failure of the password.
    await limiters.accountFailures.reward(accountKey, 1);
    return { waitSeconds: refusal.waitSeconds, delayStarted: false };
  }
  await limiters.accountDelay.block(accountKey, Math.min(2 ** Math.min(failures - after, 30), maxSeconds));
  return { delayStarted: failures === after + 1 };
}
