import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { DataSource } from 'typeorm';
import { databasePool } from '../account/auth';
import type { Logger } from '../shared/logger';
import { appendAuditEvent } from './audit.service';

export type SecurityEventKind = 'login_failed' | 'second_factor_failed' | 'csrf_refused' | 'rate_limited';

export interface SecurityEvent {
  kind: SecurityEventKind;
  ip: string;
  /** The account concerned when it exists; never an address someone typed (people type passwords there). */
  userId?: string;
  /** Extra facts, never a password, code or token. */
  data?: Record<string, string | number>;
}

export type SecurityEventRecorder = (event: SecurityEvent) => Promise<void>;

export const SECURITY_EVENTS_PER_KIND_AND_IP = 10;
export const UNKNOWN_ACCOUNT = 'unknown account';

/**
 * Records attacks in the audit log so an auditor can see them: each event in its own small
 * transaction, at most 10 per kind and IP address in 15 minutes (beyond that only a log line), so
 * an attacker cannot flood the audit chain.
 */
export function securityEventRecorder(dataSource: DataSource, logger: Logger): SecurityEventRecorder {
  const throttle = new RateLimiterPostgres({
    storeClient: databasePool(dataSource),
    storeType: 'pool',
    tableName: 'rate_limits',
    tableCreated: true,
    clearExpiredByTimeout: false,
    keyPrefix: 'security_event',
    points: SECURITY_EVENTS_PER_KIND_AND_IP,
    duration: 15 * 60,
  });
  return async ({ kind, ip, userId, data }) => {
    try {
      await throttle.consume(`${kind}:${ip}`);
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      logger.warn({ kind, ip, userId }, 'security event (not in the audit log: too many from this address)');
      return;
    }
    await dataSource.transaction((m) =>
      appendAuditEvent(m, {
        actor: 'anonymous',
        action: `security.${kind}`,
        subjectType: 'user',
        subjectId: userId ?? UNKNOWN_ACCOUNT,
        data: { ip, ...data },
      }),
    );
  };
}
