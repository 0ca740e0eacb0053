import type { DataSource, EntityManager } from 'typeorm';
import { appendAuditEvent } from '../audit/audit.service';
import { ERASED_USER_TEXT, erasedEmailOf } from '../audit/people.queries';
import { deletePersonalData } from '../audit/personal-data.queries';
import { ValidationError } from '../shared/errors';
import { isMailAddress } from '../shared/mail-address';
import { deleteSessionsOf, lockActiveAdmins } from './account.queries';
import { User } from './user.entity';

/** What an erasure removed: the events whose personal details went, in chain order. */
export interface ErasureResult {
  /** The account anonymised (with `--user`); none for an address without an account. */
  userId?: string;
  events: string[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The value a password hash gets that no password ever matches (it is no argon2 hash at all). */
const NO_PASSWORD = '!erased';

/**
 * Erases a person (AVG art. 17). With `userId`: their account is anonymised (name and address
 * replaced, password, second factor, recovery codes, sessions, open links and invitations to their
 * address gone, mail to them dropped, disabled) but keeps its id, so that `<role>:<id>` in the log
 * still names one account, now shown as "verwijderde gebruiker / erased user"; and the details kept
 * beside the audit log of events they acted in, that are about their account, or that name their
 * address anywhere (an invitation's address, a refused request's path) are deleted. The events stay (the chain and the transparency log are untouched).
 * `email` alone reaches an address that never became an account (an invitation sent to it).
 * Recorded as an audit event itself, naming only the user id and the events concerned.
 */
export async function erasePersonalData(
  dataSource: DataSource,
  person: { userId: string } | { email: string },
  actor: string,
  now: Date,
): Promise<ErasureResult> {
  if ('userId' in person && !UUID.test(person.userId))
    throw new ValidationError({ user: ['validation.invalid'] });
  if ('email' in person && !isMailAddress(person.email.trim()))
    throw new ValidationError({ email: ['validation.email'] });
  return dataSource.transaction(async (manager) => {
    if ('email' in person) {
      const email = person.email.trim().toLowerCase();
      const [account] = await manager.query<{ id: string }[]>(`SELECT id FROM users WHERE email = $1`, [
        email,
      ]);
      if (account)
        throw new ValidationError({ email: ['erasure.emailHasAccount'] }, undefined, { id: account.id });
      const events = await deletePersonalData(manager, { email });
      await appendAuditEvent(manager, now, {
        actor,
        action: 'personal_data.erased',
        subjectType: 'audit_log',
        subjectId: 'personal_data',
        data: { events },
      });
      return { events };
    }
    // The administrators first, then the account: the order every change of staff locks in.
    const admins = await lockActiveAdmins(manager);
    const user = await manager
      .getRepository(User)
      .createQueryBuilder('u')
      .where('u.id = :id', { id: person.userId.toLowerCase() })
      .setLock('pessimistic_write')
      .getOne();
    if (!user) throw new ValidationError({ user: ['validation.unknownUser'] });
    await refuseWhenNeeded(manager, user, admins);
    const events = await deletePersonalData(manager, { id: user.id, email: user.email });
    await anonymise(manager, user, now);
    await appendAuditEvent(manager, now, {
      actor,
      action: 'personal_data.erased',
      subjectType: 'user',
      subjectId: user.id,
      data: { events },
    });
    return { userId: user.id, events };
  });
}

/**
 * Refuses to erase the last active administrator (nobody could manage staff any more), and a
 * provider's only active user while the provider has an open application (nobody could answer the
 * reviewer or withdraw it).
 */
async function refuseWhenNeeded(manager: EntityManager, user: User, activeAdmins: string[]): Promise<void> {
  if (user.disabledAt) return;
  if (user.role === 'admin' && activeAdmins.length <= 1 && activeAdmins.includes(user.id))
    throw new ValidationError({ user: ['erasure.lastAdmin'] });
  if (user.role !== 'provider' || !user.providerId) return;
  const [row] = await manager.query<{ colleagues: number; open: number }[]>(
    `SELECT (SELECT count(*)::int FROM users
              WHERE provider_id = $1 AND role = 'provider' AND disabled_at IS NULL AND id <> $2) AS colleagues,
            -- Not yet decided or withdrawn (OPEN_STATES of application/, which identity/ sits below).
            (SELECT count(*)::int FROM applications
              WHERE provider_id = $1 AND state NOT IN ('approved', 'rejected', 'withdrawn')) AS open`,
    [user.providerId, user.id],
  );
  if (row && row.colleagues === 0 && row.open > 0)
    throw new ValidationError({ user: ['erasure.onlyProviderUser'] });
}

/** Takes everything personal out of the account and closes it; the id stays. */
async function anonymise(manager: EntityManager, user: User, now: Date): Promise<void> {
  const placeholder = erasedEmailOf(user.id);
  // Mail not yet sent could still reach them; mail sent names them. Neither is kept.
  await manager.query(`DELETE FROM outbox WHERE lower(recipient) = $1`, [user.email]);
  await manager.query(`DELETE FROM recovery_codes WHERE user_id = $1`, [user.id]);
  await manager.query(
    `DELETE FROM account_tokens WHERE user_id = $1 AND purpose IN ('password_reset', 'email_confirmation')`,
    [user.id],
  );
  // Invitations to their address: open ones can no longer be accepted; all forget the address.
  await manager.query(
    `UPDATE account_tokens SET used_at = coalesce(used_at, $2), revoked_at = CASE WHEN used_at IS NULL THEN $2 ELSE revoked_at END
      WHERE purpose = 'invitation' AND email = $1`,
    [user.email, now],
  );
  await manager.query(`UPDATE account_tokens SET email = $2 WHERE email = $1`, [user.email, placeholder]);
  await deleteSessionsOf(manager, user.id, null);
  await manager.query(
    `UPDATE users SET name = $2, email = $3, password_hash = $4, totp_secret = NULL, totp_enabled_at = NULL,
            totp_last_step = NULL, disabled_at = coalesce(disabled_at, $5), updated_at = $5
      WHERE id = $1`,
    [user.id, ERASED_USER_TEXT, placeholder, NO_PASSWORD, now],
  );
}
