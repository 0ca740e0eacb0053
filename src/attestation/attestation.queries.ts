import type { DataSource, EntityManager } from 'typeorm';
import { preparedQuery } from '../database/prepared';
import { type AttestationSummaryJson, type ProviderJson, providerJson } from '../register/provider.queries';
import {
  type CodeVersionJson,
  codeVersionsJson,
  type StatusEventJson,
  statusEventsJson,
} from '../status/status-history.queries';

/** The next number of the attestation sequence (numbers are never reused, even after a failed issue). */
export async function nextAttestationSequence(dataSource: DataSource): Promise<number> {
  const [row] = await dataSource.query<{ n: number }[]>(`SELECT nextval('attestation_number_seq')::int AS n`);
  if (!row) throw new Error('nextval gave no row');
  return row.n;
}

/**
 * Locks the provider against a change of its row until the caller's transaction ends, and answers
 * whether its history or the code versions changed since they were read: the newest event id is
 * no longer `latestEventId` (bigint as text, '0' for none) or the number of versions is no longer
 * `versionCount`.
 */
export async function historyChangedSince(
  manager: EntityManager,
  providerId: string,
  latestEventId: string,
  versionCount: number,
): Promise<boolean> {
  const [row] = await manager.query<{ changed: boolean }[]>(
    `SELECT (SELECT coalesce(max(id), 0) FROM status_events WHERE provider_id = p.id)::text <> $2
         OR (SELECT count(*) FROM code_of_conduct_versions WHERE withdrawn_at IS NULL) <> $3 AS changed
       FROM providers p WHERE p.id = $1 FOR SHARE`,
    [providerId, latestEventId, versionCount],
  );
  return row?.changed === true;
}

/** One row of the verification query. */
export type VerificationRow = {
  attestation: AttestationSummaryJson;
  provider: ProviderJson;
  events: StatusEventJson[];
  versions: CodeVersionJson[];
};

/**
 * The attestation (without its PDF), its provider, the provider's history and the code versions in
 * one round trip: the verification lookup is what every scan of a QR code asks.
 */
const VERIFY_QUERY = `
  SELECT jsonb_build_object('id', a.id, 'number', a.number, 'providerId', a.provider_id, 'issuedAt', a.issued_at,
                            'validUntil', a.valid_until, 'fingerprint', a.fingerprint) AS attestation,
         ${providerJson} AS provider,
         ${statusEventsJson('a.provider_id')} AS events,
         ${codeVersionsJson} AS versions
    FROM attestations a JOIN providers p ON p.id = a.provider_id
   WHERE a.number = $1 AND p.identity_confirmed_at IS NOT NULL`;

/** The verification row of the attestation with this number, when its provider's identity is confirmed. */
export async function verificationRow(
  dataSource: DataSource,
  number: string,
): Promise<VerificationRow | undefined> {
  const [row] = await preparedQuery<VerificationRow>(dataSource, VERIFY_QUERY, [number]);
  return row;
}
