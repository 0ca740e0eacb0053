import assert from 'node:assert/strict';
import request from 'supertest';
import type { EntityManager } from 'typeorm';
import { createRegisterDataSource } from '../../src/entities';
import {
  JOB_ACTOR,
  recordEndings,
  runDueJobs,
  runJobOnce,
  sendReminders,
  weekOf,
} from '../../src/jobs/daily-jobs';
import { dailySummary } from '../../src/jobs/job-summary';
import { OutboxMail } from '../../src/mail/outbox-mail.entity';
import { dateInWords } from '../../src/shared/i18n';
import { addDays, addMonths, toLocalDate } from '../../src/shared/time';
import { StatusEvent } from '../../src/status/status-event.entity';
import { givenApproval, givenCodeVersion, givenProvider } from '../factories/provider.factory';
import {
  givenDeclaredReseller,
  givenMatch,
  givenSignal,
  givenSignalSupplier,
} from '../factories/signal.factory';
import { givenUser } from '../factories/user.factory';
import { testApp, testConfig, useTestApp } from '../helpers/app';
import { FixedClock } from '../../src/shared/clock';
import { submitForm } from '../helpers/session';
import { must } from '../../src/shared/must';

const BASE = testConfig.publicBaseUrl;
// The jobs run, and the app answers, on Monday 16 November 2026.
const clock = new FixedClock('2026-11-16T10:00:00Z');

describe('the daily work', () => {
  const context = useTestApp({ clock });
  const events = (providerId: string, kind: string) =>
    context.db.dataSource
      .getRepository(StatusEvent)
      .findBy({ providerId, kind: kind as StatusEvent['kind'] });
  const mailsTo = (to: string) => context.db.dataSource.getRepository(OutboxMail).findBy({ recipient: to });
  const inTransaction = <T>(work: (manager: EntityManager) => Promise<T>) =>
    context.db.dataSource.transaction(work);

  it('records an expiry as a status event at the end of the listing, once however often it runs, and tells the provider once', async () => {
    const version = await givenCodeVersion(context.db.dataSource);
    const provider = await givenProvider(context.db.dataSource);
    const user = await givenUser(context.db.dataSource, 'provider', { providerId: provider.id });
    const approvedAt = addMonths(clock.now(), -13);
    await givenApproval(context.db.dataSource, provider, version, approvedAt, clock.now());
    const now = clock.now();
    await inTransaction((m) => recordEndings(m, now, BASE));
    await inTransaction((m) => recordEndings(m, now, BASE));
    const expired = await events(provider.id, 'listing_expired');
    const [expiry] = expired;
    assert.equal(expired.length, 1);
    assert.ok(expiry);
    assert.equal(expiry.effectiveAt.toISOString(), addMonths(approvedAt, 12).toISOString());
    assert.equal(expiry.actor, JOB_ACTOR);
    const mails = await mailsTo(user.email);
    assert.equal(mails.length, 1, 'one mail, however often the work runs');
    const mail = must(mails[0], 'the mail');
    assert.match(mail.subject, /staat niet meer als verantwoord vermeld/);
    assert.ok(mail.body.includes(`op ${dateInWords('nl', addMonths(approvedAt, 12))} verlopen`));
    assert.ok(mail.body.includes(`${BASE}/account`));
    const page = await request(context.app).get(`/hostingproviders/${provider.kvkNumber}`);
    assert.match(page.text, /data-status="expired"/, 'the status is what the rules said before');
    assert.match(page.text, /Vermelding verlopen/);
  });

  it('reminds a provider 90, 30 and 7 days before the end, once each, and only the most urgent after a pause', async () => {
    const version = await givenCodeVersion(context.db.dataSource, {
      publishedAt: addDays(clock.now(), -400),
    });
    const provider = await givenProvider(context.db.dataSource);
    const user = await givenUser(context.db.dataSource, 'provider', { providerId: provider.id });
    // The listing ends in 20 days: the 90-day reminder was never sent, the 30-day one is due.
    await givenApproval(
      context.db.dataSource,
      provider,
      version,
      addDays(addMonths(clock.now(), -12), 20),
      clock.now(),
    );
    await inTransaction((m) => sendReminders(m, clock.now(), BASE));
    await inTransaction((m) => sendReminders(m, clock.now(), BASE));
    let mails = await mailsTo(user.email);
    assert.equal(mails.length, 1);
    const [first] = mails;
    assert.ok(first);
    const ends = addDays(clock.now(), 20);
    // The end date in words, in the language of each half of the mail.
    assert.ok(first.subject.includes(`loopt af op ${dateInWords('nl', ends)}`), first.subject);
    assert.ok(first.subject.includes(`ends on ${dateInWords('en', ends)}`), first.subject);
    assert.match(first.body, /over 20 dagen/);
    // Two weeks later: 6 days left, the 7-day reminder.
    await inTransaction((m) => sendReminders(m, addDays(clock.now(), 14), BASE));
    mails = await mailsTo(user.email);
    assert.equal(mails.length, 2);
    assert.match(must(mails[1], 'two mails').body, /over 6 dagen/);
  });

  it('sends reviewers a weekly digest of applications waiting longer than 10 working days', async () => {
    const reviewer = await givenUser(context.db.dataSource, 'reviewer');
    const provider = await givenProvider(context.db.dataSource, { legalName: 'Wachtende Hosting B.V.' });
    const applicant = await givenUser(context.db.dataSource, 'provider', { providerId: provider.id });
    const version = await givenCodeVersion(context.db.dataSource);
    await context.db.dataSource.query(
      `INSERT INTO applications (provider_id, kind, state, submitted_at, code_of_conduct_version_id, code_signed_on,
                                 signatory_name, signatory_role, aan_since, aan_contact_name, created_by)
       SELECT $1, 'listing', 'submitted', $2, $3, '2026-01-01', 'A', 'B', '2025-01-01', 'C', u.id
         FROM users u WHERE u.email = $4`,
      [provider.id, addDays(clock.now(), -20), version.id, applicant.email],
    );
    const now = clock.now();
    const first = await runDueJobs(context.db.dataSource, BASE, now);
    const second = await runDueJobs(context.db.dataSource, BASE, now);
    assert.equal(first.weekly.ran, true);
    assert.equal(second.weekly.ran, false, 'once a week');
    assert.equal(second.daily.ran, false, 'once a day');
    const mails = await mailsTo(reviewer.email);
    assert.equal(mails.length, 1);
    const body = must(mails[0], 'one mail').body;
    assert.match(body, /Wachtende Hosting B\.V\./);
    const submitted = addDays(clock.now(), -20);
    assert.ok(body.includes(`ingediend op ${dateInWords('nl', submitted)}`), body);
    assert.ok(body.includes(`submitted on ${dateInWords('en', submitted)}`), body);
  });

  it('runs each job once when two instances look at the same time, and a session works on either instance', async () => {
    const other = createRegisterDataSource({ url: context.db.url, poolSize: 2 });
    await other.initialize();
    try {
      const version = await givenCodeVersion(context.db.dataSource);
      const provider = await givenProvider(context.db.dataSource);
      await givenApproval(context.db.dataSource, provider, version, addMonths(clock.now(), -14), clock.now());
      const later = addDays(clock.now(), 8);
      const [a, b] = await Promise.all([
        runDueJobs(context.db.dataSource, BASE, later),
        runDueJobs(other, BASE, later),
      ]);
      assert.equal(Number(a.daily.ran) + Number(b.daily.ran), 1, 'the daily job ran on exactly one instance');
      const [counted] = await context.db.dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM job_runs WHERE job = 'daily' AND period = $1`,
        [toLocalDate(later)],
      );
      const { n } = must(counted, 'a count gives one row');
      assert.equal(n, 1);
      assert.equal((await events(provider.id, 'listing_expired')).length, 1);

      const user = await givenUser(context.db.dataSource, 'provider', { providerId: provider.id });
      const login = await submitForm(request.agent(context.app), '/inloggen', '/inloggen', {
        email: user.email,
        password: user.password,
      });
      assert.equal(login.status, 303);
      const session = (login.headers['set-cookie'] as unknown as string[]).find((c) =>
        c.startsWith('vhp.sid='),
      );
      assert.ok(session);
      const onB = await request(testApp(other, { clock }).app)
        .get('/account')
        .set('Cookie', must(session.split(';')[0], 'split gives one part'));
      assert.equal(onB.status, 200, 'the session from instance A is valid on instance B');
    } finally {
      await other.destroy();
    }
  });

  it("says in its summary what the signals' part did: reminders mailed, matches marked overdue, review tasks opened", async () => {
    const ds = context.db.dataSource;
    // A day of its own (the other tests ran the job for theirs), 40 days on.
    const day = addDays(clock.now(), 40);
    const provider = await givenProvider(ds);
    await givenUser(ds, 'provider', { providerId: provider.id });
    const supplier = await givenSignalSupplier(ds);
    const reseller = await givenDeclaredReseller(ds, provider.id, { domains: ['zz-dagtaak-signaal.nl'] });
    for (const due of [addDays(day, -1), addDays(day, 3)]) {
      const signal = await givenSignal(ds, supplier.id, { domains: ['zz-dagtaak-signaal.nl'] });
      await givenMatch(ds, signal.id, provider.id, reseller.id, {
        matchedAt: addDays(due, -30),
        answerDueAt: due,
      });
    }
    const { daily } = await runDueJobs(ds, BASE, day, 'each', undefined, [7, 1]);
    assert.equal(daily.ran, true);
    assert.deepEqual(
      [
        daily.result?.signalReminders,
        daily.result?.signalMatchesReminded,
        daily.result?.signalMatchesOverdue,
        daily.result?.signalOverdueTasks,
      ],
      [1, 1, 1, 1],
    );
    assert.match(
      dailySummary(daily.result ?? {}),
      / Signals: 1 reminder mailed about 1 match, 1 match marked overdue, 1 review task opened\.$/,
    );
  });

  it('a job that fails leaves no trace, and runs again next time', async () => {
    const period = 'test-failing-job';
    await assert.rejects(
      runJobOnce(
        context.db.dataSource,
        'daily',
        period,
        async (m) => {
          await m.query(
            `INSERT INTO job_runs (job, period, ran_at, instance, result) VALUES ('x', 'y', now(), 'z', '{}')`,
          );
          throw new Error('boom');
        },
        clock.now(),
      ),
      /boom/,
    );
    assert.equal(
      (await context.db.dataSource.query<unknown[]>(`SELECT 1 FROM job_runs WHERE job = 'x'`)).length,
      0,
    );
    const again = await runJobOnce(
      context.db.dataSource,
      'daily',
      period,
      () => Promise.resolve({ done: 1 }),
      clock.now(),
    );
    assert.equal(again.ran, true);
  });

  it('names weeks by their Monday in the Netherlands', () => {
    assert.equal(weekOf(new Date('2026-11-26T12:00:00Z')), 'week-2026-11-23');
    assert.equal(weekOf(new Date('2026-11-29T23:30:00Z')), 'week-2026-11-30', 'Monday 00:30 in Amsterdam');
    assert.equal(weekOf(new Date('2026-11-29T22:30:00Z')), 'week-2026-11-23', 'still Sunday in Amsterdam');
  });
});

describe('the daily work and code-of-conduct versions', () => {
  // Code versions count for every provider in a database: this one gets a database of its own.
  const own = useTestApp({ clock });
  const events = (providerId: string, kind: string) =>
    own.db.dataSource.getRepository(StatusEvent).findBy({ providerId, kind: kind as StatusEvent['kind'] });

  it('records a lapsed code-of-conduct version at the end of its successor’s transition', async () => {
    const old = await givenCodeVersion(own.db.dataSource, {
      publishedAt: new Date('2019-01-01T00:00:00Z'),
    });
    const provider = await givenProvider(own.db.dataSource);
    await givenApproval(own.db.dataSource, provider, old, addMonths(clock.now(), -2), clock.now());
    const transitionEnds = addDays(clock.now(), -1);
    await givenCodeVersion(own.db.dataSource, {
      publishedAt: addDays(clock.now(), -20),
      transitionEndsAt: transitionEnds,
    });
    await own.db.dataSource.transaction((m) => recordEndings(m, clock.now(), BASE));
    const lapsed = await events(provider.id, 'code_of_conduct_lapsed');
    assert.equal(lapsed.length, 1);
    assert.equal(must(lapsed[0], 'one lapse').effectiveAt.toISOString(), transitionEnds.toISOString());
  });
});
