import type { DataSource } from 'typeorm';
import { runDueJobs } from '../jobs/daily-jobs';
import { readReminderDays } from '../settings/settings.service';
import { localDaysBetween, nightlyRun } from './demo-calendar';
import { applicationsWaiting, instantsOfChange } from './seed.queries';

const DAY = 86_400_000;

/**
 * The nights of the demo's history: the scheduler's own daily (and weekly digest) work,
 * `runDueJobs`, as a running register does it just after midnight, so that expiries and version
 * lapses are recorded the night after they took effect, by `jobs:daily`, and reminders and
 * digests go out when they were due.
 *
 * A night is played when the work has something to do: after an instant at which a status changes
 * by itself (a listing's or a planned suspension's end, a version's lapse, a planned AAN end),
 * after any status event (a renewal decided may make a reminder due), when a reminder falls due,
 * and every Monday while an application waits for a reviewer (the digest). On the other nights it finds nothing, so
 * skipping them keeps the seed fast and leaves out nothing but job-run rows.
 */
export class DemoNights {
  private dueInstants: number[] = [];
  private lastNight = 0;
  private waiting = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly publicBaseUrl: string,
  ) {}

  /**
   * A scene for the night of every day from `from` up to `now` (today's at `now` when it is still
   * ahead).
   */
  scenes(from: Date, now: Date): { at: Date; play: () => Promise<void> }[] {
    return localDaysBetween(from, now).map((day) => {
      const at = nightlyRun(day, now);
      return { at, play: () => this.play(day, at) };
    });
  }

  private async play(day: string, at: Date): Promise<void> {
    const night = at.getTime();
    const monday = new Date(`${day}T12:00:00Z`).getUTCDay() === 1;
    const due = (monday && this.waiting) || this.dueInstants.some((i) => i > this.lastNight && i <= night);
    this.lastNight = night;
    if (due) await runDueJobs(this.dataSource, this.publicBaseUrl, at);
  }

  /** Reads the instants the daily work cares about again, after a scene that may have added some. */
  async afterScene(): Promise<void> {
    const { instants, listingEnds } = await instantsOfChange(this.dataSource);
    const reminderDays = await readReminderDays(this.dataSource.manager);
    this.waiting = await applicationsWaiting(this.dataSource);
    this.dueInstants = [
      ...instants,
      ...listingEnds.flatMap((end) => reminderDays.map((days) => end - days * DAY)),
    ];
  }
}
