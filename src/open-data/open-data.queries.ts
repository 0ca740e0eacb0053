import type { DataSource } from 'typeorm';
import { streamQuery } from '../database/stream';
import type { StatusEventKind } from '../status/status-rules';

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

export interface PublicStatusEventRow {
  /** A bigint, as text. */
  id: string;
  kind: StatusEventKind;
  effective_at: Date;
  recorded_at: Date;
  reason: string | null;
  kvk_number: string;
  legal_name: string;
}

/** The latest `limit` status events of confirmed providers, newest (last recorded) first. */
export function latestPublicStatusEvents(
  dataSource: DataSource,
  limit: number,
): Promise<PublicStatusEventRow[]> {
  return dataSource.query<PublicStatusEventRow[]>(
    `SELECT e.id::text AS id, e.kind, e.effective_at, e.recorded_at, e.reason, p.kvk_number, p.legal_name
       FROM status_events e JOIN providers p ON p.id = e.provider_id
      WHERE p.identity_confirmed_at IS NOT NULL
      ORDER BY e.id DESC LIMIT $1`,
    [limit],
  );
}
