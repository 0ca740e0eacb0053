import type { EntityManager } from 'typeorm';
import { In, IsNull } from 'typeorm';
import { CodeOfConductVersion } from './code-of-conduct-version.entity';
import { StatusEvent } from './status-event.entity';
import type { CodeVersionFact, StatusFact } from './status-rules';

/*
 * Reading the recorded history the status rules work on: the status events of providers and the
 * code of conduct versions, as facts. Both the status service and the snapshots read through here.
 */

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

/** The code-of-conduct versions that count, oldest first: a withdrawn version never took effect. */
export async function loadCodeVersions(manager: EntityManager): Promise<CodeOfConductVersion[]> {
  return manager.find(CodeOfConductVersion, {
    where: { withdrawnAt: IsNull() },
    order: { publishedAt: 'ASC' },
  });
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
