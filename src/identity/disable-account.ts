import type { EntityManager } from 'typeorm';
import { appendAuditEvent } from '../audit/audit.service';
import { isErasedEmail } from '../audit/people.queries';
import { NotFoundError, ValidationError } from '../shared/errors';
import { isUuid } from '../shared/identifiers';
import { deleteSessionsOf } from './account.queries';
import { type Role, User } from './user.entity';

/** How one kind of account an administrator disables is told apart, refused and audited. */
export interface DisableRules {
  /** The role the account must have: another's is not found. */
  role: Role;
  /** The form field a refusal names. */
  field: string;
  /** The audit action when disabled, and when enabled. */
  actions: { disabled: string; enabled: string };
  /** What the audit event keeps of the account. */
  data: (account: User) => Record<string, unknown>;
}

/**
 * Disables or re-enables an account an administrator manages (a buyer, a signal supplier's person),
 * in the caller's transaction: the account locked; not found when unknown or of another role;
 * nothing done when it is so already. Never deleted; an erased person's account (no name, address
 * or password left) stays closed. Disabling ends its sessions at once. Audited as `rules.actions`
 * says. Answers the account and whether it changed.
 */
export async function setAccountDisabled(
  manager: EntityManager,
  rules: DisableRules,
  actor: string,
  userId: string,
  disabled: boolean,
  now: Date,
): Promise<{ account: User; changed: boolean }> {
  const notFound = () => new NotFoundError(`no ${rules.role} account ${userId}`);
  if (!isUuid(userId)) throw notFound();
  const account = await manager
    .getRepository(User)
    .createQueryBuilder('u')
    .where('u.id = :userId', { userId })
    .setLock('pessimistic_write')
    .getOne();
  if (!account || account.role !== rules.role) throw notFound();
  if (Boolean(account.disabledAt) === disabled) return { account, changed: false };
  if (!disabled && isErasedEmail(account.email))
    throw new ValidationError({ [rules.field]: ['erasure.cannotEnable'] });
  await manager.update(User, { id: account.id }, { disabledAt: disabled ? now : null });
  if (disabled) await deleteSessionsOf(manager, account.id, null);
  await appendAuditEvent(manager, now, {
    actor,
    action: disabled ? rules.actions.disabled : rules.actions.enabled,
    subjectType: 'user',
    subjectId: account.id,
    data: rules.data(account),
  });
  return { account, changed: true };
}
