import assert from 'node:assert/strict';
import type { EntityManager } from 'typeorm';
import { runDueJobs } from '../../src/jobs/daily-jobs';
import { OutboxMail } from '../../src/mail/outbox-mail.entity';
import { dateInWords } from '../../src/shared/i18n';
import { addDays } from '../../src/shared/time';
import {
  dueReminderDays,
  recordOverdueMatches,
  sendSignalReminders,
  signalDailyWork,
} from '../../src/signals/signal-deadlines';
import { answerMatch } from '../../src/signals/signal-match.service';
import { givenProvider } from '../factories/provider.factory';
import {
  givenDeclaredReseller,
  givenMatch,
  givenSignal,
  givenSignalSupplier,
} from '../factories/signal.factory';
import { givenUser } from '../factories/user.factory';
import { testConfig, useTestApp } from '../helpers/app';
import { entryOf, eventsInChainOrder } from '../helpers/merkle';
import { signedIn, submitForm } from '../helpers/session';

const BASE = testConfig.publicBaseUrl;
const DOMAIN = 'zz-termijn-reseller-5521.nl';
const TEXT = 'Termijntoelichting 6619';

describe('signal match deadlines: reminders and overdue review tasks (issue 19)', () => {
  const context = useTestApp();
  const ds = () => context.db.dataSource;
  const inTransaction = <T>(work: (manager: EntityManager) => Promise<T>) => ds().transaction(work);
  const mailsTo = (to: string) =>
    ds()
      .getRepository(OutboxMail)
      .find({ where: { recipient: to }, order: { id: 'ASC' } });
  /** The events of `action` about this provider: a run's event (one per run) as its entry for it. */
  const eventsOf = async (
    action: string,
    providerId: string,
  ): Promise<{ id: string; data: Record<string, unknown>; actor: string }[]> => {
    const events = await ds().query<
      { id: string; data: Record<string, unknown>; actor: string; subject_id: string }[]
    >(`SELECT id::text, data, actor, subject_id FROM audit_events WHERE action = $1 ORDER BY id`, [action]);
    return events.flatMap((e) => {
      const providers = e.data.providers as Record<string, unknown>[] | undefined;
      if (!providers) return e.subject_id === providerId ? [{ id: e.id, data: e.data, actor: e.actor }] : [];
      return providers
        .filter((p) => p.providerId === providerId)
        .map((data) => ({ id: e.id, data, actor: e.actor }));
    });
  };
  const matchRow = async (id: string) =>
    (
      await ds().query<{ reminded_days: number[]; overdue_at: Date | null }[]>(
        `SELECT reminded_days, overdue_at FROM signal_matches WHERE id = $1`,
        [id],
      )
    )[0]!;
  const openTasks = (providerId: string) =>
    ds().query<{ id: string; detail: Record<string, string> }[]>(
      `SELECT id, detail FROM review_tasks WHERE provider_id = $1 AND kind = 'signal_match_overdue' AND resolved_at IS NULL`,
      [providerId],
    );

  /** A provider with a user, a declared reseller, and `count` matches of fresh signals due at these moments. */
  async function providerWithMatches(dues: Date[], options: { answeredAt?: Date; dismissed?: boolean } = {}) {
    const provider = await givenProvider(ds());
    const user = await givenUser(ds(), 'provider', { providerId: provider.id });
    const supplier = await givenSignalSupplier(ds());
    const reseller = await givenDeclaredReseller(ds(), provider.id, { domains: [DOMAIN] });
    const matches: { id: string; signal: { id: string; number: string } }[] = [];
    for (const due of dues) {
      const signal = await givenSignal(ds(), supplier.id, { domains: [DOMAIN] }, { text: TEXT });
      const match = await givenMatch(ds(), signal.id, provider.id, reseller.id, {
        matchedAt: addDays(due, -30),
        answerDueAt: due,
        ...(options.answeredAt ? { answers: [{ action: 'investigating', at: options.answeredAt }] } : {}),
        ...(options.dismissed
          ? { kind: 'possible', matchedOn: ['name'], dismissedAt: addDays(due, -29) }
          : {}),
      });
      matches.push({ id: match.id, signal });
    }
    return { provider, user, supplier, reseller, matches };
  }

  describe('which reminder days apply', () => {
    for (const [days, reminded, left, expected] of [
      [[7, 1], [], 10, []],
      [[7, 1], [], 7, [7]],
      [[7, 1], [], 5, [7]],
      [[7, 1], [7], 5, []],
      [[7, 1], [7], 0.5, [1]],
      [[7, 1], [], 0.5, [7, 1]],
      [[7, 1], [7, 1], 0.5, []],
    ] as [number[], number[], number, number[]][])
      it(`${left} days left, reminded ${JSON.stringify(reminded)}: ${JSON.stringify(expected)}`, () =>
        assert.deepEqual(dueReminderDays(days, reminded, left), expected));
  });

  it('mails a provider once per run with how many matches and the earliest deadline, each reminder day once, without any of the signal', async () => {
    const now = new Date();
    const earliest = addDays(now, 3);
    const { provider, user, matches } = await providerWithMatches([
      addDays(now, 6),
      earliest,
      addDays(now, 20),
    ]);
    await inTransaction((m) => sendSignalReminders(m, now, BASE, [7, 1]));
    let mails = await mailsTo(user.email);
    assert.equal(mails.length, 1, 'one mail for the two matches due within 7 days');
    const mail = mails[0]!;
    assert.match(mail.body, /wachten 2 signalen/);
    assert.match(mail.body, /2 signals about your resellers wait for your answer/, 'and in English');
    assert.ok(mail.body.includes(dateInWords('nl', earliest)), 'the earliest deadline');
    assert.ok(mail.body.includes(`${BASE}/account/signalen`));
    for (const secret of [DOMAIN, TEXT, ...matches.map((m) => m.signal.number.padStart(6, '0'))])
      assert.ok(
        !mail.body.includes(secret) && !mail.subject.includes(secret),
        `the mail does not say ${secret}`,
      );
    assert.deepEqual((await matchRow(matches[0]!.id)).reminded_days, [7]);
    assert.deepEqual((await matchRow(matches[2]!.id)).reminded_days, [], 'not due within 7 days');
    const [event, ...more] = await eventsOf('signal_match.reminded', provider.id);
    assert.equal(more.length, 0);
    assert.deepEqual(event!.data, {
      providerId: provider.id,
      matchIds: [matches[0]!.id, matches[1]!.id].sort(),
      count: 2,
      mails: 1,
    });

    // The same day again: nothing new. A day before the deadline: the 1-day reminder, once.
    await inTransaction((m) => sendSignalReminders(m, now, BASE, [7, 1]));
    assert.equal((await mailsTo(user.email)).length, 1);
    const later = addDays(earliest, -0.5);
    await inTransaction((m) => sendSignalReminders(m, later, BASE, [7, 1]));
    await inTransaction((m) => sendSignalReminders(m, later, BASE, [7, 1]));
    mails = await mailsTo(user.email);
    assert.equal(mails.length, 2);
    assert.match(mails[1]!.body, /wacht 1 signaal/);
    assert.deepEqual((await matchRow(matches[1]!.id)).reminded_days, [7, 1]);
  });

  it('counts a signal that matches two of the provider’s resellers once in the reminder', async () => {
    const now = new Date();
    const { provider, user, supplier, reseller } = await providerWithMatches([]);
    const other = await givenDeclaredReseller(ds(), provider.id, { domains: [`twee.${DOMAIN}`] });
    const signal = await givenSignal(ds(), supplier.id, { domains: [DOMAIN] }, { text: TEXT });
    const due = addDays(now, 3);
    for (const declared of [reseller, other])
      await givenMatch(ds(), signal.id, provider.id, declared.id, {
        matchedAt: addDays(due, -30),
        answerDueAt: due,
      });
    const sent = await inTransaction((m) => sendSignalReminders(m, now, BASE, [7, 1]));
    assert.equal(sent.signalMatchesReminded, 2, 'both matches are reminded of');
    const [mail, ...more] = await mailsTo(user.email);
    assert.equal(more.length, 0);
    assert.match(mail!.body, /wacht 1 signaal over uw wederverkopers/);
    assert.match(mail!.body, /1 signal about your resellers waits/);
  });

  it('after a pause sends one mail for every reminder day that came due', async () => {
    const now = new Date();
    const { user, matches } = await providerWithMatches([addDays(now, 0.5)]);
    await inTransaction((m) => sendSignalReminders(m, now, BASE, [7, 1]));
    assert.equal((await mailsTo(user.email)).length, 1);
    assert.deepEqual((await matchRow(matches[0]!.id)).reminded_days, [7, 1]);
  });

  it('reminds of no match that was answered, dismissed, or whose signal was withdrawn or expired', async () => {
    const now = new Date();
    const answered = await providerWithMatches([addDays(now, 2)], { answeredAt: now });
    const dismissed = await providerWithMatches([addDays(now, 2)], { dismissed: true });
    const withdrawn = await providerWithMatches([addDays(now, 2)]);
    await ds().query(`UPDATE signals SET withdrawn_at = now() WHERE id = $1`, [
      withdrawn.matches[0]!.signal.id,
    ]);
    const expired = await providerWithMatches([addDays(now, 2)]);
    await ds().query(
      `UPDATE signals SET observed_on = '2020-01-01', expires_on = '2020-12-31' WHERE id = $1`,
      [expired.matches[0]!.signal.id],
    );
    await inTransaction((m) => sendSignalReminders(m, now, BASE, [7, 1]));
    for (const { user } of [answered, dismissed, withdrawn, expired])
      assert.equal((await mailsTo(user.email)).length, 0, user.email);
  });

  it('marks no match overdue whose signal expired or was withdrawn before an answer: it asks none any more', async () => {
    const now = new Date();
    const expired = await providerWithMatches([addDays(now, -1)]);
    await ds().query(
      `UPDATE signals SET observed_on = '2020-01-01', expires_on = '2020-12-31' WHERE id = $1`,
      [expired.matches[0]!.signal.id],
    );
    const withdrawn = await providerWithMatches([addDays(now, -1)]);
    await ds().query(`UPDATE signals SET withdrawn_at = now() WHERE id = $1`, [
      withdrawn.matches[0]!.signal.id,
    ]);
    await inTransaction((m) => recordOverdueMatches(m, now));
    for (const { provider, matches } of [expired, withdrawn]) {
      assert.equal((await matchRow(matches[0]!.id)).overdue_at, null);
      assert.equal((await openTasks(provider.id)).length, 0);
    }
  });

  it('marks an unanswered match past its deadline overdue and opens one review task per provider, without a status change', async () => {
    const now = new Date();
    const { provider, user, matches } = await providerWithMatches([addDays(now, -1), addDays(now, -2)]);
    const answered = await providerWithMatches([addDays(now, -1)], { answeredAt: addDays(now, -3) });
    const statusEventsBefore = await ds().query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM status_events WHERE provider_id = $1`,
      [provider.id],
    );
    const result = await inTransaction((m) => recordOverdueMatches(m, now));
    assert.ok(result.signalMatchesOverdue >= 2);
    for (const match of matches) assert.ok((await matchRow(match.id)).overdue_at, 'overdue');
    assert.equal((await matchRow(answered.matches[0]!.id)).overdue_at, null, 'answered before the deadline');
    assert.equal((await openTasks(answered.provider.id)).length, 0);
    let tasks = await openTasks(provider.id);
    assert.equal(tasks.length, 1);
    assert.deepEqual(tasks[0]!.detail, { count: '2' });
    const [event] = await eventsOf('signal_match.overdue', provider.id);
    assert.deepEqual(event!.data, {
      providerId: provider.id,
      taskId: tasks[0]!.id,
      taskOpened: true,
      matchIds: matches.map((m) => m.id).sort(),
      count: 2,
    });
    assert.deepEqual(
      await ds().query(`SELECT count(*)::int AS n FROM status_events WHERE provider_id = $1`, [provider.id]),
      statusEventsBefore,
      'no status change of any kind',
    );
    assert.equal((await mailsTo(user.email)).length, 0, 'no reminder after the deadline');

    // Again: nothing new. A third match overdue later: the open task counts it, still one task.
    await inTransaction((m) => recordOverdueMatches(m, now));
    assert.equal((await eventsOf('signal_match.overdue', provider.id)).length, 1);
    const supplier = await givenSignalSupplier(ds());
    const third = await givenSignal(ds(), supplier.id, { domains: [DOMAIN] });
    const reseller = (
      await ds().query<{ id: string }[]>(`SELECT id FROM declared_resellers WHERE provider_id = $1`, [
        provider.id,
      ])
    )[0]!;
    await givenMatch(ds(), third.id, provider.id, reseller.id, { answerDueAt: addDays(now, -0.1) });
    await inTransaction((m) => recordOverdueMatches(m, now));
    tasks = await openTasks(provider.id);
    assert.equal(tasks.length, 1);
    assert.deepEqual(tasks[0]!.detail, { count: '3' });
  });

  it('shows the task in the review queue and on the provider page, and a reviewer closes it under a hidden-header action', async () => {
    const now = new Date();
    const { provider, matches } = await providerWithMatches([addDays(now, -1)]);
    await inTransaction((m) => recordOverdueMatches(m, now));
    const [task] = await openTasks(provider.id);
    const reviewer = await givenUser(ds(), 'reviewer');
    const agent = await signedIn(context.app, reviewer);
    const queue = await agent.get('/beoordeling');
    assert.equal(queue.status, 200);
    const line = new RegExp(
      `data-task-kvk="${provider.kvkNumber}"><a class="nl-link" href="/beoordeling/hostingproviders/${provider.kvkNumber}">[^<]*</a> \\(${provider.kvkNumber}\\): treffers van signalen over wederverkopers zonder antwoord na de termijn: 1\\.`,
    );
    assert.match(queue.text, line);
    const page = await agent.get(`/beoordeling/hostingproviders/${provider.kvkNumber}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /data-task-kind="signal_match_overdue"/);
    assert.match(page.text, /data-figure="overdue">Na de termijn zonder antwoord: 1</);
    assert.ok(page.text.includes(`SIG-${matches[0]!.signal.number.padStart(6, '0')}`));
    for (const secret of [DOMAIN, TEXT]) assert.ok(!page.text.includes(secret));

    const resolved = await submitForm(
      agent,
      `/beoordeling/taken/${task!.id}/afgehandeld`,
      `/beoordeling/taken/${task!.id}/afgehandeld`,
      {
        note: 'Gebeld; antwoord volgt deze week.',
      },
    );
    assert.equal(resolved.status, 303);
    assert.equal((await openTasks(provider.id)).length, 0);
    const [closing] = await eventsOf('signal_match.task_resolved', provider.id);
    assert.ok(closing, 'closed under signal_match.task_resolved');
    assert.equal((await eventsOf('review_task.resolved', provider.id)).length, 0);
    const leaves = (await eventsInChainOrder(context.db)).filter(
      (e) => e.subjectId === provider.id || e.action.startsWith('signal_match.'),
    );
    for (const event of leaves) {
      const leaf = JSON.parse(entryOf(event)) as Record<string, unknown>;
      if (!event.action.startsWith('signal_match.')) continue;
      assert.equal(leaf.subjectId, '', `${event.action}: the leaf names no provider`);
      assert.deepEqual(leaf.data, {}, `${event.action}: the leaf publishes no data`);
      assert.ok(!JSON.stringify(leaf).includes(provider.id));
    }
    // The page of the closed task says who closed it.
    const closedPage = await agent.get(`/beoordeling/taken/${task!.id}/afgehandeld`);
    assert.match(closedPage.text, /data-task-closed-by="Test reviewer"/);
  });

  it('writes the same number of public leaves for 0, 1 and 2 providers due: one reminder event and one overdue event per run (F24)', async () => {
    const leafCount = async () =>
      (await ds().query<{ n: number }[]>(`SELECT count(*)::int AS n FROM merkle_leaves`))[0]!.n;
    const added: number[] = [];
    for (const providers of [0, 1, 2]) {
      const now = new Date();
      for (let i = 0; i < providers; i++) {
        await providerWithMatches([addDays(now, 3)]);
        await providerWithMatches([addDays(now, -0.5)]);
      }
      const before = await leafCount();
      const result = await inTransaction((m) => signalDailyWork(m, now, BASE, [7, 1]));
      added.push((await leafCount()) - before);
      assert.equal(result.signalMatchesReminded, providers, `${providers} providers reminded`);
      assert.equal(result.signalMatchesOverdue, providers, `${providers} providers overdue`);
      const [reminded] = await ds().query<{ data: { providers: unknown[] } }[]>(
        `SELECT data FROM audit_events WHERE action = 'signal_match.reminded' ORDER BY id DESC LIMIT 1`,
      );
      assert.equal(reminded!.data.providers.length, providers, 'the providers are inside the one event');
    }
    assert.deepEqual(added, [2, 2, 2]);
  });

  it('keeps the overdue task at the figure of now as the provider answers late, and says so at 0 (F8)', async () => {
    const now = new Date();
    const { provider, user, matches } = await providerWithMatches([
      addDays(now, -1),
      addDays(now, -2),
      addDays(now, -3),
    ]);
    await inTransaction((m) => recordOverdueMatches(m, now));
    const [task] = await openTasks(provider.id);
    assert.deepEqual(task!.detail, { count: '3' });
    const person = { id: user.user.id, role: 'provider' as const, providerId: provider.id };
    const answer = (id: string) =>
      answerMatch(ds(), person, id, { action: 'terminated', note: 'Opgezegd', share: '' }, new Date());
    // Answered late: the task counts it no more at once, not at the next night's run.
    await answer(matches[0]!.id);
    assert.deepEqual((await openTasks(provider.id))[0]!.detail, { count: '2' });
    // A signal withdrawn since asks no answer: the night's run counts it no more.
    await ds().query(`UPDATE signals SET withdrawn_at = now() WHERE id = $1`, [matches[1]!.signal.id]);
    await inTransaction((m) => recordOverdueMatches(m, new Date()));
    assert.deepEqual((await openTasks(provider.id))[0]!.detail, { count: '1' });
    const reviewer = await givenUser(ds(), 'reviewer');
    const agent = await signedIn(context.app, reviewer);
    const line = (text: string) =>
      new RegExp(
        `data-task-kvk="${provider.kvkNumber}"><a [^>]*>[^<]*</a> \\(${provider.kvkNumber}\\): ${text}`,
      );
    assert.match(
      (await agent.get('/beoordeling')).text,
      line('treffers van signalen over wederverkopers zonder antwoord na de termijn: 1\\.'),
    );
    // The last one answered: the task stays open for the reviewer to close, and says all are answered.
    await answer(matches[2]!.id);
    const tasks = await openTasks(provider.id);
    assert.equal(tasks.length, 1);
    assert.deepEqual(tasks[0]!.detail, { count: '0' });
    const queue = (await agent.get('/beoordeling')).text;
    assert.match(queue, line('alle treffers [^<]* zijn inmiddels \\(te laat\\) beantwoord'));
    assert.doesNotMatch(
      queue,
      line('treffers van signalen over wederverkopers zonder antwoord na de termijn: 0'),
    );
    const page = await agent.get(`/beoordeling/hostingproviders/${provider.kvkNumber}`);
    assert.match(page.text, /data-task-kind="signal_match_overdue">alle treffers/);
  });

  it('runs in the daily job', async () => {
    const now = new Date();
    const { user } = await providerWithMatches([addDays(now, 4)]);
    const overdue = await providerWithMatches([addDays(now, -4)]);
    await ds().query(`DELETE FROM job_runs`);
    const { daily } = await runDueJobs(ds(), BASE, now, 'each', undefined, [7, 1]);
    assert.ok(daily.ran);
    assert.ok((daily.result?.signalReminders ?? 0) >= 1);
    assert.ok((daily.result?.signalOverdueTasks ?? 0) >= 1);
    assert.equal((await mailsTo(user.email)).length, 1);
    assert.equal((await openTasks(overdue.provider.id)).length, 1);
  });
});
