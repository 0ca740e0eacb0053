import type { EntityManager } from 'typeorm';
import { appendAuditEvent } from '../audit/audit.service';
import { mailProviderUsers } from '../mail/mail.service';
import { mailTexts } from '../mail/messages';
import { ValidationError } from '../shared/errors';
import { isPeildatum, startOfLocalDay, toLocalDate } from '../shared/time';
import type { FieldErrors } from '../shared/validation';
import { CodeOfConductVersion } from './code-of-conduct-version.entity';
import { providerNames } from './code-of-conduct.queries';
import { markAllSnapshotsDue } from './status-snapshot.service';
import { statusesAt } from './status.service';
import { loadCodeVersions } from './status-history';

export type NewCodeOfConductVersion = Pick<
  CodeOfConductVersion,
  'label' | 'title' | 'publishedAt' | 'transitionEndsAt'
>;

/** Publishes a code-of-conduct version and records it in the audit log, in the caller's transaction. */
export async function publishCodeOfConductVersion(
  manager: EntityManager,
  input: NewCodeOfConductVersion,
  actor: string,
  now: Date,
): Promise<CodeOfConductVersion> {
  const version = await manager.save(manager.create(CodeOfConductVersion, input));
  await appendAuditEvent(manager, now, {
    actor,
    action: 'code_of_conduct.published',
    subjectType: 'code_of_conduct_version',
    subjectId: version.id,
    data: { ...input },
  });
  await markAllSnapshotsDue(manager);
  return version;
}

/** A new version as an administrator enters it: label, title and two dates (YYYY-MM-DD). */
export interface CodeVersionForm {
  versionLabel: string;
  versionTitle: string;
  publishedOn: string;
  transitionEndsOn: string;
}

/** The fields of the form that are wrong, with why; none when the version may be published. */
function codeVersionErrors(
  form: CodeVersionForm,
  versions: readonly CodeOfConductVersion[],
  now: Date,
): FieldErrors {
  const errors: FieldErrors = {};
  if (!/^[0-9A-Za-z.-]{1,20}$/.test(form.versionLabel)) errors.versionLabel = ['codeVersions.invalidLabel'];
  if (!form.versionTitle || form.versionTitle.length > 200) errors.versionTitle = ['validation.required'];
  if (!isPeildatum(form.publishedOn) || form.publishedOn < toLocalDate(now))
    errors.publishedOn = ['codeVersions.invalidPublished'];
  if (!isPeildatum(form.transitionEndsOn) || form.transitionEndsOn <= form.publishedOn)
    errors.transitionEndsOn = ['codeVersions.invalidTransition'];
  if (versions.some((v) => v.label === form.versionLabel)) errors.versionLabel = ['codeVersions.labelTaken'];
  const latest = versions.at(-1);
  if (!errors.publishedOn && latest && startOfLocalDay(form.publishedOn) <= latest.publishedAt)
    errors.publishedOn = ['codeVersions.notNewest'];
  return errors;
}

/**
 * Publishes a new code-of-conduct version from the administrators' form, in the caller's
 * transaction: checks it (ValidationError names what is wrong), stores it with its audit event, and
 * mails everyone whose listing rests on an older version, so that they hear it in the same change.
 * A version published today counts from `now`; a later one from the start of its day.
 */
export async function publishCodeVersion(
  manager: EntityManager,
  input: CodeVersionForm & { actor: string; accountUrl: string },
  now: Date,
): Promise<CodeOfConductVersion> {
  const errors = codeVersionErrors(input, await loadCodeVersions(manager), now);
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);

  const version = await publishCodeOfConductVersion(
    manager,
    {
      label: input.versionLabel,
      title: input.versionTitle,
      publishedAt: input.publishedOn === toLocalDate(now) ? now : startOfLocalDay(input.publishedOn),
      transitionEndsAt: startOfLocalDay(input.transitionEndsOn),
    },
    input.actor,
    now,
  );
  const names = await providerNames(manager);
  const statuses = await statusesAt(manager, [...names.keys()], now);
  for (const [providerId, status] of statuses) {
    const listing = status.verantwoord ? status.listing : undefined;
    if (!listing || listing.codeOfConductVersionId === version.id) continue;
    const organisation = names.get(providerId) ?? '';
    await mailProviderUsers(manager, providerId, (to) =>
      mailTexts.newCodeVersion(to, organisation, version.label, version.transitionEndsAt, input.accountUrl),
    );
  }
  return version;
}
