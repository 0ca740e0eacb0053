import type { EntityManager } from 'typeorm';
import { ValidationError } from '../shared/errors';
import { type StatusCodeName, statusChangeOf } from './status-change';
import {
  type FeedEventRow,
  lastStatusEventId,
  latestPublicStatusEvents,
  publicStatusEventCount,
  publicStatusEventsAfter,
  publicStatusEventsFrom,
} from './status-feed.queries';
import { loadCodeVersions, loadHistories, toCodeVersionFact, toStatusFact } from './status-history';
import type { StatusEventKind } from './status-rules';

/** One change of the register-wide feed: a public status event with what it changed. */
export interface StatusChange {
  /** The event's id (a bigint, as text): its place in the feed, in commit order. */
  position: string;
  kind: StatusEventKind;
  effectiveAt: Date;
  recordedAt: Date;
  reason: string | null;
  kvkNumber: string;
  legalName: string;
  from: StatusCodeName;
  to: StatusCodeName;
}

/** The rows with what each changed, by the rules over their providers' histories (one read for all). */
async function withChanges(manager: EntityManager, rows: FeedEventRow[]): Promise<StatusChange[]> {
  if (rows.length === 0) return [];
  const versions = await loadCodeVersions(manager);
  const histories = await loadHistories(manager, [...new Set(rows.map((r) => r.provider_id))]);
  const versionFacts = versions.map(toCodeVersionFact);
  const facts = new Map([...histories].map(([id, events]) => [id, events.map(toStatusFact)]));
  return rows.map((row) => ({
    position: row.id,
    kind: row.kind,
    effectiveAt: row.effective_at,
    recordedAt: row.recorded_at,
    reason: row.reason,
    kvkNumber: row.kvk_number,
    legalName: row.legal_name,
    ...statusChangeOf(facts.get(row.provider_id) ?? [], versionFacts, Number(row.id)),
  }));
}

/**
 * Up to `limit` changes after position `after` ('0': from the start), oldest first; only those of
 * these KvK numbers when given. `more` tells whether further changes were already there. A
 * position beyond the newest change is refused (ValidationError on `vanaf`).
 */
export async function statusChangesAfter(
  manager: EntityManager,
  after: string,
  limit: number,
  kvkNumbers?: string[],
): Promise<{ changes: StatusChange[]; more: boolean }> {
  const rows = await publicStatusEventsAfter(manager, after, limit + 1, kvkNumbers);
  // A position past the newest event was never given out (tampered with, or from another
  // deployment): taken as valid, it would skip every change up to it for good.
  if (rows.length === 0 && after !== '0' && BigInt(after) > BigInt(await lastStatusEventId(manager)))
    throw new ValidationError({ vanaf: ['api.invalid.cursor'] });
  return { changes: await withChanges(manager, rows.slice(0, limit)), more: rows.length > limit };
}

/** The latest `limit` changes, newest first. */
export async function latestStatusChanges(manager: EntityManager, limit: number): Promise<StatusChange[]> {
  return withChanges(manager, await latestPublicStatusEvents(manager, limit));
}

/** The changes numbered `offset + 1` to `offset + limit` in feed order, newest first. */
export async function statusChangesFrom(
  manager: EntityManager,
  offset: number,
  limit: number,
): Promise<StatusChange[]> {
  return (await withChanges(manager, await publicStatusEventsFrom(manager, offset, limit))).reverse();
}

/** How many changes the feed holds, and the newest one's position and recording instant. */
export function statusChangeCount(manager: EntityManager) {
  return publicStatusEventCount(manager);
}
