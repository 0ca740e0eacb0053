import type { Request } from 'express';
import type { DataSource } from 'typeorm';
import type { SecurityEventRecorder } from '../audit/security-events';
import { recordLogin, type SignInWay } from '../identity/account.service';
import { needsEmailConfirmation, type User } from '../identity/user.entity';
import { clientKey } from '../shared/client-address';
import { TooManyRequestsError } from '../shared/errors';
import { paths, safeReturnPath } from '../shared/paths';
import { consume, type LoginLimiters, saveSession } from './auth';

export function regenerate(req: Request): Promise<void> {
  return new Promise((resolve, reject) =>
    req.session.regenerate((error?: Error) => (error ? reject(error) : resolve())),
  );
}

/**
 * Every sign-in, however it came about (password, second factor, an accepted invitation): records
 * the last login with its audit event, then starts a fresh session for `user` (a new id against
 * session fixation). Answers where to go next.
 */
export async function signIn(
  dataSource: DataSource,
  req: Request,
  user: User,
  way: SignInWay,
  now: Date,
  back?: string,
  detail: { assuranceLevel?: string } = {},
): Promise<string> {
  // Every way in checks this first; a session for such an account is a mistake in this code.
  if (needsEmailConfirmation(user)) throw new Error('an account whose address is unconfirmed cannot sign in');
  const returnTo = back ?? req.session.returnTo;
  await recordLogin(dataSource, user, way, now, detail);
  await regenerate(req);
  req.session.userId = user.id;
  req.session.secondFactorVerified = way === 'second_factor';
  req.session.signedInAt = now.getTime();
  // Saved before the redirect leaves: a browser that follows it at once must find the new session.
  await saveSession(req);
  // A buyer starts at their watch lists, a signal supplier at its signals; everyone else at their account page.
  const home =
    user.role === 'buyer' ? paths.buyerHome : user.role === 'signal_supplier' ? paths.signals : paths.account;
  return safeReturnPath(returnTo) ?? home;
}

type LimiterName = Exclude<keyof LoginLimiters, 'delay'>;

/** The limits of the login and password forms, for the account and portal routes. */
export function formLimits(limiters: LoginLimiters, securityEvents: SecurityEventRecorder) {
  /** The address as recorded in security events. */
  const ipOf = (req: Request) => req.ip ?? 'unknown';
  /** The address as the limits count it (an IPv6 client by its /64). */
  const clientOf = (req: Request) => clientKey(req.ip);

  /**
   * Uses a limiter point; refuses with 429 when none is left (saying `messageKey` when given), and
   * records the block when it starts.
   */
  async function limit(
    req: Request,
    limiter: LimiterName,
    key: string,
    userId?: string,
    messageKey?: string,
  ) {
    const refusal = await consume(limiters[limiter], key);
    if (!refusal) return;
    if (refusal.blockStarted) {
      await securityEvents({ kind: 'rate_limited', ip: ipOf(req), userId, data: { limit: limiter } });
    }
    throw new TooManyRequestsError(refusal.waitSeconds, messageKey);
  }

  /** Per IP address, each password form on its own count: none of them hashes for an unlimited caller. */
  const passwordFormLimit = (form: string) => (req: Request) =>
    limit(req, 'passwordForms', `${form}:${clientOf(req)}`);

  return { ipOf, clientOf, limit, passwordFormLimit };
}
