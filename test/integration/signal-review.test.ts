import assert from 'node:assert/strict';
import request from 'supertest';
import { addDays } from '../../src/shared/time';
import { newTotpSecret } from '../../src/identity/totp';
import { DEMO_PASSWORD, DEMO_RESELLERS, DEMO_SIGNAL_SUPPLIER, DEMO_SIGNALS } from '../../src/seed/demo-data';
import { POSSIBLE_CONFIRMED_NOTABLE, SIGNAL_REVIEW_PAGE_SIZE } from '../../src/signals/signal-review';
import { givenProvider } from '../factories/provider.factory';
import {
  givenDeclaredReseller,
  givenMatch,
  givenSignal,
  givenSignalSupplier,
  testSignalKeys,
} from '../factories/signal.factory';
import { givenUser, testSecretBox, type TestUser } from '../factories/user.factory';
import { useTestApp } from '../helpers/app';
import { useDemoRegister } from '../helpers/demo';
import { assertValidHtml } from '../helpers/html';
import { type Agent, signedIn } from '../helpers/session';

const SECRET_DOMAIN = 'zz-review-reseller-3317.nl';
const SECRET_NAME = 'Verborgen Wederverkoop 4410';
const SECRET_TEXT = 'Geheime reviewtoelichting 9204';
const SECRET_REFERENCE = 'KLANTNUMMER-77120';

/** The figures of one provider's row on the overview, by its KvK number. */
function rowFigures(html: string, kvkNumber: string): Record<string, string> {
  const row = new RegExp(`<tr[^>]*data-signal-provider="${kvkNumber}">([\\s\\S]*?)</tr>`).exec(html)?.[1];
  assert.ok(row, `a row for ${kvkNumber}`);
  return Object.fromEntries(
    [...row.matchAll(/data-figure="([a-zA-Z]+)">(?:<strong>)?([^<]*)/g)].map((m) => [m[1]!, m[2]!]),
  );
}

const rowOrder = (html: string) => [...html.matchAll(/data-signal-provider="(\d{8})"/g)].map((m) => m[1]);

describe('the reviewers’ overview of signal matches (issue 19)', () => {
  const context = useTestApp();
  let reviewer: Agent;
  let busy: { kvkNumber: string; id: string };
  let late: { kvkNumber: string; id: string };
  let quiet: { kvkNumber: string; id: string };
  const signals: { number: string }[] = [];

  before(async function () {
    this.timeout(120_000);
    const ds = context.db.dataSource;
    const now = new Date();
    const supplier = await givenSignalSupplier(ds, 'Politie eenheid Review');
    const signal = async (category: string) => {
      const s = await givenSignal(
        ds,
        supplier.id,
        { domains: [SECRET_DOMAIN], names: [SECRET_NAME] },
        { category, text: SECRET_TEXT },
      );
      signals.push(s);
      return s;
    };
    busy = await givenProvider(ds, { legalName: 'Aalscholver Hosting B.V.' });
    const reseller = await givenDeclaredReseller(
      ds,
      busy.id,
      { domains: [SECRET_DOMAIN] },
      { reference: SECRET_REFERENCE },
    );
    await givenDeclaredReseller(ds, busy.id, { names: ['Een andere klant'] });
    await givenDeclaredReseller(ds, busy.id, { names: ['Weg'] }, { removedAt: now });
    const answer = (days: number) => ({ action: 'terminated', at: addDays(now, days) });
    // Answered in time, answered late, open, overdue, a possible match undecided (open), one dismissed.
    await givenMatch(ds, (await signal('phishing')).id, busy.id, reseller.id, {
      answerDueAt: addDays(now, -5),
      answers: [answer(-10)],
    });
    await givenMatch(ds, (await signal('spam')).id, busy.id, reseller.id, {
      answerDueAt: addDays(now, -5),
      answers: [answer(-2)],
    });
    await givenMatch(ds, (await signal('ransomware')).id, busy.id, reseller.id, {
      answerDueAt: addDays(now, 5),
    });
    await givenMatch(ds, (await signal('botnet')).id, busy.id, reseller.id, {
      answerDueAt: addDays(now, -1),
    });
    await givenMatch(ds, (await signal('fraud')).id, busy.id, reseller.id, {
      kind: 'possible',
      matchedOn: ['name'],
      answerDueAt: addDays(now, 9),
    });
    await givenMatch(ds, (await signal('malware')).id, busy.id, reseller.id, {
      kind: 'possible',
      matchedOn: ['name'],
      dismissedAt: now,
    });
    await ds.query(
      `INSERT INTO review_tasks (provider_id, kind, created_at, detail) VALUES ($1, 'reseller_declarations_many', now(), '{}')`,
      [busy.id],
    );
    late = await givenProvider(ds, { legalName: 'Zwaluw Servers B.V.' });
    const lateReseller = await givenDeclaredReseller(ds, late.id, { domains: [SECRET_DOMAIN] });
    for (const days of [-3, -4])
      await givenMatch(ds, (await signal('ddos')).id, late.id, lateReseller.id, {
        answerDueAt: addDays(now, days),
      });
    quiet = await givenProvider(ds, { legalName: 'Merel Cloud B.V.' });
    await givenDeclaredReseller(ds, quiet.id, { domains: ['iets-anders.nl'] });
    reviewer = await signedIn(context.app, await givenUser(ds, 'reviewer'));
  });

  it('shows per provider with a match its figures, and nothing of the signals', async () => {
    const res = await reviewer.get('/beoordeling/signalen');
    assert.equal(res.status, 200);
    await assertValidHtml(res.text, '/beoordeling/signalen');
    assert.deepEqual(rowFigures(res.text, busy.kvkNumber), {
      matches: '5',
      answeredOnTime: '1',
      answeredLate: '1',
      open: '2',
      overdue: '1',
      possibleUndecided: '1',
      possibleConfirmed: '0',
      declared: '2',
      flagged: 'ja',
    });
    assert.deepEqual(rowFigures(res.text, late.kvkNumber), {
      matches: '2',
      answeredOnTime: '0',
      answeredLate: '0',
      open: '0',
      overdue: '2',
      possibleUndecided: '0',
      possibleConfirmed: '0',
      declared: '1',
      flagged: 'nee',
    });
    assert.ok(!res.text.includes(quiet.kvkNumber), 'a provider without a match is not listed');
    for (const secret of [
      SECRET_DOMAIN,
      SECRET_NAME,
      SECRET_TEXT,
      SECRET_REFERENCE,
      'Politie eenheid Review',
    ])
      assert.ok(!res.text.includes(secret), `the page does not say ${secret}`);
    assert.deepEqual(rowOrder(res.text), [busy.kvkNumber, late.kvkNumber], 'by name');
  });

  it('sorts the most overdue first when asked, and keeps the order in its page links', async () => {
    const res = await reviewer.get('/beoordeling/signalen?sorteer=achterstallig');
    assert.equal(res.status, 200);
    assert.deepEqual(rowOrder(res.text), [late.kvkNumber, busy.kvkNumber]);
    assert.match(res.text, /href="\/beoordeling\/signalen\?sorteer&#x3D;achterstallig" aria-current="page"/);
  });

  it('pages the providers, keeping the order', async function () {
    this.timeout(120_000);
    const ds = context.db.dataSource;
    const supplier = await givenSignalSupplier(ds);
    const signal = await givenSignal(ds, supplier.id, { domains: ['paging-voorbeeld.nl'] });
    for (let i = 0; i < SIGNAL_REVIEW_PAGE_SIZE; i++) {
      const provider = await givenProvider(ds, {
        legalName: `Paginering ${String(i).padStart(2, '0')} B.V.`,
      });
      const declared = await givenDeclaredReseller(ds, provider.id, { domains: ['paging-voorbeeld.nl'] });
      await givenMatch(ds, signal.id, provider.id, declared.id, { answerDueAt: addDays(new Date(), 3) });
    }
    const first = await reviewer.get('/beoordeling/signalen?sorteer=achterstallig');
    assert.equal(rowOrder(first.text).length, SIGNAL_REVIEW_PAGE_SIZE);
    assert.deepEqual(rowOrder(first.text).slice(0, 2), [late.kvkNumber, busy.kvkNumber]);
    assert.match(
      first.text,
      /rel="next" href="\/beoordeling\/signalen\?sorteer&#x3D;achterstallig&amp;page&#x3D;2"/,
    );
    const second = await reviewer.get('/beoordeling/signalen?sorteer=achterstallig&page=2');
    assert.equal(rowOrder(second.text).length, 2);
    assert.match(second.text, /data-total="52"/);
  });

  it('is for reviewers, auditors and admins only', async () => {
    const ds = context.db.dataSource;
    for (const role of ['auditor', 'admin'] as const)
      assert.equal(
        (await (await signedIn(context.app, await givenUser(ds, role))).get('/beoordeling/signalen')).status,
        200,
        role,
      );
    for (const role of ['provider', 'buyer', 'signal_supplier'] as const) {
      const who = await givenUser(ds, role, role === 'provider' ? { providerId: busy.id } : {});
      assert.equal((await (await signedIn(context.app, who)).get('/beoordeling/signalen')).status, 403, role);
    }
    const anonymous = await request(context.app).get('/beoordeling/signalen');
    assert.equal(anonymous.status, 303);
  });

  it('shows the same figures and the latest signal numbers and categories on the staff provider page, without content', async () => {
    const res = await reviewer.get(`/beoordeling/hostingproviders/${busy.kvkNumber}`);
    assert.equal(res.status, 200);
    await assertValidHtml(res.text, 'the staff provider page');
    const section = /<section[^>]*data-provider-signals>([\s\S]*?)<\/section>/.exec(res.text)?.[1];
    assert.ok(section, 'the signals section');
    const figures = Object.fromEntries(
      [...section.matchAll(/data-figure="([a-zA-Z]+)">[^:]*: ([^<]*)/g)].map((m) => [m[1]!, m[2]!]),
    );
    assert.deepEqual(figures, {
      matches: '5',
      answeredOnTime: '1',
      answeredLate: '1',
      open: '2',
      overdue: '1',
      possibleUndecided: '1',
      possibleConfirmed: '0',
      declared: '2',
      flagged: 'ja',
    });
    assert.deepEqual(
      [...section.matchAll(/data-signal-match-state="([a-zA-Z]+)"/g)].map((m) => m[1]).sort(),
      ['dismissed', 'late', 'onTime', 'open', 'open', 'overdue'],
    );
    assert.ok(section.includes(`SIG-${signals[0]!.number.padStart(6, '0')} (phishing)`));
    for (const secret of [
      SECRET_DOMAIN,
      SECRET_NAME,
      SECRET_TEXT,
      SECRET_REFERENCE,
      'Politie eenheid Review',
    ])
      assert.ok(!res.text.includes(secret), `the page does not say ${secret}`);
    const without = await reviewer.get(`/beoordeling/hostingproviders/${quiet.kvkNumber}`);
    assert.ok(!without.text.includes('data-provider-signals'), 'no section without a match');
  });

  it('counts the possible matches a provider confirmed, and marks many for the reviewer (F1)', async () => {
    const ds = context.db.dataSource;
    const supplier = await givenSignalSupplier(ds);
    const prober = await givenProvider(ds, { legalName: 'Kievit Proef B.V.' });
    const declared = await givenDeclaredReseller(ds, prober.id, { names: ['Duister Nachtservers'] });
    for (let i = 0; i < POSSIBLE_CONFIRMED_NOTABLE; i++) {
      const signal = await givenSignal(ds, supplier.id, { names: [`Duister Nachtservers ${i}`] });
      await givenMatch(ds, signal.id, prober.id, declared.id, {
        kind: 'possible',
        matchedOn: ['name'],
        confirmedAt: new Date(),
        answerDueAt: addDays(new Date(), 20),
      });
    }
    const res = await reviewer.get(`/beoordeling/hostingproviders/${prober.kvkNumber}`);
    const section = /<section[^>]*data-provider-signals>([\s\S]*?)<\/section>/.exec(res.text)?.[1];
    assert.ok(section);
    assert.match(
      section,
      new RegExp(
        `data-figure="possibleConfirmed">Mogelijke treffers \\(alleen op naam\\) bevestigd: <strong>${POSSIBLE_CONFIRMED_NOTABLE} \\(opvallend veel`,
      ),
    );
    const overview = await reviewer.get('/beoordeling/signalen');
    assert.match(
      rowFigures(overview.text, prober.kvkNumber).possibleConfirmed!,
      new RegExp(`^${POSSIBLE_CONFIRMED_NOTABLE} \\(opvallend veel`),
    );
    await assertValidHtml(overview.text, '/beoordeling/signalen with a notable figure');
  });

  it('shows a provider flagged for many declarations in the review queue, with a link to its page', async () => {
    const res = await reviewer.get('/beoordeling');
    assert.match(
      res.text,
      new RegExp(
        `<a class="nl-link" href="/beoordeling/hostingproviders/${busy.kvkNumber}">Aalscholver Hosting B.V.</a> \\(${busy.kvkNumber}\\): heeft in korte tijd opvallend veel wederverkopers opgegeven`,
      ),
    );
    assert.match(res.text, /href="\/beoordeling\/signalen" data-review-signals-link/);
  });
});

describe('the demo register’s signals (issue 19)', function () {
  this.timeout(300_000);
  const demo = useDemoRegister();

  it('has the police as a signal supplier, a provider’s declared resellers and two signals of which one matches', async () => {
    const ds = demo.db.dataSource;
    const [police] = await ds.query<{ role: string; totp_enabled_at: Date | null; supplier: string }[]>(
      `SELECT u.role, u.totp_enabled_at, s.name AS supplier
         FROM users u JOIN signal_suppliers s ON s.id = u.signal_supplier_id WHERE u.email = $1`,
      [DEMO_SIGNAL_SUPPLIER.email],
    );
    assert.deepEqual(police, {
      role: 'signal_supplier',
      totp_enabled_at: null,
      supplier: 'Politie – Team High Tech Crime',
    });
    const signals = await ds.query<{ sealed: string }[]>(`SELECT sealed FROM signals ORDER BY number`);
    assert.equal(signals.length, DEMO_SIGNALS.length);
    assert.equal(testSignalKeys.open(signals[0]!.sealed).text, DEMO_SIGNALS[0]!.text);
    const [figures] = await ds.query<{ kvk_number: string; matches: number; declared: number }[]>(
      `SELECT p.kvk_number, count(DISTINCT m.id)::int AS matches, count(DISTINCT d.id)::int AS declared
         FROM providers p JOIN declared_resellers d ON d.provider_id = p.id
         LEFT JOIN signal_matches m ON m.provider_id = p.id
        GROUP BY p.kvk_number`,
    );
    assert.deepEqual(figures, { kvk_number: '99990001', matches: 1, declared: DEMO_RESELLERS.length });
    // Matched as the register matches (F10): each signal's run writes one found event, match or none.
    const events = await ds.query<{ action: string }[]>(
      `SELECT action FROM audit_events WHERE action IN ('signal.created', 'signal_match.found') ORDER BY id`,
    );
    assert.deepEqual(
      events.map((e) => e.action),
      DEMO_SIGNALS.flatMap(() => ['signal.created', 'signal_match.found']),
    );
    const overview = await (await signedInDemo('beoordelaar@register.example')).get('/beoordeling/signalen');
    assert.match(overview.text, /data-signal-provider="99990001"/);
  });

  /** A demo staff member signed in (their second factor set up now, as at a first login). */
  async function signedInDemo(email: string): Promise<Agent> {
    const secret = newTotpSecret();
    await demo.db.dataSource.query(
      `UPDATE users SET totp_secret = $2, totp_enabled_at = now() WHERE email = $1`,
      [email, testSecretBox.encrypt(secret)],
    );
    return signedIn(demo.app, { email, password: DEMO_PASSWORD, totpSecret: secret } as TestUser);
  }
});
