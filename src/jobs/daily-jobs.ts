import { hostname } from 'node:os';
import type { DataSource, EntityManager } from 'typeorm';
import { allowLongWork } from '../database/limits';
import { mailProviderUsers, mailReviewers } from '../mail/mail.service';
import type { ReviewerNotification } from '../config';
import { readReminderDays, readReviewerNotification } from '../settings/settings.service';
import { mailTexts } from '../mail/messages';
import { paths } from '../shared/paths';
import { addDays, toLocalDate } from '../shared/time';
import { recordStatusEvent } from '../status/status.service';
import {
  inBatches,
  loadCodeVersions,
  loadHistories,
  toCodeVersionFact,
  toStatusFact,
} from '../status/status-history';
import type { StatusEvent } from '../status/status-event.entity';
import { refreshDueSnapshots, refreshEndedAttestations } from '../status/status-snapshot.service';
import { lockSnapshotRefresh } from '../status/status-snapshot.queries';
import { type CodeVersionFact, statusAt, type StatusEventKind } from '../status/status-rules';
import { workingDaysBefore } from '../shared/working-days';
import { DEFAULT_SIGNAL_REMINDER_DAYS, signalDailyWork } from '../signals/signal-deadlines';
import { sendWatchDigest } from '../watch/watch-mail';
import { DEFAULT_LISTING_END_NOTICE_DAYS, noticeListingEnds } from '../watch/watch-notices';
import {
  applicationsSubmittedBetween,
  applicationsWaitingSince,
  deleteExpiredRateLimits,
  deleteExpiredRegistrations,
  endedProviderIds,
  insertJobRun,
  jobRanFor,
  lastJobRun,
  providerName,
  recordReminders,
  reminderCandidates,
  tryLockJob,
} from './daily-jobs.queries';

export const JOB_ACTOR = 'jobs:daily';
export const DIGEST_WORKING_DAYS = 10;
export type JobName = 'daily' | 'weekly-digest';

/**
 * Runs `work` for `period` unless it already ran for that period, on whichever instance gets there
 * first: one transaction holds a per-job advisory lock, checks the run record, does the work and
 * writes the record. The work and its record commit together, or neither does.
 */
export async function runJobOnce(
  dataSource: DataSource,
  job: JobName,
  period: string,
  work: (manager: EntityManager) => Promise<Record<string, number>>,
  now: Date,
): Promise<{ ran: boolean; result?: Record<string, number> }> {
  return dataSource.transaction(async (manager) => {
    // A day's expiries over the whole register: the long limit, not a request's.
    await allowLongWork(manager);
    if (!(await tryLockJob(manager, job))) return { ran: false };
    if (await jobRanFor(manager, job, period)) return { ran: false };
    const result = await work(manager);
    await insertJobRun(manager, {
      job,
      period,
      ranAt: now,
      instance: `${hostname()}:${process.pid}`,
      result,
    });
    return { ran: true, result };
  });
}

/**
 * Expiries and lapses as status events, at the instant the rules count from (the end of the
 * listing; the end of the old code version's transition). The rules already give that status
 * without them; the events put it in the history people read, and the provider's users are told
 * by mail. Idempotent.
 */
export async function recordEndings(
  manager: EntityManager,
  now: Date,
  publicBaseUrl: string,
): Promise<Record<string, number>> {
  // Under the snapshot refresh's lock, so the background refresh never writes the same rows meanwhile.
  await lockSnapshotRefresh(manager, true);
  await refreshDueSnapshots(manager, now);
  const ids = await endedProviderIds(manager);
  const versionFacts = (await loadCodeVersions(manager)).map(toCodeVersionFact);
  const counts = { expired: 0, lapsed: 0 };
  // A batch of histories at a time: at scale every provider of the register may have lapsed.
  for (const batch of inBatches(ids)) {
    const histories = await loadHistories(manager, batch);
    for (const providerId of batch) {
      const ending = await recordEnding(
        manager,
        providerId,
        histories.get(providerId) ?? [],
        versionFacts,
        now,
      );
      if (!ending) continue;
      counts[ending.ending]++;
      const organisation = await providerName(manager, providerId);
      await mailProviderUsers(manager, providerId, (to) =>
        mailTexts.listingEnded(
          to,
          organisation,
          ending.ending,
          ending.effectiveAt,
          `${publicBaseUrl}${paths.account}`,
        ),
      );
    }
  }
  return counts;
}

/** Records the expiry or lapse the history leads to at `now`, unless it is there already. */
async function recordEnding(
  manager: EntityManager,
  providerId: string,
  history: readonly StatusEvent[],
  versionFacts: readonly CodeVersionFact[],
  now: Date,
): Promise<{ ending: 'expired' | 'lapsed'; effectiveAt: Date } | undefined> {
  const status = statusAt(history.map(toStatusFact), versionFacts, now);
  if (status.verantwoord) return undefined;
  let kind: StatusEventKind | undefined;
  let at: Date | undefined;
  if (status.reason === 'expired' && status.listing)
    [kind, at] = ['listing_expired', status.listing.validUntil];
  if (status.reason === 'code_of_conduct_outdated' && status.since)
    [kind, at] = ['code_of_conduct_lapsed', status.since];
  if (!kind || !at) return undefined;
  const effectiveAt = at;
  if (history.some((e) => e.kind === kind && e.effectiveAt.getTime() === effectiveAt.getTime()))
    return undefined;
  await recordStatusEvent(manager, { providerId, kind, effectiveAt, actor: JOB_ACTOR, reason: null }, now);
  return { ending: kind === 'listing_expired' ? 'expired' : 'lapsed', effectiveAt };
}

/**
 * Reminds a verantwoord provider's users 90, 30 and 7 days before the listing ends, once each;
 * after a pause only the most urgent one goes out. Not while a renewal is waiting for a decision.
 */
export async function sendReminders(
  manager: EntityManager,
  now: Date,
  publicBaseUrl: string,
): Promise<Record<string, number>> {
  const reminderDays = await readReminderDays(manager);
  const due = await reminderCandidates(manager, addDays(now, Math.max(...reminderDays)));
  const versions = await loadCodeVersions(manager);
  const histories = await loadHistories(
    manager,
    due.map((d) => d.provider_id),
  );
  let sent = 0;
  for (const provider of due) {
    const history = histories.get(provider.provider_id) ?? [];
    const status = statusAt(history.map(toStatusFact), versions.map(toCodeVersionFact), now);
    if (!status.verantwoord) continue;
    const approval = [...history]
      .reverse()
      .find(
        (e) =>
          e.kind === 'listing_approved' && e.effectiveAt.getTime() === status.listing.approvedAt.getTime(),
      );
    if (!approval) continue;
    const daysLeft = (status.listing.validUntil.getTime() - now.getTime()) / 86_400_000;
    const applicable = reminderDays.filter((d) => daysLeft <= d);
    if (applicable.length === 0) continue;
    const recorded = await recordReminders(manager, approval.id, applicable, now);
    if (!recorded.includes(Math.min(...applicable))) continue;
    sent += await mailProviderUsers(manager, provider.provider_id, (to) =>
      mailTexts.renewalReminder(
        to,
        provider.legal_name,
        status.listing.validUntil,
        Math.max(0, Math.ceil(daysLeft)),
        `${publicBaseUrl}${paths.account}`,
      ),
    );
  }
  return { reminders: sent };
}

/** A digest to every active reviewer of the applications waiting longer than 10 working days. */
export async function sendReviewerDigest(
  manager: EntityManager,
  now: Date,
  publicBaseUrl: string,
): Promise<Record<string, number>> {
  const waiting = await applicationsWaitingSince(manager, workingDaysBefore(now, DIGEST_WORKING_DAYS));
  if (waiting.length === 0) return { digests: 0, waiting: 0 };
  const lines = waiting.map((a) => ({
    organisation: a.legal_name,
    kvkNumber: a.kvk_number,
    submittedAt: a.submitted_at,
    link: `${publicBaseUrl}${paths.reviewApplication(a.id)}`,
  }));
  const digests = await mailReviewers(manager, (email) => mailTexts.reviewerDigest(email, lines));
  return { digests, waiting: waiting.length };
}

/**
 * When reviewers hear of submissions daily (the setting): one mail to each with the applications
 * submitted since the previous daily run (a day back on the first) and still waiting for review.
 * A reviewer of the submitting organisation gets the mail too, as in the weekly digest: the queue
 * keeps them from deciding.
 */
export async function sendSubmissionDigest(
  manager: EntityManager,
  now: Date,
  publicBaseUrl: string,
  startingNotification: ReviewerNotification,
): Promise<Record<string, number>> {
  if ((await readReviewerNotification(manager, startingNotification)) !== 'daily') return {};
  const since = (await lastJobRun(manager, 'daily', now)) ?? addDays(now, -1);
  const submitted = await applicationsSubmittedBetween(manager, since, now);
  if (submitted.length === 0) return { submissionDigests: 0, submitted: 0 };
  const lines = submitted.map((a) => ({
    organisation: a.legal_name,
    kvkNumber: a.kvk_number,
    submittedAt: a.submitted_at,
    link: `${publicBaseUrl}${paths.reviewApplication(a.id)}`,
  }));
  const digests = await mailReviewers(manager, (email) => mailTexts.submissionDigest(email, lines));
  return { submissionDigests: digests, submitted: submitted.length };
}

/**
 * The watch lists' part of the daily work (issue 18): attestations that ended while their listing
 * runs on, listings that end before a contract, then the day's summary mail to those who asked
 * for one. After the endings, under their refresh lock, with every stored status current.
 */
export async function watchDailyWork(
  manager: EntityManager,
  now: Date,
  publicBaseUrl: string,
  listingEndNoticeDays: number,
): Promise<Record<string, number>> {
  const attestationsEnded = await refreshEndedAttestations(manager, now);
  const listingEndNotices = await noticeListingEnds(manager, now, listingEndNoticeDays);
  return {
    ...(attestationsEnded > 0 ? { attestationsEnded } : {}),
    listingEndNotices,
    ...(await sendWatchDigest(manager, now, publicBaseUrl)),
  };
}

/** The Monday of the week `now` falls in (Dutch calendar), naming the weekly period. */
export function weekOf(now: Date): string {
  const day = new Date(`${toLocalDate(now)}T12:00:00Z`);
  const monday = addDays(day, -((day.getUTCDay() + 6) % 7));
  return `week-${monday.toISOString().slice(0, 10)}`;
}

/**
 * Removes the rate-limit counters whose window has passed: the limiter only overwrites a key when
 * it comes back, so without this the table keeps every address and account that ever tried.
 */
export async function pruneRateLimits(manager: EntityManager, now: Date): Promise<Record<string, number>> {
  return { rateLimitsPruned: await deleteExpiredRateLimits(manager, now) };
}

/**
 * Removes the pending registrations (issue 17) whose 24 hours have passed: a registration nobody
 * confirmed leaves nothing behind.
 */
export async function pruneRegistrations(manager: EntityManager, now: Date): Promise<Record<string, number>> {
  return { registrationsPruned: await deleteExpiredRegistrations(manager, now) };
}

/**
 * The daily work: endings recorded, reminders sent, the reviewers' daily mail of new submissions
 * (when the setting asks for it; `startingNotification` is the configured starting value), the
 * watch lists' notices and daily summaries (issue 18; `listingEndNoticeDays` is the setting), old
 * rate-limit counters and expired pending registrations removed, and the signal matches' overdue
 * tasks and reminders (issue 19; `signalReminderDays` is the setting).
 */
export async function dailyWork(
  manager: EntityManager,
  now: Date,
  publicBaseUrl: string,
  startingNotification: ReviewerNotification = 'each',
  listingEndNoticeDays = DEFAULT_LISTING_END_NOTICE_DAYS,
  signalReminderDays: readonly number[] = DEFAULT_SIGNAL_REMINDER_DAYS,
): Promise<Record<string, number>> {
  return {
    ...(await recordEndings(manager, now, publicBaseUrl)),
    // After the endings: under their refresh lock, with every stored status current.
    ...(await watchDailyWork(manager, now, publicBaseUrl, listingEndNoticeDays)),
    ...(await sendReminders(manager, now, publicBaseUrl)),
    ...(await signalDailyWork(manager, now, publicBaseUrl, signalReminderDays)),
    ...(await sendSubmissionDigest(manager, now, publicBaseUrl, startingNotification)),
    ...(await pruneRateLimits(manager, now)),
    ...(await pruneRegistrations(manager, now)),
  };
}

/** The register's scheduled work for `now`: each job at most once per period, across instances. */
export async function runDueJobs(
  dataSource: DataSource,
  publicBaseUrl: string,
  now: Date,
  startingNotification: ReviewerNotification = 'each',
  listingEndNoticeDays = DEFAULT_LISTING_END_NOTICE_DAYS,
  signalReminderDays: readonly number[] = DEFAULT_SIGNAL_REMINDER_DAYS,
) {
  const daily = await runJobOnce(
    dataSource,
    'daily',
    toLocalDate(now),
    (manager) =>
      dailyWork(manager, now, publicBaseUrl, startingNotification, listingEndNoticeDays, signalReminderDays),
    now,
  );
  const weekly = await runJobOnce(
    dataSource,
    'weekly-digest',
    weekOf(now),
    (manager) => sendReviewerDigest(manager, now, publicBaseUrl),
    now,
  );
  return { daily, weekly };
}
