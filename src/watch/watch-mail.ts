import type { DataSource, EntityManager } from 'typeorm';
import { queueMail } from '../mail/mail.service';
import { mailTexts, type WatchLine, type WatchListGroup } from '../mail/messages';
import { paths } from '../shared/paths';
import {
  claimUnmailedNotifications,
  closeNotifications,
  markMailed,
  type NotificationRow,
  notificationsOf,
  unmailedDailyNotificationIds,
} from './watch-mail.queries';

/** A watch event's data as recordWatchEvent stored it (see src/status/watch-detection.ts). */
interface EventData {
  from?: string | null;
  to?: string;
  reasonText?: string | null;
  since?: string | null;
  validUntil?: string | null;
  attestationNumber?: string;
  verificationPath?: string;
  contractEnd?: string | null;
  legalName?: string;
}

/** One notification as a line of the mail; the rest of what it says is in the event's data. */
export function watchLineOf(row: NotificationRow, publicBaseUrl: string): WatchLine {
  const data = row.data as EventData;
  const base = {
    eventId: row.event_id,
    organisation: row.legal_name,
    kvkNumber: row.kvk_number,
    reference: row.reference ?? '',
    pageLink: `${publicBaseUrl}${paths.provider(row.kvk_number)}`,
  };
  const date = (value: string | null | undefined) => (value ? new Date(value) : null);
  switch (row.kind) {
    case 'status_changed':
      return {
        ...base,
        kind: 'status_changed',
        from: data.from ?? 'not_registered',
        to: data.to ?? '',
        since: date(data.since),
        reason: data.reasonText ?? null,
      };
    case 'attestation_changed':
      return {
        ...base,
        kind: 'attestation_changed',
        number: data.attestationNumber ?? '',
        from: data.from ?? null,
        to: data.to ?? '',
        since: date(data.since) ?? row.occurred_at,
        validUntil: date(data.validUntil) ?? row.occurred_at,
        verifyLink: `${publicBaseUrl}${data.verificationPath ?? ''}`,
      };
    case 'listing_ends_before_contract':
      return {
        ...base,
        kind: 'listing_ends_before_contract',
        validUntil: date(data.validUntil) ?? row.occurred_at,
        contractEnd: date(row.contract_end ?? data.contractEnd) ?? row.occurred_at,
      };
  }
}

/** One person's notifications as groups per list, in the order of the lists' names, events in order. */
export function groupByList(rows: readonly NotificationRow[], publicBaseUrl: string): WatchListGroup[] {
  const groups = new Map<string, WatchListGroup>();
  for (const row of rows) {
    const key = row.list_id ?? '';
    let group = groups.get(key);
    if (!group) {
      group = {
        list: row.list_name ?? '',
        link: row.list_id ? `${publicBaseUrl}${paths.watchList(row.list_id)}` : publicBaseUrl,
        lines: [],
      };
      groups.set(key, group);
    }
    group.lines.push(watchLineOf(row, publicBaseUrl));
  }
  return [...groups.values()].sort((a, b) => a.list.localeCompare(b.list, 'nl'));
}

/**
 * Writes one mail per person for these notifications, in the caller's transaction, and marks them
 * mailed; a notification nobody may be mailed about any more (the person was disabled, no longer
 * wants mail, or the supplier is no longer a confirmed organisation) is closed without a mail.
 * Answers how many mails were written.
 */
async function mailNotifications(
  manager: EntityManager,
  ids: string[],
  mode: 'at_once' | 'daily',
  publicBaseUrl: string,
  now: Date,
): Promise<number> {
  if (ids.length === 0) return 0;
  const rows = await notificationsOf(manager, ids);
  const closed = rows.filter((r) => !r.mailable).map((r) => r.id);
  const byPerson = new Map<string, NotificationRow[]>();
  for (const row of rows) {
    if (!row.mailable) continue;
    const own = byPerson.get(row.email) ?? [];
    own.push(row);
    byPerson.set(row.email, own);
  }
  // The account page holds the form; its POST path (paths.watchMail) has no page of its own.
  const settingsLink = `${publicBaseUrl}${paths.account}#meldingen`;
  for (const [email, own] of byPerson) {
    await queueMail(
      manager,
      mailTexts.watchNotice(email, mode, groupByList(own, publicBaseUrl), settingsLink),
    );
  }
  await markMailed(
    manager,
    rows.filter((r) => r.mailable).map((r) => r.id),
    now,
  );
  await closeNotifications(manager, closed, now);
  return byPerson.size;
}

/**
 * Mails the buyers who want to hear at once: claims up to `batch` unmailed 'at_once' notifications
 * (SKIP LOCKED: two instances never claim the same), writes one mail per person to the outbox and
 * marks them mailed, all in one transaction. Answers how many notifications it claimed and how
 * many mails it wrote.
 */
export function mailWatchNotificationsAtOnce(
  dataSource: DataSource,
  publicBaseUrl: string,
  now: () => Date,
  batch = 500,
): Promise<{ notifications: number; mails: number }> {
  return dataSource.transaction(async (manager) => {
    const ids = await claimUnmailedNotifications(manager, 'at_once', batch);
    const mails = await mailNotifications(manager, ids, 'at_once', publicBaseUrl, now());
    return { notifications: ids.length, mails };
  });
}

/**
 * The daily summary (in the daily job, so once a day across instances): one mail per person with
 * every unmailed 'daily' notification, grouped by list. In the caller's transaction.
 */
export async function sendWatchDigest(
  manager: EntityManager,
  now: Date,
  publicBaseUrl: string,
): Promise<Record<string, number>> {
  const ids = await unmailedDailyNotificationIds(manager);
  return { watchDigests: await mailNotifications(manager, ids, 'daily', publicBaseUrl, now) };
}
