import type { DataSource, EntityManager } from 'typeorm';
import { appendAuditEvent } from '../audit/audit.service';
import type { AttestationSummary } from './provider.queries';
import { refreshStatusSnapshots } from '../status/status-snapshot.service';
import { NotFoundError } from '../shared/errors';
import type { CodeOfConductVersion } from '../status/code-of-conduct-version.entity';
import type { StatusEvent } from '../status/status-event.entity';
import { codeVersionFromJson, statusEventFromJson } from '../status/status-history.queries';
import type { StatusAt } from '../status/status-rules';
import { toCodeVersionFact, toStatusFact } from '../status/status-history';
import { plannedAanEnd, statusAt } from '../status/status-rules';
import { isKvkNumber } from '../shared/identifiers';
import { endOfLocalDay, startOfLocalDay } from '../shared/time';
import { Provider } from '../provider/provider.entity';
import {
  attestationSummaryFromJson,
  type ProviderDetailRow,
  providerDetailRowById,
  providerDetailRowByKvk,
  providerFromJson,
} from './provider.queries';

export type NewProvider = Pick<
  Provider,
  'kvkNumber' | 'legalName' | 'streetAddress' | 'postcode' | 'city' | 'abuseEmail'
> &
  Partial<Pick<Provider, 'tradeNames' | 'vatNumber' | 'website' | 'asNumbers'>>;

/** Registers a provider and records it in the audit log, in the caller's transaction. */
export async function createProvider(
  manager: EntityManager,
  input: NewProvider,
  actor: string,
  now: Date,
): Promise<Provider> {
  const provider = await manager.save(manager.create(Provider, { ...input, createdAt: now }));
  await refreshStatusSnapshots(manager, [provider.id], now);
  await appendAuditEvent(manager, now, {
    actor,
    action: 'provider.created',
    subjectType: 'provider',
    subjectId: provider.id,
    data: { ...input },
  });
  return provider;
}

/**
 * Records that a reviewer has confirmed who this provider is, in the caller's transaction; from
 * then on it appears in public outputs. A provider already confirmed stays as it was (answers false).
 */
export async function confirmIdentity(
  manager: EntityManager,
  providerId: string,
  actor: string,
  data: Record<string, unknown>,
  now: Date,
): Promise<boolean> {
  const result = await manager
    .createQueryBuilder()
    .update(Provider)
    .set({ identityConfirmedAt: now, identityConfirmedBy: actor })
    .where('id = :providerId AND identity_confirmed_at IS NULL', { providerId })
    .execute();
  if (!result.affected) return false;
  await appendAuditEvent(manager, now, {
    actor,
    action: 'provider.identity_confirmed',
    subjectType: 'provider',
    subjectId: providerId,
    data,
  });
  return true;
}

export interface ProviderDetail {
  provider: Provider;
  status: StatusAt;
  /** Newest first, as people read a history. */
  history: StatusEvent[];
  codeVersions: CodeOfConductVersion[];
  /** Newest first; without their PDF and data. */
  attestations: AttestationSummary[];
  /** A recorded end of AAN participation still to come (a list's future `deelname_tot`). */
  aanEndsAt?: Date;
}

function toDetail(row: ProviderDetailRow, now: Date): ProviderDetail {
  const history = row.events.map(statusEventFromJson);
  const codeVersions = row.versions.map(codeVersionFromJson);
  const facts = history.map(toStatusFact);
  const status = statusAt(facts, codeVersions.map(toCodeVersionFact), now);
  return {
    aanEndsAt: status.listing ? plannedAanEnd(facts, status.listing, now) : undefined,
    provider: providerFromJson(row.provider),
    status,
    history: [...history].reverse(),
    codeVersions,
    attestations: row.attestations.map(attestationSummaryFromJson),
  };
}

/**
 * A provider by KvK number with its status at `now` and its whole status history. Public pages see
 * only providers whose identity a reviewer has confirmed (any other number is unknown to them);
 * staff pass `unconfirmed: true`.
 */
export async function providerDetail(
  dataSource: DataSource,
  kvkNumber: string,
  now: Date,
  options: { unconfirmed?: boolean } = {},
): Promise<ProviderDetail> {
  const row = isKvkNumber(kvkNumber)
    ? await providerDetailRowByKvk(dataSource, kvkNumber, !options.unconfirmed)
    : undefined;
  if (!row) throw new NotFoundError(`no provider with KvK number ${kvkNumber}`);
  return toDetail(row, now);
}

/** The same, by the provider's id. */
export async function providerDetailById(
  dataSource: DataSource,
  id: string,
  now: Date,
): Promise<ProviderDetail> {
  const row = await providerDetailRowById(dataSource, id);
  if (!row) throw new NotFoundError(`no provider ${id}`);
  return toDetail(row, now);
}

export type DateAnswer =
  | {
      kind: 'answer';
      date: string;
      at: Date;
      status: StatusAt;
      changedThatDay: boolean;
      beforeHistory: boolean;
    }
  | { kind: 'future'; date: string };

/**
 * "Was X verantwoord on date D?" — the status at the end of that Dutch calendar day, by the same
 * rules over the recorded history; with a note when the status changed during that day.
 */
export function statusOnDate(
  detail: Pick<ProviderDetail, 'history' | 'codeVersions'>,
  date: string,
  now: Date,
): DateAnswer {
  const dayStart = startOfLocalDay(date);
  if (dayStart.getTime() > now.getTime()) return { kind: 'future', date };
  const at = new Date(Math.min(endOfLocalDay(date).getTime(), now.getTime()));
  const facts = detail.history.map(toStatusFact);
  const versions = detail.codeVersions.map(toCodeVersionFact);
  const status = statusAt(facts, versions, at);
  const atStart = statusAt(facts, versions, dayStart);
  const code = (s: StatusAt) => (s.verantwoord ? 'verantwoord' : s.reason);
  const first = facts.reduce<number | undefined>(
    (min, e) => (min === undefined || e.effectiveAt.getTime() < min ? e.effectiveAt.getTime() : min),
    undefined,
  );
  return {
    kind: 'answer',
    date,
    at,
    status,
    changedThatDay:
      code(atStart) !== code(status) || facts.some((e) => e.effectiveAt >= dayStart && e.effectiveAt <= at),
    beforeHistory: first === undefined || at.getTime() < first,
  };
}
