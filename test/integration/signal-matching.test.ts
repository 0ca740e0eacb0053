import assert from 'node:assert/strict';
import type { DataSource } from 'typeorm';
import {
  DECLARATION_FIELDS,
  type DeclarationForm,
  declareResellers,
  type DeclaringUser,
  readDeclaration,
  resellerLimitsOf,
} from '../../src/signals/declared-reseller.service';
import type { DeclarationInsert } from '../../src/signals/declared-reseller.queries';
import { matchDeclarations, matchSignals } from '../../src/signals/signal-matching';
import { readIpRange, type ResellerIdentity } from '../../src/signals/reseller-identifiers';
import { addDays, toLocalDate } from '../../src/shared/time';
import { givenProvider } from '../factories/provider.factory';
import {
  givenDeclaredReseller,
  givenSignal,
  givenSignalSupplier,
  testSignalKeys,
} from '../factories/signal.factory';
import { givenUser } from '../factories/user.factory';
import { testConfig } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

const SETTINGS = { answerDays: 30, baseUrl: testConfig.publicBaseUrl };

/** Issue 19 §2: new signals are matched against every provider's declared resellers, and back. */
describe('matching signals against declared resellers', () => {
  let db: TestDatabase;
  const ds = (): DataSource => db.dataSource;
  let supplierId: string;
  before(async () => {
    db = await createTestDatabase();
    supplierId = (await givenSignalSupplier(ds())).id;
  });
  after(() => db.drop());

  const declaration = (overrides: Partial<DeclarationInsert>): DeclarationInsert => ({
    reference: '',
    names: [],
    kvkNumber: null,
    domains: [],
    mailDomains: [],
    ipRanges: [],
    asNumbers: [],
    ...overrides,
  });

  /** A provider with one active user; its declarations made as the service makes them. */
  const givenDeclaringProvider = async () => {
    const provider = await givenProvider(ds());
    const person = await givenUser(ds(), 'provider', { providerId: provider.id });
    const user: DeclaringUser = { id: person.user.id, role: 'provider', providerId: provider.id };
    const declare = async (...rows: Partial<DeclarationInsert>[]) =>
      (
        await ds().transaction((m) =>
          declareResellers(
            m,
            testSignalKeys,
            user,
            rows.map(declaration),
            { source: 'form', field: 'names' },
            resellerLimitsOf(testConfig),
            SETTINGS,
            new Date(),
          ),
        )
      ).ids;
    return { provider, person, user, declare };
  };

  const signal = (identity: Partial<ResellerIdentity>, options = {}) =>
    givenSignal(ds(), supplierId, identity, options);
  const match = (ids: string[], now = new Date(), options = {}) =>
    ds().transaction((m) => matchSignals(m, testSignalKeys, ids, SETTINGS, now, options));
  const matchesOf = (signalId: string) =>
    ds().query<
      {
        provider_id: string;
        declared_reseller_id: string;
        kind: string;
        matched_on: string[];
        answer_due_at: Date;
        matched_at: Date;
        notified_at: Date | null;
      }[]
    >(
      `SELECT provider_id, declared_reseller_id, kind, matched_on, answer_due_at, matched_at, notified_at
         FROM signal_matches WHERE signal_id = $1 ORDER BY declared_reseller_id`,
      [signalId],
    );

  it('matches exactly on a KvK number, and only the provider that declared it', async () => {
    const a = await givenDeclaringProvider();
    const b = await givenDeclaringProvider();
    const [ours] = await a.declare({ kvkNumber: '61234561', reference: 'K-1' });
    await b.declare({ kvkNumber: '61234562' });
    const s = await signal({ kvkNumbers: ['61234561'] });
    assert.deepEqual(await match([s.id]), { matches: 1, providers: 1 });
    const rows = await matchesOf(s.id);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.provider_id, a.provider.id);
    assert.equal(rows[0]!.declared_reseller_id, ours);
    assert.equal(rows[0]!.kind, 'exact');
    assert.deepEqual(rows[0]!.matched_on, ['kvk']);
    assert.equal(rows[0]!.answer_due_at.getTime() - rows[0]!.matched_at.getTime() >= 29 * 86_400_000, true);
    assert.ok(rows[0]!.notified_at);
  });

  it('matches a declared subdomain on a signal about its parent domain, never the other way round', async () => {
    const a = await givenDeclaringProvider();
    await a.declare({ domains: ['shop.voorbeeld-sub.nl'] });
    const parent = await signal({ domains: ['voorbeeld-sub.nl'] });
    assert.equal((await match([parent.id])).matches, 1);
    const b = await givenDeclaringProvider();
    await b.declare({ domains: ['andere-sub.nl'] });
    const child = await signal({ domains: ['www2.andere-sub.nl'] });
    assert.equal((await match([child.id])).matches, 0);
  });

  it('matches on a mail domain and on an AS number, listing both', async () => {
    const a = await givenDeclaringProvider();
    await a.declare({ mailDomains: ['mail-voorbeeld.nl'], asNumbers: [64501] });
    const s = await signal({ mailDomains: ['mail-voorbeeld.nl'], asNumbers: [64501] });
    await match([s.id]);
    const [row] = await matchesOf(s.id);
    assert.deepEqual(row!.matched_on, ['mail_domain', 'as_number']);
    // A mail domain is not a domain: the same value under the other kind does not match.
    const other = await signal({ domains: ['mail-voorbeeld.nl'] });
    assert.equal((await match([other.id])).matches, 0);
  });

  it('matches IPv4 and IPv6 ranges that overlap, in either direction, and not ranges beside them', async () => {
    const a = await givenDeclaringProvider();
    await a.declare({ ipRanges: ['198.51.100.0/24'] }, { ipRanges: ['2001:db8:aa::/48'] });
    const inside = await signal({ ipRanges: ['198.51.100.7/32'] });
    const around = await signal({ ipRanges: ['2001:db8::/32'] });
    const beside = await signal({ ipRanges: ['198.51.101.0/24', '2001:db9::/32'] });
    assert.deepEqual(await match([inside.id, around.id, beside.id]), { matches: 2, providers: 1 });
    assert.deepEqual((await matchesOf(inside.id))[0]!.matched_on, ['ip_range']);
    assert.equal((await matchesOf(around.id)).length, 1);
    assert.equal((await matchesOf(beside.id)).length, 0);
  });

  it('matches an IPv4-mapped IPv6 range, declared or signalled, on the IPv4 range it names', async () => {
    const read = (typed: string) => {
      const reading = readIpRange(typed);
      assert.ok(reading.ok, typed);
      return reading.value;
    };
    const typed = '::ffff:100.70.1.7\n::ffff:100.70.2.0/120';
    const form = Object.fromEntries(
      DECLARATION_FIELDS.map((f) => [f, f === 'resellerIpRanges' ? typed : '']),
    ) as DeclarationForm;
    const declared = readDeclaration(form);
    assert.ok(declared.ok);
    assert.deepEqual(declared.value.ipRanges, ['100.70.1.7/32', '100.70.2.0/24']);
    const a = await givenDeclaringProvider();
    await a.declare(declared.value, { ipRanges: ['100.70.3.64/26'] });
    const v4 = await signal({ ipRanges: ['100.70.1.0/24'] });
    const mapped = await signal({ ipRanges: [read('::ffff:100.70.3.77/128')] });
    const v4Single = await signal({ ipRanges: [read('100.70.2.9')] });
    assert.deepEqual(await match([v4.id, mapped.id, v4Single.id]), { matches: 3, providers: 1 });
    for (const s of [v4, mapped, v4Single])
      assert.deepEqual(
        (await matchesOf(s.id)).map((m) => m.matched_on),
        [['ip_range']],
      );
  });

  it('flags look-alike names as possible matches; an identifier that also matches makes it exact with the name', async () => {
    const a = await givenDeclaringProvider();
    await a.declare({ names: ['Schaduwhost Reseller B.V.'] });
    const lookAlike = await signal({ names: ['SCHADUWH0ST RESELLER'] });
    const unlike = await signal({ names: ['Zonlicht Diensten'] });
    await match([lookAlike.id, unlike.id]);
    assert.deepEqual(
      (await matchesOf(lookAlike.id)).map((r) => [r.kind, r.matched_on]),
      [['possible', ['name']]],
    );
    assert.equal((await matchesOf(unlike.id)).length, 0);
    // A batch split over several statements finds the same.
    const again = await signal({ names: ['SCHADUWH0ST RESELLER'] });
    const unlikeAgain = await signal({ names: ['Zonlicht Diensten', 'Пример'] });
    await match([again.id, unlikeAgain.id], new Date(), { namesPerStatement: 1 });
    assert.deepEqual(
      (await matchesOf(again.id)).map((r) => [r.kind, r.matched_on]),
      [['possible', ['name']]],
    );
    assert.equal((await matchesOf(unlikeAgain.id)).length, 0);
    const b = await givenDeclaringProvider();
    await b.declare({ names: ['Nachtwolk Reseller'], domains: ['nachtwolk-reseller.nl'] });
    const both = await signal({ names: ['Nachtwolk Reseller B.V.'], domains: ['nachtwolk-reseller.nl'] });
    await match([both.id]);
    assert.deepEqual(
      (await matchesOf(both.id)).map((r) => [r.kind, r.matched_on]),
      [['exact', ['domain', 'name']]],
    );
  });

  it('finds the same resembling names for a large batch in memory as by probing the trigram index', async () => {
    const a = await givenDeclaringProvider();
    await a.declare(
      { names: ['Maanhaven Reseller B.V.'] },
      { names: ['Пример Хостинг'] },
      { names: ['Brouwerij Zonnewolk'] },
      { names: ['Nachtwacht Diensten'] },
    );
    const identities: Partial<ResellerIdentity>[] = [
      { names: ['Maanhavens Reseller'] }, // one letter more: resembles
      { names: ['Maanhaven Reseller'] }, // equal key
      { names: ['Примеры Хостинг'] }, // Cyrillic, one letter more: resembles
      { names: ['Brouwerij Zonnewolken', 'Zonlicht'] },
      { names: ['Nachtwacht'] }, // only part of the name: not similar enough
      { names: ['Dagwacht Diensten'] }, // most of the name in common: resembles
      { names: ['Qqqq Zzzz'] },
    ];
    const outcome = async (options: { namesInMemoryFrom: number }) => {
      const ids = [];
      for (const identity of identities) ids.push((await signal(identity)).id);
      await match(ids, new Date(), options);
      return Promise.all(
        ids.map(async (id) => (await matchesOf(id)).map((r) => [r.declared_reseller_id, r.kind])),
      );
    };
    const probed = await outcome({ namesInMemoryFrom: Number.POSITIVE_INFINITY });
    const inMemory = await outcome({ namesInMemoryFrom: 1 });
    assert.deepEqual(inMemory, probed);
    assert.deepEqual(
      probed.map((m) => m.length),
      [1, 1, 1, 1, 0, 1, 0],
    );
  });

  it('never matches on a shared mail service or hosting platform, nor on one short word of a name, even in rows stored before (F7, F1)', async () => {
    // Stored as they were before the readers refused them: matching leaves them out by itself.
    const a = await givenDeclaringProvider();
    const old = await givenDeclaredReseller(ds(), a.provider.id, {
      mailDomains: ['gmail.com', 'ziggo.nl'],
      domains: ['iemand.github.io'],
      names: ['Duister'],
    });
    const s = await signal({
      mailDomains: ['gmail.com', 'ziggo.nl'],
      domains: ['github.io'],
      names: ['Duister Datacenter'],
    });
    assert.deepEqual(await match([s.id]), { matches: 0, providers: 0 });
    assert.equal(
      (await ds().transaction((m) => matchDeclarations(m, testSignalKeys, [old.id], SETTINGS, new Date())))
        .matches,
      0,
    );
    // The same reseller's own domain still matches exactly, a long enough name still possibly.
    const b = await givenDeclaringProvider();
    await b.declare({ mailDomains: ['duister-datacenter.nl'], names: ['Duister Nachtservers'] });
    const own = await signal({ mailDomains: ['abuse@duister-datacenter.nl'.split('@')[1]!] });
    const named = await signal({ names: ['Duister Nachtservers B.V.'] });
    await match([own.id, named.id]);
    assert.deepEqual(
      (await matchesOf(own.id)).map((r) => r.matched_on),
      [['mail_domain']],
    );
    assert.deepEqual(
      (await matchesOf(named.id)).map((r) => r.kind),
      ['possible'],
    );
  });

  it('never matches a withdrawn or expired signal, nor a removed declaration', async () => {
    const a = await givenDeclaringProvider();
    const [id] = await a.declare({ kvkNumber: '61234570' });
    const withdrawn = await signal({ kvkNumbers: ['61234570'] }, { withdrawnAt: new Date() });
    const expired = await signal(
      { kvkNumbers: ['61234570'] },
      { observedOn: '2020-01-01', expiresOn: toLocalDate(addDays(new Date(), -1)) },
    );
    const lastDay = await signal(
      { kvkNumbers: ['61234570'] },
      { observedOn: '2020-01-01', expiresOn: toLocalDate(new Date()) },
    );
    assert.deepEqual(await match([withdrawn.id, expired.id]), { matches: 0, providers: 0 });
    assert.equal((await match([lastDay.id])).matches, 1);
    await ds().query(`UPDATE declared_resellers SET removed_at = now() WHERE id = $1`, [id]);
    await ds().query(`DELETE FROM declared_reseller_identifiers WHERE declared_reseller_id = $1`, [id]);
    const later = await signal({ kvkNumbers: ['61234570'] });
    assert.equal((await match([later.id])).matches, 0);
  });

  it('matches a new declaration against the current signals at once (exact, IP range and name)', async () => {
    const s1 = await signal({ kvkNumbers: ['61234580'] });
    const s2 = await signal({ ipRanges: ['203.0.113.0/25'] });
    const s3 = await signal({ names: ['Donkerweb Hosting Partners'] });
    const gone = await signal({ kvkNumbers: ['61234580'] }, { withdrawnAt: new Date() });
    const a = await givenDeclaringProvider();
    const [d1, d2, d3] = await a.declare(
      { kvkNumber: '61234580' },
      { ipRanges: ['203.0.113.64/26'] },
      { names: ['Donkerweb Partners'] },
    );
    const rows = await ds().query<{ signal_id: string; declared_reseller_id: string; kind: string }[]>(
      `SELECT signal_id, declared_reseller_id, kind FROM signal_matches WHERE provider_id = $1`,
      [a.provider.id],
    );
    const pairs = rows.map((r) => `${r.signal_id}:${r.declared_reseller_id}:${r.kind}`).sort();
    assert.deepEqual(
      pairs,
      [`${s1.id}:${d1}:exact`, `${s2.id}:${d2}:exact`, `${s3.id}:${d3}:possible`].sort(),
    );
    assert.ok(!rows.some((r) => r.signal_id === gone.id));
    // Matching again records nothing twice and mails nobody again.
    const again = await ds().transaction((m) =>
      matchDeclarations(m, testSignalKeys, [d1!, d2!, d3!], SETTINGS, new Date()),
    );
    assert.deepEqual(again, { matches: 0, providers: 0 });
  });

  it('mails each provider with a new match once, without anything of the signal, and audits it in the same transaction', async () => {
    const a = await givenDeclaringProvider();
    const colleague = await givenUser(ds(), 'provider', { providerId: a.provider.id });
    await a.declare({ domains: ['geheim-reseller.nl'], reference: 'KLANT-991', names: ['Geheimzinnig BV'] });
    await a.declare({ kvkNumber: '61234590' });
    const before = Number((await ds().query<{ n: string }[]>(`SELECT count(*) AS n FROM outbox`))[0]!.n);
    const s = await signal(
      { domains: ['geheim-reseller.nl'], names: ['Geheimzinnig'] },
      { text: 'Stuurt ransomware rond' },
    );
    const t = await signal({ kvkNumbers: ['61234590'] });
    assert.deepEqual(await match([s.id, t.id]), { matches: 2, providers: 1 });
    const mails = await ds().query<{ recipient: string; subject: string; body: string }[]>(
      `SELECT recipient, subject, body FROM outbox ORDER BY id OFFSET $1`,
      [before],
    );
    assert.deepEqual(
      mails.map((m) => m.recipient).sort(),
      [a.person.email, colleague.email].map((e) => e.toLowerCase()).sort(),
    );
    for (const mail of mails) {
      assert.match(mail.body, /\/account\/signalen/);
      assert.match(mail.body, /2 signalen/);
      for (const secret of ['geheim-reseller', 'KLANT-991', 'Geheimzinnig', 'ransomware', '61234590'])
        assert.ok(!mail.body.includes(secret) && !mail.subject.includes(secret), `no ${secret} in the mail`);
    }
    // One event per matching run, naming each provider with its matches (never content).
    const events = await ds().query<{ data: { providers: { providerId: string; matchIds: string[] }[] } }[]>(
      `SELECT data FROM audit_events WHERE action = 'signal_match.found' AND data::text LIKE '%' || $1 || '%'`,
      [a.provider.id],
    );
    assert.equal(events.length, 1);
    assert.equal(events[0]!.data.providers.find((p) => p.providerId === a.provider.id)!.matchIds.length, 2);
    assert.ok(!JSON.stringify(events[0]!.data).includes('geheim'));
    // A failing transaction leaves neither matches, nor mail, nor event.
    const u = await signal({ kvkNumbers: ['61234590'] });
    await assert.rejects(
      ds().transaction(async (m) => {
        await matchSignals(m, testSignalKeys, [u.id], SETTINGS, new Date());
        throw new Error('rolled back');
      }),
    );
    assert.equal((await matchesOf(u.id)).length, 0);
    const after = Number((await ds().query<{ n: string }[]>(`SELECT count(*) AS n FROM outbox`))[0]!.n);
    assert.equal(after, before + 2);
  });
});
