import type { EntityManager } from 'typeorm';
import { appendAuditEvent } from '../audit/audit.service';
import { type IdentityConfirmation, Provider } from './provider.entity';

/**
 * Records that the provider's identity is confirmed (by a reviewer, a checked KvK extract or an
 * eHerkenning login: `how`), in the caller's transaction; from then on it appears in public
 * outputs. A provider already confirmed stays as it was (answers false).
 */
export async function confirmIdentity(
  manager: EntityManager,
  providerId: string,
  actor: string,
  data: Record<string, unknown>,
  now: Date,
  how: IdentityConfirmation = 'reviewer',
): Promise<boolean> {
  const result = await manager
    .createQueryBuilder()
    .update(Provider)
    .set({ identityConfirmedAt: now, identityConfirmedBy: actor, identityConfirmedHow: how })
    .where('id = :providerId AND identity_confirmed_at IS NULL', { providerId })
    .execute();
  if (!result.affected) return false;
  await appendAuditEvent(manager, now, {
    actor,
    action: 'provider.identity_confirmed',
    subjectType: 'provider',
    subjectId: providerId,
    data: { ...data, how },
  });
  return true;
}
