import { actorOf } from '../audit/actor';
import type { DataSource, EntityManager } from 'typeorm';
import { In } from 'typeorm';
import type { Config } from '../config';
import { isUniqueViolation } from '../database/availability';
import type { User } from '../identity/user.entity';
import { appendAuditEvent } from '../audit/audit.service';
import { readSettings } from '../settings/settings.service';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors';
import { evidenceFilename } from '../shared/file-names';
import { mailReviewers } from '../mail/mail.service';
import { mailTexts } from '../mail/messages';
import { Provider } from '../provider/provider.entity';
import { paths } from '../shared/paths';
import { looksLikePdf } from '../shared/pdf';
import { sha256Hex } from '../shared/tokens';
import { loadCodeVersions, toCodeVersionFact } from '../status/status-history';
import { codeVersionAcceptedAt } from '../status/status-rules';
import { validated } from '../shared/validation';
import { APPLICATION_FIELDS, ApplicationDto } from './application.dto';
import { Application } from './application.entity';
import {
  evidenceDeletedBefore,
  evidenceHeld,
  lockApplication,
  submissionsWithFirstDecision,
} from './application.queries';
import { addMonths } from '../shared/time';
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
  evidenceDeletable,
  submissionProblems,
  typicalReviewDays,
  workingDaysBetween,
} from './application-rules';
import { Evidence, type EvidenceKind } from './evidence.entity';

/* The provider's side of an application: start it, fill it in, add evidence, submit or withdraw it. */

type DetailField = (typeof APPLICATION_FIELDS)[number];

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
    if (!answer.allowed)
      throw new ConflictError(`application.notAllowed.${answer.reason}`, { kind: 'notNow' });
    const application = manager.create(Application, {
      ...(await detailsOfLastApplication(manager, user.providerId!, now)),
      // The move to a newer code version starts on the version the account page named, signed anew.
      ...(answer.codeSwitch
        ? { codeOfConductVersionId: answer.codeSwitch.newestVersionId, codeSignedOn: null }
        : {}),
      providerId: user.providerId!,
      kind: answer.kind,
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
      actor: actorOf(user),
      action: 'application.created',
      subjectType: 'application',
      subjectId: application.id,
      data: {
        providerId: application.providerId,
        kind: application.kind,
        startedFrom: application.startedFrom ?? null,
      },
    });
    return application;
  });
}

/**
 * A new application starts from the details of the organisation's last one (after a rejection, a
 * revocation, a withdrawal or for a renewal), so nobody types them all again. The signature comes
 * along only while the version signed is still accepted: a signature of a lapsed version is no
 * answer to the new application.
 */
async function detailsOfLastApplication(
  manager: EntityManager,
  providerId: string,
  now: Date,
): Promise<Partial<Application>> {
  const last = await manager.findOne(Application, {
    where: { providerId },
    order: { createdAt: 'DESC', id: 'DESC' },
  });
  if (!last) return {};
  const versions = (await loadCodeVersions(manager)).map(toCodeVersionFact);
  const version = versions.find((v) => v.id === last.codeOfConductVersionId);
  const signatureHolds = version !== undefined && codeVersionAcceptedAt(version, versions, now);
  const typed = last.typedDetails ?? {};
  const pick = <K extends keyof Application>(field: K) =>
    (last[field] ?? (typed[field] || null)) as Application[K];
  return {
    startedFrom: last.id,
    codeOfConductVersionId: signatureHolds ? last.codeOfConductVersionId : null,
    codeSignedOn: signatureHolds ? last.codeSignedOn : null,
    signatoryName: pick('signatoryName'),
    signatoryRole: pick('signatoryRole'),
    aanSince: last.aanSince,
    aanContactName: pick('aanContactName'),
    aanContactEmail: pick('aanContactEmail'),
  };
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
    // What was typed is now what is stored: nothing kept aside any more.
    await transition(manager, application, parseVersion(versionRaw), { ...changes, typedDetails: null });
    // Who signed and who the AAN contact is are people: their names and address stay beside the log.
    const { signatoryName, aanContactName, aanContactEmail, ...facts } = changes;
    await appendAuditEvent(manager, now, {
      actor: actorOf(user),
      action: 'application.saved',
      subjectType: 'application',
      subjectId: application.id,
      data: facts,
      personal: { signatoryName, aanContactName, aanContactEmail },
    });
    return application;
  });
}

/** The details as the page shows them: what was typed and kept, else what is stored. */
export function shownDetails(application: Application): Record<DetailField, string> {
  const stored = Object.fromEntries(
    APPLICATION_FIELDS.map((f) => [f, String(application[f] ?? '')]),
  ) as Record<DetailField, string>;
  return application.typedDetails ? { ...stored, ...application.typedDetails } : stored;
}

/** Whether the stored details are complete and are what the provider last typed. */
export function detailsComplete(application: Application): boolean {
  return application.typedDetails === null && APPLICATION_FIELDS.every((f) => application[f] !== null);
}

/**
 * What is wrong with typed details, as the save would say it; undefined when they can be saved.
 * A draft names only what is wrong with what was typed: a field left empty is not yet an error.
 */
export async function detailsProblems(
  manager: EntityManager,
  values: Record<string, string>,
  now: Date,
  draft = false,
): Promise<ValidationError | undefined> {
  try {
    const dto = await validated(ApplicationDto, values, { now });
    await assertAcceptedSignature(manager, dto.codeOfConductVersionId, dto.codeSignedOn, now);
    return undefined;
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    if (!draft) return error;
    const typed = Object.entries(error.fields).filter(([field]) => (values[field] ?? '') !== '');
    return typed.length > 0
      ? new ValidationError(Object.fromEntries(typed), undefined, error.params)
      : undefined;
  }
}

/**
 * Keeps the details the provider typed, whatever else the page was asked to do: stored in the
 * application's fields when they pass, else kept as typed (with the stored fields untouched) so
 * the page shows them again with their errors. Nothing happens when nothing changed, or when the
 * application can no longer be changed (the action asked for refuses that itself). With
 * `keepInvalid` false (the save button) details that do not pass are not stored at all. Answers
 * what is wrong with the typed details, if anything.
 */
export async function keepTypedDetails(
  dataSource: DataSource,
  user: User,
  id: string,
  typed: Record<DetailField, string>,
  versionRaw: string,
  now: Date,
  keepInvalid = true,
): Promise<ValidationError | undefined> {
  const application = await ownApplication(dataSource.manager, user, id);
  if (!providerMay('save', application.state)) return undefined;
  const problems = await detailsProblems(dataSource.manager, typed, now);
  const shown = shownDetails(application);
  const unchanged = APPLICATION_FIELDS.every((f) => shown[f] === typed[f]);
  if (unchanged && (problems || application.typedDetails === null)) return problems;
  // Saving itself refuses what does not pass and stores nothing: the page shows it again as typed.
  if (problems && !keepInvalid) return problems;
  if (!problems) {
    await saveApplication(
      dataSource,
      user,
      id,
      await validated(ApplicationDto, typed, { now }),
      versionRaw,
      now,
    );
    return undefined;
  }
  await dataSource.transaction(async (manager) => {
    const current = await ownApplication(manager, user, id);
    assertProviderMay(current, 'save');
    await transition(manager, current, parseVersion(versionRaw), { typedDetails: { ...typed } });
    await appendAuditEvent(manager, now, {
      actor: actorOf(user),
      action: 'application.details_kept',
      subjectType: 'application',
      subjectId: id,
      data: { fields: Object.keys(problems.fields) },
    });
  });
  return problems;
}

function assertProviderMay(application: Application, action: ProviderAction): void {
  if (!providerMay(action, application.state))
    throw new ConflictError(`application.notInState.${action}`, { kind: 'notNow' });
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
      actor: actorOf(user),
      action: 'evidence.uploaded',
      subjectType: 'application',
      subjectId: application.id,
      data: evidenceRecord(evidence),
    });
    return evidence;
  });
}

/** What the audit log keeps of a file added or deleted: which one, and its fingerprint. */
function evidenceRecord(evidence: Evidence) {
  const { id: evidenceId, kind, filename, size, sha256 } = evidence;
  return { evidenceId, kind, filename, size, sha256 };
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
      actor: actorOf(user),
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
    const kinds = (await manager.findBy(Evidence, { applicationId: id })).map((e) => e.kind);
    const missing = submissionProblems(detailsComplete(application), kinds);
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
      actor: actorOf(user),
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
      actor: actorOf(user),
      action: 'application.withdrawn',
      subjectType: 'application',
      subjectId: id,
    });
  });
}

/**
 * Deletes a piece of evidence the provider added and no reviewer was sent yet: its bytes go, the
 * audit event keeps its name, kind, size and hash. Evidence of this application that was deleted
 * already (the button pressed twice, the back button) answers `already_deleted` and changes
 * nothing. Another organisation's application or evidence never of this application: 404.
 */
export async function deleteEvidence(
  dataSource: DataSource,
  user: User,
  id: string,
  evidenceId: string,
  now: Date,
): Promise<'deleted' | 'already_deleted'> {
  return dataSource.transaction(async (manager) => {
    const application = await ownApplication(manager, user, id);
    await lockApplication(manager, application.id);
    const wellFormed = /^[0-9a-f-]{36}$/i.test(evidenceId);
    const evidence = wellFormed
      ? await manager.findOneBy(Evidence, { id: evidenceId, applicationId: application.id })
      : null;
    if (!evidence) {
      if (wellFormed && (await evidenceDeletedBefore(manager, application.id, evidenceId.toLowerCase())))
        return 'already_deleted';
      throw new NotFoundError(`evidence ${evidenceId}`);
    }
    if (!evidenceDeletable(application.state, evidence.createdAt, application.submittedAt))
      throw new ConflictError('application.notInState.delete_evidence', { kind: 'notNow' });
    await manager.delete(Evidence, { id: evidence.id });
    await appendAuditEvent(manager, now, {
      actor: actorOf(user),
      action: 'evidence.deleted',
      subjectType: 'application',
      subjectId: application.id,
      data: evidenceRecord(evidence),
    });
    return 'deleted';
  });
}

export const MAX_REPLY_LENGTH = 5000;

/** The provider's message to the reviewer, in the application's conversation; the reviewer is told by mail. */
export async function replyToReviewer(
  dataSource: DataSource,
  user: User,
  id: string,
  body: string,
  config: Config,
  now: Date,
): Promise<void> {
  if (body === '') throw new ValidationError({ reply: ['validation.required'] });
  if (body.length > MAX_REPLY_LENGTH) throw new ValidationError({ reply: ['validation.tooLong'] });
  await dataSource.transaction(async (manager) => {
    const application = await ownApplication(manager, user, id);
    assertProviderMay(application, 'reply');
    await addMessage(manager, application, 'provider_reply', user, now, body);
    await appendAuditEvent(manager, now, {
      actor: actorOf(user),
      action: 'application.replied',
      subjectType: 'application',
      subjectId: id,
      data: { length: body.length },
    });
    await mailReply(manager, application, config, now);
  });
}

/**
 * A provider's message waits for an answer: the reviewer who handles the application hears of it
 * at once, or every reviewer (but the organisation's own) while nobody does. Always at once, also
 * when reviewers hear of submissions daily: a question holds the provider up until it is answered.
 */
async function mailReply(manager: EntityManager, application: Application, config: Config, now: Date) {
  const provider = await manager.findOneByOrFail(Provider, { id: application.providerId });
  const line = {
    organisation: provider.legalName,
    kvkNumber: provider.kvkNumber,
    sentAt: now,
    link: `${config.publicBaseUrl}${paths.reviewApplication(application.id)}#messages-heading`,
  };
  await mailReviewers(
    manager,
    (to) => mailTexts.providerReply(to, line),
    application.providerId,
    application.reviewerId,
  );
}

/** The applications of one organisation, newest first. */
export async function providerApplications(
  dataSource: DataSource,
  providerId: string,
): Promise<Application[]> {
  return dataSource.getRepository(Application).find({ where: { providerId }, order: { createdAt: 'DESC' } });
}

/** The period "how long review usually takes" is measured over. */
export const REVIEW_TIME_MONTHS = 12;

/**
 * How long review usually takes, measured: the median working days from submission to first
 * decision over the last REVIEW_TIME_MONTHS months, and how many decisions that rests on;
 * `workingDays` undefined when there are too few to say.
 */
export async function typicalReviewTime(manager: EntityManager, now: Date) {
  const waits = (await submissionsWithFirstDecision(manager, addMonths(now, -REVIEW_TIME_MONTHS))).map((s) =>
    workingDaysBetween(s.submittedAt, s.decidedAt),
  );
  const workingDays = typicalReviewDays(waits);
  return {
    known: workingDays !== undefined,
    workingDays,
    decisions: waits.length,
    months: REVIEW_TIME_MONTHS,
  };
}
