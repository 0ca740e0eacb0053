import { RateLimiterRes } from 'rate-limiter-flexible';
import type { DataSource } from 'typeorm';
import { postgresLimiter } from '../database/rate-limits';
import { clientKey } from '../shared/client-address';
import type { Clock } from '../shared/clock';
import { currentLogger, type Logger } from '../shared/logger';
import { appendAuditEvent } from './audit.service';

export type SecurityEventKind =
  'login_failed' | 'second_factor_failed' | 'csrf_refused' | 'rate_limited' | 'eherkenning_refused';

export interface SecurityEvent {
  kind: SecurityEventKind;
  ip: string;
  /** The account concerned when it exists; never an address someone typed (people type passwords there). */
  userId?: string;
  /**
   * Extra facts, never a password, code or token, and never text a visitor wrote (a raw path): the
   * audit log is public and cannot be erased.
   */
  data?: Record<string, string | number>;
  /** Personal or visitor-written details (a raw request path), kept beside the log, erasable, with the IP address. */
  personal?: Record<string, string>;
  /** Who did it, when the request came from a signed-in user (`<role>:<user id>`); else "anonymous". */
  actor?: string;
}

export type SecurityEventRecorder = (event: SecurityEvent) => Promise<void>;

export const SECURITY_EVENTS_PER_KIND_AND_IP = 10;
/** Across all addresses: many addresses (a botnet, an IPv6 range) must not grow the chain without bound either. */
export const SECURITY_EVENTS_PER_KIND = 200;
export const UNKNOWN_ACCOUNT = 'unknown account';

/**
 * Records attacks in the audit log so an auditor can see them: each event in its own small
 * transaction, at most 10 per kind and IP address and 200 per kind in all in 15 minutes (beyond
 * that only a log line), so an attacker cannot flood the audit chain.
 */
export function securityEventRecorder(
  dataSource: DataSource,
  logger: Logger,
  clock: Clock,
): SecurityEventRecorder {
  const throttle = (keyPrefix: string, points: number) =>
    postgresLimiter(dataSource, { keyPrefix, points, durationSeconds: 15 * 60 });
  const perAddress = throttle('security_event', SECURITY_EVENTS_PER_KIND_AND_IP);
  const perKind = throttle('security_event_kind', SECURITY_EVENTS_PER_KIND);
  return async ({ kind, ip, userId, data, actor, personal }) => {
    try {
      await perAddress.consume(`${kind}:${clientKey(ip)}`);
      await perKind.consume(kind);
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      // The request's own logger when there is one, so the line carries the request id.
      currentLogger(logger).warn(
        { kind, ip, userId },
        'security event (not in the audit log: too many of this kind)',
      );
      return;
    }
    await dataSource.transaction((m) =>
      appendAuditEvent(m, clock.now(), {
        actor: actor ?? 'anonymous',
        action: `security.${kind}`,
        subjectType: 'user',
        subjectId: userId ?? UNKNOWN_ACCOUNT,
        data: { ...data },
        // The address is personal: beside the public log, erasable (see personal-data.ts).
        personal: { ...personal, ip },
      }),
    );
  };
}
