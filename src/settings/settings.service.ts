import type { DataSource, EntityManager } from 'typeorm';
import { appendAuditEvent } from '../audit/audit.service';
import { type Config, REVIEWER_NOTIFICATIONS, type ReviewerNotification } from '../config';
import { ValidationError } from '../shared/errors';
import { isOneLine } from '../shared/forbidden-characters';
import { isMailAddress } from '../shared/mail-address';
import type { FieldErrors } from '../shared/validation';
import {
  lockSettings,
  settingRows,
  storedReminderDays,
  storedReviewerNotification,
  upsertSetting,
} from './settings.queries';

/** Settings administrators change in the application; the configuration gives the starting values. */
export interface Settings {
  /** How long an approved listing lasts. */
  listingValidityMonths: number;
  /** Days before a listing ends on which its provider is reminded, most distant first. */
  reminderDays: number[];
  /** Evidence files one application may hold. */
  evidenceMaxFiles: number;
  /** Total megabytes of evidence one application may hold. */
  evidenceMaxTotalMb: number;
  /** The organisation that keeps the register and issues the attestations. */
  organisationName: string;
  /** Where providers send questions and objections (bezwaar). */
  contactEmail: string;
  /** Reviewers hear of each submission at once ('each') or in one mail a day ('daily'). */
  reviewerNotification: ReviewerNotification;
}

type SettingsConfig = Pick<
  Config,
  | 'listingValidityMonths'
  | 'evidenceMaxFiles'
  | 'evidenceMaxTotalMb'
  | 'organisationName'
  | 'contactEmail'
  | 'reviewerNotification'
>;

export const DEFAULT_REMINDER_DAYS = [90, 30, 7];

/** The reminder days in force. */
export async function readReminderDays(manager: EntityManager): Promise<number[]> {
  return (await storedReminderDays(manager)) ?? DEFAULT_REMINDER_DAYS;
}

/** How reviewers hear of new submissions now; `starting` is the configured starting value. */
export async function readReviewerNotification(
  manager: EntityManager,
  starting: ReviewerNotification,
): Promise<ReviewerNotification> {
  return (await storedReviewerNotification(manager)) ?? starting;
}

export async function readSettings(manager: EntityManager, config: SettingsConfig): Promise<Settings> {
  const rows = await settingRows(manager);
  const stored = Object.fromEntries(rows.map((r) => [r.key, r.value])) as Partial<Settings>;
  return {
    listingValidityMonths: stored.listingValidityMonths ?? config.listingValidityMonths,
    reminderDays: stored.reminderDays ?? DEFAULT_REMINDER_DAYS,
    evidenceMaxFiles: stored.evidenceMaxFiles ?? config.evidenceMaxFiles,
    evidenceMaxTotalMb: stored.evidenceMaxTotalMb ?? config.evidenceMaxTotalMb,
    organisationName: stored.organisationName ?? config.organisationName,
    contactEmail: stored.contactEmail ?? config.contactEmail,
    reviewerNotification: stored.reviewerNotification ?? config.reviewerNotification,
  };
}

function wholeNumber(raw: string, min: number, max: number): number | undefined {
  const value = /^[0-9]{1,5}$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  return value >= min && value <= max ? value : undefined;
}

/**
 * Reads the form: whole months 1–60; up to five distinct reminder days 1–365, comma-separated, none
 * beyond the renewal window (a reminder before renewal opens would ask for what cannot be done yet);
 * evidence per application 1–500 files and 1–5000 MB; an organisation name of 1–200 characters; a
 * contact e-mail address; reviewers told of each submission or daily. Every field is one line.
 */
export function parseSettings(
  values: {
    listingValidityMonths: string;
    reminderDays: string;
    evidenceMaxFiles: string;
    evidenceMaxTotalMb: string;
    organisationName: string;
    contactEmail: string;
    reviewerNotification: string;
  },
  renewalWindowDays: number,
): Settings {
  const errors: FieldErrors = {};
  const months = /^[0-9]{1,2}$/.test(values.listingValidityMonths)
    ? Number(values.listingValidityMonths)
    : NaN;
  if (!(months >= 1 && months <= 60)) errors.listingValidityMonths = ['settings.invalidMonths'];
  const parts = values.reminderDays.split(/[,\s]+/).filter(Boolean);
  const days = parts.map((p) => (/^[0-9]{1,3}$/.test(p) ? Number(p) : NaN));
  if (
    days.length === 0 ||
    days.length > 5 ||
    days.some((d) => !(d >= 1 && d <= 365)) ||
    new Set(days).size !== days.length
  )
    errors.reminderDays = ['settings.invalidDays'];
  else if (days.some((d) => d > renewalWindowDays))
    errors.reminderDays = ['settings.daysBeyondRenewalWindow'];
  const evidenceMaxFiles = wholeNumber(values.evidenceMaxFiles, 1, 500);
  if (evidenceMaxFiles === undefined) errors.evidenceMaxFiles = ['settings.invalidEvidenceFiles'];
  const evidenceMaxTotalMb = wholeNumber(values.evidenceMaxTotalMb, 1, 5000);
  if (evidenceMaxTotalMb === undefined) errors.evidenceMaxTotalMb = ['settings.invalidEvidenceMb'];
  const organisationName = values.organisationName.trim();
  if (organisationName.length < 1 || organisationName.length > 200)
    errors.organisationName = ['settings.invalidOrganisationName'];
  const contactEmail = values.contactEmail.trim();
  if (!isMailAddress(contactEmail)) errors.contactEmail = ['validation.email'];
  const reviewerNotification = values.reviewerNotification as ReviewerNotification;
  if (!REVIEWER_NOTIFICATIONS.includes(reviewerNotification))
    errors.reviewerNotification = ['settings.invalidReviewerNotification'];
  // Every field is one line: the message says what is wrong with a line break rather than its number.
  for (const [field, value] of Object.entries(values))
    if (!isOneLine(value)) errors[field] = ['validation.oneLine'];
  if (Object.keys(errors).length > 0) throw new ValidationError(errors, undefined, { renewalWindowDays });
  return {
    listingValidityMonths: months,
    reminderDays: [...days].sort((a, b) => b - a),
    evidenceMaxFiles: evidenceMaxFiles!,
    evidenceMaxTotalMb: evidenceMaxTotalMb!,
    organisationName,
    contactEmail,
    reviewerNotification,
  };
}

/** Stores the settings and records what changed, from what to what, in the audit log. */
export async function updateSettings(
  dataSource: DataSource,
  config: SettingsConfig,
  actor: string,
  next: Settings,
  now: Date,
): Promise<void> {
  await dataSource.transaction(async (manager) => {
    await lockSettings(manager);
    const before = await readSettings(manager, config);
    for (const key of Object.keys(next) as (keyof Settings)[]) {
      if (JSON.stringify(before[key]) === JSON.stringify(next[key])) continue;
      await upsertSetting(manager, key, next[key], now, actor);
      await appendAuditEvent(manager, now, {
        actor,
        action: 'settings.changed',
        subjectType: 'setting',
        subjectId: key,
        data: { from: before[key], to: next[key] },
      });
    }
  });
}
