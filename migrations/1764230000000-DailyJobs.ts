import type { MigrationInterface, QueryRunner } from 'typeorm';

const KINDS = [
  'application_submitted',
  'application_withdrawn',
  'application_rejected',
  'listing_approved',
  'suspended',
  'suspension_lifted',
  'revoked',
  'aan_participation_ended',
  'aan_participation_resumed',
];
/** Recorded by the daily work when the rules say a listing ended or its code version lapsed. */
const RECORDED_BY_JOBS = ['listing_expired', 'code_of_conduct_lapsed'];

/**
 * The daily work: which job ran for which period (so that one instance runs it, once), which
 * reminders went out, and the two status event kinds the daily work records.
 */
export class DailyJobs1764230000000 implements MigrationInterface {
  name = 'DailyJobs1764230000000';

  async up(q: QueryRunner): Promise<void> {
    const kinds = [...KINDS, ...RECORDED_BY_JOBS].map((k) => `'${k}'`).join(', ');
    await q.query(`ALTER TABLE status_events DROP CONSTRAINT status_events_kind_known`);
    await q.query(
      `ALTER TABLE status_events ADD CONSTRAINT status_events_kind_known CHECK (kind IN (${kinds}))`,
    );
    await q.query(`
      CREATE TABLE job_runs (
        job text NOT NULL,
        period text NOT NULL,
        ran_at timestamptz NOT NULL,
        instance text NOT NULL,
        result jsonb NOT NULL,
        PRIMARY KEY (job, period)
      )`);
    await q.query(`
      CREATE TABLE listing_reminders (
        listing_event_id bigint NOT NULL REFERENCES status_events (id) ON DELETE RESTRICT,
        days_before integer NOT NULL CONSTRAINT listing_reminders_days CHECK (days_before IN (90, 30, 7)),
        sent_at timestamptz NOT NULL,
        PRIMARY KEY (listing_event_id, days_before)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE listing_reminders`);
    await q.query(`DROP TABLE job_runs`);
    await q.query(`ALTER TABLE status_events DROP CONSTRAINT status_events_kind_known`);
    const kinds = KINDS.map((k) => `'${k}'`).join(', ');
    await q.query(
      `ALTER TABLE status_events ADD CONSTRAINT status_events_kind_known CHECK (kind IN (${kinds}))`,
    );
  }
}
