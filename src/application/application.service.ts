import type { DataSource, EntityManager } from 'typeorm';
import { In } from 'typeorm';
import type { Config } from '../config';
import { isUniqueViolation } from '../database/availability';
import type { User } from '../identity/user.entity';
import { appendAuditEvent } from '../audit/audit.service';
import { readSettings } from '../settings/settings.service';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors';
import { mailReviewers } from '../mail/mail.service';
import { mailTexts } from '../mail/messages';
import { Provider } from '../provider/provider.entity';
import { paths } from '../shared/paths';
import { looksLikePdf } from '../shared/pdf';
import { sha256Hex } from '../shared/tokens';
import { loadCodeVersions, toCodeVersionFact } from '../status/status-history';
import { codeVersionAcceptedAt } from '../status/status-rules';
import { type ApplicationDto } from './application.dto';
import { Application } from './application.entity';
import { evidenceHeld, lockApplication } from './application.queries';
import {
  addMessage,
  anyApplication,
  applicationStatusEvent,
  currentStatus,
  notifyProviderUsers,
  ownApplication,
  parseVersion,
  transition,
} from './application-records';
import {
  NEXT_STATE,
  newApplicationAllowed,
  OPEN_STATES,
  type ProviderAction,
  providerMay,
  signatureDateProblem,
} from './application-rules';
import { Evidence, type EvidenceKind } from './evidence.entity';

/* The provider's side of an application: start it, fill it in, add evidence, submit or withdraw it. */

export const MAX_EVIDENCE_BYTES = 10 * 1024 * 1024;

/** Whether the provider may start an application now, and of which kind. */
export async function applicationPossibility(
  manager: EntityManager,
  providerId: string,
  config: Config,
  now: Date,
) {
  const open = await manager.getRepository(Application).existsBy({ providerId, state: In([...OPEN_STATES]) });
  const status = await currentStatus(manager, providerId, now);
  const versions = (await loadCodeVersions(manager)).map(toCodeVersionFact);
  return newApplicationAllowed(status, open, now, config.renewalWindowDays, versions);
}

export async function startApplication(
  dataSource: DataSource,
  user: User,
  config: Config,
  now: Date,
): Promise<Application> {
  return dataSource.transaction(async (manager) => {
    // One open application per provider: the database's unique index settles a race.
    const answer = await applicationPossibility(manager, user.providerId!, config, now);
    if (!answer.allowed) throw new ConflictError(`application.notAllowed.${answer.reason}`);
    const application = manager.create(Application, {
      providerId: user.providerId!,
      kind: answer.kind,
      // The move to a newer code version starts on the version the account page named.
      codeOfConductVersionId: answer.codeSwitch?.newestVersionId ?? null,
      state: 'draft',
      createdBy: user.id,
      createdAt: now,
    });
    try {
      await manager.insert(Application, application);
    } catch (error) {
      if (isUniqueViolation(error, 'applications_one_open_per_provider')) {
        throw new ConflictError('application.notAllowed.open_application');
      }
      throw error;
    }
    await appendAuditEvent(manager, now, {
      actor: user.email,
      action: 'application.created',
      subjectType: 'application',
      subjectId: application.id,
      data: { providerId: application.providerId, kind: application.kind },
    });
    return application;
  });
}

/**
 * Refuses a code version that is not accepted now (not published yet, withdrawn, or lapsed), and a
 * signature dated before that version was published or after today.
 */
async function assertAcceptedSignature(
  manager: EntityManager,
  id: string | null,
  codeSignedOn: string | null,
  now: Date,
): Promise<void> {
  const versions = await loadCodeVersions(manager);
  const facts = versions.map(toCodeVersionFact);
  const version = versions.find((v) => v.id === id);
  if (!version || !codeVersionAcceptedAt(toCodeVersionFact(version), facts, now)) {
    throw new ValidationError({ codeOfConductVersionId: ['validation.codeVersion'] });
  }
  const problem = codeSignedOn ? signatureDateProblem(codeSignedOn, version.publishedAt, now) : undefined;
  if (problem)
    throw new ValidationError({ codeSignedOn: [`validation.${problem}`] }, undefined, {
      label: version.label,
      published: version.publishedAt,
    });
}

export async function saveApplication(
  dataSource: DataSource,
  user: User,
  id: string,
  dto: ApplicationDto,
  versionRaw: string,
  now: Date,
): Promise<Application> {
  return dataSource.transaction(async (manager) => {
    const application = await ownApplication(manager, user, id);
    assertProviderMay(application, 'save');
    await assertAcceptedSignature(manager, dto.codeOfConductVersionId, dto.codeSignedOn, now);
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
    await appendAuditEvent(manager, now, {
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
  now: Date,
): Promise<Evidence> {
  if (input.content.length === 0) throw new ValidationError({ file: ['validation.fileRequired'] });
  if (input.content.length > MAX_EVIDENCE_BYTES)
    throw new ValidationError({ file: ['validation.fileTooLarge'] });
  if (!looksLikePdf(input.content)) throw new ValidationError({ file: ['validation.notPdf'] });
  return dataSource.transaction(async (manager) => {
    const application = await ownApplication(manager, user, id);
    assertProviderMay(application, 'upload');
    // One upload at a time per application, so two at once cannot both slip under the caps.
    await lockApplication(manager, application.id);
    const { evidenceMaxFiles, evidenceMaxTotalMb } = await readSettings(manager, config);
    const held = await evidenceHeld(manager, application.id);
    if (held.files >= evidenceMaxFiles)
      throw new ValidationError({ file: ['evidence.tooManyFiles'] }, undefined, { max: evidenceMaxFiles });
    if (held.bytes + input.content.length > evidenceMaxTotalMb * 1024 * 1024)
      throw new ValidationError({ file: ['evidence.tooMuchTotal'] }, undefined, { max: evidenceMaxTotalMb });
    const evidence = manager.create(Evidence, {
      applicationId: application.id,
      kind: input.kind,
      filename: evidenceFilename(input.filename),
      size: input.content.length,
      sha256: sha256Hex(input.content),
      content: input.content,
      uploadedBy: user.id,
      createdAt: now,
    });
    await manager.insert(Evidence, evidence);
    await appendAuditEvent(manager, now, {
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

/**
 * The evidence with its bytes, for the organisation's own users and for staff only. Every download
 * is an audit event (who saw which evidence), in the same transaction as the read: when the event
 * cannot be written, the file is not handed out. The provider's own users are recorded too: the
 * evidence may hold personal data (a signatory's name), and the question "who saw it" has to be
 * answerable whoever asked.
 */
export async function evidenceFile(
  dataSource: DataSource,
  user: User,
  applicationId: string,
  evidenceId: string,
  now: Date,
) {
  return dataSource.transaction(async (manager) => {
    const application =
      user.role === 'provider'
        ? await ownApplication(manager, user, applicationId)
        : await anyApplication(manager, applicationId);
    const evidence = /^[0-9a-f-]{36}$/i.test(evidenceId)
      ? await manager
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
    await appendAuditEvent(manager, now, {
      actor: user.email,
      action: 'evidence.downloaded',
      subjectType: 'evidence',
      subjectId: evidence.id,
      data: {
        applicationId: application.id,
        kind: evidence.kind,
        filename: evidence.filename,
        sha256: evidence.sha256,
      },
    });
    return evidence;
  });
}

/** Submits the application: complete, with the signed code and the AAN confirmation among its evidence. */
export async function submitApplication(
  dataSource: DataSource,
  user: User,
  id: string,
  versionRaw: string,
  config: Config,
  now: Date,
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
    // The version may have lapsed since the form was saved: the provider chooses a newer one first.
    await assertAcceptedSignature(manager, application.codeOfConductVersionId, application.codeSignedOn, now);

    await transition(manager, application, parseVersion(versionRaw), {
      state: 'submitted',
      submittedAt: now,
    });
    await addMessage(manager, application, 'submitted', user, now);
    await applicationStatusEvent(manager, application, user, now, { kind: 'application_submitted' });
    await appendAuditEvent(manager, now, {
      actor: user.email,
      action: 'application.submitted',
      subjectType: 'application',
      subjectId: id,
    });
    await mailSubmission(manager, application, config, now);
  });
}

/**
 * A receipt to the organisation's users; and, when the setting says each submission, a mail to
 * every reviewer but those of the organisation itself (the daily work mails the others).
 */
async function mailSubmission(manager: EntityManager, application: Application, config: Config, now: Date) {
  const settings = await readSettings(manager, config);
  const base = config.publicBaseUrl;
  await notifyProviderUsers(manager, application.providerId, (to, organisation) =>
    mailTexts.submissionReceipt(
      to,
      organisation,
      application.kind,
      now,
      `${base}${paths.application(application.id)}`,
      settings.contactEmail,
    ),
  );
  if (settings.reviewerNotification !== 'each') return;
  const provider = await manager.findOneByOrFail(Provider, { id: application.providerId });
  const line = {
    organisation: provider.legalName,
    kvkNumber: provider.kvkNumber,
    submittedAt: now,
    link: `${base}${paths.reviewApplication(application.id)}`,
  };
  await mailReviewers(
    manager,
    (to) => mailTexts.newSubmission(to, line, application.kind),
    application.providerId,
  );
}

export async function withdrawApplication(
  dataSource: DataSource,
  user: User,
  id: string,
  versionRaw: string,
  now: Date,
) {
  await dataSource.transaction(async (manager) => {
    const application = await ownApplication(manager, user, id);
    assertProviderMay(application, 'withdraw');
    const wasSubmitted = application.submittedAt !== null;
    await transition(manager, application, parseVersion(versionRaw), { state: NEXT_STATE.withdraw });
    await addMessage(manager, application, 'withdrawn', user, now);
    if (wasSubmitted) {
      await applicationStatusEvent(manager, application, user, now, { kind: 'application_withdrawn' });
    }
    await appendAuditEvent(manager, now, {
      actor: user.email,
      action: 'application.withdrawn',
      subjectType: 'application',
      subjectId: id,
    });
  });
}

/** The applications of one organisation, newest first. */
export async function providerApplications(
  dataSource: DataSource,
  providerId: string,
): Promise<Application[]> {
  return dataSource.getRepository(Application).find({ where: { providerId }, order: { createdAt: 'DESC' } });
}
