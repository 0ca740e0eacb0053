import type { Readable } from 'node:stream';
import type { DataSource } from 'typeorm';
import { safeCell } from '../shared/csv';
import { refreshDueSnapshots } from '../status/status-snapshot.service';
import type { StatusEventKind } from '../status/status-rules';
import { latestPublicStatusEvents, type RegisterRow, streamPublicRegister } from './open-data.queries';

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
  return streamPublicRegister(dataSource, openDataRecord);
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
  const rows = await latestPublicStatusEvents(dataSource, limit);
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    effectiveAt: r.effective_at,
    recordedAt: r.recorded_at,
    reason: r.reason,
    kvkNumber: r.kvk_number,
    legalName: r.legal_name,
  }));
}
