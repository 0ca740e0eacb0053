import { actorOf } from '../audit/actor';
import type { DataSource, EntityManager } from 'typeorm';
import { must } from '../shared/must';
import { In, IsNull } from 'typeorm';
import type { User } from '../identity/user.entity';
import { appendAuditEvent } from '../audit/audit.service';
import type { Config } from '../config';
import { mailTexts } from '../mail/messages';
import { Provider } from '../provider/provider.entity';
import { confirmIdentity } from '../register/provider.service';
import { readSettings } from '../settings/settings.service';
import { ConflictError, ForbiddenError, ValidationError } from '../shared/errors';
import { paths } from '../shared/paths';
import { startOfLocalDay } from '../shared/time';
import type { CodeOfConductVersion } from '../status/code-of-conduct-version.entity';
import { loadCodeVersions, toCodeVersionFact } from '../status/status-history';
import { codeVersionAcceptedAt, codeVersionLapsesAt, type StatusAt } from '../status/status-rules';
import { type NewStatusEvent, recordStatusEvent, statusIfRecorded } from '../status/status.service';
import { Application, type ApplicationState } from './application.entity';
import type { ApplicationMessageKind } from './application-message.entity';
import {
  addMessage,
  anyApplication,
  currentStatus,
  notifyProviderUsers,
  parseVersion,
  providerMailRecipients,
  transition,
} from './application-records';
import {
  listingValidUntil,
  NEXT_STATE,
  type ReviewAction,
  reviewerMay,
  signatureDateProblem,
} from './application-rules';
import { decisionConflict } from './review-repeat';

/* The reviewer's side of an application: the queue, and the decisions on one application. */

/** Registrations whose identity no reviewer has confirmed yet, oldest first: they wait for a look. */
export async function unconfirmedProviders(
  dataSource: DataSource,
): Promise<Pick<Provider, 'id' | 'kvkNumber' | 'legalName' | 'createdAt'>[]> {
  return dataSource.getRepository(Provider).find({
    where: { identityConfirmedAt: IsNull() },
    select: { id: true, kvkNumber: true, legalName: true, createdAt: true },
    order: { createdAt: 'ASC' },
    take: 200,
  });
}

/** An application in the queue: with its provider, and when it took its last step and which. */
export type QueueApplication = Application & {
  provider: Provider;
  lastStepAt: Date;
  lastStepKind?: ApplicationMessageKind;
};

/** Applications per page of the review queue. */
export const REVIEW_QUEUE_PAGE_SIZE = 50;

/** A page of the review queue, with how many applications the queue holds in all. */
export interface QueuePage {
  rows: QueueApplication[];
  total: number;
  page: number;
  pageCount: number;
}

/**
 * The queue: the applications in `states` (see `queueStates`), by submission, oldest first, a page
 * of REVIEW_QUEUE_PAGE_SIZE at a time, with the total (the newest are on the last page). A page past
 * the last shows the last page.
 */
export async function reviewQueue(
  dataSource: DataSource,
  states: readonly ApplicationState[],
  requestedPage = 1,
): Promise<QueuePage> {
  const inStates = () =>
    dataSource
      .getRepository(Application)
      .createQueryBuilder('a')
      .where('a.state IN (:...states)', { states });
  const total = await inStates().getCount();
  const pageCount = Math.max(1, Math.ceil(total / REVIEW_QUEUE_PAGE_SIZE));
  const page = Math.min(Math.max(1, requestedPage), pageCount);
  const rows = await inStates()
    .orderBy('a.submitted_at', 'ASC', 'NULLS LAST')
    .addOrderBy('a.created_at', 'ASC')
    .addOrderBy('a.id', 'ASC')
    .offset((page - 1) * REVIEW_QUEUE_PAGE_SIZE)
    .limit(REVIEW_QUEUE_PAGE_SIZE)
    .getMany();
  const ids = [...new Set(rows.map((row) => row.providerId))];
  const providers = ids.length ? await dataSource.getRepository(Provider).findBy({ id: In(ids) }) : [];
  const byId = new Map(providers.map((provider) => [provider.id, provider]));
  // Every step of an application writes a message: the latest is when it entered its state, or
  // a provider's reply it has waited on since.
  const steps = rows.length
    ? await dataSource.query<{ application_id: string; at: Date; kind: ApplicationMessageKind }[]>(
        `SELECT DISTINCT ON (application_id) application_id, created_at AS at, kind
           FROM application_messages
          WHERE application_id = ANY($1::uuid[])
          ORDER BY application_id, created_at DESC, id DESC`,
        [rows.map((row) => row.id)],
      )
    : [];
  const lastSteps = new Map(steps.map((s) => [s.application_id, s]));
  const applications = rows.map((row) => {
    const step = lastSteps.get(row.id);
    return Object.assign(row, {
      provider: must(byId.get(row.providerId), 'an application has its provider'),
      lastStepAt: step ? new Date(step.at) : row.updatedAt,
      lastStepKind: step?.kind,
    });
  });
  return { rows: applications, total, page, pageCount };
}

/**
 * An approval rests on the signed code version, so that version must be accepted at the decision
 * instant (one that lapsed while the application waited is refused with the date it lapsed), and
 * signed on a day from its publication to today. Answers the signed version.
 */
async function assertVersionAcceptedForApproval(
  manager: EntityManager,
  application: Application,
  now: Date,
): Promise<CodeOfConductVersion> {
  const versions = await loadCodeVersions(manager);
  const facts = versions.map(toCodeVersionFact);
  const signed = versions.find((v) => v.id === application.codeOfConductVersionId);
  if (signed && codeVersionAcceptedAt(toCodeVersionFact(signed), facts, now)) {
    const signedOn = application.codeSignedOn;
    const problem = signedOn ? signatureDateProblem(signedOn, signed.publishedAt, now) : undefined;
    if (!signedOn || !problem) return signed;
    throw new ValidationError({ action: [`review.${problem}`] }, undefined, {
      label: signed.label,
      published: signed.publishedAt,
      signed: startOfLocalDay(signedOn),
    });
  }
  const lapsedAt = signed ? codeVersionLapsesAt(toCodeVersionFact(signed), facts) : undefined;
  if (signed && lapsedAt && lapsedAt.getTime() <= now.getTime())
    throw new ValidationError({ action: ['review.codeVersionLapsed'] }, undefined, {
      label: signed.label,
      date: lapsedAt,
    });
  throw new ValidationError({ action: ['review.codeVersionNotAccepted'] });
}

/** What a reviewer decides: the action, the message (public for an approval or rejection), the version seen. */
export interface DecisionInput {
  action: ReviewAction;
  message: string;
  version: string;
}

/**
 * The checks every decision passes, in the order the reviewer hears of them: not their own
 * organisation, the application as they saw it (its version), an action its state allows, a
 * reason where one is required, and for an approval a signed version accepted now. Answers the
 * application, the version it was seen at and, for an approval, the signed code version.
 */
async function checkedDecision(
  manager: EntityManager,
  reviewer: User,
  id: string,
  input: DecisionInput,
  now: Date,
): Promise<{ application: Application; version: number; signedVersion?: CodeOfConductVersion }> {
  const application = await anyApplication(manager, id);
  if (reviewer.providerId && reviewer.providerId === application.providerId) {
    throw new ForbiddenError('review.ownOrganisation');
  }
  const version = parseVersion(input.version);
  if (application.version !== version)
    throw await decisionConflict(manager, application, input.action, reviewer);
  if (!reviewerMay(input.action, application.state))
    throw new ConflictError(`review.notInState`, { backTo: paths.reviewApplication(id) });
  if ((input.action === 'reject' || input.action === 'request_changes') && !input.message.trim()) {
    throw new ValidationError({ message: ['validation.reasonRequired'] });
  }
  const signedVersion =
    input.action === 'approve'
      ? await assertVersionAcceptedForApproval(manager, application, now)
      : undefined;
  return { application, version, signedVersion };
}

/** The end of the listing an approval of `application` at `now` grants (see listingValidUntil). */
async function approvalValidUntil(
  manager: EntityManager,
  application: Application,
  config: Config,
  now: Date,
): Promise<Date> {
  const status = await currentStatus(manager, application.providerId, now);
  return listingValidUntil(
    status,
    now,
    (await readSettings(manager, config)).listingValidityMonths,
    config.renewalWindowDays,
  );
}

/**
 * The status change a decision records, effective `now`: an approval's listing or a rejection,
 * each with the reviewer's message as its public reason. None for the steps in between.
 */
async function decisionStatusEvent(
  manager: EntityManager,
  application: Application,
  reviewer: User,
  input: DecisionInput,
  signedVersion: CodeOfConductVersion | undefined,
  config: Config,
  now: Date,
): Promise<NewStatusEvent | undefined> {
  const common = {
    providerId: application.providerId,
    effectiveAt: now,
    actor: actorOf(reviewer),
    applicationId: application.id,
  };
  if (signedVersion)
    return {
      ...common,
      kind: 'listing_approved',
      validUntil: await approvalValidUntil(manager, application, config, now),
      codeOfConductVersionId: application.codeOfConductVersionId,
      codeSignedOn: application.codeSignedOn,
      aanSince: startOfLocalDay(application.aanSince!),
      reason: input.message.trim() || null,
    };
  if (input.action === 'reject')
    return { ...common, kind: 'application_rejected', reason: input.message.trim() };
  return undefined;
}

/** What a decision will do, shown to the reviewer to confirm before anything is recorded. */
export interface DecisionPreview {
  application: Application;
  provider: Provider;
  /** The status change it records: exactly what the public history will show. */
  statusEvent?: NewStatusEvent;
  /** The label of the code version an approval rests on. */
  codeVersionLabel?: string;
  /** The register's status of the provider now, and once the decision is recorded. */
  statusBefore?: StatusAt;
  statusAfter?: StatusAt;
  /** A recorded end of AAN participation still to come, as the public page shows it afterwards. */
  aanEndsAfter?: Date;
  /** The organisation becomes public: no reviewer had confirmed who it is before. */
  identityBecomesPublic: boolean;
  /** Where the mail about the decision goes. */
  mailRecipients: string[];
}

/**
 * A decision's preview: the same checks as `decide` (so a refusal shows on the form before the
 * reviewer confirms) and what it would record, computed by the same rules. Records nothing.
 */
export async function previewDecision(
  dataSource: DataSource,
  reviewer: User,
  id: string,
  input: DecisionInput,
  config: Config,
  now: Date,
): Promise<DecisionPreview> {
  const manager = dataSource.manager;
  const { application, signedVersion } = await checkedDecision(manager, reviewer, id, input, now);
  const provider = await manager.findOneByOrFail(Provider, { id: application.providerId });
  const statusEvent = await decisionStatusEvent(
    manager,
    application,
    reviewer,
    input,
    signedVersion,
    config,
    now,
  );
  const statuses = statusEvent ? await statusIfRecorded(manager, statusEvent, now) : undefined;
  return {
    application,
    provider,
    statusEvent,
    codeVersionLabel: signedVersion?.label,
    statusBefore: statuses?.before,
    statusAfter: statuses?.after,
    aanEndsAfter: statuses?.aanEndsAfter,
    identityBecomesPublic:
      !provider.identityConfirmedAt && (input.action === 'approve' || input.action === 'reject'),
    mailRecipients: input.action === 'start_review' ? [] : await providerMailRecipients(manager, provider.id),
  };
}

/**
 * A reviewer's decision. Never on an application of an organisation the reviewer belongs to; of two
 * reviewers deciding at once, exactly one succeeds.
 */
export async function decide(
  dataSource: DataSource,
  reviewer: User,
  id: string,
  input: DecisionInput,
  config: Config,
  now: Date,
): Promise<Application> {
  return dataSource.transaction(async (manager) => {
    const { application, version, signedVersion } = await checkedDecision(manager, reviewer, id, input, now);
    const changes: Partial<Application> = { state: NEXT_STATE[input.action], reviewerId: reviewer.id };
    if (input.action === 'approve' || input.action === 'reject')
      Object.assign(changes, { decidedAt: now, decidedBy: reviewer.id });
    // Another decision that got in first: the neutral conflict, linking back to the application.
    await transition(manager, application, version, changes).catch((error: unknown) => {
      throw error instanceof ConflictError
        ? new ConflictError(error.messageKey, { backTo: paths.reviewApplication(id) })
        : error;
    });

    const messageKind: ApplicationMessageKind =
      input.action === 'start_review'
        ? 'review_started'
        : (NEXT_STATE[input.action] as ApplicationMessageKind);
    await addMessage(manager, application, messageKind, reviewer, now, input.message.trim());

    const statusEvent = await decisionStatusEvent(
      manager,
      application,
      reviewer,
      input,
      signedVersion,
      config,
      now,
    );
    // Deciding on an application means the reviewer has looked at who applies: the first
    // decision confirms the organisation's identity and makes it public. Before the decision's
    // status event, so that the change feed, which shows a provider's events from its confirmation
    // on, holds the decision that made it public.
    if (input.action === 'approve' || input.action === 'reject') {
      await confirmIdentity(manager, application.providerId, actorOf(reviewer), { applicationId: id }, now);
    }
    if (statusEvent) await recordStatusEvent(manager, statusEvent, now);
    const approved =
      signedVersion && statusEvent?.validUntil
        ? { label: signedVersion.label, validUntil: statusEvent.validUntil }
        : undefined;
    await appendAuditEvent(manager, now, {
      actor: actorOf(reviewer),
      action: `application.${input.action}`,
      subjectType: 'application',
      subjectId: id,
      data: { message: input.message.trim() || null, state: application.state },
    });
    if (input.action !== 'start_review') {
      const decision = input.action;
      const { contactEmail } = await readSettings(manager, config);
      await notifyProviderUsers(manager, application.providerId, (to, organisation) =>
        mailTexts.decision(
          to,
          organisation,
          decision,
          input.message.trim() || null,
          `${config.publicBaseUrl}${paths.application(id)}`,
          approved,
          contactEmail,
        ),
      );
    }
    return application;
  });
}
