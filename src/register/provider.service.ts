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
import { isKvkNumber, normalisePostcode, normaliseVatNumber } from '../shared/identifiers';
import { parseAsNumbers, parseList } from '../shared/validators';
import type { OrganisationDto } from '../identity/account.dto';
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

/** A new provider from the organisation form (a registration's, or an eHerkenning login's), normalised. */
export function organisationInput(kvkNumber: string, dto: OrganisationDto): NewProvider {
  return {
    kvkNumber,
    legalName: dto.legalName,
    tradeNames: parseList(dto.tradeNames),
    vatNumber: normaliseVatNumber(dto.vatNumber),
    streetAddress: dto.streetAddress,
    postcode: normalisePostcode(dto.postcode)!,
    city: dto.city,
    website: dto.website || null,
    abuseEmail: dto.abuseEmail.toLowerCase(),
    asNumbers: parseAsNumbers(dto.asNumbers) ?? [],
  };
}

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

// Kept with the provider entity, so that identity/ (a hand-over) can confirm it too.
export { confirmIdentity } from '../provider/identity-confirmation';

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
      /** The instant the answer holds for: the end of `date`, or now while that day is not over. */
      at: Date;
      /** The day is today: the answer is the status now, not at the end of the day. */
      dayNotOver: boolean;
      status: StatusAt;
      /** The answer (verantwoord, or the reason) was different at some moment of that day than just before it. */
      changedThatDay: boolean;
      /** By the end of that day (or now) the provider had no status change yet: it was not in the register. */
      beforeHistory: boolean;
    }
  | { kind: 'future'; date: string };

const answerCode = (s: StatusAt) => (s.verantwoord ? 'verantwoord' : s.reason);

/**
 * "Was X verantwoord on date D?" — the status at the end of that Dutch calendar day, by the same
 * rules over the recorded history; with a note when the status changed during that day. With
 * `knownAt`, everything is judged by the events recorded by then only (the first event included).
 */
export function statusOnDate(
  detail: Pick<ProviderDetail, 'history' | 'codeVersions'>,
  date: string,
  now: Date,
  options: { knownAt?: Date } = {},
): DateAnswer {
  const dayStart = startOfLocalDay(date);
  if (dayStart.getTime() > now.getTime()) return { kind: 'future', date };
  const endOfDay = endOfLocalDay(date).getTime();
  const at = new Date(Math.min(endOfDay, now.getTime()));
  const knownAt = options.knownAt?.getTime();
  const facts = detail.history
    .map(toStatusFact)
    .filter((e) => knownAt === undefined || e.recordedAt.getTime() <= knownAt);
  const versions = detail.codeVersions.map(toCodeVersionFact);
  const status = statusAt(facts, versions, at);
  // The answer going into the day, and at every moment of the day something took effect: a change
  // only when the answer itself differs, not whenever an event (a submission, a renewal) happened.
  const before = answerCode(statusAt(facts, versions, new Date(dayStart.getTime() - 1)));
  const moments = [
    at,
    ...facts.filter((e) => e.effectiveAt >= dayStart && e.effectiveAt < at).map((e) => e.effectiveAt),
  ];
  const first = facts.reduce<number | undefined>(
    (min, e) => (min === undefined || e.effectiveAt.getTime() < min ? e.effectiveAt.getTime() : min),
    undefined,
  );
  return {
    kind: 'answer',
    date,
    at,
    dayNotOver: at.getTime() < endOfDay,
    status,
    changedThatDay: moments.some((t) => answerCode(statusAt(facts, versions, t)) !== before),
    beforeHistory: first === undefined || at.getTime() < first,
  };
}

/**
 * The last instant up to `now` at which what the register says of this provider can have changed:
 * its record edited or confirmed, a status event recorded or taking effect, a listing or suspension
 * ending, a code version published or lapsing, an attestation issued or running out. The status
 * rules change their answer only at such instants, so nothing told about the provider at `now` is
 * newer: an honest Last-Modified, stable between changes (unlike `now`).
 */
export function lastChangeAt(
  detail: Pick<ProviderDetail, 'provider' | 'history' | 'codeVersions' | 'attestations'>,
  now: Date,
): Date {
  const { provider } = detail;
  const instants: (Date | null | undefined)[] = [
    provider.createdAt,
    provider.updatedAt,
    provider.identityConfirmedAt,
  ];
  for (const e of detail.history)
    instants.push(e.recordedAt, e.effectiveAt, e.validUntil, e.suspendedUntil, e.aanSince);
  for (const v of detail.codeVersions) instants.push(v.createdAt, v.publishedAt, v.transitionEndsAt);
  for (const a of detail.attestations) instants.push(a.issuedAt, a.validUntil);
  let last = 0;
  for (const instant of instants) {
    const ms = instant?.getTime();
    if (ms !== undefined && ms <= now.getTime() && ms > last) last = ms;
  }
  return new Date(last);
}
