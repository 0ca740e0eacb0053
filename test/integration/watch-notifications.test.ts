import assert from 'node:assert/strict';
import { actOnProvider } from '../../src/application/provider-actions.service';
import { runJobOnce, watchDailyWork } from '../../src/jobs/daily-jobs';
import { addDays, addMonths, toLocalDate } from '../../src/shared/time';
import { refreshDueBatch } from '../../src/status/status-snapshot.service';
import { mailWatchNotificationsAtOnce, sendWatchDigest } from '../../src/watch/watch-mail';
import { noticeListingEnds } from '../../src/watch/watch-notices';
import type { Provider } from '../../src/provider/provider.entity';
import { givenApproval, givenCodeVersion, givenProvider } from '../factories/provider.factory';
import { givenUser, type TestUser } from '../factories/user.factory';
import { givenBuyer, givenWatchList, mailsTo, watchEventsOf } from '../factories/watch.factory';
import { givenIssuedAttestation, testConfig, useTestApp } from '../helpers/app';
import { assertValidHtml } from '../helpers/html';
import { signedIn, submitForm } from '../helpers/session';

const BASE = testConfig.publicBaseUrl;

/** Issue 18 §3: buyers are told by mail when a watched supplier changes. */
describe('notifications to buyers about watched suppliers', () => {
  const context = useTestApp();
  const ds = () => context.db.dataSource;
  let reviewer: TestUser;
  before(async () => {
    reviewer = await givenUser(ds(), 'reviewer');
  });

  /** A confirmed supplier, verantwoord since `approvedAt` (30 days ago unless given). */
  const verantwoordSupplier = async (approvedAt = addDays(new Date(), -30), options = {}) => {
    const provider = await givenProvider(ds(), {}, options);
    await givenApproval(ds(), provider, await givenCodeVersion(ds()), approvedAt, new Date());
    return provider;
  };
  const act = (provider: Provider, action: 'suspend' | 'lift' | 'revoke', at = new Date()) =>
    actOnProvider(
      ds(),
      reviewer.user,
      provider.kvkNumber,
      { action, reason: action === 'lift' ? '' : 'Onderzoek naar misbruik', until: '' },
      testConfig,
      at,
    );
  const sendAtOnce = () => mailWatchNotificationsAtOnce(ds(), BASE, () => new Date());
  const unmailed = async (userId: string) =>
    Number(
      (
        await ds().query<{ n: string }[]>(
          `SELECT count(*) AS n FROM watch_notifications WHERE user_id = $1 AND mailed_at IS NULL`,
          [userId],
        )
      )[0]!.n,
    );

  it('a reviewer suspends a watched supplier: the owner gets one mail at once, with the change in words', async () => {
    const supplier = await verantwoordSupplier();
    const buyer = await givenBuyer(ds());
    const list = await givenWatchList(ds(), buyer, [
      { kvkNumber: supplier.kvkNumber, reference: 'HOST-2026-7' },
    ]);
    await act(supplier, 'suspend');

    const events = await watchEventsOf(ds(), supplier.id);
    assert.deepEqual(
      events.map((e) => [e.kind, e.data.from, e.data.to, e.data.reason]),
      [['status_changed', 'verantwoord', 'suspended', 'suspended']],
    );
    assert.equal(events[0]!.data.reasonText, 'Onderzoek naar misbruik', 'the public reason text');
    assert.equal(events[0]!.data.kvkNumber, supplier.kvkNumber);

    await sendAtOnce();
    await sendAtOnce();
    const mails = await mailsTo(ds(), buyer.email);
    assert.equal(mails.length, 1, 'one mail, however often the sender runs');
    const { subject, body } = mails[0]!;
    assert.match(subject, /^1 wijziging bij uw gevolgde leveranciers/);
    for (const part of [
      `Volglijst ${list.name}: ${BASE}/inkoop/volglijsten/${list.id}`,
      `${supplier.legalName} (KvK ${supplier.kvkNumber}), uw kenmerk HOST-2026-7: Verantwoord → Geschorst`,
      'Reden: Onderzoek naar misbruik',
      `${BASE}/hostingproviders/${supplier.kvkNumber}`,
      `${BASE}/account#meldingen`,
    ])
      assert.ok(body.includes(part), `${part}\n---\n${body}`);
    assert.equal(await unmailed(buyer.user.id), 0);

    // The settings link, followed as the buyer: the page with the mail choice, at its heading.
    const link = new URL(/\S*#meldingen/.exec(body)![0]);
    const settings = await (await signedIn(context.app, buyer)).get(link.pathname + link.search);
    assert.equal(settings.status, 200, link.href);
    assert.ok(settings.text.includes(`id="${link.hash.slice(1)}"`), 'the fragment names the form');
    assert.match(settings.text, /id="meldingen-at_once"/);
  });

  it('a daily-digest person gets nothing at once, then one summary with both changes', async () => {
    const supplier = await verantwoordSupplier();
    const buyer = await givenBuyer(ds(), { watchMail: 'daily' });
    await givenWatchList(ds(), buyer, [{ kvkNumber: supplier.kvkNumber }]);
    // The same supplier on a second list: each change shows under both lists, but counts once.
    await givenWatchList(ds(), buyer, [{ kvkNumber: supplier.kvkNumber }]);
    await act(supplier, 'suspend');
    await act(supplier, 'lift', new Date(Date.now() + 1000));
    await sendAtOnce();
    assert.equal((await mailsTo(ds(), buyer.email)).length, 0, 'nothing before the summary');

    const now = new Date();
    await runJobOnce(
      ds(),
      'daily',
      `watch-test-${now.toISOString()}`,
      (m) => sendWatchDigest(m, now, BASE),
      now,
    );
    const mails = await mailsTo(ds(), buyer.email);
    assert.equal(mails.length, 1);
    assert.match(
      mails[0]!.subject,
      /^Dagelijks overzicht: 2 wijzigingen /,
      'its own subject; 2 changes, not 4 lines',
    );
    assert.match(mails[0]!.body, /Het overzicht van vandaag/);
    assert.match(mails[0]!.body, /Verantwoord → Geschorst/);
    assert.match(mails[0]!.body, /Geschorst → Verantwoord/);
    await ds().transaction((m) => sendWatchDigest(m, new Date(), BASE));
    assert.equal((await mailsTo(ds(), buyer.email)).length, 1, 'each change is summarised once');
  });

  it('an unwatched supplier, or one whose identity is not confirmed, makes no watch event', async () => {
    const unwatched = await verantwoordSupplier();
    await act(unwatched, 'suspend');
    assert.deepEqual(await watchEventsOf(ds(), unwatched.id), []);

    const unconfirmed = await verantwoordSupplier(addDays(new Date(), -30), { unconfirmed: true });
    const buyer = await givenBuyer(ds());
    await givenWatchList(ds(), buyer, [{ kvkNumber: unconfirmed.kvkNumber }]);
    await act(unconfirmed, 'suspend');
    assert.deepEqual(
      await watchEventsOf(ds(), unconfirmed.id),
      [],
      'an unconfirmed organisation is unknown to buyers',
    );
  });

  it('time passes beyond the listing’s end: the snapshot refresh tells status_changed expired', async () => {
    // Approved 12 months less 3 days ago: the listing ends in 3 days.
    const supplier = await verantwoordSupplier(addDays(addMonths(new Date(), -12), 3));
    const buyer = await givenBuyer(ds());
    await givenWatchList(ds(), buyer, [{ kvkNumber: supplier.kvkNumber }]);
    const later = addDays(new Date(), 5);
    while ((await refreshDueBatch(ds(), () => later, 2000, true)) > 0);
    const events = await watchEventsOf(ds(), supplier.id);
    assert.deepEqual(
      events.map((e) => [e.kind, e.data.from, e.data.to]),
      [['status_changed', 'verantwoord', 'expired']],
    );
    assert.equal(events[0]!.data.reasonText, null, 'time alone, no reviewer’s text');
  });

  it('an attestation issued and then revoked with the listing: attestation events with the verification link', async () => {
    const supplier = await verantwoordSupplier();
    const buyer = await givenBuyer(ds());
    await givenWatchList(ds(), buyer, [{ kvkNumber: supplier.kvkNumber }]);
    const attestation = await givenIssuedAttestation(ds(), supplier.id);
    await act(supplier, 'revoke', new Date(Date.now() + 1000));
    const events = await watchEventsOf(ds(), supplier.id);
    assert.deepEqual(
      events.map((e) => [e.kind, e.data.from, e.data.to]),
      [
        ['attestation_changed', null, 'valid'],
        ['status_changed', 'verantwoord', 'revoked'],
        ['attestation_changed', 'valid', 'revoked'],
      ],
    );
    assert.equal(events[2]!.data.attestationNumber, attestation.number);
    assert.equal(events[2]!.data.verificationPath, `/verificatie/${attestation.number}`);
    await sendAtOnce();
    const [mail] = await mailsTo(ds(), buyer.email);
    assert.ok(mail);
    assert.ok(mail.body.includes(`${BASE}/verificatie/${attestation.number}`), mail.body);
    assert.ok(mail.body.includes(`verklaring ${attestation.number} Geldig → Ingetrokken`), mail.body);
  });

  it('an attestation that reaches its end while the listing runs on (renewed): the daily work tells it expired, once', async () => {
    const version = await givenCodeVersion(ds());
    const supplier = await givenProvider(ds());
    const now = new Date();
    // Listed until two weeks from now; the attestation, issued eleven months ago, ends then too.
    await givenApproval(ds(), supplier, version, addDays(addMonths(now, -12), 14), now);
    const attestation = await givenIssuedAttestation(ds(), supplier.id, addMonths(now, -11));
    // Renewed yesterday: the provider stays verantwoord past the attestation's end.
    await givenApproval(ds(), supplier, version, addDays(now, -1), now);
    const buyer = await givenBuyer(ds());
    await givenWatchList(ds(), buyer, [{ kvkNumber: supplier.kvkNumber }]);

    const later = addMonths(now, 1);
    await ds().transaction((m) => watchDailyWork(m, later, BASE, 90));
    await ds().transaction((m) => watchDailyWork(m, addDays(later, 1), BASE, 90));
    const events = await watchEventsOf(ds(), supplier.id);
    assert.deepEqual(
      events.map((e) => [e.kind, e.data.attestationNumber, e.data.from, e.data.to]),
      [['attestation_changed', attestation.number, 'valid', 'expired']],
    );
  });

  it('a listing that ends before the contract: one notice to that entry’s list, not two; a renewal may warn again later', async () => {
    // The listing ends in about a month; the contract runs a year.
    const version = await givenCodeVersion(ds());
    const supplier = await givenProvider(ds());
    await givenApproval(ds(), supplier, version, addMonths(new Date(), -11), new Date());
    const buyer = await givenBuyer(ds());
    const contractEnd = toLocalDate(addMonths(new Date(), 12));
    const list = await givenWatchList(ds(), buyer, [{ kvkNumber: supplier.kvkNumber, contractEnd }]);
    const other = await givenBuyer(ds());
    await givenWatchList(ds(), other, [{ kvkNumber: supplier.kvkNumber, contractEnd: null }]);

    const now = new Date();
    await ds().transaction((m) => watchDailyWork(m, now, BASE, 90));
    await ds().transaction((m) => noticeListingEnds(m, addDays(now, 1), 90));
    const events = await watchEventsOf(ds(), supplier.id);
    assert.deepEqual(
      events.map((e) => [e.kind, e.watch_list_entry_id]),
      [['listing_ends_before_contract', list.entryIds[0]]],
    );
    await sendAtOnce();
    assert.equal(
      (await mailsTo(ds(), other.email)).length,
      0,
      'only the list whose contract runs past the end',
    );
    const [mail] = await mailsTo(ds(), buyer.email);
    assert.ok(mail);
    assert.match(mail.body, /de vermelding loopt af op .*, vóór het einde van uw contract op/);

    // Renewed: the listing now ends in a year, on the contract's last day: past the 90 days now,
    // told of once when that end comes near.
    await givenApproval(ds(), supplier, version, new Date(), new Date());
    assert.equal(
      await ds().transaction((m) => noticeListingEnds(m, new Date(), 90)),
      0,
      'not within 90 days',
    );
    const nearEnd = addMonths(new Date(), 11);
    assert.equal(await ds().transaction((m) => noticeListingEnds(m, nearEnd, 90)), 1, 'the new end');
    assert.equal(await ds().transaction((m) => noticeListingEnds(m, addDays(nearEnd, 1), 90)), 0, 'once');
    const notices = (await watchEventsOf(ds(), supplier.id)).filter(
      (e) => e.kind === 'listing_ends_before_contract',
    );
    assert.equal(notices.length, 2, 'one per listing end');
    assert.ok(String(notices[1]!.data.validUntil) > String(notices[0]!.data.validUntil), 'the renewed end');
  });

  it('two senders at once: one mail', async () => {
    const supplier = await verantwoordSupplier();
    const buyer = await givenBuyer(ds());
    await givenWatchList(ds(), buyer, [{ kvkNumber: supplier.kvkNumber }]);
    await act(supplier, 'suspend');
    await Promise.all([sendAtOnce(), sendAtOnce(), sendAtOnce()]);
    assert.equal((await mailsTo(ds(), buyer.email)).length, 1);
  });

  it('a person who is disabled, or chose no mail, gets nothing further', async () => {
    const supplier = await verantwoordSupplier();
    const disabled = await givenBuyer(ds());
    const quiet = await givenBuyer(ds());
    await givenWatchList(ds(), disabled, [{ kvkNumber: supplier.kvkNumber }]);
    await givenWatchList(ds(), quiet, [{ kvkNumber: supplier.kvkNumber }]);
    await act(supplier, 'suspend');
    await ds().query(`UPDATE users SET disabled_at = now() WHERE id = $1`, [disabled.user.id]);
    await ds().query(`UPDATE users SET watch_mail = 'none' WHERE id = $1`, [quiet.user.id]);
    await sendAtOnce();
    assert.equal((await mailsTo(ds(), disabled.email)).length, 0);
    assert.equal((await mailsTo(ds(), quiet.email)).length, 0);
    assert.equal(await unmailed(disabled.user.id), 0, 'closed, not left waiting');
    await act(supplier, 'lift', new Date(Date.now() + 1000));
    assert.equal(await unmailed(quiet.user.id), 0, 'no notification for a person who wants no mail');
  });

  describe('POST /account/meldingen', () => {
    it('a buyer chooses the daily summary: saved, audited, and what waits follows the choice', async () => {
      const supplier = await verantwoordSupplier();
      const buyer = await givenBuyer(ds());
      await givenWatchList(ds(), buyer, [{ kvkNumber: supplier.kvkNumber }]);
      await act(supplier, 'suspend');
      const agent = await signedIn(context.app, buyer);
      const page = await agent.get('/account');
      assert.equal(page.status, 200);
      assert.match(page.text, /id="meldingen-at_once"[^>]*checked/);
      await assertValidHtml(page.text, 'account: buyer');

      const res = await submitForm(agent, '/account', '/account/meldingen', { meldingen: 'daily' });
      assert.equal(res.status, 303);
      assert.equal(res.headers.location, '/account?meldingen=opgeslagen#meldingen');
      const [user] = await ds().query<{ watch_mail: string }[]>(
        `SELECT watch_mail FROM users WHERE id = $1`,
        [buyer.user.id],
      );
      assert.equal(user!.watch_mail, 'daily');
      const modes = await ds().query<{ mode: string }[]>(
        `SELECT mode FROM watch_notifications WHERE user_id = $1 AND mailed_at IS NULL`,
        [buyer.user.id],
      );
      assert.deepEqual(
        modes.map((m) => m.mode),
        ['daily'],
        'the waiting change goes into the summary',
      );
      const audit = await ds().query<{ data: { from: string; to: string } }[]>(
        `SELECT data FROM audit_events WHERE action = 'user.watch_mail_changed' AND subject_id = $1`,
        [buyer.user.id],
      );
      assert.deepEqual(
        audit.map((a) => a.data),
        [{ from: 'at_once', to: 'daily' }],
      );
      const saved = await agent.get('/account?meldingen=opgeslagen');
      assert.match(saved.text, /Uw keuze is opgeslagen/);
      assert.match(saved.text, /id="meldingen-daily"[^>]*checked/);

      await submitForm(agent, '/account', '/account/meldingen', { meldingen: 'none' });
      assert.equal(await unmailed(buyer.user.id), 0, 'no mail: what waits is closed');
    });

    it('a value that is none of the choices: the page again with a clear message, nothing changed', async () => {
      const buyer = await givenBuyer(ds());
      const agent = await signedIn(context.app, buyer);
      const res = await submitForm(agent, '/account', '/account/meldingen', { meldingen: 'hourly' });
      assert.equal(res.status, 400);
      assert.match(res.text, /Kies direct, één keer per dag of geen e-mail/);
      await assertValidHtml(res.text, 'account: buyer, bad choice');
      const [user] = await ds().query<{ watch_mail: string }[]>(
        `SELECT watch_mail FROM users WHERE id = $1`,
        [buyer.user.id],
      );
      assert.equal(user!.watch_mail, 'at_once');
    });

    it('is for buyers only', async () => {
      const provider = await givenProvider(ds());
      const who = await givenUser(ds(), 'provider', { providerId: provider.id });
      const agent = await signedIn(context.app, who);
      const res = await submitForm(agent, '/account', '/account/meldingen', { meldingen: 'daily' });
      assert.equal(res.status, 403);
    });
  });
});
