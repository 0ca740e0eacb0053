import type { EntityManager } from 'typeorm';
import { IsNull } from 'typeorm';
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

/**
 * How many providers one history query reads: their ids go as one array parameter (never one
 * parameter each: PostgreSQL takes at most 65,535), and a batch's events stay a modest read.
 */
export const HISTORY_BATCH = 5_000;

/** `ids` in consecutive slices of at most `size`. */
export function inBatches<T>(ids: readonly T[], size = HISTORY_BATCH): T[][] {
  const batches: T[][] = [];
  for (let i = 0; i < ids.length; i += size) batches.push(ids.slice(i, i + size));
  return batches;
}

/**
 * The status histories of the given providers, each in the order the rules read them; read
 * HISTORY_BATCH providers a query, one query after the other (one connection runs one query at a time).
 */
export async function loadHistories(
  manager: EntityManager,
  providerIds: readonly string[],
): Promise<Map<string, StatusEvent[]>> {
  const histories = new Map<string, StatusEvent[]>(providerIds.map((id) => [id, []]));
  for (const batch of inBatches(providerIds)) {
    const events = await manager
      .createQueryBuilder(StatusEvent, 'e')
      .where('e.provider_id = ANY(:ids::uuid[])', { ids: batch })
      .orderBy('e.effective_at', 'ASC')
      .addOrderBy('e.id', 'ASC')
      .getMany();
    for (const event of events) histories.get(event.providerId)?.push(event);
  }
  return histories;
}

/** An instant read as milliseconds since 1970 (cheaper to turn into a Date than PostgreSQL's text). */
const ms = (column: string) => `(extract(epoch FROM ${column}) * 1000)::float8 AS ${column}`;
const instant = (value: number | null) => (value === null ? null : new Date(value));

/**
 * The status facts of the given providers, each in the order the rules read them: what
 * loadHistories gives as facts, read without entities and only the columns the rules use, for the
 * bulk check (thousands of providers at once, where building entities costs most of the time).
 */
export async function loadStatusFacts(
  manager: EntityManager,
  providerIds: string[],
): Promise<Map<string, StatusFact[]>> {
  const facts = new Map<string, StatusFact[]>(providerIds.map((id) => [id, []]));
  if (providerIds.length === 0) return facts;
  const rows = await manager.query<
    {
      provider_id: string;
      id: string;
      kind: StatusFact['kind'];
      effective_at: number;
      recorded_at: number;
      valid_until: number | null;
      code_of_conduct_version_id: string | null;
      aan_since: number | null;
      suspended_until: number | null;
    }[]
  >(
    `SELECT provider_id, id, kind, ${ms('effective_at')}, ${ms('recorded_at')}, ${ms('valid_until')},
            code_of_conduct_version_id, ${ms('aan_since')}, ${ms('suspended_until')}
       FROM status_events WHERE provider_id = ANY($1::uuid[])
      ORDER BY status_events.effective_at ASC, status_events.id ASC`,
    [providerIds],
  );
  for (const row of rows)
    facts.get(row.provider_id)?.push({
      sequence: Number(row.id),
      kind: row.kind,
      effectiveAt: new Date(row.effective_at),
      recordedAt: new Date(row.recorded_at),
      validUntil: instant(row.valid_until),
      codeOfConductVersionId: row.code_of_conduct_version_id,
      aanSince: instant(row.aan_since),
      suspendedUntil: instant(row.suspended_until),
    });
  return facts;
}
