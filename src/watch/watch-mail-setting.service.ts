import type { DataSource } from 'typeorm';
import { actorOf } from '../audit/actor';
import { appendAuditEvent } from '../audit/audit.service';
import { type User, WATCH_MAIL, type WatchMail } from '../identity/user.entity';
import { ValidationError } from '../shared/errors';
import { applyWatchMailToPending } from './watch-mail.queries';

/** The form's value as a choice, or a ValidationError (field `meldingen`) when it is none of them. */
export function readWatchMail(value: unknown): WatchMail {
  if (typeof value === 'string' && (WATCH_MAIL as readonly string[]).includes(value))
    return value as WatchMail;
  throw new ValidationError({ meldingen: ['validation.watchMailChoice'] });
}

/**
 * A buyer chooses how they hear of changes at watched suppliers: at once, in a daily summary, or
 * not by mail. What is waiting for them follows the choice at once (or is closed, with 'none'),
 * and the change is audited, in one transaction. Answers whether anything changed.
 */
export async function setWatchMail(
  dataSource: DataSource,
  user: Pick<User, 'id' | 'role'>,
  mode: WatchMail,
  now: Date,
): Promise<boolean> {
  return dataSource.transaction(async (manager) => {
    const [rows] = await manager.query<[{ before: WatchMail }[], number]>(
      `UPDATE users u SET watch_mail = $2 FROM (SELECT id, watch_mail AS before FROM users WHERE id = $1 FOR UPDATE) o
        WHERE u.id = o.id AND u.role = 'buyer' AND o.before <> $2 RETURNING o.before`,
      [user.id, mode],
    );
    const before = rows[0]?.before;
    if (!before) return false;
    await applyWatchMailToPending(manager, user.id, mode, now);
    await appendAuditEvent(manager, now, {
      actor: actorOf(user),
      action: 'user.watch_mail_changed',
      subjectType: 'user',
      subjectId: user.id,
      data: { from: before, to: mode },
    });
    return true;
  });
}
