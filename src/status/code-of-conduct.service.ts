import { actorName } from '../audit/people.queries';
import type { EntityManager } from 'typeorm';
import { appendAuditEvent } from '../audit/audit.service';
import { isUniqueViolation } from '../database/availability';
import { mailProviderUsers } from '../mail/mail.service';
import { mailTexts } from '../mail/messages';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors';
import { isOneLine } from '../shared/forbidden-characters';
import { paths } from '../shared/paths';
import { isPeildatum, startOfLocalDay, toLocalDate } from '../shared/time';
import { sha256Hex } from '../shared/tokens';
import type { FieldErrors } from '../shared/validation';
import { CodeOfConductVersion } from './code-of-conduct-version.entity';
import { lockCodeVersions, providersWithReach, publishedBy } from './code-of-conduct.queries';
import {
  isVersionLabel,
  type LapseChange,
  lapsesAfterPublication,
  publicationProblems,
} from './code-version-rules';
import { markSnapshotsDueForVersions } from './status-snapshot.service';
import { statusesAt } from './status.service';
import { codeVersionLapsesAt, type CodeVersionFact, listingInForce } from './status-rules';
import { must } from '../shared/must';
import { loadCodeVersions, toCodeVersionFact } from './status-history';

export type NewCodeOfConductVersion = Pick<
  CodeOfConductVersion,
  'label' | 'title' | 'publishedAt' | 'transitionEndsAt'
> &
  Partial<Pick<CodeOfConductVersion, 'notifiedProviderIds' | 'unreachableProviderIds'>>;

/**
 * Stores a code-of-conduct version and records it in the audit log, in the caller's transaction.
 * No checks: the seeds and tests write history with it; administrators go through
 * `previewPublication` and `confirmPublication`, which hold to the publication rules.
 */
export async function publishCodeOfConductVersion(
  manager: EntityManager,
  input: NewCodeOfConductVersion,
  actor: string,
  now: Date,
): Promise<CodeOfConductVersion> {
  const before = (await loadCodeVersions(manager)).map(toCodeVersionFact);
  const version = await manager.save(manager.create(CodeOfConductVersion, input));
  await appendAuditEvent(manager, now, {
    actor,
    action: 'code_of_conduct.published',
    subjectType: 'code_of_conduct_version',
    subjectId: version.id,
    data: { ...input },
  });
  await markSnapshotsDueForVersions(manager, before, [...before, toCodeVersionFact(version)]);
  return version;
}

/** A new version as an administrator enters it: label, title and two dates (YYYY-MM-DD). */
export interface CodeVersionForm {
  versionLabel: string;
  versionTitle: string;
  publishedOn: string;
  transitionEndsOn: string;
}

/** A provider whose listing rests on an older version: the publication mails it, if anyone can be mailed. */
export interface AffectedProvider {
  id: string;
  kvkNumber: string;
  legalName: string;
  /** The signed version's label. */
  versionLabel: string;
  /** When the signed version lapses once this version is published: the date its mail names. */
  versionLapsesAt?: Date;
  /** `verantwoord`, or why not (a suspended provider is told too). */
  status: string;
  reachable: boolean;
}

/** What a publication would do, shown to the administrator before it happens. */
export interface PublicationPreview {
  form: CodeVersionForm;
  version: Pick<CodeOfConductVersion, 'label' | 'title' | 'publishedAt' | 'transitionEndsAt'>;
  /** The versions not lapsed yet, with their lapse before and after this publication. */
  lapses: LapseChange[];
  affected: AffectedProvider[];
  /** Fingerprint of what the preview showed: a confirmation of anything else is shown again. */
  digest: string;
}

/** The form's fields that are malformed on their own; the publication rules come after. */
function formErrors(form: CodeVersionForm, now: Date): FieldErrors {
  const errors: FieldErrors = {};
  if (!isVersionLabel(form.versionLabel)) errors.versionLabel = ['codeVersions.invalidLabel'];
  if (!form.versionTitle || form.versionTitle.length > 200) errors.versionTitle = ['validation.required'];
  else if (!isOneLine(form.versionTitle)) errors.versionTitle = ['validation.oneLine'];
  if (!isPeildatum(form.publishedOn)) errors.publishedOn = ['validation.date'];
  else if (form.publishedOn < toLocalDate(now)) errors.publishedOn = ['codeVersions.invalidPublished'];
  if (!isPeildatum(form.transitionEndsOn)) errors.transitionEndsOn = ['validation.date'];
  else if (isPeildatum(form.publishedOn) && form.transitionEndsOn <= form.publishedOn)
    errors.transitionEndsOn = ['codeVersions.invalidTransition'];
  return errors;
}

/**
 * What publishing the form's version at `now` would do, in the caller's transaction; a
 * ValidationError names what is wrong. A version published today counts from `now`; a later one
 * from the start of its day.
 */
export async function previewPublication(
  manager: EntityManager,
  form: CodeVersionForm,
  now: Date,
): Promise<PublicationPreview> {
  const errors = formErrors(form, now);
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  const version = {
    label: form.versionLabel,
    title: form.versionTitle,
    publishedAt: form.publishedOn === toLocalDate(now) ? now : startOfLocalDay(form.publishedOn),
    transitionEndsAt: startOfLocalDay(form.transitionEndsOn),
  };
  const versions = await loadCodeVersions(manager);
  const labelled = versions.map((v) => ({ ...toCodeVersionFact(v), label: v.label }));
  const problems = publicationProblems({ ...version, id: 'candidate' }, labelled);
  if (problems.length > 0) {
    throw new ValidationError(
      Object.fromEntries(problems.map((p) => [p.field, [p.key]])),
      undefined,
      Object.assign({}, ...problems.map((p) => p.params ?? {})) as Record<string, string | Date>,
    );
  }
  const lapses = lapsesAfterPublication({ ...version, id: 'candidate' }, labelled).filter(
    (c) => !c.before || c.before.getTime() > now.getTime(),
  );
  const affected = await affectedProviders(manager, versions, { ...version, id: 'candidate' }, now);
  // One fingerprint per part the preview showed, so a confirmation that comes too late can say what changed.
  const digest = [
    [form.versionLabel, form.versionTitle, form.publishedOn, form.transitionEndsOn],
    lapses.map((c) => [c.id, c.before?.toISOString(), c.after?.toISOString()]),
    affected.map((a) => [a.id, a.versionLabel, a.versionLapsesAt?.toISOString(), a.status]),
    affected.map((a) => [a.id, a.reachable]),
  ]
    .map((part) => sha256Hex(JSON.stringify(part)).slice(0, 16))
    .join('.');
  return { form, version, lapses, affected, digest };
}

/** The parts of a preview a fingerprint covers, in its order; the form is the administrator's own. */
const DIGEST_PARTS = ['form', 'lapses', 'providers', 'reach'] as const;
export type PreviewPart = (typeof DIGEST_PARTS)[number];

/** Which parts of the preview differ between two fingerprints (all, when one is not a fingerprint). */
export function changedParts(before: string, after: string): PreviewPart[] {
  const a = before.split('.');
  const b = after.split('.');
  return DIGEST_PARTS.filter((_, i) => a.length !== b.length || a[i] !== b[i]);
}

/** Every provider with a listing in force (suspended ones too): each rests on an older version than the new one. */
async function affectedProviders(
  manager: EntityManager,
  versions: readonly CodeOfConductVersion[],
  candidate: CodeVersionFact,
  now: Date,
): Promise<AffectedProvider[]> {
  const providers = await providersWithReach(manager);
  const statuses = await statusesAt(manager, [...providers.keys()], now);
  const labels = new Map(versions.map((v) => [v.id, v.label]));
  const after = [...versions.map(toCodeVersionFact), candidate];
  const affected: AffectedProvider[] = [];
  for (const [id, status] of statuses) {
    const listing = listingInForce(status);
    const provider = providers.get(id);
    if (!listing || !provider) continue;
    affected.push({
      ...provider,
      versionLabel: labels.get(listing.codeOfConductVersionId) ?? '?',
      versionLapsesAt: signedLapse(listing.codeOfConductVersionId, after),
      status: status.verantwoord ? 'verantwoord' : status.reason,
    });
  }
  return affected.sort((a, b) => a.legalName.localeCompare(b.legalName, 'nl') || a.id.localeCompare(b.id));
}

/** When the version with `id` lapses among `versions`; undefined for a version not among them. */
function signedLapse(id: string, versions: readonly CodeVersionFact[]): Date | undefined {
  const signed = versions.find((v) => v.id === id);
  return signed && codeVersionLapsesAt(signed, versions);
}

export type PublicationResult =
  /** `again` when this administrator had just published this very version (a second click). */
  | { published: CodeOfConductVersion; again?: boolean }
  /** What the preview showed changed meanwhile: the new preview, to be confirmed again, and what changed. */
  | { changed: PublicationPreview; parts: PreviewPart[] };

/**
 * The version this administrator already published from exactly this form, if any: the
 * confirmation sent twice (a double click, a reload) finds it instead of "this version exists".
 */
async function alreadyPublished(
  manager: EntityManager,
  form: CodeVersionForm,
  actor: string,
): Promise<CodeOfConductVersion | undefined> {
  const same = (await loadCodeVersions(manager)).find(
    (v) =>
      v.label === form.versionLabel &&
      v.title === form.versionTitle &&
      toLocalDate(v.publishedAt) === form.publishedOn &&
      v.transitionEndsAt.getTime() === startOfLocalDay(form.transitionEndsOn).getTime(),
  );
  return same && (await publishedBy(manager, same.id)) === actor ? same : undefined;
}

/**
 * Publishes the version the administrator saw in the preview with fingerprint `digest`, in the
 * caller's transaction: stores it with its audit event (naming whom it mailed and whom it could
 * not reach) and mails every reachable provider on an older version, in the same change. When
 * anything the preview showed has changed, publishes nothing and answers the new preview.
 */
export async function confirmPublication(
  manager: EntityManager,
  input: CodeVersionForm & { digest: string; actor: string; accountUrl: string },
  now: Date,
): Promise<PublicationResult> {
  await lockCodeVersions(manager);
  if (isPeildatum(input.publishedOn) && isPeildatum(input.transitionEndsOn)) {
    const again = await alreadyPublished(manager, input, input.actor);
    if (again) return { published: again, again: true };
  }
  const preview = await previewPublication(manager, input, now);
  if (preview.digest !== input.digest)
    return { changed: preview, parts: changedParts(input.digest, preview.digest) };
  const notified = preview.affected.filter((a) => a.reachable);
  let version: CodeOfConductVersion;
  try {
    version = await publishCodeOfConductVersion(
      manager,
      {
        ...preview.version,
        notifiedProviderIds: notified.map((a) => a.id),
        unreachableProviderIds: preview.affected.filter((a) => !a.reachable).map((a) => a.id),
      },
      input.actor,
      now,
    );
  } catch (error) {
    if (isUniqueViolation(error, 'code_of_conduct_versions_label_key'))
      throw new ValidationError({ versionLabel: ['codeVersions.labelTaken'] });
    throw error;
  }
  for (const provider of notified) {
    // Every provider on an older version has a lapse once this version exists; the mail names its own.
    const lapsesAt = must(provider.versionLapsesAt, `the lapse of ${provider.versionLabel}`);
    await mailProviderUsers(manager, provider.id, (to) =>
      mailTexts.newCodeVersion(
        to,
        provider.legalName,
        { ...version, announced: version.publishedAt.getTime() > now.getTime() },
        { label: provider.versionLabel, lapsesAt, lapsed: lapsesAt.getTime() <= now.getTime() },
        input.accountUrl,
      ),
    );
  }
  return { published: version };
}

/**
 * Withdraws a version before its publication instant, in the caller's transaction: from then on
 * it counts for nothing (older versions lapse as if it had never been announced), its audit event
 * is written, and the providers its publication mailed hear that it was withdrawn.
 */
export async function withdrawCodeVersion(
  manager: EntityManager,
  input: { id: string; actor: string; accountUrl: string },
  now: Date,
): Promise<CodeOfConductVersion> {
  await lockCodeVersions(manager);
  const version = await codeVersionById(manager, input.id);
  const backTo = paths.codeVersion(version.id);
  if (version.withdrawnAt) {
    // Sent twice, or by two administrators: say when and by whom, not that "someone else" changed it.
    const byYou = version.withdrawnBy === input.actor;
    throw new ConflictError(byYou ? 'codeVersions.alreadyWithdrawnByYou' : 'codeVersions.alreadyWithdrawn', {
      params: {
        when: version.withdrawnAt,
        who: version.withdrawnBy ? await actorName(manager, version.withdrawnBy) : '',
      },
      backTo,
    });
  }
  if (now.getTime() >= version.publishedAt.getTime())
    throw new ConflictError('codeVersions.withdrawTooLate', { backTo, kind: 'notNow' });
  const before = (await loadCodeVersions(manager)).map(toCodeVersionFact);
  await manager.update(
    CodeOfConductVersion,
    { id: version.id },
    { withdrawnAt: now, withdrawnBy: input.actor },
  );
  Object.assign(version, { withdrawnAt: now, withdrawnBy: input.actor });
  const providers = await providersWithReach(manager, version.notifiedProviderIds);
  const mailed: string[] = [];
  for (const provider of providers.values()) {
    const count = await mailProviderUsers(manager, provider.id, (to) =>
      mailTexts.codeVersionWithdrawn(to, provider.legalName, version.label, input.accountUrl),
    );
    if (count > 0) mailed.push(provider.id);
  }
  await appendAuditEvent(manager, now, {
    actor: input.actor,
    action: 'code_of_conduct.withdrawn',
    subjectType: 'code_of_conduct_version',
    subjectId: version.id,
    data: { label: version.label, publishedAt: version.publishedAt, mailedProviderIds: mailed },
  });
  await markSnapshotsDueForVersions(
    manager,
    before,
    before.filter((v) => v.id !== version.id),
  );
  return version;
}

/** Every version, withdrawn ones too, oldest first: the administrators' list shows them all. */
export async function allCodeVersions(manager: EntityManager): Promise<CodeOfConductVersion[]> {
  return manager.find(CodeOfConductVersion, { order: { publishedAt: 'ASC', label: 'ASC' } });
}

/** A version by id, withdrawn or not; 404 for anything else. */
export async function codeVersionById(manager: EntityManager, id: string): Promise<CodeOfConductVersion> {
  const version = /^[0-9a-f-]{36}$/i.test(id) ? await manager.findOneBy(CodeOfConductVersion, { id }) : null;
  if (!version) throw new NotFoundError(`code version ${id}`);
  return version;
}
