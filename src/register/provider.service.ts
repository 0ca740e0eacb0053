import type { DataSource, EntityManager } from 'typeorm';
import { appendAuditEvent } from '../audit/audit.service';
import { Attestation } from '../attestation/attestation.entity';
import { entityFromJson, preparedQuery } from '../database/json-rows';
import { refreshStatusSnapshots } from '../status/status-snapshot.service';
import { NotFoundError } from '../shared/errors';
import { CodeOfConductVersion } from '../status/code-of-conduct-version.entity';
import { StatusEvent } from '../status/status-event.entity';
import type { StatusAt } from '../status/status-rules';
import { toCodeVersionFact, toStatusFact } from '../status/status-history';
import { statusAt } from '../status/status-rules';
import { isKvkNumber } from '../shared/identifiers';
import { endOfLocalDay, startOfLocalDay } from '../shared/time';
import { Provider } from '../provider/provider.entity';

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
): Promise<Provider> {
  const provider = await manager.save(manager.create(Provider, input));
  await refreshStatusSnapshots(manager, [provider.id]);
  await appendAuditEvent(manager, {
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
  now = new Date(),
): Promise<boolean> {
  const result = await manager
    .createQueryBuilder()
    .update(Provider)
    .set({ identityConfirmedAt: now, identityConfirmedBy: actor })
    .where('id = :providerId AND identity_confirmed_at IS NULL', { providerId })
    .execute();
  if (!result.affected) return false;
  await appendAuditEvent(manager, {
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
  attestations: Attestation[];
}

/**
 * The provider, its history in the order the rules read it (as loadHistories gives it) and the
 * code versions (as loadCodeVersions gives them), in one round trip: the most frequent read of all.
 */
const detailQuery = (where: string) => `
  SELECT to_jsonb(p) AS provider,
         coalesce((SELECT jsonb_agg(to_jsonb(e) ORDER BY e.effective_at, e.id)
                     FROM status_events e WHERE e.provider_id = p.id), '[]'::jsonb) AS events,
         coalesce((SELECT jsonb_agg(to_jsonb(v) ORDER BY v.published_at)
                     FROM code_of_conduct_versions v), '[]'::jsonb) AS versions,
         coalesce((SELECT jsonb_agg(jsonb_build_object('id', a.id, 'number', a.number, 'provider_id', a.provider_id,
                                                       'issued_at', a.issued_at, 'valid_until', a.valid_until,
                                                       'fingerprint', a.fingerprint) ORDER BY a.issued_at DESC)
                     FROM attestations a WHERE a.provider_id = p.id), '[]'::jsonb) AS attestations
    FROM providers p WHERE ${where}`;
const BY_KVK = detailQuery('p.kvk_number = $1');
const PUBLIC_BY_KVK = detailQuery('p.kvk_number = $1 AND p.identity_confirmed_at IS NOT NULL');
const BY_ID = detailQuery('p.id = $1');

type DetailRow = Record<'provider', Record<string, unknown>> &
  Record<'events' | 'versions' | 'attestations', Record<string, unknown>[]>;

async function loadDetail(dataSource: DataSource, query: string, key: string, now: Date) {
  const rows = await preparedQuery<DetailRow>(dataSource, query, [key]);
  if (rows.length === 0) return undefined;
  const [row] = rows;
  const provider = entityFromJson(dataSource, Provider, row.provider);
  const history = row.events.map((e) => entityFromJson(dataSource, StatusEvent, e));
  const codeVersions = row.versions.map((v) => entityFromJson(dataSource, CodeOfConductVersion, v));
  const attestations = row.attestations.map((a) => entityFromJson(dataSource, Attestation, a));
  const status = statusAt(history.map(toStatusFact), codeVersions.map(toCodeVersionFact), now);
  return { provider, status, history: [...history].reverse(), codeVersions, attestations };
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
  const query = options.unconfirmed ? BY_KVK : PUBLIC_BY_KVK;
  const detail = isKvkNumber(kvkNumber) ? await loadDetail(dataSource, query, kvkNumber, now) : undefined;
  if (!detail) throw new NotFoundError(`no provider with KvK number ${kvkNumber}`);
  return detail;
}

/** The same, by the provider's id. */
export async function providerDetailById(
  dataSource: DataSource,
  id: string,
  now: Date,
): Promise<ProviderDetail> {
  const detail = await loadDetail(dataSource, BY_ID, id, now);
  if (!detail) throw new NotFoundError(`no provider ${id}`);
  return detail;
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
  now = new Date(),
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
