import type { DataSource, EntityManager } from 'typeorm';
import { In, IsNull } from 'typeorm';
import type { Config } from '../config';
import { isUniqueViolation } from '../database/availability';
import { User } from '../identity/user.entity';
import { appendAuditEvent } from '../audit/audit.service';
import { readSettings } from '../settings/settings.service';
import { queueMail } from '../mail/mail.service';
import { mailTexts } from '../mail/messages';
import { Provider } from '../provider/provider.entity';
import { confirmIdentity } from '../register/provider.service';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../shared/errors';
import { paths } from '../shared/paths';
import { parseLocalDate, startOfLocalDay, toLocalDate } from '../shared/time';
import { sha256Hex } from '../shared/tokens';
import { CodeOfConductVersion } from '../status/code-of-conduct-version.entity';
import { StatusEvent } from '../status/status-event.entity';
import type { StatusAt } from '../status/status-rules';
import { type NewStatusEvent, recordStatusEvent, statusesAt } from '../status/status.service';
import { type ApplicationDto } from './application.dto';
import { Application } from './application.entity';
import { ApplicationMessage, type ApplicationMessageKind } from './application-message.entity';
import {
  listingValidUntil,
  NEXT_STATE,
  newApplicationAllowed,
  OPEN_STATES,
  type ProviderAction,
  providerMay,
  type ReviewAction,
  reviewerMay,
} from './application-rules';
import { looksLikePdf } from '../shared/pdf';
import { Evidence, type EvidenceKind } from './evidence.entity';

export const MAX_EVIDENCE_BYTES = 10 * 1024 * 1024;

async function currentStatus(manager: EntityManager, providerId: string, now: Date): Promise<StatusAt> {
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

async function addMessage(
  manager: EntityManager,
  application: Application,
  kind: ApplicationMessageKind,
  author: User,
  body: string | null = null,
): Promise<void> {
  await manager.insert(ApplicationMessage, {
    applicationId: application.id,
    kind,
    authorId: author.id,
    body: body || null,
  });
}

/** A status event caused by a step of this application, effective now, recorded by `actor`. */
async function applicationStatusEvent(
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
      actor: actor.email,
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
async function transition(
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

function parseVersion(raw: string): number {
  const version = Number(raw);
  if (!Number.isInteger(version) || version < 1) throw new ConflictError('errors.conflict.body');
  return version;
}

/** Whether the provider may start an application now, and of which kind. */
export async function applicationPossibility(
  manager: EntityManager,
  providerId: string,
  config: Config,
  now = new Date(),
) {
  const open = await manager.getRepository(Application).existsBy({ providerId, state: In([...OPEN_STATES]) });
  const status = await currentStatus(manager, providerId, now);
  return newApplicationAllowed(status, open, now, config.renewalWindowDays);
}

export async function startApplication(
  dataSource: DataSource,
  user: User,
  config: Config,
  now = new Date(),
): Promise<Application> {
  return dataSource.transaction(async (manager) => {
    // One open application per provider: the database's unique index settles a race.
    const answer = await applicationPossibility(manager, user.providerId!, config, now);
    if (!answer.allowed) throw new ConflictError(`application.notAllowed.${answer.reason}`);
    const application = manager.create(Application, {
      providerId: user.providerId!,
      kind: answer.kind,
      state: 'draft',
      createdBy: user.id,
    });
    try {
      await manager.insert(Application, application);
    } catch (error) {
      if (isUniqueViolation(error, 'applications_one_open_per_provider')) {
        throw new ConflictError('application.notAllowed.open_application');
      }
      throw error;
    }
    await appendAuditEvent(manager, {
      actor: user.email,
      action: 'application.created',
      subjectType: 'application',
      subjectId: application.id,
      data: { providerId: application.providerId, kind: application.kind },
    });
    return application;
  });
}

async function assertPublishedVersion(manager: EntityManager, id: string, now: Date): Promise<void> {
  const version = await manager.findOneBy(CodeOfConductVersion, { id });
  if (!version || version.publishedAt.getTime() > now.getTime()) {
    throw new ValidationError({ codeOfConductVersionId: ['validation.codeVersion'] });
  }
}

export async function saveApplication(
  dataSource: DataSource,
  user: User,
  id: string,
  dto: ApplicationDto,
  versionRaw: string,
  now = new Date(),
): Promise<Application> {
  return dataSource.transaction(async (manager) => {
    const application = await ownApplication(manager, user, id);
    assertProviderMay(application, 'save');
    await assertPublishedVersion(manager, dto.codeOfConductVersionId, now);
    const changes = {
      codeOfConductVersionId: dto.codeOfConductVersionId,
      codeSignedOn: dto.codeSignedOn,
      signatoryName: dto.signatoryName,
      signatoryRole: dto.signatoryRole,
      aanSince: dto.aanSince,
      aanContactName: dto.aanContactName,
      aanContactEmail: dto.aanContactEmail.toLowerCase(),
    };
    await transition(manager, application, parseVersion(versionRaw), changes);
    await appendAuditEvent(manager, {
      actor: user.email,
      action: 'application.saved',
      subjectType: 'application',
      subjectId: application.id,
      data: changes,
    });
    return application;
  });
}

function assertProviderMay(application: Application, action: ProviderAction): void {
  if (!providerMay(action, application.state)) throw new ConflictError(`application.notInState.${action}`);
}

/**
 * The name evidence is stored and downloaded under: the uploaded name's letters, without any path,
 * control or bidirectional characters, and always ending in .pdf, so a name never picks the type.
 */
export function evidenceFilename(original: string): string {
  const base = original.normalize('NFC').split(/[/\\]/).pop() ?? '';
  const cleaned = base
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '')
    .replace(/\.[^.]*$/, '')
    .replace(/\.pdf$/i, '')
    .replace(/^[.\s]+|[.\s]+$/g, '')
    .slice(0, 150);
  return `${cleaned || 'bewijsstuk'}.pdf`;
}

/** The caps on evidence per application, from the settings. */
type EvidenceLimitsConfig = Parameters<typeof readSettings>[1];

export async function addEvidence(
  dataSource: DataSource,
  user: User,
  id: string,
  input: { kind: EvidenceKind; filename: string; content: Buffer },
  config: EvidenceLimitsConfig,
): Promise<Evidence> {
  if (input.content.length === 0) throw new ValidationError({ file: ['validation.fileRequired'] });
  if (input.content.length > MAX_EVIDENCE_BYTES)
    throw new ValidationError({ file: ['validation.fileTooLarge'] });
  if (!looksLikePdf(input.content)) throw new ValidationError({ file: ['validation.notPdf'] });
  return dataSource.transaction(async (manager) => {
    const application = await ownApplication(manager, user, id);
    assertProviderMay(application, 'upload');
    // One upload at a time per application, so two at once cannot both slip under the caps.
    await manager.query('SELECT id FROM applications WHERE id = $1 FOR UPDATE', [application.id]);
    const { evidenceMaxFiles, evidenceMaxTotalMb } = await readSettings(manager, config);
    const [held] = (await manager.query(
      'SELECT count(*)::int AS files, coalesce(sum(size), 0)::bigint AS bytes FROM evidence WHERE application_id = $1',
      [application.id],
    )) as { files: number; bytes: string }[];
    if (held.files >= evidenceMaxFiles)
      throw new ValidationError({ file: ['evidence.tooManyFiles'] }, undefined, { max: evidenceMaxFiles });
    if (Number(held.bytes) + input.content.length > evidenceMaxTotalMb * 1024 * 1024)
      throw new ValidationError({ file: ['evidence.tooMuchTotal'] }, undefined, { max: evidenceMaxTotalMb });
    const evidence = manager.create(Evidence, {
      applicationId: application.id,
      kind: input.kind,
      filename: evidenceFilename(input.filename),
      size: input.content.length,
      sha256: sha256Hex(input.content),
      content: input.content,
      uploadedBy: user.id,
    });
    await manager.insert(Evidence, evidence);
    await appendAuditEvent(manager, {
      actor: user.email,
      action: 'evidence.uploaded',
      subjectType: 'application',
      subjectId: application.id,
      data: {
        evidenceId: evidence.id,
        kind: evidence.kind,
        filename: evidence.filename,
        size: evidence.size,
        sha256: evidence.sha256,
      },
    });
    return evidence;
  });
}

/** The evidence with its bytes, for the organisation's own users and for staff only. */
export async function evidenceFile(
  dataSource: DataSource,
  user: User,
  applicationId: string,
  evidenceId: string,
) {
  const application =
    user.role === 'provider'
      ? await ownApplication(dataSource.manager, user, applicationId)
      : await anyApplication(dataSource.manager, applicationId);
  const evidence = /^[0-9a-f-]{36}$/i.test(evidenceId)
    ? await dataSource
        .getRepository(Evidence)
        .createQueryBuilder('e')
        .addSelect('e.content')
        .where('e.id = :evidenceId AND e.application_id = :applicationId', {
          evidenceId,
          applicationId: application.id,
        })
        .getOne()
    : null;
  if (!evidence) throw new NotFoundError(`evidence ${evidenceId}`);
  return evidence;
}

/** Submits the application: complete, with the signed code and the AAN confirmation among its evidence. */
export async function submitApplication(
  dataSource: DataSource,
  user: User,
  id: string,
  versionRaw: string,
  now = new Date(),
) {
  await dataSource.transaction(async (manager) => {
    const application = await ownApplication(manager, user, id);
    assertProviderMay(application, 'submit');
    const missing: Record<string, string[]> = {};
    if (!application.codeOfConductVersionId) missing.form = ['application.incomplete'];
    const kinds = new Set((await manager.findBy(Evidence, { applicationId: id })).map((e) => e.kind));
    if (!kinds.has('code_of_conduct')) missing.evidenceCode = ['application.evidenceMissing.code_of_conduct'];
    if (!kinds.has('aan_confirmation'))
      missing.evidenceAan = ['application.evidenceMissing.aan_confirmation'];
    if (Object.keys(missing).length > 0) throw new ValidationError(missing);

    await transition(manager, application, parseVersion(versionRaw), {
      state: 'submitted',
      submittedAt: now,
    });
    await addMessage(manager, application, 'submitted', user);
    await applicationStatusEvent(manager, application, user, now, { kind: 'application_submitted' });
    await appendAuditEvent(manager, {
      actor: user.email,
      action: 'application.submitted',
      subjectType: 'application',
      subjectId: id,
    });
  });
}

export async function withdrawApplication(
  dataSource: DataSource,
  user: User,
  id: string,
  versionRaw: string,
  now = new Date(),
) {
  await dataSource.transaction(async (manager) => {
    const application = await ownApplication(manager, user, id);
    assertProviderMay(application, 'withdraw');
    const wasSubmitted = application.submittedAt !== null;
    await transition(manager, application, parseVersion(versionRaw), { state: NEXT_STATE.withdraw });
    await addMessage(manager, application, 'withdrawn', user);
    if (wasSubmitted) {
      await applicationStatusEvent(manager, application, user, now, { kind: 'application_withdrawn' });
    }
    await appendAuditEvent(manager, {
      actor: user.email,
      action: 'application.withdrawn',
      subjectType: 'application',
      subjectId: id,
    });
  });
}

async function notifyProviderUsers(
  manager: EntityManager,
  providerId: string,
  mail: (to: string, organisation: string) => { to: string; subject: string; body: string },
): Promise<void> {
  const provider = await manager.findOneByOrFail(Provider, { id: providerId });
  const users = await manager.findBy(User, { providerId, role: 'provider' });
  for (const u of users.filter((x) => !x.disabledAt))
    await queueMail(manager, mail(u.email, provider.legalName));
}

const DECISION_TEXTS: Record<Exclude<ReviewAction, 'start_review'>, { nl: string; en: string }> = {
  approve: {
    nl: 'Uw aanvraag is goedgekeurd. Uw organisatie staat nu als verantwoorde hostingprovider in het register.',
    en: 'Your application has been approved. Your organisation is now listed as a responsible hosting provider.',
  },
  reject: { nl: 'Uw aanvraag is afgewezen.', en: 'Your application has been rejected.' },
  request_changes: {
    nl: 'De beoordelaar vraagt u de aanvraag aan te passen en opnieuw in te dienen.',
    en: 'The reviewer asks you to change the application and submit it again.',
  },
};

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
  now = new Date(),
): Promise<Application> {
  return dataSource.transaction(async (manager) => {
    const application = await anyApplication(manager, id);
    if (reviewer.providerId && reviewer.providerId === application.providerId) {
      throw new ForbiddenError('review.ownOrganisation');
    }
    const version = parseVersion(input.version);
    if (application.version !== version) throw new ConflictError('errors.conflict.body');
    if (!reviewerMay(input.action, application.state)) throw new ConflictError(`review.notInState`);
    if ((input.action === 'reject' || input.action === 'request_changes') && !input.message.trim()) {
      throw new ValidationError({ message: ['validation.reasonRequired'] });
    }
    const changes: Partial<Application> = { state: NEXT_STATE[input.action], reviewerId: reviewer.id };
    if (input.action === 'approve' || input.action === 'reject')
      Object.assign(changes, { decidedAt: now, decidedBy: reviewer.id });
    await transition(manager, application, version, changes);

    const messageKind: ApplicationMessageKind =
      input.action === 'start_review'
        ? 'review_started'
        : (NEXT_STATE[input.action] as ApplicationMessageKind);
    await addMessage(manager, application, messageKind, reviewer, input.message.trim());

    if (input.action === 'approve') {
      const status = await currentStatus(manager, application.providerId, now);
      await applicationStatusEvent(manager, application, reviewer, now, {
        kind: 'listing_approved',
        validUntil: listingValidUntil(
          status,
          now,
          (await readSettings(manager, config)).listingValidityMonths,
        ),
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
    await appendAuditEvent(manager, {
      actor: reviewer.email,
      action: `application.${input.action}`,
      subjectType: 'application',
      subjectId: id,
      data: { message: input.message.trim() || null, state: application.state },
    });
    if (input.action !== 'start_review') {
      const text = DECISION_TEXTS[input.action];
      await notifyProviderUsers(manager, application.providerId, (to, organisation) =>
        mailTexts.decision(
          to,
          organisation,
          text.nl,
          text.en,
          input.message.trim() || null,
          `${config.publicBaseUrl}${paths.application(id)}`,
        ),
      );
    }
    return application;
  });
}

const PROVIDER_ACTION_TEXTS = {
  suspend: {
    nl: 'De vermelding van uw organisatie is geschorst.',
    en: "Your organisation's listing has been suspended.",
  },
  lift: {
    nl: 'De schorsing van uw organisatie is opgeheven.',
    en: "The suspension of your organisation's listing has been lifted.",
  },
  revoke: {
    nl: 'De vermelding van uw organisatie is ingetrokken.',
    en: "Your organisation's listing has been revoked.",
  },
};

/** Suspend (with reason and optional end date), lift a suspension, or revoke (with reason). */
export async function actOnProvider(
  dataSource: DataSource,
  reviewer: User,
  kvkNumber: string,
  input: { action: 'suspend' | 'lift' | 'revoke'; reason: string; until: string },
  config: Config,
  now = new Date(),
): Promise<void> {
  await dataSource.transaction(async (manager) => {
    // Serialise actions on one provider, so two reviewers cannot both suspend or both lift.
    const provider = await manager
      .getRepository(Provider)
      .createQueryBuilder('p')
      .where('p.kvk_number = :kvkNumber', { kvkNumber })
      .setLock('pessimistic_write')
      .getOne();
    if (!provider) throw new NotFoundError(`provider ${kvkNumber}`);
    if (reviewer.providerId === provider.id) throw new ForbiddenError('review.ownOrganisation');
    const status = await currentStatus(manager, provider.id, now);
    const reason = input.reason.trim();
    if (input.action !== 'lift' && !reason)
      throw new ValidationError({ reason: ['validation.reasonRequired'] });

    let suspendedUntil: Date | null = null;
    if (input.action === 'suspend' && input.until) {
      if (!parseLocalDate(input.until) || input.until <= toLocalDate(now))
        throw new ValidationError({ until: ['validation.futureDate'] });
      suspendedUntil = startOfLocalDay(input.until);
    }
    const listed =
      status.verantwoord || (status.listing && status.reason !== 'expired' && status.reason !== 'revoked');
    const suspended = !status.verantwoord && status.reason === 'suspended';
    if (input.action === 'suspend' && (!listed || suspended)) throw new ConflictError('review.cannotSuspend');
    if (input.action === 'lift' && !suspended) throw new ConflictError('review.cannotLift');
    if (input.action === 'revoke' && !listed) throw new ConflictError('review.cannotRevoke');

    const kind = ({ suspend: 'suspended', lift: 'suspension_lifted', revoke: 'revoked' } as const)[
      input.action
    ];
    await recordStatusEvent(
      manager,
      {
        providerId: provider.id,
        kind,
        effectiveAt: now,
        actor: reviewer.email,
        reason: reason || null,
        suspendedUntil,
      },
      now,
    );
    const text = PROVIDER_ACTION_TEXTS[input.action];
    await notifyProviderUsers(manager, provider.id, (to, organisation) =>
      mailTexts.statusChange(
        to,
        organisation,
        text.nl,
        text.en,
        reason || null,
        `${config.publicBaseUrl}${paths.provider(kvkNumber)}`,
      ),
    );
  });
}

/**
 * A reviewer confirms who an organisation is (after checking it outside the register), which makes
 * it public; never for the reviewer's own organisation. Confirming twice is a conflict.
 */
export async function confirmProviderIdentity(
  dataSource: DataSource,
  reviewer: User,
  kvkNumber: string,
  now = new Date(),
): Promise<void> {
  await dataSource.transaction(async (manager) => {
    const provider = await manager.findOneBy(Provider, { kvkNumber });
    if (!provider) throw new NotFoundError(`provider ${kvkNumber}`);
    if (reviewer.providerId === provider.id) throw new ForbiddenError('review.ownOrganisation');
    if (!(await confirmIdentity(manager, provider.id, reviewer.email, { kvkNumber }, now)))
      throw new ConflictError('review.identityAlreadyConfirmed');
  });
}

/** Registrations whose identity no reviewer has confirmed yet, oldest first: they wait for a look. */
export async function unconfirmedProviders(dataSource: DataSource) {
  return dataSource.getRepository(Provider).find({
    where: { identityConfirmedAt: IsNull() },
    select: { id: true, kvkNumber: true, legalName: true, createdAt: true },
    order: { createdAt: 'ASC' },
    take: 200,
  });
}

/** The queue: submitted and in-review applications first by submission, oldest first; or one state. */
export async function reviewQueue(dataSource: DataSource, state?: string) {
  const states =
    state &&
    ['submitted', 'in_review', 'changes_requested', 'approved', 'rejected', 'withdrawn'].includes(state)
      ? [state]
      : ['submitted', 'in_review'];
  const rows = await dataSource
    .getRepository(Application)
    .createQueryBuilder('a')
    .innerJoinAndMapOne('a.provider', Provider, 'p', 'p.id = a.provider_id')
    .where('a.state IN (:...states)', { states })
    .orderBy('a.submitted_at', 'ASC', 'NULLS LAST')
    .addOrderBy('a.created_at', 'ASC')
    .limit(500)
    .getMany();
  return rows as (Application & { provider: Provider })[];
}

/** Everything a page about one application shows. */
export async function applicationDetail(dataSource: DataSource, application: Application) {
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
    versions: versions.filter((v) => v.publishedAt.getTime() <= Date.now()),
    allVersions: versions,
    history,
    earlierApplications: earlier.filter((a) => a.id !== application.id),
  };
}

/** The applications of one organisation, newest first. */
export async function providerApplications(
  dataSource: DataSource,
  providerId: string,
): Promise<Application[]> {
  return dataSource.getRepository(Application).find({ where: { providerId }, order: { createdAt: 'DESC' } });
}
