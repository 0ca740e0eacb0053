import { isEmailActor, personOfActor } from '../audit/actor';
import type { DataSource } from 'typeorm';
import { In } from 'typeorm';
import type { ProviderDetail } from '../register/provider.service';
import { type DateAnswer, statusOnDate } from '../register/provider.service';
import { endOfLocalDay, startOfLocalDay } from '../shared/time';
import type { StatusEvent } from '../status/status-event.entity';
import type { StatusAt } from '../status/status-rules';
import { Application } from './application.entity';
import { ApplicationMessage } from './application-message.entity';
import { Evidence } from './evidence.entity';
import { peopleByEmailOrId, type PersonRow } from './dossier.queries';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/*
 * The auditor's dossier of one provider: every status change with who decided, the application it
 * rests on with its evidence and messages, and the status on a date as the register knew it then.
 */

/**
 * A person as the dossier shows them: `actor` is their e-mail address when the users table knows
 * them; a system actor alone; `erased` for a person (`<role>:<id>`, an older address or a user id)
 * the users table no longer knows.
 */
export interface Person {
  actor: string;
  name?: string;
  role?: PersonRow['role'];
  erased?: boolean;
}

export interface DossierEvidence extends Omit<Evidence, 'content'> {
  uploader: Person;
}

export interface DossierMessage extends ApplicationMessage {
  author: Person;
}

export interface DossierApplication extends Application {
  evidence: DossierEvidence[];
  messages: DossierMessage[];
  decider?: Person;
}

/** One status change with its decider, its own application and the approval it acts on. */
export interface DossierChange {
  event: StatusEvent;
  decider: Person;
  /** The application this change decided (submitted, approved, rejected, withdrawn). */
  application?: DossierApplication;
  /** For a change to a listing (suspension, lifting, revocation, expiry …): the approval it acts on. */
  approval?: { event: StatusEvent; application?: DossierApplication };
}

export interface Dossier {
  /** Newest first, as the history reads. */
  changes: DossierChange[];
  /** Newest first. */
  applications: DossierApplication[];
  person: (actorOrId: string) => Person;
}

/** Changes that act on a listing already there: the dossier shows the approval they act on. */
const ACTS_ON_LISTING = new Set<StatusEvent['kind']>([
  'suspended',
  'suspension_lifted',
  'revoked',
  'listing_expired',
  'code_of_conduct_lapsed',
  'aan_participation_ended',
  'aan_participation_resumed',
]);

/** Everything recorded about the provider's decisions: its applications, evidence, messages and the people. */
export async function providerDossier(dataSource: DataSource, detail: ProviderDetail): Promise<Dossier> {
  const manager = dataSource.manager;
  const applications = await manager.find(Application, {
    where: { providerId: detail.provider.id },
    order: { createdAt: 'DESC' },
  });
  const ids = applications.map((a) => a.id);
  const [evidence, messages] = ids.length
    ? await Promise.all([
        manager.find(Evidence, { where: { applicationId: In(ids) }, order: { createdAt: 'ASC' } }),
        manager.find(ApplicationMessage, { where: { applicationId: In(ids) }, order: { id: 'ASC' } }),
      ])
    : [[], []];
  const actors = detail.history.map((e) => e.actor);
  const emails = actors.filter(isEmailActor);
  const userIds = [
    ...actors.flatMap((a) => personOfActor(a)?.id ?? []),
    ...evidence.map((e) => e.uploadedBy),
    ...messages.map((m) => m.authorId),
    ...applications.flatMap((a) => (a.decidedBy ? [a.decidedBy] : [])),
  ];
  const people = await peopleByEmailOrId(dataSource, [...new Set(emails)], [...new Set(userIds)]);
  const byKey = new Map<string, PersonRow>();
  for (const p of people) byKey.set(p.email.toLowerCase(), p).set(p.id, p);
  const person = (actorOrId: string): Person => {
    const key = personOfActor(actorOrId)?.id ?? actorOrId;
    const found = byKey.get(key.toLowerCase()) ?? byKey.get(key);
    if (found) return { actor: found.email, name: found.name, role: found.role };
    const isPerson = key !== actorOrId || isEmailActor(actorOrId) || UUID.test(actorOrId);
    return isPerson ? { actor: actorOrId, erased: true } : { actor: actorOrId };
  };

  const dossierApplications = applications.map((a): DossierApplication =>
    Object.assign(a, {
      evidence: evidence
        .filter((e) => e.applicationId === a.id)
        .map((e) => ({ ...e, uploader: person(e.uploadedBy) })),
      messages: messages
        .filter((m) => m.applicationId === a.id)
        .map((m) => Object.assign(m, { author: person(m.authorId) })),
      decider: a.decidedBy ? person(a.decidedBy) : undefined,
    }),
  );
  const applicationById = new Map(dossierApplications.map((a) => [a.id, a]));
  const ofEvent = (e: StatusEvent) => (e.applicationId ? applicationById.get(e.applicationId) : undefined);

  // The history is newest first; the approval a change acts on is the last one in force before it.
  const inOrder = [...detail.history].reverse();
  const changes = detail.history.map((event): DossierChange => {
    const change: DossierChange = { event, decider: person(event.actor), application: ofEvent(event) };
    if (ACTS_ON_LISTING.has(event.kind)) {
      const approval = inOrder
        .slice(0, inOrder.indexOf(event))
        .findLast(
          (e) => e.kind === 'listing_approved' && e.effectiveAt.getTime() <= event.effectiveAt.getTime(),
        );
      if (approval) change.approval = { event: approval, application: ofEvent(approval) };
    }
    return change;
  });
  return { changes, applications: dossierApplications, person };
}

export type KnownAtAnswer =
  | { kind: 'future'; date: string }
  | { kind: 'knownAtFuture'; date: string; knownOn: string }
  /** On `knownOn` the day asked about had not come yet: the register could not answer then. */
  | { kind: 'knownBeforeDate'; date: string; knownOn: string }
  | (Extract<DateAnswer, { kind: 'answer' }> & {
      knownOn?: string;
      /** The status on `date` by everything recorded now, when it differs from `status`. */
      nowKnown?: StatusAt;
      /** The changes recorded after `knownOn` that take effect on or before `at`: why the answers differ. */
      laterRecords: StatusEvent[];
    });

const code = (s: StatusAt) => (s.verantwoord ? 'verantwoord' : s.reason);

/**
 * "What was the status on D, as the register knew it on K?": the rules over the events recorded by
 * the end of day K — the answer, whether it changed that day and whether the provider was in the
 * register yet, all as known then. Without K, as known now.
 * When later records change the answer, the answer as known now comes along, with those records.
 */
export function statusOnDateKnownAt(
  detail: Pick<ProviderDetail, 'history' | 'codeVersions'>,
  date: string,
  knownOn: string | undefined,
  now: Date,
): KnownAtAnswer {
  const plain = statusOnDate(detail, date, now);
  if (plain.kind === 'future') return plain;
  if (!knownOn) return { ...plain, laterRecords: [] };
  if (startOfLocalDay(knownOn).getTime() > now.getTime()) return { kind: 'knownAtFuture', date, knownOn };
  // ISO dates compare as strings. On K the register knew nothing of D yet: any answer would be a forecast.
  if (knownOn < date) return { kind: 'knownBeforeDate', date, knownOn };
  const knownAt = new Date(Math.min(endOfLocalDay(knownOn).getTime(), now.getTime()));
  const known = statusOnDate(detail, date, now, { knownAt });
  if (known.kind === 'future') return known;
  const laterRecords = detail.history.filter(
    (e) => e.recordedAt.getTime() > knownAt.getTime() && e.effectiveAt.getTime() <= plain.at.getTime(),
  );
  const differs =
    code(known.status) !== code(plain.status) ||
    known.status.since?.getTime() !== plain.status.since?.getTime();
  return { ...known, knownOn, nowKnown: differs ? plain.status : undefined, laterRecords };
}
