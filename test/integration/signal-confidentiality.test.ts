import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import type { Express } from 'express';
import request from 'supertest';
import { personOfActor } from '../../src/audit/actor';
import type { Provider } from '../../src/provider/provider.entity';
import { createLogger } from '../../src/shared/logger';
import { addDays } from '../../src/shared/time';
import { recordOverdueMatches, sendSignalReminders } from '../../src/signals/signal-deadlines';
import { signCheckpointIfDue } from '../../src/transparency/checkpoint.service';
import { givenApproval, givenCodeVersion, givenProvider, uniqueKvk } from '../factories/provider.factory';
import {
  givenDeclaredReseller,
  givenMatch,
  givenSignal,
  givenSignalSupplier,
  testSignalKeys,
} from '../factories/signal.factory';
import { givenUser } from '../factories/user.factory';
import { givenIssuedAttestation, testApp, testConfig, useTestApp } from '../helpers/app';
import { createTestDatabase, testSigner, type TestDatabase } from '../helpers/database';
import { entryOf, eventsInChainOrder } from '../helpers/merkle';
import { appRoutes } from '../helpers/routes';
import { type Agent, signedIn, submitForm, tokenFor } from '../helpers/session';

/*
 * Issue 19 §4: no public output, no provider outside the match, no reviewer and no log reveals a
 * signal. Signals with distinctive identifiers and text, a provider (A) whose declared resellers
 * match them (answered, shared, overdue, reminded), a provider (B) with resellers that match
 * nothing; then every GET route of the app, with its parameters filled with the real ids of all of
 * it, is asked by an anonymous visitor, a buyer and provider B (and the staff areas by staff), and
 * the searches are asked for the reseller's names and numbers. None may show any of the strings
 * below. The routes are read from the app's own table: a page added later is asked too.
 */

const RESELLER_DOMAIN = 'zz-geheim-reseller-7741.nl';
const RESELLER_MAIL_DOMAIN = 'zz-geheim-post-7741.nl';
const RESELLER_NAME = 'Geheime Wederverkoper Zwartschaap';
const RESELLER_KVK = '87417741';
const RESELLER_IP = '198.51.100.64';
const RESELLER_AS = 4200007741;
const SIGNAL_TEXT = 'Geheime toelichting 8832';
const OTHER_DOMAIN = 'zz-geheim-ander-9917.nl';
const OTHER_TEXT = 'Geheime toelichting 9918';
const ANSWER_NOTE = 'Geheime antwoordnotitie 5512';
const RESELLER_REFERENCE = 'KLANT-GEHEIM-4471';
const SUPPLIER_NAME = 'Politie Geheimeenheid 5590';
/** Signal numbers start here: SIG-774100 and its number are distinctive too. */
const FIRST_NUMBER = 774100;

/** What identifies the signals' reseller, or says what a signal says: shown to nobody outside the match. */
const CONTENT = [
  RESELLER_DOMAIN,
  RESELLER_MAIL_DOMAIN,
  RESELLER_NAME,
  'Zwartschaap',
  RESELLER_KVK,
  RESELLER_IP,
  String(RESELLER_AS),
  SIGNAL_TEXT,
  OTHER_DOMAIN,
  OTHER_TEXT,
  ANSWER_NOTE,
  RESELLER_REFERENCE,
];
/**
 * Beside the content, what the public and providers outside the match must not learn either. The
 * API document describes the signals API (`SIG-000123` as an example): the numbers given out are what counts.
 */
const PUBLIC_SECRETS = [
  ...CONTENT,
  SUPPLIER_NAME,
  `SIG-${FIRST_NUMBER}`,
  `SIG-${FIRST_NUMBER + 1}`,
  String(FIRST_NUMBER),
  String(FIRST_NUMBER + 1),
];

/**
 * What no log line may hold. The request log has the URLs asked, and this test asks searches for
 * the reseller's names and numbers itself: those are what a visitor typed, not what the register knows.
 */
const LOG_SECRETS = [
  SIGNAL_TEXT,
  OTHER_TEXT,
  ANSWER_NOTE,
  OTHER_DOMAIN,
  RESELLER_MAIL_DOMAIN,
  RESELLER_IP,
  String(RESELLER_AS),
];

/** Signed-in areas of staff: asked as staff, where signal numbers may show but never content. */
const STAFF_AREAS = ['/beoordeling', '/beheer'];

describe('signals are confidential: no public output, no other provider, no log reveals one (issue 19)', function () {
  this.timeout(600_000);
  let db: TestDatabase;
  let app: Express;
  const logLines: string[] = [];
  const ids: Record<string, string> = {};
  let providerA: Provider;
  let providerB: Provider;
  let buyer: Agent;
  let agentB: Agent;

  before(async () => {
    db = await createTestDatabase();
    app = testApp(db.dataSource, {
      logger: createLogger('debug', { write: (line: string) => logLines.push(line) }),
    }).app;
    const ds = db.dataSource;
    const now = new Date();
    const version = await givenCodeVersion(ds);
    providerA = await givenProvider(ds, { legalName: `Alfa Hosting ${uniqueKvk()} B.V.` });
    providerB = await givenProvider(ds, { legalName: `Bravo Hosting ${uniqueKvk()} B.V.` });
    for (const p of [providerA, providerB]) await givenApproval(ds, p, version, addDays(now, -60));
    ids.attestation = (await givenIssuedAttestation(ds, providerA.id)).number;
    const supplier = await givenSignalSupplier(ds, SUPPLIER_NAME);
    // Numbers count per supplier (F19): this one's start at FIRST_NUMBER.
    await ds.query(`UPDATE signal_suppliers SET last_signal_number = $2 WHERE id = $1`, [
      supplier.id,
      FIRST_NUMBER - 1,
    ]);
    const identity = {
      domains: [RESELLER_DOMAIN],
      mailDomains: [RESELLER_MAIL_DOMAIN],
      names: [RESELLER_NAME],
      kvkNumbers: [RESELLER_KVK],
      ipRanges: [`${RESELLER_IP}/26`],
      asNumbers: [RESELLER_AS],
    };
    const signal = await givenSignal(ds, supplier.id, identity, {
      category: 'ransomware',
      text: SIGNAL_TEXT,
    });
    const overdueSignal = await givenSignal(ds, supplier.id, identity, {
      category: 'phishing',
      text: SIGNAL_TEXT,
    });
    const soonSignal = await givenSignal(ds, supplier.id, identity, {
      category: 'botnet',
      text: SIGNAL_TEXT,
    });
    const other = await givenSignal(ds, supplier.id, { domains: [OTHER_DOMAIN] }, { text: OTHER_TEXT });
    const declared = await givenDeclaredReseller(ds, providerA.id, identity, {
      reference: RESELLER_REFERENCE,
    });
    const answered = await givenMatch(ds, signal.id, providerA.id, declared.id, {
      matchedOn: ['domain', 'kvk'],
      matchedAt: addDays(now, -20),
      answers: [{ action: 'disputed', at: addDays(now, -10), note: ANSWER_NOTE }],
      sharedAt: addDays(now, -9),
    });
    const overdue = await givenMatch(ds, overdueSignal.id, providerA.id, declared.id, {
      matchedAt: addDays(now, -40),
      answerDueAt: addDays(now, -10),
    });
    await givenMatch(ds, soonSignal.id, providerA.id, declared.id, {
      kind: 'possible',
      matchedOn: ['name'],
      answerDueAt: addDays(now, 2),
    });
    // Provider B declares resellers too, none of which any signal names.
    const innocent = await givenDeclaredReseller(ds, providerB.id, {
      domains: ['onschuldige-klant-b.nl'],
      names: ['Onschuldige Klant'],
    });
    await givenUser(ds, 'provider', { providerId: providerA.id });
    const userB = await givenUser(ds, 'provider', { providerId: providerB.id });
    // The daily work: a reminder to A's people, an overdue task a reviewer then closes.
    await ds.transaction((m) => recordOverdueMatches(m, now));
    await ds.transaction((m) => sendSignalReminders(m, now, testConfig.publicBaseUrl, [7, 1]));
    const [task] = await ds.query<{ id: string }[]>(
      `SELECT id FROM review_tasks WHERE provider_id = $1 AND kind = 'signal_match_overdue'`,
      [providerA.id],
    );
    const reviewer = await signedIn(app, await givenUser(ds, 'reviewer'));
    const closing = `/beoordeling/taken/${task!.id}/afgehandeld`;
    assert.equal((await submitForm(reviewer, closing, closing, { note: 'Nagebeld.' })).status, 303);
    Object.assign(ids, {
      signal: signal.id,
      other: other.id,
      overdueSignal: overdueSignal.id,
      answered: answered.id,
      overdue: overdue.id,
      declared: declared.id,
      innocent: innocent.id,
      supplier: supplier.id,
      task: task!.id,
    });
    buyer = await signedIn(app, await givenUser(ds, 'buyer'));
    agentB = await signedIn(app, userB);
    await signCheckpointIfDue(ds, testSigner(ds), new Date(), { intervalSeconds: 0 });
  });
  after(() => db.drop());

  /** The text of an answer: HTML, JSON, CSV, Atom, a log tile; an .xlsx workbook's cells. */
  const textOf = async (res: request.Response): Promise<string> => {
    const type = String(res.headers['content-type'] ?? '');
    const body = Buffer.isBuffer(res.body) ? res.body : Buffer.from(res.text ?? '');
    if (type.includes('spreadsheetml')) {
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(body as unknown as ArrayBuffer);
      const cells: string[] = [];
      workbook.eachSheet((sheet) =>
        sheet.eachRow((row) => row.eachCell((cell) => cells.push(String(cell.text)))),
      );
      return cells.join('\n');
    }
    return `${body.toString('utf8')}\n${JSON.stringify(res.headers)}`;
  };
  const binary = (req: request.Test) =>
    req.buffer(true).parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });

  /** None of `secrets` in `text`, but what the request itself typed (a search, a number in the URL) may come back. */
  const assertNone = (
    what: string,
    text: string,
    secrets: readonly string[],
    typed: readonly string[] = [],
  ) => {
    for (const secret of secrets)
      if (!typed.some((t) => t.includes(secret) || secret.includes(t)))
        assert.ok(!text.includes(secret), `${what} shows ${secret}`);
  };

  /** GET `url` as `who` (an agent, or anonymous) and the text of its answer. */
  const get = async (who: Agent | undefined, url: string) => {
    const res = await binary((who ?? request(app)).get(url));
    assert.ok(res.status < 500, `GET ${url} answered ${res.status}`);
    return { status: res.status, text: await textOf(res) };
  };

  /** Every URL of the GET routes under `prefixes` (all when none), each parameter filled with every real id. */
  function urls(filter: (path: string) => boolean): [string, string[]][] {
    const idValues = () => Object.values(ids);
    const fill: Record<string, () => string[]> = {
      kvkNumber: () => [providerA.kvkNumber, providerB.kvkNumber, RESELLER_KVK],
      kvkNummer: () => [providerA.kvkNumber, providerB.kvkNumber, RESELLER_KVK],
      nummer: () => [ids.attestation!, `SIG-${FIRST_NUMBER}`, String(FIRST_NUMBER)],
      token: () => ['0123456789abcdef0123456789abcdef'],
      format: () => ['csv', 'xlsx'],
      pagina: () => ['1'],
    };
    const out = new Map<string, string[]>();
    for (const route of appRoutes(app)) {
      const [method, path] = route.split(' ') as [string, string];
      if (method !== 'GET' || path.includes(',') || path.includes('*') || !filter(path)) continue;
      let expanded: [string, string[]][] = [[path, []]];
      for (const param of path.match(/:[A-Za-z]+/g) ?? []) {
        const name = param.slice(1);
        const values = fill[name]?.() ?? idValues();
        expanded = expanded.flatMap(([p, typed]) =>
          values.map((v): [string, string[]] => [p.replace(param, encodeURIComponent(v)), [...typed, v]]),
        );
      }
      for (const [url, typed] of expanded) out.set(url, typed);
    }
    return [...out];
  }

  const isStaffArea = (path: string) => STAFF_AREAS.some((a) => path === a || path.startsWith(`${a}/`));

  it('(d) stores no signal content in clear: the row has the sealed content and HMACs only', async () => {
    const rows = await db.asOwner<Record<string, unknown>>(
      `SELECT row_to_json(s)::text AS row FROM signals s
       UNION ALL SELECT row_to_json(i)::text FROM signal_identifiers i`,
    );
    assert.ok(rows.length >= 4 + 6);
    for (const { row } of rows) assertNone('the signals tables', String(row), CONTENT);
    const [signal] = await db.asOwner<{ sealed: string }>(`SELECT sealed FROM signals WHERE id = $1`, [
      ids.signal,
    ]);
    assert.match(signal!.sealed, /^v1:/);
    assert.equal(testSignalKeys.open(signal!.sealed).text, SIGNAL_TEXT, 'the content is there, sealed');
    const macs = await db.asOwner<{ mac: string }>(
      `SELECT mac FROM signal_identifiers WHERE signal_id = $1`,
      [ids.signal],
    );
    assert.ok(macs.length >= 4 && macs.every((m) => /^[0-9a-f]{64}$/.test(m.mac)));
  });

  it('(a) no public GET route, asked anonymously or by a buyer with every real id, shows anything of a signal', async () => {
    const all = urls((path) => !isStaffArea(path));
    assert.ok(all.length > 60, `asked ${all.length} URLs`);
    for (const [url, typed] of all) {
      assertNone(`GET ${url} (anonymous)`, (await get(undefined, url)).text, PUBLIC_SECRETS, typed);
      assertNone(`GET ${url} (buyer)`, (await get(buyer, url)).text, PUBLIC_SECRETS, typed);
    }
    // The crawl reached real data: provider A's own public page shows it.
    assert.ok(
      (await get(undefined, `/hostingproviders/${providerA.kvkNumber}`)).text.includes(providerA.legalName),
    );
  });

  it('(a) searches and checks for the reseller’s names, numbers and domains show nothing beyond what was typed', async () => {
    for (const q of [
      RESELLER_NAME,
      'Zwartschaap',
      RESELLER_KVK,
      RESELLER_DOMAIN,
      RESELLER_REFERENCE,
      SUPPLIER_NAME,
    ]) {
      for (const url of [
        `/hostingproviders?q=${encodeURIComponent(q)}`,
        `/api/v1/hostingproviders?zoekterm=${encodeURIComponent(q)}`,
        `/controleren?kvkNummer=${encodeURIComponent(q)}`,
      ])
        for (const who of [undefined, buyer])
          assertNone(url, (await get(who, url)).text, PUBLIC_SECRETS, [q]);
    }
    const agent = request.agent(app);
    for (const formaat of ['html', 'csv', 'xlsx']) {
      const token = await tokenFor(agent, '/controleren/lijst');
      const res = await binary(
        agent
          .post('/controleren/lijst')
          .field('_csrf', token)
          .field('nummers', `kvk\n${RESELLER_KVK}\n`)
          .field('formaat', formaat),
      );
      assert.equal(res.status, 200);
      assertNone(`bulk check as ${formaat}`, await textOf(res), PUBLIC_SECRETS, [RESELLER_KVK]);
    }
    const api = await request(app)
      .post('/api/v1/controles')
      .set('Content-Type', 'application/json')
      .send({ kvkNummers: [RESELLER_KVK] });
    assert.equal(api.status, 200);
    assertNone('the API bulk check', api.text, PUBLIC_SECRETS, [RESELLER_KVK]);
  });

  it('(a) the transparency log’s entries show nothing of a signal', async () => {
    const checkpoint = (await get(undefined, '/transparantie/checkpoint')).text;
    const size = Number(checkpoint.split('\n')[1]);
    assert.ok(size > 0, 'a checkpoint was signed');
    const path = (index: number) => {
      const digits = String(index).padStart(3, '0');
      const groups = digits.padStart(Math.ceil(digits.length / 3) * 3, '0').match(/\d{3}/g)!;
      return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
    };
    for (let tile = 0; tile * 256 < size; tile++) {
      const width = Math.min(256, size - tile * 256);
      const url = `/transparantie/tile/entries/${path(tile)}${width < 256 ? `.p/${width}` : ''}`;
      const res = await get(undefined, url);
      assert.equal(res.status, 200, url);
      assertNone(url, res.text, PUBLIC_SECRETS);
    }
  });

  it('(b) provider B, with no match, learns nothing of the signals on any page, even with A’s ids', async () => {
    const all = urls((path) => !isStaffArea(path));
    for (const [url, typed] of all)
      assertNone(`GET ${url} (provider B)`, (await get(agentB, url)).text, PUBLIC_SECRETS, typed);
    for (const own of ['/account', '/account/wederverkopers', '/account/signalen']) {
      const res = await get(agentB, own);
      assertNone(own, res.text, PUBLIC_SECRETS);
    }
    // A's match, by its id, is not B's: not found, as any record of another organisation.
    for (const id of [ids.answered, ids.overdue]) {
      const res = await get(agentB, `/account/signalen/${id}`);
      assert.equal(res.status, 404, `/account/signalen/${id}`);
    }
  });

  it('staff see figures and signal numbers, never a signal’s content or which reseller', async () => {
    const staffUrls = urls(isStaffArea);
    assert.ok(staffUrls.some(([u]) => u.startsWith('/beoordeling/signalen')));
    // One after another: one client may have at most two password checks running (else 429).
    const staff: Agent[] = [];
    for (const role of ['reviewer', 'auditor', 'admin'] as const)
      staff.push(await signedIn(app, await givenUser(db.dataSource, role)));
    for (const [url, typed] of staffUrls)
      for (const agent of staff)
        assertNone(`GET ${url} (staff)`, (await get(agent, url)).text, CONTENT, typed);
    const page = (await get(staff[0], `/beoordeling/hostingproviders/${providerA.kvkNumber}`)).text;
    assert.ok(page.includes(`SIG-${FIRST_NUMBER + 1}`), 'the overdue signal’s number shows to a reviewer');
  });

  it('(c) no audit event’s data, no public log leaf, no mail and no log line holds a signal’s content', async () => {
    const events = await eventsInChainOrder(db);
    const signalActions = events.filter((e) =>
      /^(signal_supplier|signal|signal_match|reseller)\./.test(e.action),
    );
    assert.ok(signalActions.some((e) => e.action === 'signal_match.overdue'));
    assert.ok(signalActions.some((e) => e.action === 'signal_match.reminded'));
    assert.ok(signalActions.some((e) => e.action === 'signal_match.task_resolved'));
    for (const event of events) {
      assertNone(`the data of ${event.action}`, JSON.stringify(event.data), [...CONTENT, SUPPLIER_NAME]);
      const leaf = entryOf(event);
      assertNone(`the leaf of ${event.action}`, leaf, PUBLIC_SECRETS);
      if (signalActions.includes(event)) {
        const parsed = JSON.parse(leaf) as { subjectId: string; data: object };
        assert.equal(parsed.subjectId, '', `the leaf of ${event.action} names no subject`);
        assert.deepEqual(parsed.data, {}, `the leaf of ${event.action} publishes no data`);
      }
    }
    const mails = await db.dataSource.query<{ subject: string; body: string }[]>(
      `SELECT subject, body FROM outbox`,
    );
    assert.ok(
      mails.some((m) => m.body.includes('/account/signalen')),
      'the reminder went out',
    );
    for (const mail of mails) assertNone('a mail', `${mail.subject}\n${mail.body}`, PUBLIC_SECRETS);
    assert.ok(logLines.length > 100, `the app logged (${logLines.length} lines)`);
    for (const line of logLines) assertNone('a log line', line, LOG_SECRETS);
  });
});

/*
 * The public log's leaves of confidential events show only an id and a time, but their NUMBER and
 * timing are public too (the outside tries): what "fewer than 3" hides must not be countable there.
 */
describe('the public log counts no provider’s matches and names no signal supplier (F18, F20)', function () {
  this.timeout(300_000);
  const context = useTestApp();
  const ds = () => context.db.dataSource;
  const leafCount = async () =>
    (await ds().query<{ n: number }[]>(`SELECT count(*)::int AS n FROM merkle_leaves`))[0]!.n;

  it('a provider’s view of its signals writes as many leaves with 0, 1 or 3 matches: one read per view (F20)', async () => {
    const supplier = await givenSignalSupplier(ds());
    const added: Record<string, number[]> = {};
    for (const count of [0, 1, 3]) {
      const provider = await givenProvider(ds());
      const person = await givenUser(ds(), 'provider', { providerId: provider.id });
      const domain = `zz-telling-${count}-${uniqueKvk()}.nl`;
      const declared = await givenDeclaredReseller(ds(), provider.id, { domains: [domain] });
      const signalIds: string[] = [];
      const matchIds: string[] = [];
      for (let i = 0; i < count; i++) {
        const signal = await givenSignal(ds(), supplier.id, { domains: [domain] }, { text: `Telling ${i}` });
        signalIds.push(signal.id);
        matchIds.push((await givenMatch(ds(), signal.id, provider.id, declared.id)).id);
      }
      const agent = await signedIn(context.app, person);
      const views = [
        '/account/signalen',
        '/account/signalen',
        ...matchIds.map((id) => `/account/signalen/${id}`),
      ];
      added[count] = [];
      for (const url of views) {
        const before = await leafCount();
        const res = await agent.get(url);
        assert.equal(res.status, 200, url);
        added[count].push((await leafCount()) - before);
      }
      // The views did show the signals, and their one event each says which.
      for (let i = 0; i < count; i++)
        assert.match((await agent.get('/account/signalen')).text, new RegExp(`Telling ${i}`));
      const [read] = await ds().query<{ data: { signalIds: string[] } }[]>(
        `SELECT data FROM audit_events WHERE action = 'signal.read' AND actor = $1 ORDER BY id LIMIT 1`,
        [`provider:${person.user.id}`],
      );
      assert.deepEqual(read!.data.signalIds, [...signalIds].sort());
    }
    assert.deepEqual(added, { 0: [1, 1], 1: [1, 1, 1], 3: [1, 1, 1, 1, 1] });
  });

  it('no (action, actor) pair in the public leaves is a signal supplier’s alone: their own account events are confidential (F18)', async () => {
    const police = await givenUser(ds(), 'signal_supplier');
    const others = await Promise.all(
      (['provider', 'buyer', 'reviewer', 'admin', 'auditor'] as const).map(async (role) =>
        givenUser(ds(), role, role === 'provider' ? { providerId: (await givenProvider(ds())).id } : {}),
      ),
    );
    const agents = new Map<string, Agent>();
    for (const who of [police, ...others]) agents.set(who.user.role, await signedIn(context.app, who));
    for (const [role, page] of [
      ['signal_supplier', '/signalen/api-sleutels'],
      ['buyer', '/inkoop/api-sleutels'],
    ] as const) {
      const made = await submitForm(agents.get(role)!, page, page, { keyName: `Sleutel ${role}` });
      assert.equal(made.status, 200, `${role} made a key`);
    }
    // An administrator pulls the police's key: no other organisation's key is ever revoked by an admin.
    const [policeKey] = await ds().query<{ id: string; organisation: string }[]>(
      `SELECT id, signal_supplier_id AS organisation FROM api_keys WHERE signal_supplier_id IS NOT NULL`,
    );
    const revokePage = `/beheer/signaalleveranciers/${policeKey!.organisation}/api-sleutels/${policeKey!.id}/intrekken`;
    assert.equal((await submitForm(agents.get('admin')!, revokePage, revokePage, {})).status, 303);
    await signCheckpointIfDue(ds(), testSigner(ds()), new Date(), { intervalSeconds: 0 });
    const supplierIds = new Set(
      (await ds().query<{ id: string }[]>(`SELECT id::text FROM users WHERE role = 'signal_supplier'`)).map(
        (u) => u.id,
      ),
    );
    const bySupplier = (e: { actor: string; subjectId: string }) =>
      personOfActor(e.actor)?.role === 'signal_supplier' || supplierIds.has(e.subjectId);
    const pairs = new Map<string, { supplier: number; other: number }>();
    const supplierActions: string[] = [];
    for (const event of await eventsInChainOrder(context.db)) {
      const leaf = JSON.parse(entryOf(event)) as { action: string; actor: string };
      if (personOfActor(event.actor)?.role === 'signal_supplier') {
        supplierActions.push(event.action);
        assert.equal(leaf.action, 'confidential', `the leaf of a signal supplier's ${event.action}`);
      }
      if (leaf.action === 'confidential') continue;
      const pair = `${leaf.action} by ${leaf.actor}`;
      const seen = pairs.get(pair) ?? { supplier: 0, other: 0 };
      seen[bySupplier(event) ? 'supplier' : 'other']++;
      pairs.set(pair, seen);
    }
    const [revoked] = (await eventsInChainOrder(context.db)).filter((e) => e.action === 'api_key.revoked');
    assert.equal(
      (JSON.parse(entryOf(revoked!)) as { action: string }).action,
      'confidential',
      'an administrator revoking a police key',
    );
    for (const action of ['user.logged_in', 'api_key.created'])
      assert.ok(supplierActions.includes(action), `the police's ${action} is in the log, confidential`);
    for (const [pair, seen] of pairs)
      assert.ok(seen.supplier === 0 || seen.other > 0, `${pair} is published for signal suppliers only`);
    // The other roles' logins and keys are public as they were.
    for (const role of ['provider', 'buyer', 'reviewer', 'admin', 'auditor'])
      assert.ok(pairs.has(`user.logged_in by ${role}`), role);
    assert.ok(pairs.has('api_key.created by buyer'));
  });
});
