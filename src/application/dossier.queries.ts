import type { DataSource } from 'typeorm';
import type { AuditContent } from '../audit/audit-chain';
import type { Role } from '../identity/user.entity';
import { erasedUserSql } from '../audit/people.queries';

/*
 * What the auditor's dossier reads beyond the provider's detail: who the people behind the e-mail
 * addresses in the history are, the provider's audit events, and the stored PDFs one at a time.
 */

/** A person as the dossier names them: name and role, found by the e-mail address they acted with. */
export interface PersonRow {
  id: string;
  email: string;
  name: string;
  role: Role;
}

/** The users with these e-mail addresses or ids (case-insensitive addresses); an erased person is not one of them. */
export async function peopleByEmailOrId(
  dataSource: DataSource,
  emails: string[],
  ids: string[],
): Promise<PersonRow[]> {
  if (emails.length === 0 && ids.length === 0) return [];
  return dataSource.query<PersonRow[]>(
    `SELECT id, email, name, role FROM users u
      WHERE (lower(email) = ANY($1::text[]) OR id = ANY($2::uuid[])) AND NOT ${erasedUserSql('u')}`,
    [emails.map((e) => e.toLowerCase()), ids],
  );
}

/** An audit event exactly as stored: every field the chain hash covers, and the hashes. */
export interface StoredAuditEvent extends AuditContent {
  prevHash: string;
  hash: string;
}

/**
 * The provider's audit events in chain order, occurred within [from, to] when given: those about
 * the provider itself, its applications, their evidence, its attestations and its users.
 */
export async function providerAuditEvents(
  dataSource: DataSource,
  providerId: string,
  from: Date | null,
  to: Date | null,
): Promise<StoredAuditEvent[]> {
  return dataSource.query<StoredAuditEvent[]>(
    `SELECT e.id::text AS id, e.occurred_at AS "occurredAt", e.actor, e.action,
            e.subject_type AS "subjectType", e.subject_id AS "subjectId", e.data,
            e.prev_hash AS "prevHash", e.hash
       FROM audit_events e
      WHERE ((e.subject_type = 'provider' AND e.subject_id = $1::text)
          OR (e.subject_type = 'application'
              AND e.subject_id IN (SELECT id::text FROM applications WHERE provider_id = $1::uuid))
          OR (e.subject_type = 'evidence'
              AND e.subject_id IN (SELECT v.id::text FROM evidence v JOIN applications a ON a.id = v.application_id
                                    WHERE a.provider_id = $1::uuid))
          OR (e.subject_type = 'attestation'
              AND e.subject_id IN (SELECT id::text FROM attestations WHERE provider_id = $1::uuid))
          OR (e.subject_type = 'user' AND e.subject_id IN (SELECT id::text FROM users WHERE provider_id = $1::uuid)))
        AND ($2::timestamptz IS NULL OR e.occurred_at >= $2)
        AND ($3::timestamptz IS NULL OR e.occurred_at <= $3)
      ORDER BY e.id`,
    [providerId, from, to],
  );
}

/** The provider's attestations with the size of their PDF, oldest first (without the PDF itself). */
export async function attestationFiles(
  dataSource: DataSource,
  providerId: string,
): Promise<{ id: string; number: string; issuedAt: Date; validUntil: Date; sha256: string; size: number }[]> {
  return dataSource.query(
    `SELECT id, number, issued_at AS "issuedAt", valid_until AS "validUntil", pdf_sha256 AS sha256,
            octet_length(pdf) AS size
       FROM attestations WHERE provider_id = $1 ORDER BY issued_at, number`,
    [providerId],
  );
}

/** The bytes of one stored evidence file. */
export async function evidenceBytes(dataSource: DataSource, id: string): Promise<Buffer> {
  const [row] = await dataSource.query<{ content: Buffer }[]>('SELECT content FROM evidence WHERE id = $1', [
    id,
  ]);
  if (!row) throw new Error(`evidence ${id} has gone`);
  return row.content;
}

/** The bytes of one stored attestation PDF. */
export async function attestationBytes(dataSource: DataSource, id: string): Promise<Buffer> {
  const [row] = await dataSource.query<{ pdf: Buffer }[]>('SELECT pdf FROM attestations WHERE id = $1', [id]);
  if (!row) throw new Error(`attestation ${id} has gone`);
  return row.pdf;
}
