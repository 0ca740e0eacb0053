import type { EntityManager } from 'typeorm';

/** The first key of the advisory locks the jobs take; the second is the job's name, hashed. */
const JOB_LOCK_CLASS = 7306;

/** Takes the job's advisory lock for the transaction; false when another instance holds it. */
export async function tryLockJob(manager: EntityManager, job: string): Promise<boolean> {
  const [row] = await manager.query<{ locked: boolean }[]>(
    'SELECT pg_try_advisory_xact_lock($1, hashtext($2)) AS locked',
    [JOB_LOCK_CLASS, job],
  );
  return row?.locked === true;
}

/** True when the job already ran for this period. */
export async function jobRanFor(manager: EntityManager, job: string, period: string): Promise<boolean> {
  const rows = await manager.query<{ ran: number }[]>(
    'SELECT 1 AS ran FROM job_runs WHERE job = $1 AND period = $2',
    [job, period],
  );
  return rows.length > 0;
}

export interface JobRun {
  job: string;
  period: string;
  ranAt: Date;
  instance: string;
  result: Record<string, number>;
}

export async function insertJobRun(manager: EntityManager, run: JobRun): Promise<void> {
  await manager.query(
    'INSERT INTO job_runs (job, period, ran_at, instance, result) VALUES ($1, $2, $3, $4, $5)',
    [run.job, run.period, run.ranAt, run.instance, JSON.stringify(run.result)],
  );
}

/** The providers whose snapshot says expired or code of conduct outdated. */
export async function endedProviderIds(manager: EntityManager): Promise<string[]> {
  const rows = await manager.query<{ provider_id: string }[]>(
    `SELECT provider_id FROM provider_status WHERE status IN ('expired', 'code_of_conduct_outdated')`,
  );
  return rows.map((r) => r.provider_id);
}

export interface ReminderCandidateRow {
  provider_id: string;
  legal_name: string;
  kvk_number: string;
}

/**
 * Verantwoord providers whose listing ends on or before `until`, without a renewal waiting for a
 * decision.
 */
export function reminderCandidates(manager: EntityManager, until: Date): Promise<ReminderCandidateRow[]> {
  return manager.query<ReminderCandidateRow[]>(
    `SELECT s.provider_id, p.legal_name, p.kvk_number
       FROM provider_status s JOIN providers p ON p.id = s.provider_id
      WHERE s.status = 'verantwoord' AND s.valid_until <= $1
        AND NOT EXISTS (SELECT 1 FROM applications a WHERE a.provider_id = s.provider_id AND a.kind = 'renewal'
                          AND a.state IN ('submitted', 'in_review', 'changes_requested'))`,
    [until],
  );
}

/** Records the reminders of a listing not yet sent; answers the days of those newly recorded. */
export async function recordReminders(
  manager: EntityManager,
  listingEventId: string,
  daysBefore: number[],
  sentAt: Date,
): Promise<number[]> {
  const rows = await manager.query<{ days_before: number }[]>(
    `INSERT INTO listing_reminders (listing_event_id, days_before, sent_at)
     SELECT $1, d, $3 FROM unnest($2::int[]) AS d ON CONFLICT DO NOTHING RETURNING days_before`,
    [listingEventId, daysBefore, sentAt],
  );
  return rows.map((r) => r.days_before);
}

export interface WaitingApplicationRow {
  id: string;
  submitted_at: Date;
  legal_name: string;
  kvk_number: string;
}

/** Applications submitted or in review since `submittedBefore` or earlier, oldest first. */
export function applicationsWaitingSince(
  manager: EntityManager,
  submittedBefore: Date,
): Promise<WaitingApplicationRow[]> {
  return manager.query<WaitingApplicationRow[]>(
    `SELECT a.id, a.submitted_at, p.legal_name, p.kvk_number
       FROM applications a JOIN providers p ON p.id = a.provider_id
      WHERE a.state IN ('submitted', 'in_review') AND a.submitted_at <= $1
      ORDER BY a.submitted_at`,
    [submittedBefore],
  );
}

/** A provider's legal name. */
export async function providerName(manager: EntityManager, providerId: string): Promise<string> {
  const [row] = await manager.query<{ legal_name: string }[]>(
    'SELECT legal_name FROM providers WHERE id = $1',
    [providerId],
  );
  return row?.legal_name ?? '';
}

/** The instant `job` last ran before `before`, if it ever did. */
export async function lastJobRun(
  manager: EntityManager,
  job: string,
  before: Date,
): Promise<Date | undefined> {
  const [row] = await manager.query<{ ran_at: Date | null }[]>(
    'SELECT max(ran_at) AS ran_at FROM job_runs WHERE job = $1 AND ran_at < $2',
    [job, before],
  );
  return row?.ran_at ?? undefined;
}

/** Applications submitted after `after` and up to `until` and still waiting for review, oldest first. */
export function applicationsSubmittedBetween(
  manager: EntityManager,
  after: Date,
  until: Date,
): Promise<WaitingApplicationRow[]> {
  return manager.query<WaitingApplicationRow[]>(
    `SELECT a.id, a.submitted_at, p.legal_name, p.kvk_number
       FROM applications a JOIN providers p ON p.id = a.provider_id
      WHERE a.state IN ('submitted', 'in_review') AND a.submitted_at > $1 AND a.submitted_at <= $2
      ORDER BY a.submitted_at`,
    [after, until],
  );
}

/**
 * Removes the rate-limit counters whose window ended before `now`, and the concurrency leases that
 * ended (left by an instance that stopped mid-work); answers how many.
 */
/** Deletes the pending registrations past their 24 hours, confirmed or not: what they held goes with them. */
export async function deleteExpiredRegistrations(manager: EntityManager, now: Date): Promise<number> {
  const [, removed] = await manager.query<[unknown[], number]>(
    `DELETE FROM account_tokens WHERE purpose = 'registration' AND expires_at < $1`,
    [now],
  );
  return removed;
}

export async function deleteExpiredRateLimits(manager: EntityManager, now: Date): Promise<number> {
  const [, removed] = await manager.query<[unknown[], number]>(
    'DELETE FROM rate_limits WHERE expire IS NOT NULL AND expire < $1',
    [now.getTime()],
  );
  const [, leases] = await manager.query<[unknown[], number]>(
    'DELETE FROM concurrency_leases WHERE expires_at < $1',
    [now],
  );
  return removed + leases;
}
