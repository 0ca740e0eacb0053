import type { DataSource } from 'typeorm';
import type { LogSigner } from '../transparency/checkpoint.service';
import { recallSafely } from '../transparency/signer-memory';
import type { ChainLink } from '../audit/audit-chain';
import { appendAuditEvent, recordAuditVerification, verifyAuditChain } from '../audit/audit.service';
import { checkPersonalData, PERSONAL_DATA_FIELD, type PersonalDataCheck } from '../audit/personal-data';
import { erasedEventsAmong, type PersonalDataRow, personalDataOf } from '../audit/personal-data.queries';
import {
  type AuditEventRow,
  type AuditFilter,
  auditEventPage,
  countAuditEvents,
  providerSubjects,
  type ProviderSubjects,
  streamAuditEvents,
  subjectNames,
  type SubjectNameRow,
} from './audit-browser.queries';

export type { AuditFilter, SubjectNameRow };

export const AUDIT_PAGE_SIZE = 50;

/** An event with its chain fields and the instant it takes effect (a status change's effectiveAt). */
export interface AuditRow extends ChainLink {
  effectiveAt: Date;
  /** The personal details kept beside the event, in exports: not part of what the hashes cover. */
  personal?: Record<string, unknown>;
  /** In exports, for an event with a digest of personal details: what their check says. */
  personalCheck?: PersonalDataCheck;
  /** In exports: the account behind the actor (not erased), by name and role. */
  actorAccount?: { name: string; role: string };
}

const toRow = (r: AuditEventRow & { effective_at?: Date }): AuditRow => ({
  id: r.id,
  occurredAt: r.occurred_at,
  effectiveAt: r.effective_at ?? r.occurred_at,
  actor: r.actor,
  action: r.action,
  subjectType: r.subject_type,
  subjectId: r.subject_id,
  data: r.data,
  prevHash: r.prev_hash,
  hash: r.hash,
  ...(r.personal ? { personal: r.personal } : {}),
  ...personalCheckOf(r),
  ...(r.actor_name && r.actor_role ? { actorAccount: { name: r.actor_name, role: r.actor_role } } : {}),
});

/** An exported event's check of its side row (`checkPersonalData`), when it has a digest of one. */
function personalCheckOf(r: AuditEventRow): { personalCheck?: PersonalDataCheck } {
  if (r.personal_erased === undefined) return {};
  const side = r.personal && r.personal_salt ? { data: r.personal, salt: r.personal_salt } : undefined;
  const check = checkPersonalData(r.data, side, r.personal_erased === true);
  return check === 'none' ? {} : { personalCheck: check };
}

const NO_SUBJECTS: ProviderSubjects = {
  provider: [],
  application: [],
  evidence: [],
  attestation: [],
  user: [],
};

/**
 * The filter with the KvK number turned into that provider's subjects; `providerFound` is false
 * when no provider has the number (and then nothing matches).
 */
export async function withProvider(
  dataSource: DataSource,
  filter: AuditFilter,
  kvkNumber: string | undefined,
) {
  if (!kvkNumber) return { filter, providerFound: true, providerId: undefined };
  const subjects = await providerSubjects(dataSource, kvkNumber);
  return {
    filter: { ...filter, provider: subjects ?? NO_SUBJECTS },
    providerFound: Boolean(subjects),
    providerId: subjects?.provider[0],
  };
}

/** Where a subject's name comes from: `${type}:${id}` (`actor:${actor}` for the users behind actors). */
export type SubjectNames = Map<string, SubjectNameRow>;

/** A page of events with what the page shows beside them: names, and the personal details kept apart. */
export interface AuditPage {
  rows: AuditRow[];
  names: SubjectNames;
  personal: Map<string, PersonalDataRow>;
}

async function namesFor(dataSource: DataSource, rows: AuditRow[]): Promise<SubjectNames> {
  const of = (type: string) => rows.filter((r) => r.subjectType === type).map((r) => r.subjectId);
  const found = await subjectNames(
    dataSource,
    {
      provider: of('provider'),
      application: of('application'),
      evidence: of('evidence'),
      attestation: of('attestation'),
      user: of('user'),
      version: of('code_of_conduct_version'),
      aanImport: of('aan_import'),
      invitation: of('invitation'),
      buyerOrganisation: of('buyer_organisation'),
      watchList: of('watch_list'),
      signalSupplier: of('signal_supplier'),
      signal: of('signal'),
    },
    [...new Set(rows.map((r) => r.actor))],
  );
  return new Map(
    found.map((n) => [`${n.type === 'version' ? 'code_of_conduct_version' : n.type}:${n.id}`, n]),
  );
}

/** One page of the audit log, newest first, with the number of matching events and the names of their subjects. */
export async function browseAudit(dataSource: DataSource, filter: AuditFilter, requestedPage: number) {
  const n = await countAuditEvents(dataSource, filter);
  const pageCount = Math.max(1, Math.ceil(n / AUDIT_PAGE_SIZE));
  const page = Math.min(Math.max(1, requestedPage), pageCount);
  const rows = (await auditEventPage(dataSource, filter, AUDIT_PAGE_SIZE, (page - 1) * AUDIT_PAGE_SIZE)).map(
    toRow,
  );
  const withDigest = rows.filter((r) => PERSONAL_DATA_FIELD in r.data).map((r) => r.id);
  const [names, personal] = await Promise.all([
    namesFor(dataSource, rows),
    personalDataOf(dataSource.manager, withDigest),
  ]);
  const erased = await erasedEventsAmong(
    dataSource.manager,
    withDigest.filter((id) => !personal.has(id)),
  );
  return { rows, names, personal, erased, total: n, page, pageCount };
}

/** The matching events in chain order (oldest first), streamed from a cursor, for the exports. */
export async function streamAudit(dataSource: DataSource, filter: AuditFilter) {
  return streamAuditEvents(dataSource, filter, toRow);
}

/**
 * An event as the exports give it: every field of the chain, so that anyone can recompute the hashes,
 * and (for staff) the personal details kept beside it, which `data.personalData` is the digest of,
 * and what their check says (`personalCheck`: intact, altered, erased, or missing without an erasure).
 */
export function exportRecord(row: AuditRow) {
  return {
    id: row.id,
    occurredAt: row.occurredAt.toISOString(),
    actor: row.actor,
    action: row.action,
    subjectType: row.subjectType,
    subjectId: row.subjectId,
    data: row.data,
    prevHash: row.prevHash,
    hash: row.hash,
    ...(row.personal ? { personal: row.personal } : {}),
    ...(row.personalCheck ? { personalCheck: row.personalCheck } : {}),
  };
}

/**
 * Records that `actor` exported the log (who saw what), committed before the first byte goes out:
 * if the event cannot be written, nothing is exported. An export of one provider's events is about
 * that provider, so that its own filter finds it; any other export is about the audit log.
 */
export async function recordAuditExport(
  dataSource: DataSource,
  input: { actor: string; format: 'csv' | 'jsonl'; filter: Record<string, string>; providerId?: string },
  now: Date,
): Promise<void> {
  // The text typed to find a person (a name or an address: `door`) stays beside the public log.
  const { door: actorFilter, ...filter } = input.filter;
  await dataSource.transaction((manager) =>
    appendAuditEvent(manager, now, {
      actor: input.actor,
      action: 'audit.exported',
      subjectType: input.providerId ? 'provider' : 'audit_log',
      subjectId: input.providerId ?? input.format,
      data: { format: input.format, filter },
      ...(actorFilter ? { personal: { filter: { door: actorFilter } } } : {}),
    }),
  );
}

/**
 * Verifies the whole chain and the transparency log against its signed checkpoints and the one the
 * signer remembers signing last, outside the database (their signatures checked with the log key;
 * without a readable memory file the check goes on without it, and says why), measures how long that took (a monotonic clock, not the wall clock),
 * and records who checked it and the answer. The check runs outside the transaction that records
 * it: appends are not held up while a long log is read.
 */
export async function checkAuditChain(dataSource: DataSource, actor: string, now: Date, signer: LogSigner) {
  const started = performance.now();
  const { remembered, unreadable } = recallSafely(signer.memory);
  const result = await verifyAuditChain(dataSource, {
    verifierKey: signer.key.verifierKey,
    ...(remembered ? { remembered } : {}),
  });
  const milliseconds = Math.round(performance.now() - started);
  // An intact chain is also recorded as what this check vouched for, so that the next incremental
  // `audit:verify` continues from its head; in the same transaction as its audit event.
  await dataSource.transaction(async (manager) => {
    await recordAuditVerification(manager, result, actor, now, milliseconds);
    await appendAuditEvent(manager, now, {
      actor,
      action: 'audit.verified',
      subjectType: 'audit_log',
      subjectId: result.head?.id ?? '0',
      data: {
        checked: result.checked,
        intact: !result.broken,
        brokenAt: result.broken?.id ?? null,
        problem: result.broken?.problem ?? null,
        headHash: result.head?.hash ?? null,
        milliseconds,
      },
    });
  });
  return { ...result, milliseconds, ...(unreadable ? { memoryUnreadable: unreadable } : {}) };
}
