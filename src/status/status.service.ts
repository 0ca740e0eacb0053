import type { EntityManager } from 'typeorm';
import { appendAuditEvent } from '../audit/audit.service';
import { refreshStatusSnapshots } from './status-snapshot.service';
import {
  inBatches,
  loadCodeVersions,
  loadHistories,
  toCodeVersionFact,
  toStatusFact,
} from './status-history';
import { StatusEvent } from './status-event.entity';
import { plannedAanEnd, type StatusAt, statusAt, type StatusFact } from './status-rules';

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

/**
 * Status at `t` of each given provider, computed by the rules over its recorded history; the
 * histories are read a batch at a time, so only one batch's events are held at once.
 */
export async function statusesAt(
  manager: EntityManager,
  providerIds: readonly string[],
  t: Date,
): Promise<Map<string, StatusAt>> {
  const facts = (await loadCodeVersions(manager)).map(toCodeVersionFact);
  const statuses = new Map<string, StatusAt>();
  for (const batch of inBatches(providerIds)) {
    const histories = await loadHistories(manager, batch);
    for (const id of batch) statuses.set(id, statusAt((histories.get(id) ?? []).map(toStatusFact), facts, t));
  }
  return statuses;
}

/**
 * The status at `now` before and after recording `event` (effective `now`), by the same rules over
 * the same history: what a confirmation page tells a reviewer before anything is recorded.
 */
export async function statusIfRecorded(
  manager: EntityManager,
  event: NewStatusEvent,
  now: Date,
): Promise<{ before: StatusAt; after: StatusAt; aanEndsAfter?: Date }> {
  // One after the other: a transaction's connection runs one query at a time.
  const versions = await loadCodeVersions(manager);
  const histories = await loadHistories(manager, [event.providerId]);
  const facts = versions.map(toCodeVersionFact);
  const history = (histories.get(event.providerId) ?? []).map(toStatusFact);
  const sequence = history.reduce((max, e) => Math.max(max, e.sequence), 0) + 1;
  const planned: StatusFact = {
    sequence,
    kind: event.kind,
    effectiveAt: event.effectiveAt,
    recordedAt: now,
    validUntil: event.validUntil ?? null,
    codeOfConductVersionId: event.codeOfConductVersionId ?? null,
    aanSince: event.aanSince ?? null,
    suspendedUntil: event.suspendedUntil ?? null,
  };
  const after = statusAt([...history, planned], facts, now);
  return {
    before: statusAt(history, facts, now),
    after,
    // As the public page shows it: a recorded end of AAN participation still to come.
    aanEndsAfter: after.listing ? plannedAanEnd([...history, planned], after.listing, now) : undefined,
  };
}
