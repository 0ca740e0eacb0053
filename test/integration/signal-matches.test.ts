import assert from 'node:assert/strict';
import type { Express } from 'express';
import { declareResellers, resellerLimitsOf } from '../../src/signals/declared-reseller.service';
import { matchSignals } from '../../src/signals/signal-matching';
import type { DeclarationInsert } from '../../src/signals/declared-reseller.queries';
import { testApp, testConfig } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { assertValidHtml } from '../helpers/html';
import { type Agent, signedIn, submitForm } from '../helpers/session';
import {
  givenApproval,
  givenCodeVersion,
  givenProvider,
  givenStatusEvent,
} from '../factories/provider.factory';
import { givenSignal, givenSignalSupplier, testSignalKeys } from '../factories/signal.factory';
import { givenUser, type TestUser } from '../factories/user.factory';

const SETTINGS = { answerDays: 30, baseUrl: testConfig.publicBaseUrl };
const LIST = '/account/signalen';

/** Issue 19 §2: what a provider sees of the signals that match its resellers, and what it answers. */
describe('signal matches of a provider', () => {
  let db: TestDatabase;
  let app: Express;
  let a: TestUser;
  let b: TestUser;
  let agentA: Agent;
  let agentB: Agent;
  let supplierId: string;
  const ds = () => db.dataSource;

  before(async function () {
    this.timeout(60_000);
    db = await createTestDatabase();
    app = testApp(db.dataSource).app;
    const providerA = (await givenProvider(ds())).id;
    a = await givenUser(ds(), 'provider', { providerId: providerA });
    b = await givenUser(ds(), 'provider', { providerId: (await givenProvider(ds())).id });
    agentA = await signedIn(app, a);
    agentB = await signedIn(app, b);
    supplierId = (await givenSignalSupplier(ds())).id;
  });
  after(() => db.drop());

  const blank: DeclarationInsert = {
    reference: '',
    names: [],
    kvkNumber: null,
    domains: [],
    mailDomains: [],
    ipRanges: [],
    asNumbers: [],
  };
  /** Declares for `who` and matches `signalIds`; answers the matches' ids, newest last. */
  const declareAndMatch = async (who: TestUser, declaration: Partial<typeof blank>, signalIds: string[]) => {
    await ds().transaction((m) =>
      declareResellers(
        m,
        testSignalKeys,
        { id: who.user.id, role: 'provider', providerId: who.user.providerId! },
        [{ ...blank, ...declaration }],
        { source: 'form', field: 'resellerNames' },
        resellerLimitsOf(testConfig),
        SETTINGS,
        new Date(),
      ),
    );
    await ds().transaction((m) => matchSignals(m, testSignalKeys, signalIds, SETTINGS, new Date()));
    const rows = await ds().query<{ id: string }[]>(
      `SELECT id FROM signal_matches WHERE provider_id = $1 AND signal_id = ANY ($2::uuid[]) ORDER BY matched_at`,
      [who.user.providerId, signalIds],
    );
    return rows.map((r) => r.id);
  };
  /** The person's reads (one event per page view), each as the signal ids it showed. */
  const readEvents = async (userId: string) =>
    (
      await ds().query<{ data: { signalIds: string[] } }[]>(
        `SELECT data FROM audit_events WHERE action = 'signal.read' AND actor = $1 ORDER BY id`,
        [`provider:${userId}`],
      )
    ).map((e) => e.data.signalIds);
  /** Every signal shown to the person, once per read that showed it. */
  const reads = async (userId: string) =>
    (await readEvents(userId)).flat().map((signalId) => ({ subject_id: signalId }));

  it('shows a current match with the signal content, records the read, and gives another provider 404', async () => {
    const signal = await givenSignal(
      ds(),
      supplierId,
      { domains: ['pagina-signaal.nl'], names: ['Pagina Reseller'] },
      {
        category: 'ransomware',
        text: 'Verspreidt ransomware via gehuurde servers',
      },
    );
    const [matchId] = await declareAndMatch(a, { domains: ['pagina-signaal.nl'], reference: 'KLANT-77' }, [
      signal.id,
    ]);
    // The account page says a match waits for an answer, and links to it; B's says nothing waits.
    const account = await agentA.get('/account');
    assert.match(account.text, /data-signal-matches="[1-9]/);
    assert.match(account.text, /href="\/account\/signalen"/);
    assert.match((await agentB.get('/account')).text, /data-signal-matches="0"/);
    const list = await agentA.get(LIST);
    assert.equal(list.status, 200);
    assert.match(list.text, /Verspreidt ransomware via gehuurde servers/);
    // The signal's own identifiers are the police's: the provider sees its reseller and what matched.
    assert.doesNotMatch(list.text, /Pagina Reseller/);
    assert.match(list.text, /KLANT-77/);
    await assertValidHtml(list.text, LIST);
    assert.equal((await reads(a.user.id)).filter((r) => r.subject_id === signal.id).length, 1);
    const viewsBefore = (await readEvents(a.user.id)).length;
    const page = await agentA.get(`${LIST}/${matchId}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /Verspreidt ransomware/);
    await assertValidHtml(page.text, 'match page');
    assert.equal((await reads(a.user.id)).filter((r) => r.subject_id === signal.id).length, 2);
    assert.deepEqual((await readEvents(a.user.id)).slice(viewsBefore), [[signal.id]], 'one read per view');
    // Provider B: no such match, nothing in its list, nothing read.
    assert.equal((await agentB.get(`${LIST}/${matchId}`)).status, 404);
    assert.equal((await agentB.get(`${LIST}/not-a-uuid`)).status, 404);
    assert.doesNotMatch((await agentB.get(LIST)).text, /ransomware via/);
    assert.equal((await reads(b.user.id)).length, 0);
    assert.ok(
      (await readEvents(b.user.id)).every((ids) => ids.length === 0),
      'B read nothing, view by view',
    );
    const answer = await submitForm(agentB, LIST, `${LIST}/${matchId}/antwoord`, {
      matchAction: 'terminated',
      matchNote: '',
      matchShare: '',
    });
    assert.equal(answer.status, 404);
  });

  it('records an answer, the first answer time once, and the sharing; a dispute needs a reason', async () => {
    const signal = await givenSignal(ds(), supplierId, { kvkNumbers: ['61234611'] });
    const [matchId] = await declareAndMatch(a, { kvkNumber: '61234611' }, [signal.id]);
    const page = `${LIST}/${matchId}`;
    const disputed = await submitForm(agentA, page, `${page}/antwoord`, {
      matchAction: 'disputed',
      matchNote: '',
      matchShare: '1',
    });
    assert.equal(disputed.status, 400);
    assert.match(disputed.text, /geef de reden waarom u het signaal betwist/);
    assert.match(disputed.text, /value="disputed" checked/);
    const first = await submitForm(agentA, page, `${page}/antwoord`, {
      matchAction: 'investigating',
      matchNote: 'We kijken het na',
      matchShare: '',
    });
    assert.equal(first.status, 303);
    const second = await submitForm(agentA, page, `${page}/antwoord`, {
      matchAction: 'terminated',
      matchNote: 'Contract beëindigd',
      matchShare: '1',
    });
    assert.equal(second.status, 303);
    const [row] = await ds().query<{ action: string; first_answered_at: Date; shared_at: Date | null }[]>(
      `SELECT action, first_answered_at, shared_at FROM signal_matches WHERE id = $1`,
      [matchId],
    );
    assert.equal(row!.action, 'terminated');
    assert.ok(row!.shared_at);
    const answers = await ds().query<{ action: string; answered_at: Date }[]>(
      `SELECT action, answered_at FROM signal_match_answers WHERE signal_match_id = $1 ORDER BY id`,
      [matchId],
    );
    assert.deepEqual(
      answers.map((x) => x.action),
      ['investigating', 'terminated'],
    );
    assert.equal(row!.first_answered_at.getTime(), answers[0]!.answered_at.getTime());
    const events = await ds().query<{ data: Record<string, unknown> }[]>(
      `SELECT data FROM audit_events WHERE action = 'signal_match.answered' AND subject_id = $1 ORDER BY id`,
      [matchId],
    );
    assert.deepEqual(
      events.map((e) => [e.data.action, e.data.shared]),
      [
        ['investigating', false],
        ['terminated', true],
      ],
    );
    assert.ok(!JSON.stringify(events).includes('Contract beëindigd'));
  });

  it('keeps the answer, the note and the share tick when the note holds an invisible direction character (F4)', async () => {
    const signal = await givenSignal(ds(), supplierId, { kvkNumbers: ['61234612'] });
    const [matchId] = await declareAndMatch(a, { kvkNumber: '61234612' }, [signal.id]);
    const page = `${LIST}/${matchId}`;
    const refused = await submitForm(agentA, page, `${page}/antwoord`, {
      matchAction: 'terminated',
      matchNote: 'Contract opgezegd \u202Eevil',
      matchShare: '1',
    });
    assert.equal(refused.status, 400);
    // The match page again, not the guard's bare page: the error on the note, everything kept.
    assert.match(refused.text, /id="error-matchNote"[^>]*>[^<]*onzichtbaar teken/);
    assert.match(refused.text, /value="terminated" checked/);
    assert.match(refused.text, /id="field-matchShare" name="matchShare" value="1" checked/);
    assert.ok(refused.text.includes('Contract opgezegd \u202Eevil'), 'the note as typed');
    assert.ok(!refused.text.includes('Ga terug, haal het teken weg'));
    await assertValidHtml(refused.text, 'a refused answer');
    const [row] = await ds().query<{ action: string | null }[]>(
      `SELECT action FROM signal_matches WHERE id = $1`,
      [matchId],
    );
    assert.equal(row!.action, null, 'nothing stored');
  });

  it('pages the matches by 50, those waiting for an answer first, the overdue one leading (F21)', async () => {
    const c = await givenUser(ds(), 'provider', { providerId: (await givenProvider(ds())).id });
    const agentC = await signedIn(app, c);
    const signals = [];
    for (let i = 0; i < 53; i++)
      signals.push(await givenSignal(ds(), supplierId, { kvkNumbers: ['61234613'] }));
    const ids = await declareAndMatch(
      c,
      { kvkNumber: '61234613' },
      signals.map((x) => x.id),
    );
    assert.equal(ids.length, 53);
    const withdrawn = signals[52]!.id;
    await ds().query(`UPDATE signals SET withdrawn_at = now() WHERE id = $1`, [withdrawn]);
    const [earlier] = await ds().query<{ id: string }[]>(
      `SELECT id FROM signal_matches WHERE signal_id = $1`,
      [withdrawn],
    );
    const others = ids.filter((id) => id !== earlier!.id);
    const [overdue, answered1, answered2] = [others[10]!, others[0]!, others[1]!];
    await ds().query(`UPDATE signal_matches SET answer_due_at = now() - interval '1 hour' WHERE id = $1`, [
      overdue,
    ]);
    await ds().query(
      `UPDATE signal_matches SET action = 'terminated', first_answered_at = now() WHERE id = ANY ($1::uuid[])`,
      [[answered1, answered2]],
    );
    // One card per signal; each signal here matches one reseller, so its one match line names it.
    const cards = (html: string) =>
      [...html.matchAll(/<section class="register-signal-match"[^]*?data-match="([^"]+)"/g)].map((m) => m[1]);
    const first = await agentC.get(LIST);
    assert.equal(first.status, 200);
    assert.equal(cards(first.text).length, 50);
    assert.equal(cards(first.text)[0], overdue, 'the overdue match leads');
    assert.ok(
      !cards(first.text).includes(answered1) && !cards(first.text).includes(answered2),
      'answered ones after the open ones',
    );
    assert.match(first.text, /data-total="53"/);
    assert.match(first.text, /rel="next" href="\/account\/signalen\?pagina(=|&#x3D;)2"/);
    assert.doesNotMatch(first.text, /rel="prev"/);
    await assertValidHtml(first.text, `${LIST} page 1`);
    // Only what is shown is read (and audited).
    assert.equal((await reads(c.user.id)).length, 50);
    const second = await agentC.get(`${LIST}?pagina=2`);
    assert.deepEqual(new Set(cards(second.text)), new Set([answered1, answered2]));
    assert.match(second.text, new RegExp(`data-earlier-match="${earlier!.id}"`));
    assert.match(second.text, /rel="prev" href="\/account\/signalen\?pagina(=|&#x3D;)1"/);
    assert.doesNotMatch(second.text, /rel="next"/);
    assert.doesNotMatch(second.text, /data-no-matches/);
    await assertValidHtml(second.text, `${LIST} page 2`);
    // A page past the end shows the last one.
    assert.deepEqual(
      new Set(cards((await agentC.get(`${LIST}?pagina=9`)).text)),
      new Set([answered1, answered2]),
    );
  });

  it('asks to confirm a possible match before an answer; a dismissed one moves to earlier without content', async () => {
    const look = await givenSignal(
      ds(),
      supplierId,
      { names: ['Gelijkende Naam Reseller'] },
      { text: 'geheime toelichting' },
    );
    const [possible] = await declareAndMatch(a, { names: ['Gelijkende Naam Reseler BV'] }, [look.id]);
    const page = `${LIST}/${possible}`;
    const early = await submitForm(agentA, page, `${page}/antwoord`, {
      matchAction: 'terminated',
      matchNote: '',
      matchShare: '',
    });
    assert.equal(early.status, 400);
    assert.match(early.text, /bevestig eerst dat dit uw klant is/);
    assert.equal((await submitForm(agentA, page, `${page}/beoordeling`, { matchDecision: '' })).status, 400);
    assert.equal(
      (await submitForm(agentA, page, `${page}/beoordeling`, { matchDecision: 'dismiss' })).status,
      303,
    );
    const list = await agentA.get(LIST);
    assert.match(list.text, new RegExp(`data-earlier-match="${possible}"`));
    const after = await agentA.get(page);
    assert.doesNotMatch(after.text, /geheime toelichting/);
    assert.match(after.text, /data-not-current/);
    // Deciding twice is refused.
    assert.equal(
      (await submitForm(agentA, LIST, `${page}/beoordeling`, { matchDecision: 'confirm' })).status,
      409,
    );
    const events = await ds().query<unknown[]>(
      `SELECT 1 FROM audit_events WHERE action = 'signal_match.dismissed' AND subject_id = $1`,
      [possible],
    );
    assert.equal(events.length, 1);

    const other = await givenSignal(ds(), supplierId, { names: ['Tweede Gelijkende Reseller'] });
    const [toConfirm] = await declareAndMatch(a, { names: ['Tweede Gelijkende Reseler'] }, [other.id]);
    const second = `${LIST}/${toConfirm}`;
    assert.equal(
      (await submitForm(agentA, second, `${second}/beoordeling`, { matchDecision: 'confirm' })).status,
      303,
    );
    assert.equal(
      (
        await submitForm(agentA, second, `${second}/antwoord`, {
          matchAction: 'suspended',
          matchNote: '',
          matchShare: '',
        })
      ).status,
      303,
    );
  });

  it('moves a withdrawn signal to earlier, without content and without a read', async () => {
    const signal = await givenSignal(
      ds(),
      supplierId,
      { domains: ['ingetrokken-signaal.nl'] },
      { text: 'wordt ingetrokken' },
    );
    const [matchId] = await declareAndMatch(a, { domains: ['ingetrokken-signaal.nl'] }, [signal.id]);
    await ds().query(`UPDATE signals SET withdrawn_at = now() WHERE id = $1`, [signal.id]);
    const before = (await reads(a.user.id)).filter((r) => r.subject_id === signal.id).length;
    const list = await agentA.get(LIST);
    assert.match(list.text, new RegExp(`data-earlier-match="${matchId}"`));
    assert.doesNotMatch(list.text, /wordt ingetrokken|ingetrokken-signaal/);
    assert.equal((await reads(a.user.id)).filter((r) => r.subject_id === signal.id).length, before);
  });

  it('tells two suppliers’ signals of the same number apart on the provider’s page (numbers count per supplier)', async () => {
    const d = await givenUser(ds(), 'provider', { providerId: (await givenProvider(ds())).id });
    const fiod = (await givenSignalSupplier(ds())).id;
    const ours = await givenSignal(ds(), supplierId, { kvkNumbers: ['61234631'] });
    const theirs = await givenSignal(ds(), fiod, { kvkNumbers: ['61234631'] });
    await declareAndMatch(d, { kvkNumber: '61234631' }, [ours.id, theirs.id]);
    const list = await (await signedIn(app, d)).get(LIST);
    assert.equal(list.status, 200);
    for (const signal of [ours, theirs]) assert.match(list.text, new RegExp(`id="signal-${signal.id}"`));
    await assertValidHtml(list.text, `${LIST} with two suppliers' signals`);
  });

  it('lists a signal that matches two of its resellers once, naming each with its own reason; answers stay per match; counts it once', async () => {
    const waiting = async () =>
      Number(/data-signal-matches="(\d+)"/.exec((await agentA.get('/account')).text)![1]);
    const before = await waiting();
    const signal = await givenSignal(
      ds(),
      supplierId,
      { domains: ['twee-klanten.nl'], kvkNumbers: ['61234620'] },
      { text: 'Een signaal over twee wederverkopers' },
    );
    await declareAndMatch(a, { domains: ['twee-klanten.nl'], reference: 'KLANT-DOMEIN' }, [signal.id]);
    const [byDomain, byKvk] = await declareAndMatch(a, { kvkNumber: '61234620', reference: 'KLANT-KVK' }, [
      signal.id,
    ]);
    assert.ok(byDomain && byKvk, 'two matches, one per reseller');
    const entryOf = (html: string) => {
      const entries = [...html.matchAll(/<section class="register-signal-match"[^]*?<\/section>/g)]
        .map((m) => m[0])
        .filter((e) => e.includes(byDomain) || e.includes(byKvk));
      assert.equal(entries.length, 1, 'one entry for the signal');
      return entries[0]!;
    };
    const readsBefore = (await reads(a.user.id)).filter((r) => r.subject_id === signal.id).length;
    const list = await agentA.get(LIST);
    assert.equal(list.text.split('Een signaal over twee wederverkopers').length - 1, 1, 'the text once');
    const entry = entryOf(list.text);
    assert.match(entry, new RegExp(`data-match="${byDomain}"[^]*KLANT-DOMEIN[^]*data-matched-on="domain "`));
    assert.match(entry, new RegExp(`data-match="${byKvk}"[^]*KLANT-KVK[^]*data-matched-on="kvk "`));
    assert.match(entry, new RegExp(`href="${LIST}/${byDomain}"`));
    assert.match(entry, new RegExp(`href="${LIST}/${byKvk}"`));
    await assertValidHtml(list.text, LIST);
    assert.equal(
      (await reads(a.user.id)).filter((r) => r.subject_id === signal.id).length,
      readsBefore + 1,
      'one read of the signal',
    );
    assert.equal(await waiting(), before + 1, 'the account page counts the signal once');
    // Each match is answered on its own page, which names the other reseller.
    const page = await agentA.get(`${LIST}/${byDomain}`);
    assert.match(page.text, new RegExp(`data-other-match="${byKvk}"[^]*KLANT-KVK`));
    await assertValidHtml(page.text, 'match page with another reseller');
    const fields = { matchAction: 'terminated', matchNote: '', matchShare: '' };
    assert.equal(
      (await submitForm(agentA, `${LIST}/${byDomain}`, `${LIST}/${byDomain}/antwoord`, fields)).status,
      303,
    );
    const after = entryOf((await agentA.get(LIST)).text);
    assert.match(after, new RegExp(`data-match="${byDomain}"[^]*?data-action="terminated"`));
    assert.match(after, new RegExp(`data-match="${byKvk}"[^]*?data-action=""`));
    assert.equal(await waiting(), before + 1, 'the other reseller still waits for an answer');
    await submitForm(agentA, `${LIST}/${byKvk}`, `${LIST}/${byKvk}/antwoord`, fields);
    assert.equal(await waiting(), before);
  });

  it('takes the same answer sent twice (a double click) once', async () => {
    const signal = await givenSignal(ds(), supplierId, { kvkNumbers: ['61234612'] });
    const [matchId] = await declareAndMatch(a, { kvkNumber: '61234612' }, [signal.id]);
    const page = `${LIST}/${matchId}`;
    const fields = { matchAction: 'terminated', matchNote: 'Contract beëindigd', matchShare: '' };
    for (let i = 0; i < 2; i++)
      assert.equal((await submitForm(agentA, page, `${page}/antwoord`, fields)).status, 303);
    const count = async (sql: string) => (await ds().query<{ n: number }[]>(sql, [matchId]))[0]!.n;
    assert.equal(
      await count(`SELECT count(*)::int AS n FROM signal_match_answers WHERE signal_match_id = $1`),
      1,
    );
    assert.equal(
      await count(
        `SELECT count(*)::int AS n FROM audit_events WHERE action = 'signal_match.answered' AND subject_id = $1`,
      ),
      1,
    );
    // Another answer is recorded: the history keeps both.
    await submitForm(agentA, page, `${page}/antwoord`, { ...fields, matchAction: 'suspended' });
    assert.equal(
      await count(`SELECT count(*)::int AS n FROM signal_match_answers WHERE signal_match_id = $1`),
      2,
    );
  });
  it('gives a revoked provider no new matches and no signal text, and says why; a suspended one keeps both (F12)', async () => {
    const version = await givenCodeVersion(ds());
    const listed = async () => {
      const provider = await givenProvider(ds());
      await givenApproval(ds(), provider, version, new Date(Date.now() - 86_400_000));
      const person = await givenUser(ds(), 'provider', { providerId: provider.id });
      return { provider, person, agent: await signedIn(app, person) };
    };
    const revoked = await listed();
    const suspended = await listed();
    const first = await givenSignal(ds(), supplierId, { asNumbers: [64777] }, { text: 'Botnet C2 (geheim)' });
    const [before] = await declareAndMatch(revoked.person, { reference: 'R-1', asNumbers: [64777] }, [
      first.id,
    ]);
    const [kept] = await declareAndMatch(suspended.person, { reference: 'S-1', asNumbers: [64777] }, [
      first.id,
    ]);
    assert.ok(before && kept);
    await givenStatusEvent(ds(), {
      providerId: revoked.provider.id,
      kind: 'revoked',
      effectiveAt: new Date(Date.now() - 1000),
      reason: 'test',
    });
    await givenStatusEvent(ds(), {
      providerId: suspended.provider.id,
      kind: 'suspended',
      effectiveAt: new Date(Date.now() - 1000),
      suspendedUntil: new Date(Date.now() + 30 * 86_400_000),
      reason: 'test',
    });
    // A new signal matches the suspended provider only.
    const second = await givenSignal(ds(), supplierId, { asNumbers: [64777] }, { text: 'Tweede (geheim)' });
    await ds().transaction((m) => matchSignals(m, testSignalKeys, [second.id], SETTINGS, new Date()));
    const matchedProviders = await ds().query<{ provider_id: string }[]>(
      `SELECT provider_id FROM signal_matches WHERE signal_id = $1`,
      [second.id],
    );
    assert.deepEqual(
      matchedProviders.map((r) => r.provider_id),
      [suspended.provider.id],
    );
    // The revoked provider's earlier match shows no text, and the page says why; nothing is read.
    const list = await revoked.agent.get(LIST);
    assert.equal(list.status, 200);
    assert.match(
      list.text,
      /data-signals-withheld>Het register heeft de vermelding van uw organisatie ingetrokken/,
    );
    assert.doesNotMatch(list.text, /geheim/);
    const page = await revoked.agent.get(`${LIST}/${before}`);
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.text, /geheim/);
    assert.match(page.text, /data-signals-withheld/);
    await assertValidHtml(page.text, 'match page of a revoked provider');
    assert.equal((await reads(revoked.person.user.id)).length, 0);
    // Nor can it declare resellers any more: its reseller page says why and offers no form (a form
    // sent anyway is refused).
    const resellerPage = await revoked.agent.get('/account/wederverkopers');
    assert.match(resellerPage.text, /data-resellers-revoked[^>]*><p class="nl-paragraph">Het register heeft/);
    assert.doesNotMatch(resellerPage.text, /id="field-resellerNames"|id="field-bestand"/);
    await assertValidHtml(resellerPage.text, 'reseller page of a revoked provider');
    const declare = await submitForm(revoked.agent, '/account/wederverkopers', '/account/wederverkopers', {
      reference: 'R-2',
      resellerNames: '',
      resellerKvk: '',
      resellerDomains: 'nieuw-na-intrekking.nl',
      resellerMailDomains: '',
      resellerIpRanges: '',
      resellerAsNumbers: '',
    });
    assert.equal(declare.status, 400);
    assert.match(declare.text, /vermelding van uw organisatie ingetrokken/);
    // The suspended provider still reads its signals: it must still act against abuse.
    const theirs = await suspended.agent.get(LIST);
    assert.match(theirs.text, /Tweede \(geheim\)/);
    assert.doesNotMatch(theirs.text, /data-signals-withheld/);
  });
});
