import type { DataSource } from 'typeorm';
import { appendAuditEvent } from '../audit/audit.service';
import { deletePersonalData } from '../audit/personal-data.queries';
import { ValidationError } from '../shared/errors';
import { User } from './user.entity';

/** What an erasure removed: the events whose personal details went, in chain order. */
export interface ErasureResult {
  userId?: string;
  events: string[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Erases a person's details kept beside the audit log (AVG art. 17): those of events they acted in
 * or that are about their account, and those naming their address. The events themselves stay (the
 * chain and the transparency log are untouched); each keeps the digest, which no longer leads
 * anywhere. Recorded as an audit event itself, naming only the user id and the events concerned.
 * `email` alone reaches an address that never became an account (an invitation sent to it).
 */
export async function erasePersonalData(
  dataSource: DataSource,
  person: { userId?: string; email?: string },
  actor: string,
  now: Date,
): Promise<ErasureResult> {
  if (!person.userId && !person.email) throw new ValidationError({ user: ['validation.required'] });
  if (person.userId && !UUID.test(person.userId)) throw new ValidationError({ user: ['validation.invalid'] });
  return dataSource.transaction(async (manager) => {
    const user = person.userId ? await manager.findOneBy(User, { id: person.userId.toLowerCase() }) : null;
    if (person.userId && !user) throw new ValidationError({ user: ['validation.unknownUser'] });
    const events = await deletePersonalData(manager, { id: user?.id, email: person.email ?? user?.email });
    await appendAuditEvent(manager, now, {
      actor,
      action: 'personal_data.erased',
      subjectType: user ? 'user' : 'audit_log',
      subjectId: user ? user.id : 'personal_data',
      data: { events },
    });
    return { userId: user?.id, events };
  });
}
