import type { DataSource, EntityManager } from 'typeorm';
import { appendAuditEvent } from '../audit/audit.service';
import { refreshStatusSnapshots } from '../status/status-snapshot.service';
import { NotFoundError } from '../shared/errors';
import { type CodeOfConductVersion } from '../status/code-of-conduct-version.entity';
import type { StatusEvent } from '../status/status-event.entity';
import type { StatusAt } from '../status/status-rules';
import { loadCodeVersions, loadHistories, toCodeVersionFact, toStatusFact } from '../status/status.service';
import { statusAt } from '../status/status-rules';
import { isKvkNumber } from '../shared/identifiers';
import { endOfLocalDay, startOfLocalDay } from '../shared/time';
import { Provider } from './provider.entity';

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

export interface ProviderDetail {
  provider: Provider;
  status: StatusAt;
  /** Newest first, as people read a history. */
  history: StatusEvent[];
  codeVersions: CodeOfConductVersion[];
}

/** A provider by KvK number with its status at `now` and its whole status history. */
export async function providerDetail(
  dataSource: DataSource,
  kvkNumber: string,
  now: Date,
): Promise<ProviderDetail> {
  const provider = isKvkNumber(kvkNumber)
    ? await dataSource.getRepository(Provider).findOneBy({ kvkNumber })
    : null;
  if (!provider) throw new NotFoundError(`no provider with KvK number ${kvkNumber}`);
  const [histories, codeVersions] = await Promise.all([
    loadHistories(dataSource.manager, [provider.id]),
    loadCodeVersions(dataSource.manager),
  ]);
  const history = histories.get(provider.id) ?? [];
  const status = statusAt(history.map(toStatusFact), codeVersions.map(toCodeVersionFact), now);
  return { provider, status, history: [...history].reverse(), codeVersions };
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
