import { actorOf } from '../audit/actor';
import type { DataSource, EntityManager } from 'typeorm';
import { In } from 'typeorm';
import { AuditEvent } from '../audit/audit-event.entity';
import { User } from '../identity/user.entity';
import { queueMail } from '../mail/mail.service';
import type { Mail } from '../mail/mail.service';
import { Provider } from '../provider/provider.entity';
import { ConflictError, NotFoundError } from '../shared/errors';
import { CodeOfConductVersion } from '../status/code-of-conduct-version.entity';
import { StatusEvent } from '../status/status-event.entity';
import { codeVersionAcceptedAt, codeVersionLapsesAt, type StatusAt } from '../status/status-rules';
import { toCodeVersionFact } from '../status/status-history';
import { type NewStatusEvent, recordStatusEvent, statusesAt } from '../status/status.service';
import { Application } from './application.entity';
import { ApplicationMessage, type ApplicationMessageKind } from './application-message.entity';
import { Evidence } from './evidence.entity';

/*
 * What the provider's steps, the reviewer's decisions and the status actions share: finding an
 * application, moving it on with a version check, its messages and the status events it causes,
 * mailing its organisation, and what a page about it shows.
 */

export async function currentStatus(
  manager: EntityManager,
  providerId: string,
  now: Date,
): Promise<StatusAt> {
  return (await statusesAt(manager, [providerId], now)).get(providerId)!;
}

/** The application when it belongs to the user's organisation; 404 otherwise, so ids reveal nothing. */
export async function ownApplication(manager: EntityManager, user: User, id: string): Promise<Application> {
  const application = /^[0-9a-f-]{36}$/i.test(id) ? await manager.findOneBy(Application, { id }) : null;
  if (!application || !user.providerId || application.providerId !== user.providerId) {
    throw new NotFoundError(`application ${id}`);
  }
  return application;
}

export async function anyApplication(manager: EntityManager, id: string): Promise<Application> {
  const application = /^[0-9a-f-]{36}$/i.test(id) ? await manager.findOneBy(Application, { id }) : null;
  if (!application) throw new NotFoundError(`application ${id}`);
  return application;
}

export async function addMessage(
  manager: EntityManager,
  application: Application,
  kind: ApplicationMessageKind,
  author: User,
  now: Date,
  body: string | null = null,
): Promise<void> {
  await manager.insert(ApplicationMessage, {
    applicationId: application.id,
    kind,
    authorId: author.id,
    body: body || null,
    createdAt: now,
  });
}

/** A status event caused by a step of this application, effective now, recorded by `actor`. */
export async function applicationStatusEvent(
  manager: EntityManager,
  application: Application,
  actor: User,
  now: Date,
  event: Pick<NewStatusEvent, 'kind'> & Partial<NewStatusEvent>,
): Promise<void> {
  await recordStatusEvent(
    manager,
    {
      providerId: application.providerId,
      effectiveAt: now,
      actor: actorOf(actor),
      applicationId: application.id,
      ...event,
    },
    now,
  );
}

/**
 * Moves the application from the state the caller saw (`version`) to `state`. Exactly one of two
 * concurrent changes wins: the other finds the version moved on and gets a ConflictError.
 */
export async function transition(
  manager: EntityManager,
  application: Application,
  version: number,
  changes: Partial<Application>,
): Promise<void> {
  const result = await manager
    .createQueryBuilder()
    .update(Application)
    .set({ ...changes, version: () => 'version + 1' })
    .where('id = :id AND version = :version', { id: application.id, version })
    .execute();
  if (result.affected !== 1) throw new ConflictError('errors.conflict.body');
  application.version = version + 1;
  Object.assign(application, changes);
}

export function parseVersion(raw: string): number {
  const version = Number(raw);
  if (!Number.isInteger(version) || version < 1) throw new ConflictError('errors.conflict.body');
  return version;
}

/** The addresses a mail to an organisation goes to: its provider users that are not disabled. */
export async function providerMailRecipients(manager: EntityManager, providerId: string): Promise<string[]> {
  const users = await manager.findBy(User, { providerId, role: 'provider' });
  return users.filter((x) => !x.disabledAt).map((u) => u.email);
}

export async function notifyProviderUsers(
  manager: EntityManager,
  providerId: string,
  mail: (to: string, organisation: string) => Mail,
): Promise<void> {
  const provider = await manager.findOneByOrFail(Provider, { id: providerId });
  for (const email of await providerMailRecipients(manager, providerId))
    await queueMail(manager, mail(email, provider.legalName));
}

/** Everything a page about one application shows. */
export async function applicationDetail(dataSource: DataSource, application: Application, now: Date) {
  const manager = dataSource.manager;
  const [provider, evidence, messages, versions, history] = await Promise.all([
    manager.findOneByOrFail(Provider, { id: application.providerId }),
    manager.find(Evidence, { where: { applicationId: application.id }, order: { createdAt: 'ASC' } }),
    manager.find(ApplicationMessage, { where: { applicationId: application.id }, order: { id: 'ASC' } }),
    manager.find(CodeOfConductVersion, { order: { publishedAt: 'DESC' } }),
    manager.find(StatusEvent, {
      where: { providerId: application.providerId },
      order: { effectiveAt: 'DESC', id: 'DESC' },
    }),
  ]);
  const authorIds = [...new Set(messages.map((m) => m.authorId))];
  const authors = new Map(
    (authorIds.length ? await manager.findBy(User, { id: In(authorIds) }) : []).map((u) => [u.id, u]),
  );
  const earlier = await manager.find(Application, {
    where: { providerId: application.providerId },
    order: { createdAt: 'DESC' },
  });
  return {
    provider,
    evidence,
    messages: messages.map((m) => ({ ...m, author: authors.get(m.authorId) })),
    ...offeredVersions(versions, now),
    allVersions: versions,
    history,
    earlierApplications: earlier.filter((a) => a.id !== application.id),
  };
}

/**
 * The versions an application may name at `now`, newest first: those accepted then (never one
 * published later, withdrawn or lapsed); an older one still in its transition comes with the date
 * it lapses, which the form warns about.
 */
function offeredVersions(versions: readonly CodeOfConductVersion[], now: Date) {
  const counting = versions.filter((v) => !v.withdrawnAt);
  const facts = counting.map(toCodeVersionFact);
  const offered = counting.filter((v) => codeVersionAcceptedAt(toCodeVersionFact(v), facts, now));
  return {
    versions: offered,
    versionLapses: offered.flatMap((v) => {
      const lapsesAt = codeVersionLapsesAt(toCodeVersionFact(v), facts);
      return lapsesAt ? [{ label: v.label, date: lapsesAt }] : [];
    }),
  };
}

/** The newest change to an application as the audit log holds it: what, by whom, when. */
export async function latestApplicationChange(
  manager: EntityManager,
  applicationId: string,
): Promise<{ action: string; actor: string; at: Date } | undefined> {
  const event = await manager.findOne(AuditEvent, {
    where: { subjectType: 'application', subjectId: applicationId },
    order: { id: 'DESC' },
  });
  return event ? { action: event.action, actor: event.actor, at: event.occurredAt } : undefined;
}

/**
 * What a confirmation of a status action was based on: the provider's newest status event. A
 * confirmation carrying another basis previewed a status that has changed since.
 */
export async function statusBasis(manager: EntityManager, providerId: string): Promise<string> {
  const newest = await latestStatusEvent(manager, providerId);
  return newest ? newest.id : 'none';
}

/** The provider's newest status event, the one a status action meets. */
export async function latestStatusEvent(
  manager: EntityManager,
  providerId: string,
): Promise<StatusEvent | null> {
  return manager.findOne(StatusEvent, { where: { providerId }, order: { id: 'DESC' } });
}
