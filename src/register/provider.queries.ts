import type { DataSource } from 'typeorm';
import { preparedQuery } from '../database/prepared';
import {
  type CodeVersionJson,
  codeVersionsJson,
  instantOrNull,
  type StatusEventJson,
  statusEventsJson,
} from '../status/status-history.queries';
import { type IdentityConfirmation, Provider } from '../provider/provider.entity';

/** A provider as `providerJson` gives it: instants as ISO text. */
export interface ProviderJson {
  id: string;
  kvkNumber: string;
  legalName: string;
  tradeNames: string[];
  vatNumber: string | null;
  streetAddress: string;
  postcode: string;
  city: string;
  website: string | null;
  abuseEmail: string;
  asNumbers: number[];
  identityConfirmedAt: string | null;
  identityConfirmedBy: string | null;
  identityConfirmedHow: IdentityConfirmation | null;
  createdAt: string;
  updatedAt: string;
}

/** Every column of the provider row `p`, as one JSON object. */
export const providerJson = `
  jsonb_build_object('id', p.id, 'kvkNumber', p.kvk_number, 'legalName', p.legal_name,
                     'tradeNames', p.trade_names, 'vatNumber', p.vat_number, 'streetAddress', p.street_address,
                     'postcode', p.postcode, 'city', p.city, 'website', p.website, 'abuseEmail', p.abuse_email,
                     'asNumbers', p.as_numbers, 'identityConfirmedAt', p.identity_confirmed_at,
                     'identityConfirmedBy', p.identity_confirmed_by,
                     'identityConfirmedHow', p.identity_confirmed_how, 'createdAt', p.created_at,
                     'updatedAt', p.updated_at)`;

export function providerFromJson(json: ProviderJson): Provider {
  const fields: Provider = {
    ...json,
    identityConfirmedAt: instantOrNull(json.identityConfirmedAt),
    createdAt: new Date(json.createdAt),
    updatedAt: new Date(json.updatedAt),
  };
  return Object.assign(new Provider(), fields);
}

/** An attestation summary as the detail query gives it: instants as ISO text. */
/**
 * What lists and the verification show of an attestation: neither its PDF nor its data. Declared
 * here, where the provider's detail reads it; attestation/ builds on register/, never the reverse.
 */
export interface AttestationSummary {
  id: string;
  number: string;
  providerId: string;
  issuedAt: Date;
  validUntil: Date;
  fingerprint: string;
}

export interface AttestationSummaryJson {
  id: string;
  number: string;
  providerId: string;
  issuedAt: string;
  validUntil: string;
  fingerprint: string;
}

export function attestationSummaryFromJson(json: AttestationSummaryJson): AttestationSummary {
  return { ...json, issuedAt: new Date(json.issuedAt), validUntil: new Date(json.validUntil) };
}

/** One row of the detail query: the provider and, newest first, its attestations' summaries. */
export type ProviderDetailRow = {
  provider: ProviderJson;
  events: StatusEventJson[];
  versions: CodeVersionJson[];
  attestations: AttestationSummaryJson[];
};

/**
 * The provider, its history in the order the rules read it (as loadHistories gives it) and the
 * code versions (as loadCodeVersions gives them), in one round trip: the most frequent read of all.
 */
const detailQuery = (where: string) => `
  SELECT ${providerJson} AS provider,
         ${statusEventsJson('p.id')} AS events,
         ${codeVersionsJson} AS versions,
         coalesce((SELECT jsonb_agg(jsonb_build_object('id', a.id, 'number', a.number, 'providerId', a.provider_id,
                                                       'issuedAt', a.issued_at, 'validUntil', a.valid_until,
                                                       'fingerprint', a.fingerprint) ORDER BY a.issued_at DESC)
                     FROM attestations a WHERE a.provider_id = p.id), '[]'::jsonb) AS attestations
    FROM providers p WHERE ${where}`;
const BY_KVK = detailQuery('p.kvk_number = $1');
const PUBLIC_BY_KVK = detailQuery('p.kvk_number = $1 AND p.identity_confirmed_at IS NOT NULL');
const BY_ID = detailQuery('p.id = $1');

/** The detail row of the provider with this KvK number; `publicOnly` leaves out unconfirmed providers. */
export async function providerDetailRowByKvk(
  dataSource: DataSource,
  kvkNumber: string,
  publicOnly: boolean,
): Promise<ProviderDetailRow | undefined> {
  const [row] = await preparedQuery<ProviderDetailRow>(dataSource, publicOnly ? PUBLIC_BY_KVK : BY_KVK, [
    kvkNumber,
  ]);
  return row;
}

/** The detail row of the provider with this id. */
export async function providerDetailRowById(
  dataSource: DataSource,
  id: string,
): Promise<ProviderDetailRow | undefined> {
  const [row] = await preparedQuery<ProviderDetailRow>(dataSource, BY_ID, [id]);
  return row;
}
