import type { DataSource } from 'typeorm';
import { streamQuery } from '../database/stream';
import { endOfLocalDay, startOfLocalDay } from '../shared/time';
import { erasedUserSql } from '../audit/people.queries';

/**
 * The subjects that together are one provider: the provider itself, its applications, their
 * evidence, its attestations and its own users' accounts (not staff who happen to belong to it).
 */
export interface ProviderSubjects {
  provider: string[];
  application: string[];
  evidence: string[];
  attestation: string[];
  user: string[];
}

/** What an auditor can narrow the log to; every part is optional. Dates are Dutch calendar days. */
export interface AuditFilter {
  /**
   * Part of the actor, case-insensitive: of a system actor or `<role>:<user id>` as written, or of
   * the name or e-mail address of the user behind `<role>:<user id>` (or an older e-mail actor).
   */
  actor?: string;
  /** The start of the action, e.g. `status.` or `attestation.issued`, case-insensitive. */
  action?: string;
  subjectType?: string;
  subjectId?: string;
  /** Events about one provider (found by its KvK number); none when it has no subjects. */
  provider?: ProviderSubjects;
  /** First and last day the event was recorded, inclusive. */
  from?: string;
  to?: string;
  /** First and last day the event takes effect, inclusive (see EFFECTIVE_AT). */
  effectiveFrom?: string;
  effectiveTo?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * When an event takes effect: a status change at its `effectiveAt` (which may lie before or after
 * the moment it was recorded), every other event at the moment it was recorded.
 */
const EFFECTIVE_AT = `(CASE WHEN e.action LIKE 'status.%' AND e.data->>'effectiveAt' ~ '^\\d{4}-\\d{2}-\\d{2}T'
  THEN (e.data->>'effectiveAt')::timestamptz ELSE e.occurred_at END)`;

function where(filter: AuditFilter): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const conditions: string[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const like = (value: string) => value.replace(/[%_\\]/g, '\\$&');
  if (filter.actor) {
    const text = param(`%${like(filter.actor)}%`);
    // A person is named by role and id: what the auditor types (a name, an address) finds their id.
    conditions.push(`(e.actor ILIKE ${text} OR (e.actor ~ '^(provider|reviewer|auditor|admin|buyer):'
      AND split_part(e.actor, ':', 2) IN (SELECT u.id::text FROM users u WHERE u.email ILIKE ${text} OR u.name ILIKE ${text})))`);
  }
  if (filter.action)
    conditions.push(`lower(e.action) LIKE ${param(`${like(filter.action.toLowerCase())}%`)}`);
  if (filter.subjectType)
    conditions.push(`lower(e.subject_type) = ${param(filter.subjectType.toLowerCase())}`);
  if (filter.subjectId) {
    // A UUID (most subjects) is stored in lower case, and the equality keeps the subject index in use.
    conditions.push(
      UUID.test(filter.subjectId)
        ? `e.subject_id = ${param(filter.subjectId.toLowerCase())}`
        : `lower(e.subject_id) = ${param(filter.subjectId.toLowerCase())}`,
    );
  }
  if (filter.provider) {
    const parts = (Object.entries(filter.provider) as [string, string[]][])
      .filter(([, ids]) => ids.length > 0)
      .map(
        ([type, ids]) => `(e.subject_type = ${param(type)} AND e.subject_id = ANY(${param(ids)}::text[]))`,
      );
    conditions.push(parts.length ? `(${parts.join(' OR ')})` : 'FALSE');
  }
  if (filter.from) conditions.push(`e.occurred_at >= ${param(startOfLocalDay(filter.from))}`);
  if (filter.to) conditions.push(`e.occurred_at <= ${param(endOfLocalDay(filter.to))}`);
  if (filter.effectiveFrom)
    conditions.push(`${EFFECTIVE_AT} >= ${param(startOfLocalDay(filter.effectiveFrom))}`);
  if (filter.effectiveTo) conditions.push(`${EFFECTIVE_AT} <= ${param(endOfLocalDay(filter.effectiveTo))}`);
  return { sql: conditions.length ? `WHERE ${conditions.join(' AND ')}` : '', params };
}

export interface AuditEventRow {
  id: string;
  occurred_at: Date;
  actor: string;
  action: string;
  subject_type: string;
  subject_id: string;
  data: Record<string, unknown>;
  prev_hash: string;
  hash: string;
  /** The personal details kept beside the event (exports only), when there are any. */
  personal?: Record<string, unknown> | null;
  /** Exports: the salt of the personal details' digest. */
  personal_salt?: Buffer | null;
  /**
   * Exports, for an event with a digest of personal details but no side row: whether a later
   * `personal_data.erased` event names it; null when the question does not arise.
   */
  personal_erased?: boolean | null;
  /** Exports: the name and role of the account behind the actor; null for a system, an unknown or an erased account. */
  actor_name?: string | null;
  actor_role?: string | null;
}

const SELECT = `SELECT e.id::text AS id, e.occurred_at, e.actor, e.action, e.subject_type, e.subject_id, e.data,
         e.prev_hash, e.hash, pd.data AS personal, pd.salt AS personal_salt, au.name AS actor_name, au.role AS actor_role,
         CASE WHEN pd.event_id IS NULL AND e.data ? 'personalData' THEN EXISTS (
           SELECT 1 FROM audit_events x
            WHERE x.action = 'personal_data.erased' AND x.id > e.id AND x.data->'events' ? e.id::text)
         ELSE false END AS personal_erased
    FROM audit_events e LEFT JOIN audit_personal_data pd ON pd.event_id = e.id
    LEFT JOIN LATERAL (
      SELECT u.name, u.role FROM users u
       WHERE (u.id = CASE WHEN e.actor ~ '^(provider|reviewer|auditor|admin|buyer):[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                          THEN split_part(e.actor, ':', 2)::uuid END
              OR u.email = lower(e.actor))
         AND NOT ${erasedUserSql('u')}
       LIMIT 1) au ON true`;

/** The subjects of the provider with this KvK number, or undefined when there is none. */
export async function providerSubjects(
  dataSource: DataSource,
  kvkNumber: string,
): Promise<ProviderSubjects | undefined> {
  const [row] = await dataSource.query<ProviderSubjects[]>(
    `SELECT ARRAY[p.id::text] AS provider,
            ARRAY(SELECT a.id::text FROM applications a WHERE a.provider_id = p.id) AS application,
            ARRAY(SELECT ev.id::text FROM evidence ev JOIN applications a ON a.id = ev.application_id
                   WHERE a.provider_id = p.id) AS evidence,
            ARRAY(SELECT t.id::text FROM attestations t WHERE t.provider_id = p.id) AS attestation,
            ARRAY(SELECT u.id::text FROM users u WHERE u.provider_id = p.id AND u.role = 'provider') AS "user"
       FROM providers p WHERE p.kvk_number = $1`,
    [kvkNumber],
  );
  return row;
}

/** How many events match the filter. */
export async function countAuditEvents(dataSource: DataSource, filter: AuditFilter): Promise<number> {
  const { sql, params } = where(filter);
  const [row] = await dataSource.query<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM audit_events e ${sql}`,
    params,
  );
  return row?.n ?? 0;
}

/** The matching events newest first, `limit` of them after skipping `offset`, each with when it takes effect. */
export function auditEventPage(
  dataSource: DataSource,
  filter: AuditFilter,
  limit: number,
  offset: number,
): Promise<(AuditEventRow & { effective_at: Date })[]> {
  const { sql, params } = where(filter);
  return dataSource.query(
    `SELECT e.id::text AS id, e.occurred_at, e.actor, e.action, e.subject_type, e.subject_id, e.data,
            e.prev_hash, e.hash, ${EFFECTIVE_AT} AS effective_at
       FROM audit_events e ${sql} ORDER BY e.id DESC LIMIT ${limit} OFFSET ${offset}`,
    params,
  );
}

/** The matching events in chain order (oldest first), each through `map`, from a cursor. */
export function streamAuditEvents<T>(
  dataSource: DataSource,
  filter: AuditFilter,
  map: (row: AuditEventRow) => T,
) {
  const { sql, params } = where(filter);
  return streamQuery(dataSource, `${SELECT} ${sql} ORDER BY e.id ASC`, params, map);
}

/** What the page names a subject or an actor by; which fields are set depends on the subject's type. */
export interface SubjectNameRow {
  type: string;
  id: string;
  /**
   * The provider's legal name (provider, application, evidence, attestation), the user's name (empty
   * for an erased person) or the version's label, an AAN import's moment, an invitation's role.
   */
  name: string;
  kvk_number: string | null;
  /**
   * The attestation's number, the evidence's file name, the user's e-mail address, the version's
   * title, the AAN list's SHA-256, an invitation's state (`open`, `accepted`, `revoked`).
   */
  detail: string | null;
  /** Evidence: its application; user: its role. */
  extra: string | null;
}

/**
 * The names of the given subjects (ids by type; ids that are no UUIDs are left out) and of the
 * users behind the given actors (type `actor`): `<role>:<user id>`, or an older e-mail address.
 */
export function subjectNames(
  dataSource: DataSource,
  ids: Record<
    | 'provider'
    | 'application'
    | 'evidence'
    | 'attestation'
    | 'user'
    | 'version'
    | 'aanImport'
    | 'invitation'
    | 'buyerOrganisation'
    | 'watchList'
    | 'signalSupplier'
    | 'signal',
    string[]
  >,
  actors: string[],
): Promise<SubjectNameRow[]> {
  const uuids = (list: string[]) => list.filter((id) => UUID.test(id));
  return dataSource.query<SubjectNameRow[]>(
    `SELECT 'provider' AS type, p.id::text AS id, p.legal_name AS name, p.kvk_number,
            NULL::text AS detail, NULL::text AS extra
       FROM providers p WHERE p.id = ANY($1::uuid[])
     UNION ALL
     SELECT 'application', a.id::text, p.legal_name, p.kvk_number, NULL, NULL
       FROM applications a JOIN providers p ON p.id = a.provider_id WHERE a.id = ANY($2::uuid[])
     UNION ALL
     SELECT 'evidence', ev.id::text, p.legal_name, p.kvk_number, ev.filename, ev.application_id::text
       FROM evidence ev JOIN applications a ON a.id = ev.application_id JOIN providers p ON p.id = a.provider_id
      WHERE ev.id = ANY($3::uuid[])
     UNION ALL
     SELECT 'attestation', t.id::text, p.legal_name, p.kvk_number, t.number, NULL
       FROM attestations t JOIN providers p ON p.id = t.provider_id WHERE t.id = ANY($4::uuid[])
     UNION ALL
     SELECT 'user', u.id::text, CASE WHEN ${erasedUserSql('u')} THEN '' ELSE u.name END, NULL,
            CASE WHEN ${erasedUserSql('u')} THEN NULL ELSE u.email END, u.role
       FROM users u WHERE u.id = ANY($5::uuid[])
     UNION ALL
     SELECT 'invitation', t.id::text, t.role, NULL,
            CASE WHEN t.used_at IS NULL THEN 'open' WHEN t.revoked_at IS NULL THEN 'accepted' ELSE 'revoked' END, NULL
       FROM account_tokens t WHERE t.purpose = 'invitation' AND t.id = ANY($9::uuid[])
     UNION ALL
     SELECT 'version', c.id::text, c.label, NULL, c.title, NULL
       FROM code_of_conduct_versions c WHERE c.id = ANY($6::uuid[])
     UNION ALL
     SELECT 'aan_import', i.id::text, i.imported_at::text, NULL, i.file_sha256, NULL
       FROM aan_imports i WHERE i.id = ANY($8::uuid[])
     UNION ALL
     SELECT 'buyer_organisation', o.id::text, o.name, NULL, o.domain, NULL
       FROM buyer_organisations o WHERE o.id = ANY($10::uuid[])
     UNION ALL
     SELECT 'watch_list', l.id::text, l.name, NULL, NULL, NULL
       FROM watch_lists l WHERE l.id = ANY($11::uuid[])
     UNION ALL
     SELECT 'signal_supplier', s.id::text, s.name, NULL, NULL, NULL
       FROM signal_suppliers s WHERE s.id = ANY($12::uuid[])
     UNION ALL
     -- A signal by its number and its supplier (numbers count per supplier, F19) only: what it
     -- says stays sealed, for auditors too.
     SELECT 'signal', g.id::text, 'SIG-' || lpad(g.number::text, 6, '0'), NULL, s.name, NULL
       FROM signals g JOIN signal_suppliers s ON s.id = g.signal_supplier_id WHERE g.id = ANY($13::uuid[])
     UNION ALL
     SELECT 'actor', a.actor, u.name, NULL, u.email, u.role
       FROM unnest($7::text[]) AS a(actor)
       JOIN users u ON (u.email = lower(a.actor)
         OR (a.actor ~ '^(provider|reviewer|auditor|admin|buyer|signal_supplier):' AND u.id::text = split_part(a.actor, ':', 2)))
        AND NOT ${erasedUserSql('u')}`,
    [
      uuids(ids.provider),
      uuids(ids.application),
      uuids(ids.evidence),
      uuids(ids.attestation),
      uuids(ids.user),
      uuids(ids.version),
      actors,
      uuids(ids.aanImport),
      uuids(ids.invitation),
      uuids(ids.buyerOrganisation),
      uuids(ids.watchList),
      uuids(ids.signalSupplier),
      uuids(ids.signal),
    ],
  );
}
