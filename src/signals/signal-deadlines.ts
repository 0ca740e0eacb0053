import type { EntityManager } from 'typeorm';
import { appendAuditEvent } from '../audit/audit.service';
import { mailProviderUsers } from '../mail/mail.service';
import { mailTexts } from '../mail/messages';
import { paths } from '../shared/paths';
import { addDays, toLocalDate } from '../shared/time';
import {
  addRemindedDays,
  markOverdue,
  matchesDueBefore,
  openOverdueTask,
  overdueCount,
  providerLegalName,
  recountOverdueTasks,
  type WaitingMatchRow,
} from './signal-deadlines.queries';

/*
 * Issue 19 §2: a provider answers each match (what it did) within a deadline, is reminded before
 * it, and a match left unanswered past it becomes a review task. Not a status change: the decision
 * stays with a reviewer. Mail never says anything of a signal: how many matches, the earliest
 * deadline and "log in to see".
 */

/** Who the daily job's signal work acts as in the audit log. */
export const SIGNAL_DEADLINES_ACTOR = 'jobs:daily';

/** The reminder days when none are configured (SIGNAL_REMINDER_DAYS's default). */
export const DEFAULT_SIGNAL_REMINDER_DAYS: readonly number[] = [7, 1];

/**
 * The reminder days that apply to a match `daysLeft` days before its deadline and have not gone out
 * yet. After a pause every applicable day is due at once; the caller sends one mail for them.
 */
export function dueReminderDays(
  reminderDays: readonly number[],
  remindedDays: readonly number[],
  daysLeft: number,
): number[] {
  return reminderDays.filter((d) => daysLeft <= d && !remindedDays.includes(d));
}

/**
 * Mails each provider with matches waiting for an answer whose deadline is `reminderDays` days away
 * or less, once per reminder day and match: one mail per provider per run with how many signals
 * (a signal that matches two of its resellers is one) and the earliest deadline. One audit event
 * `signal_match.reminded` per run, written also when nothing was due, with each provider reminded
 * and its match ids inside: its public leaf is confidential (id and time only), and one leaf per run
 * whatever it did means their number cannot tell a supplier, who knows when it sent a signal, how
 * many providers have still not answered it (F24).
 */
export async function sendSignalReminders(
  manager: EntityManager,
  now: Date,
  publicBaseUrl: string,
  reminderDays: readonly number[],
): Promise<{ signalReminders: number; signalMatchesReminded: number }> {
  const waiting =
    reminderDays.length === 0
      ? []
      : await matchesDueBefore(manager, now, addDays(now, Math.max(...reminderDays)), toLocalDate(now));
  const byProvider = new Map<string, WaitingMatchRow[]>();
  for (const match of waiting) {
    const daysLeft = (match.answer_due_at.getTime() - now.getTime()) / 86_400_000;
    const due = dueReminderDays(reminderDays, match.reminded_days, daysLeft);
    if (due.length === 0) continue;
    await addRemindedDays(manager, match.id, due);
    byProvider.set(match.provider_id, [...(byProvider.get(match.provider_id) ?? []), match]);
  }
  let mails = 0;
  let reminded = 0;
  const providers: { providerId: string; matchIds: string[]; count: number; mails: number }[] = [];
  for (const [providerId, matches] of byProvider) {
    const earliest = matches.reduce(
      (a, m) => (m.answer_due_at < a ? m.answer_due_at : a),
      matches[0]!.answer_due_at,
    );
    const organisation = await providerLegalName(manager, providerId);
    const sent = await mailProviderUsers(manager, providerId, (to) =>
      mailTexts.signalMatchReminder(
        to,
        organisation,
        new Set(matches.map((m) => m.signal_id)).size,
        earliest,
        `${publicBaseUrl}${paths.signalMatches}`,
      ),
    );
    mails += sent;
    reminded += matches.length;
    providers.push({
      providerId,
      matchIds: matches.map((m) => m.id).sort(),
      count: matches.length,
      mails: sent,
    });
  }
  await appendAuditEvent(manager, now, {
    actor: SIGNAL_DEADLINES_ACTOR,
    action: 'signal_match.reminded',
    subjectType: 'signal_match',
    subjectId: 'reminders',
    data: { matches: reminded, providers },
  });
  return { signalReminders: mails, signalMatchesReminded: reminded };
}

/**
 * Marks the matches past their deadline without an answer overdue, and gives each provider with a
 * newly overdue match one open review task `signal_match_overdue` (its detail: how many of its
 * matches are overdue now). One audit event `signal_match.overdue` per run, written also when none
 * went overdue, with each provider, its match ids and its task inside (as the reminders, F24). The
 * task itself writes no event of its own: a public, countable event per provider would count them.
 */
export async function recordOverdueMatches(
  manager: EntityManager,
  now: Date,
): Promise<{ signalMatchesOverdue: number; signalOverdueTasks: number }> {
  const overdue = await markOverdue(manager, now);
  const byProvider = new Map<string, string[]>();
  for (const m of overdue) byProvider.set(m.provider_id, [...(byProvider.get(m.provider_id) ?? []), m.id]);
  let opened = 0;
  const providers: {
    providerId: string;
    matchIds: string[];
    count: number;
    taskId: string;
    taskOpened: boolean;
  }[] = [];
  for (const [providerId, matchIds] of byProvider) {
    const count = await overdueCount(manager, providerId, now);
    const task = await openOverdueTask(manager, providerId, count, now);
    if (task.opened) opened++;
    providers.push({
      providerId,
      matchIds: [...matchIds].sort(),
      count,
      taskId: task.id,
      taskOpened: task.opened,
    });
  }
  // The other open tasks get the figure of today too: a signal withdrawn or expired since asks no
  // answer any more (answers and dismissals recount at once, in signal-match.service).
  await recountOverdueTasks(manager, now, { except: [...byProvider.keys()] });
  await appendAuditEvent(manager, now, {
    actor: SIGNAL_DEADLINES_ACTOR,
    action: 'signal_match.overdue',
    subjectType: 'signal_match',
    subjectId: 'overdue',
    data: { matches: overdue.length, providers },
  });
  return { signalMatchesOverdue: overdue.length, signalOverdueTasks: opened };
}

/** The signals' part of the daily work: overdue matches first, then the reminders of those still due. */
export async function signalDailyWork(
  manager: EntityManager,
  now: Date,
  publicBaseUrl: string,
  reminderDays: readonly number[],
): Promise<Record<string, number>> {
  return {
    ...(await recordOverdueMatches(manager, now)),
    ...(await sendSignalReminders(manager, now, publicBaseUrl, reminderDays)),
  };
}
