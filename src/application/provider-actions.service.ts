import { actorName } from '../audit/people.queries';
import { actorOf } from '../audit/actor';
import type { DataSource, EntityManager } from 'typeorm';
import type { User } from '../identity/user.entity';
import type { Config } from '../config';
import { mailTexts } from '../mail/messages';
import { Provider } from '../provider/provider.entity';
import { type AttestationAnswer, providerAttestationAnswers } from '../attestation/attestation.service';
import { confirmIdentity, providerDetail } from '../register/provider.service';
import { checkedExtract, type ExtractUpload, storeExtract } from '../identity/kvk-extract';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../shared/errors';
import { paths } from '../shared/paths';
import { parseLocalDate, startOfLocalDay, toLocalDate } from '../shared/time';
import { readSettings } from '../settings/settings.service';
import type { StatusAt } from '../status/status-rules';
import { type NewStatusEvent, recordStatusEvent, statusIfRecorded } from '../status/status.service';
import {
  currentStatus,
  latestStatusEvent,
  notifyProviderUsers,
  providerMailRecipients,
  statusBasis,
} from './application-records';
import { type ProviderStatusAction, providerStatusActions } from './application-rules';

/* A reviewer's actions on a provider rather than on one application: its listing's status and its identity. */

/** Why a status action is refused: the provider's status does not allow it. */
const CANNOT: Record<ProviderStatusAction, string> = {
  suspend: 'review.cannotSuspend',
  lift: 'review.cannotLift',
  revoke: 'review.cannotRevoke',
};

/** A status action as the reviewer asks it: the action, its reason (public) and a suspension's end. */
export interface ProviderActionInput {
  action: ProviderStatusAction;
  reason: string;
  until: string;
  /** The status the confirmation page previewed (`statusBasis`); absent when nothing was previewed. */
  basis?: string;
}

const EVENT_KIND = { suspend: 'suspended', lift: 'suspension_lifted', revoke: 'revoked' } as const;

/**
 * The refusal of a status action the provider's status no longer allows. When it is the action
 * already taken (the form sent twice, a second tab), it says so: since when and by whom.
 */
async function providerActionConflict(
  manager: EntityManager,
  provider: Provider,
  action: ProviderStatusAction,
): Promise<ConflictError> {
  const backTo = paths.reviewProvider(provider.kvkNumber);
  const newest = await latestStatusEvent(manager, provider.id);
  if (newest?.kind === EVENT_KIND[action])
    return new ConflictError(`review.alreadyProvider.${action}`, {
      params: { who: await actorName(manager, newest.actor), since: newest.effectiveAt },
      backTo,
    });
  return new ConflictError(CANNOT[action], { backTo, kind: 'notNow' });
}

/**
 * The checks a status action passes (never the reviewer's own organisation, a reason where one is
 * required, an end date in the future, an action the provider's status allows) and the status
 * event it records, effective now.
 */
async function checkedProviderAction(
  manager: EntityManager,
  reviewer: User,
  provider: Provider,
  input: ProviderActionInput,
  now: Date,
): Promise<NewStatusEvent> {
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
  if (!providerStatusActions(status).includes(input.action))
    throw await providerActionConflict(manager, provider, input.action);
  return {
    providerId: provider.id,
    kind: EVENT_KIND[input.action],
    effectiveAt: now,
    actor: actorOf(reviewer),
    reason: reason || null,
    suspendedUntil,
  };
}

async function providerByKvk(manager: EntityManager, kvkNumber: string, lock: boolean): Promise<Provider> {
  const query = manager
    .getRepository(Provider)
    .createQueryBuilder('p')
    .where('p.kvk_number = :kvkNumber', { kvkNumber });
  const provider = await (lock ? query.setLock('pessimistic_write') : query).getOne();
  if (!provider) throw new NotFoundError(`provider ${kvkNumber}`);
  return provider;
}

/** What a status action will do, shown to the reviewer to confirm before anything is recorded. */
export interface ProviderActionPreview {
  provider: Provider;
  /** The status change it records: exactly what the public history will show. */
  statusEvent: NewStatusEvent;
  statusBefore: StatusAt;
  statusAfter: StatusAt;
  /** A recorded end of AAN participation still to come, as the public page shows it afterwards. */
  aanEndsAfter?: Date;
  mailRecipients: string[];
  /** The attestations valid now, which the action makes suspended or revoked. */
  affectedAttestations: AttestationAnswer[];
  /** What the preview was based on; the confirmation carries it back (`ProviderActionInput.basis`). */
  basis: string;
}

/** A status action's preview: the same checks as `actOnProvider`, and what it would record. Records nothing. */
export async function previewProviderAction(
  dataSource: DataSource,
  reviewer: User,
  kvkNumber: string,
  input: ProviderActionInput,
  now: Date,
): Promise<ProviderActionPreview> {
  const manager = dataSource.manager;
  const provider = await providerByKvk(manager, kvkNumber, false);
  // Read before the checks, so a change after them makes the confirmation stale rather than unseen.
  const basis = await statusBasis(manager, provider.id);
  const statusEvent = await checkedProviderAction(manager, reviewer, provider, input, now);
  const { before, after, aanEndsAfter } = await statusIfRecorded(manager, statusEvent, now);
  const detail = await providerDetail(dataSource, kvkNumber, now, { unconfirmed: true });
  return {
    provider,
    statusEvent,
    statusBefore: before,
    statusAfter: after,
    aanEndsAfter,
    mailRecipients: await providerMailRecipients(manager, provider.id),
    affectedAttestations:
      statusEvent.kind === 'suspension_lifted'
        ? []
        : providerAttestationAnswers(detail, now).filter((a) => a.status.state === 'valid'),
    basis,
  };
}

/** Suspend (with reason and optional end date), lift a suspension, or revoke (with reason). */
export async function actOnProvider(
  dataSource: DataSource,
  reviewer: User,
  kvkNumber: string,
  input: ProviderActionInput,
  config: Config,
  now: Date,
): Promise<void> {
  await dataSource.transaction(async (manager) => {
    // Serialise actions on one provider, so two reviewers cannot both suspend or both lift.
    const provider = await providerByKvk(manager, kvkNumber, true);
    const statusEvent = await checkedProviderAction(manager, reviewer, provider, input, now);
    // The status changed since the confirmation page previewed it: what was confirmed is not what happens.
    if (input.basis !== undefined && input.basis !== (await statusBasis(manager, provider.id)))
      throw new ConflictError('review.confirm.statusChangedMeanwhile', {
        backTo: paths.reviewProvider(kvkNumber),
      });
    await recordStatusEvent(manager, statusEvent, now);
    const { contactEmail } = await readSettings(manager, config);
    await notifyProviderUsers(manager, provider.id, (to, organisation) =>
      mailTexts.statusChange(
        to,
        organisation,
        input.action,
        statusEvent.reason ?? null,
        `${config.publicBaseUrl}${paths.provider(kvkNumber)}`,
        { until: statusEvent.suspendedUntil ?? null, contact: contactEmail },
      ),
    );
  });
}

/**
 * A reviewer confirms who an organisation is, having checked an extract from the Business Register
 * (issue 17): the extract is kept as evidence of the provider and its SHA-256 goes in the audit
 * event; the organisation becomes public. Never for the reviewer's own organisation; confirming
 * twice is a conflict.
 */
export async function confirmProviderIdentity(
  dataSource: DataSource,
  reviewer: User,
  kvkNumber: string,
  upload: ExtractUpload | undefined,
  now: Date,
): Promise<void> {
  await dataSource.transaction(async (manager) => {
    const provider = await manager.findOneBy(Provider, { kvkNumber });
    if (!provider) throw new NotFoundError(`provider ${kvkNumber}`);
    if (reviewer.providerId === provider.id) throw new ForbiddenError('review.ownOrganisation');
    if (provider.identityConfirmedAt) throw new ConflictError('review.identityAlreadyConfirmed');
    const extract = checkedExtract(upload, 'extract');
    const actor = actorOf(reviewer);
    const extractId = await storeExtract(manager, { providerId: provider.id }, extract, actor, now);
    const data = { kvkNumber, extractId, extractSha256: extract.file.sha256 };
    if (!(await confirmIdentity(manager, provider.id, actor, data, now, 'kvk_extract')))
      throw new ConflictError('review.identityAlreadyConfirmed');
  });
}
