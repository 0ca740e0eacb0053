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
import { codeVersionAcceptedAt, codeVersionLapsesAt } from '../status/status-rules';
import { Application, type ApplicationState } from './application.entity';
import type { ApplicationMessageKind } from './application-message.entity';
import {
  addMessage,
  anyApplication,
  applicationStatusEvent,
  currentStatus,
  notifyProviderUsers,
  parseVersion,
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

/** The queue: the applications in `states` (see `queueStates`), by submission, oldest first. */
export async function reviewQueue(
  dataSource: DataSource,
  states: readonly ApplicationState[],
): Promise<(Application & { provider: Provider })[]> {
  const rows = await dataSource
    .getRepository(Application)
    .createQueryBuilder('a')
    .where('a.state IN (:...states)', { states })
    .orderBy('a.submitted_at', 'ASC', 'NULLS LAST')
    .addOrderBy('a.created_at', 'ASC')
    .limit(500)
    .getMany();
  const ids = [...new Set(rows.map((row) => row.providerId))];
  const providers = ids.length ? await dataSource.getRepository(Provider).findBy({ id: In(ids) }) : [];
  const byId = new Map(providers.map((provider) => [provider.id, provider]));
  return rows.map((row) =>
    Object.assign(row, { provider: must(byId.get(row.providerId), 'an application has its provider') }),
  );
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

/**
 * A reviewer's decision. Never on an application of an organisation the reviewer belongs to; of two
 * reviewers deciding at once, exactly one succeeds.
 */
export async function decide(
  dataSource: DataSource,
  reviewer: User,
  id: string,
  input: { action: ReviewAction; message: string; version: string },
  config: Config,
  now: Date,
): Promise<Application> {
  return dataSource.transaction(async (manager) => {
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
    let approved: { label: string; validUntil: Date } | undefined;
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

    if (signedVersion) {
      const status = await currentStatus(manager, application.providerId, now);
      const validUntil = listingValidUntil(
        status,
        now,
        (await readSettings(manager, config)).listingValidityMonths,
        config.renewalWindowDays,
      );
      approved = { label: signedVersion.label, validUntil };
      await applicationStatusEvent(manager, application, reviewer, now, {
        kind: 'listing_approved',
        validUntil,
        codeOfConductVersionId: application.codeOfConductVersionId,
        codeSignedOn: application.codeSignedOn,
        aanSince: startOfLocalDay(application.aanSince!),
        reason: input.message.trim() || null,
      });
    } else if (input.action === 'reject') {
      await applicationStatusEvent(manager, application, reviewer, now, {
        kind: 'application_rejected',
        reason: input.message.trim(),
      });
    }
    // Deciding on an application means the reviewer has looked at who applies: the first
    // decision confirms the organisation's identity and makes it public.
    if (input.action === 'approve' || input.action === 'reject') {
      await confirmIdentity(manager, application.providerId, reviewer.email, { applicationId: id }, now);
    }
    await appendAuditEvent(manager, now, {
      actor: reviewer.email,
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
