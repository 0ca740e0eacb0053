import type { Readable } from 'node:stream';
import type { DataSource, EntityManager } from 'typeorm';
import { safeCell } from '../shared/csv';
import { catchUpAllSnapshots } from '../status/status-snapshot.service';
import {
  latestStatusChanges,
  type StatusChange,
  statusChangeCount,
  statusChangesFrom,
} from '../status/status-feed.service';
import { publicRegisterVersion, type RegisterRow, streamPublicRegister } from './open-data.queries';

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

/**
 * What the open data downloads hold at `now`, as a tag that changes whenever they change, and the
 * last instant they changed: the public providers (their records and confirmations) and their
 * status snapshots, read after the due snapshots are brought up to date (shared by concurrent
 * downloads, in batches under the snapshot refresh's lock). A snapshot recomputed
 * without a different answer changes the tag too; that costs a download, never a stale copy.
 */
export async function registerVersion(
  dataSource: DataSource,
  now: Date,
): Promise<{ tag: string; lastModified: Date | null }> {
  await catchUpAllSnapshots(dataSource, now);
  const version = await publicRegisterVersion(dataSource);
  return {
    tag: `${version.count}:${version.providersChanged?.toISOString()}:${version.statusesChanged?.toISOString()}`,
    lastModified: [version.providersChanged, version.statusesChanged].reduce<Date | null>(
      (max, d) => (d && (!max || d > max) ? d : max),
      null,
    ),
  };
}

export async function streamRegister(
  dataSource: DataSource,
  now: Date,
): Promise<{ records: Readable; release: () => Promise<void> }> {
  await catchUpAllSnapshots(dataSource, now);
  return streamPublicRegister(dataSource, openDataRecord);
}

/** Changes per Atom document: the subscription document's newest ones, and each archive page. */
export const FEED_SIZE = 100;

/**
 * The Atom feed as RFC 5005 archived feeds (§4): the subscription document holds the newest
 * FEED_SIZE changes and points (`prev-archive`) to the newest complete archive page; archive page n
 * holds changes (n-1)·FEED_SIZE+1 to n·FEED_SIZE in feed order, which never change once the page is
 * complete, because the feed only grows at its end (ids in commit order). So nothing is lost however
 * many changes come after it. An incomplete page is no archive yet: its changes are in the
 * subscription document.
 */
export interface FeedDocument {
  entries: StatusChange[];
  /** The archive page this is, or undefined for the subscription document. */
  archivePage?: number;
  /** The newest complete archive page, when there is one. */
  newestArchivePage?: number;
  /** The newest entry's recording instant; undefined for an empty feed. */
  updated?: Date;
}

/** The subscription document: the newest changes and the newest archive page. */
export async function feedSubscription(manager: EntityManager): Promise<FeedDocument> {
  const [entries, total] = await Promise.all([
    latestStatusChanges(manager, FEED_SIZE),
    statusChangeCount(manager),
  ]);
  const complete = Math.floor(total.count / FEED_SIZE);
  return {
    entries,
    newestArchivePage: complete > 0 ? complete : undefined,
    updated: entries[0]?.recordedAt,
  };
}

/** Archive page `page`, or undefined while that page is not complete. */
export async function feedArchivePage(
  manager: EntityManager,
  page: number,
): Promise<FeedDocument | undefined> {
  const total = await statusChangeCount(manager);
  const complete = Math.floor(total.count / FEED_SIZE);
  if (page < 1 || page > complete) return undefined;
  const entries = await statusChangesFrom(manager, (page - 1) * FEED_SIZE, FEED_SIZE);
  return { entries, archivePage: page, newestArchivePage: complete, updated: entries[0]?.recordedAt };
}
