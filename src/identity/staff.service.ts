import { actorOf } from '../audit/actor';
import type { DataSource, EntityManager } from 'typeorm';
import { appendAuditEvent } from '../audit/audit.service';
import { isErasedEmail } from '../audit/people.queries';
import { NotFoundError, ValidationError } from '../shared/errors';
import { type Role, STAFF_ROLES, User } from './user.entity';
import { lockActiveAdmins } from './account.queries';

/** Every member of staff, active first, by name. */
export async function staffMembers(dataSource: DataSource): Promise<User[]> {
  return dataSource
    .getRepository(User)
    .createQueryBuilder('u')
    .where('u.role IN (:...roles)', { roles: [...STAFF_ROLES] })
    .orderBy('u.disabled_at IS NULL', 'DESC')
    .addOrderBy('lower(u.name)', 'ASC')
    .getMany();
}

/**
 * Locks the active administrators and the member concerned, so that two administrators acting at
 * once cannot together remove the last one; answers the member.
 */
async function lockForChange(
  manager: EntityManager,
  userId: string,
): Promise<{ member: User; activeAdmins: number }> {
  const admins = await lockActiveAdmins(manager);
  const member = await manager
    .getRepository(User)
    .createQueryBuilder('u')
    .where('u.id = :userId', { userId })
    .setLock('pessimistic_write')
    .getOne();
  if (!member || !STAFF_ROLES.includes(member.role)) throw new NotFoundError(`no staff member ${userId}`);
  return { member, activeAdmins: admins.length };
}

/**
 * Thrown when a change would leave the register without an active administrator: a refusal of what
 * was asked, shown on the staff page, not a collision with someone else's change.
 */
const lastAdmin = () => new ValidationError({ staffMember: ['staff.lastAdmin'] });

/** Gives a member of staff another staff role; never takes away the last active administrator. */
export async function changeStaffRole(
  dataSource: DataSource,
  admin: User,
  userId: string,
  role: Role,
  now: Date,
): Promise<void> {
  if (!STAFF_ROLES.includes(role)) throw new ValidationError({ role: ['validation.invalid'] });
  await dataSource.transaction(async (manager) => {
    const { member, activeAdmins } = await lockForChange(manager, userId);
    if (member.role === role) return;
    if (member.role === 'admin' && !member.disabledAt && activeAdmins <= 1) throw lastAdmin();
    await manager.update(User, { id: member.id }, { role });
    await appendAuditEvent(manager, now, {
      actor: actorOf(admin),
      action: 'staff.role_changed',
      subjectType: 'user',
      subjectId: member.id,
      data: { from: member.role, to: role },
    });
  });
}

/**
 * Disables or re-enables a member of staff. Never deleted: the history keeps their name. A
 * disabled account cannot log in, and its open sessions end at their next request.
 */
export async function setStaffDisabled(
  dataSource: DataSource,
  admin: User,
  userId: string,
  disabled: boolean,
  now: Date,
): Promise<void> {
  await dataSource.transaction(async (manager) => {
    const { member, activeAdmins } = await lockForChange(manager, userId);
    if (Boolean(member.disabledAt) === disabled) return;
    if (disabled && member.role === 'admin' && activeAdmins <= 1) throw lastAdmin();
    // An erased person's account has no name, address or password left: it stays closed.
    if (!disabled && isErasedEmail(member.email))
      throw new ValidationError({ staffMember: ['erasure.cannotEnable'] });
    await manager.update(User, { id: member.id }, { disabledAt: disabled ? now : null });
    await appendAuditEvent(manager, now, {
      actor: actorOf(admin),
      action: disabled ? 'staff.disabled' : 'staff.enabled',
      subjectType: 'user',
      subjectId: member.id,
      data: { role: member.role },
    });
  });
}
