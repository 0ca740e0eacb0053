import type { EntityManager } from 'typeorm';
import { In } from 'typeorm';
import { appendAuditEvent } from '../audit/audit.service';
import { refreshStatusSnapshots } from './status-snapshot.service';
import { CodeOfConductVersion } from './code-of-conduct-version.entity';
import { StatusEvent } from './status-event.entity';
import { type CodeVersionFact, type StatusAt, type StatusFact, statusAt } from './status-rules';

export type NewStatusEvent = Pick<StatusEvent, 'providerId' | 'kind' | 'effectiveAt' | 'actor'> &
  Partial<
    Pick<
      StatusEvent,
      | 'reason'
      | 'validUntil'
      | 'codeOfConductVersionId'
      | 'codeSignedOn'
      | 'aanSince'
      | 'suspendedUntil'
      | 'applicationId'
    >
  >;

/** Appends a status event and its audit event in the caller's transaction. */
export async function recordStatusEvent(
  manager: EntityManager,
  input: NewStatusEvent,
  now: Date,
): Promise<StatusEvent> {
  const event = manager.create(StatusEvent, { reason: null, ...input, recordedAt: now });
  await manager.insert(StatusEvent, event);
  await appendAuditEvent(manager, now, {
    actor: input.actor,
    action: `status.${input.kind}`,
    subjectType: 'provider',
    subjectId: input.providerId,
    data: {
      statusEventId: event.id,
      applicationId: input.applicationId ?? null,
      effectiveAt: input.effectiveAt,
      reason: input.reason ?? null,
      validUntil: input.validUntil ?? null,
      codeOfConductVersionId: input.codeOfConductVersionId ?? null,
      codeSignedOn: input.codeSignedOn ?? null,
      aanSince: input.aanSince ?? null,
      suspendedUntil: input.suspendedUntil ?? null,
    },
  });
  await refreshStatusSnapshots(manager, [input.providerId], now);
  return event;
}

export function toStatusFact(event: StatusEvent): StatusFact {
  return {
    sequence: Number(event.id),
    kind: event.kind,
    effectiveAt: event.effectiveAt,
    recordedAt: event.recordedAt,
    validUntil: event.validUntil,
    codeOfConductVersionId: event.codeOfConductVersionId,
    aanSince: event.aanSince,
    suspendedUntil: event.suspendedUntil,
  };
}

export function toCodeVersionFact(version: CodeOfConductVersion): CodeVersionFact {
  return { id: version.id, publishedAt: version.publishedAt, transitionEndsAt: version.transitionEndsAt };
}

export async function loadCodeVersions(manager: EntityManager): Promise<CodeOfConductVersion[]> {
  return manager.find(CodeOfConductVersion, { order: { publishedAt: 'ASC' } });
}

/** The status histories of the given providers, each in the order the rules read them. */
export async function loadHistories(
  manager: EntityManager,
  providerIds: string[],
): Promise<Map<string, StatusEvent[]>> {
  const histories = new Map<string, StatusEvent[]>(providerIds.map((id) => [id, []]));
  if (providerIds.length === 0) return histories;
  const events = await manager.find(StatusEvent, {
    where: { providerId: In(providerIds) },
    order: { effectiveAt: 'ASC', id: 'ASC' },
  });
  for (const event of events) histories.get(event.providerId)?.push(event);
  return histories;
}

/** Status at `t` of each given provider, computed by the rules over its recorded history. */
export async function statusesAt(
  manager: EntityManager,
  providerIds: string[],
  t: Date,
): Promise<Map<string, StatusAt>> {
  const [histories, versions] = await Promise.all([
    loadHistories(manager, providerIds),
    loadCodeVersions(manager),
  ]);
  const facts = versions.map(toCodeVersionFact);
  return new Map(
    providerIds.map((id) => [id, statusAt((histories.get(id) ?? []).map(toStatusFact), facts, t)]),
  );
}
