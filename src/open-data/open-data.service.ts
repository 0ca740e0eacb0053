import type { Readable } from 'node:stream';
import type { DataSource } from 'typeorm';
import { streamQuery } from '../database/stream';
import { safeCell } from '../shared/csv';
import { refreshDueSnapshots } from '../status/status-snapshot.service';
import type { StatusEventKind } from '../status/status-rules';

/** The licence of the open data: public domain dedication, the default for Dutch government data. */
export const OPEN_DATA_LICENCE = {
  name: 'CC0 1.0 Universal',
  url: 'https://creativecommons.org/publicdomain/zero/1.0/deed.nl',
} as const;

/**
 * Every field of the open data, in order: the CSV columns and the JSON properties have these
 * names, and the field page describes each (texts under `openData.fields.<name>`).
 */
export const OPEN_DATA_FIELDS = [
  'kvkNummer',
  'naam',
  'handelsnamen',
  'btwNummer',
  'straatEnHuisnummer',
  'postcode',
  'plaats',
  'website',
  'abuseEmailadres',
  'asNummers',
  'status',
  'verantwoord',
  'statusSinds',
  'vermeldingGeldigTot',
] as const;
export type OpenDataField = (typeof OPEN_DATA_FIELDS)[number];

export interface OpenDataRecord {
  kvkNummer: string;
  naam: string;
  handelsnamen: string[];
  btwNummer: string | null;
  straatEnHuisnummer: string;
  postcode: string;
  plaats: string;
  website: string | null;
  abuseEmailadres: string;
  asNummers: number[];
  status: string;
  verantwoord: boolean;
  statusSinds: string | null;
  vermeldingGeldigTot: string | null;
}

interface RegisterRow {
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

export function openDataRecord(row: RegisterRow): OpenDataRecord {
  return {
    kvkNummer: row.kvk_number,
    naam: row.legal_name,
    handelsnamen: row.trade_names,
    btwNummer: row.vat_number,
    straatEnHuisnummer: row.street_address,
    postcode: row.postcode,
    plaats: row.city,
    website: row.website,
    abuseEmailadres: row.abuse_email,
    asNummers: row.as_numbers,
    status: row.status,
    verantwoord: row.status === 'verantwoord',
    statusSinds: row.since?.toISOString() ?? null,
    vermeldingGeldigTot: row.valid_until?.toISOString() ?? null,
  };
}

/** One record as CSV cells: lists joined, no cell that a spreadsheet would run as a formula. */
export function csvCells(record: OpenDataRecord): string[] {
  return [
    record.kvkNummer,
    safeCell(record.naam),
    safeCell(record.handelsnamen.join('; ')),
    record.btwNummer ?? '',
    safeCell(record.straatEnHuisnummer),
    safeCell(record.postcode),
    safeCell(record.plaats),
    safeCell(record.website ?? ''),
    safeCell(record.abuseEmailadres),
    record.asNummers.join(' '),
    record.status,
    record.verantwoord ? 'true' : 'false',
    record.statusSinds ?? '',
    record.vermeldingGeldigTot ?? '',
  ];
}

export async function streamRegister(
  dataSource: DataSource,
  now: Date,
): Promise<{ records: Readable; release: () => Promise<void> }> {
  await refreshDueSnapshots(dataSource.manager, now);
  return streamQuery(
    dataSource,
    `SELECT p.kvk_number, p.legal_name, p.trade_names, p.vat_number, p.street_address, p.postcode,
            p.city, p.website, p.abuse_email, p.as_numbers, s.status, s.since, s.valid_until
       FROM providers p JOIN provider_status s ON s.provider_id = p.id
      WHERE p.identity_confirmed_at IS NOT NULL
      ORDER BY p.kvk_number`,
    [],
    openDataRecord,
  );
}

export interface FeedEntry {
  id: string;
  kind: StatusEventKind;
  effectiveAt: Date;
  recordedAt: Date;
  reason: string | null;
  kvkNumber: string;
  legalName: string;
}

export const FEED_SIZE = 100;

/** The latest status changes of the public register (confirmed providers), newest first (order of recording). */
export async function latestStatusChanges(dataSource: DataSource, limit = FEED_SIZE): Promise<FeedEntry[]> {
  const rows = (await dataSource.query(
    `SELECT e.id, e.kind, e.effective_at, e.recorded_at, e.reason, p.kvk_number, p.legal_name
       FROM status_events e JOIN providers p ON p.id = e.provider_id
      WHERE p.identity_confirmed_at IS NOT NULL
      ORDER BY e.id DESC LIMIT $1`,
    [limit],
  )) as Record<string, unknown>[];
  return rows.map((r) => ({
    id: String(r.id),
    kind: r.kind as StatusEventKind,
    effectiveAt: r.effective_at as Date,
    recordedAt: r.recorded_at as Date,
    reason: r.reason as string | null,
    kvkNumber: r.kvk_number as string,
    legalName: r.legal_name as string,
  }));
}
