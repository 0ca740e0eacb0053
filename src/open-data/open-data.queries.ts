import type { DataSource } from 'typeorm';
import { streamQuery } from '../database/stream';

/** A public provider with its status snapshot, as the open data streams it. */
export interface RegisterRow {
  kvk_number: string;
  legal_name: string;
  trade_names: string[];
  vat_number: string | null;
  street_address: string;
  postcode: string;
  city: string;
  website: string | null;
  abuse_email: string;
  as_numbers: number[];
  status: string;
  since: Date | null;
  valid_until: Date | null;
}

/** Every provider whose identity is confirmed, with its status, by KvK number, through `map`, from a cursor. */
export function streamPublicRegister<T>(dataSource: DataSource, map: (row: RegisterRow) => T) {
  return streamQuery(
    dataSource,
    `SELECT p.kvk_number, p.legal_name, p.trade_names, p.vat_number, p.street_address, p.postcode,
            p.city, p.website, p.abuse_email, p.as_numbers, s.status, s.since, s.valid_until
       FROM providers p JOIN provider_status s ON s.provider_id = p.id
      WHERE p.identity_confirmed_at IS NOT NULL
      ORDER BY p.kvk_number`,
    [],
    map,
  );
}

/** How many public providers there are, and when their records and their status snapshots last changed. */
export async function publicRegisterVersion(
  dataSource: DataSource,
): Promise<{ count: number; providersChanged: Date | null; statusesChanged: Date | null }> {
  const [row] = await dataSource.query<
    { count: string; providers_changed: Date | null; statuses_changed: Date | null }[]
  >(
    // The count from the kept counts, each latest change from the end of an index (migration
    // ProviderStatusCounts): three lookups, whatever the size of the register.
    `SELECT (SELECT coalesce(sum(n), 0) FROM provider_status_counts WHERE identity_confirmed)::text AS count,
            (SELECT max(greatest(updated_at, identity_confirmed_at)) FROM providers
              WHERE identity_confirmed_at IS NOT NULL) AS providers_changed,
            (SELECT max(computed_at) FROM provider_status WHERE identity_confirmed) AS statuses_changed`,
  );
  return {
    count: Number(row?.count ?? 0),
    providersChanged: row?.providers_changed ?? null,
    statusesChanged: row?.statuses_changed ?? null,
  };
}
