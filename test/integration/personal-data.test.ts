import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';
import { decodeEntryBundle, entriesPath } from '../../monitor/lib/tiles';
import { Application } from '../../src/application/application.entity';
import { addEvidence, submitApplication } from '../../src/application/application.service';
import { decide } from '../../src/application/review.service';
import { actorOf, isEmailActor, personOfActor } from '../../src/audit/actor';
import { type AuditContent, canonicalJson } from '../../src/audit/audit-chain';
import { appendAuditEvent } from '../../src/audit/audit.service';
import { hidesPerson } from '../../src/audit/leaf-entry';
import { checkPersonalData } from '../../src/audit/personal-data';
import { securityEventRecorder } from '../../src/audit/security-events';
import {
  inviteColleague,
  inviteStaff,
  resendStaffInvitation,
  revokeStaffInvitation,
} from '../../src/identity/invitation.service';
import { changeStaffRole, setStaffDisabled } from '../../src/identity/staff.service';
import { User } from '../../src/identity/user.entity';
import { seedDemoData } from '../../src/seed/demo';
import { simplePdf } from '../../src/seed/demo-pdf';
import { DEMO_ADMIN } from '../../src/seed/demo-data';
import { readSettings, updateSettings } from '../../src/settings/settings.service';
import { systemClock } from '../../src/shared/clock';
import { createLogger } from '../../src/shared/logger';
import { must } from '../../src/shared/must';
import { CodeOfConductVersion } from '../../src/status/code-of-conduct-version.entity';
import { signCheckpointIfDue } from '../../src/transparency/checkpoint.service';
import { givenFilledApplication } from '../factories/application.factory';
import { givenProvider } from '../factories/provider.factory';
import { givenUser, registrationFields, type TestUser } from '../factories/user.factory';
import type { ValidationError } from '../../src/shared/errors';
import { testApp, testConfig, testKeyring } from '../helpers/app';
import { readable } from '../helpers/audit-log';
import { createTestDatabase, type TestDatabase, testSigner } from '../helpers/database';
import { runCli } from '../helpers/processes';
import { type Agent, csrfFrom, signedIn, submitForm, tokenFor } from '../helpers/session';
import { confirmationLinkTo } from '../helpers/outbox';

/** A text as a regular expression that matches it literally. */
const literal = (name: string) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** An e-mail address anywhere in a text. */
const ADDRESS = /[\w.+-]+@[\w-]+(\.[\w-]+)+/g;
/** An IPv4 address, or one of the IPv6 addresses used below. */
const IP = /\b\d{1,3}(\.\d{1,3}){3}\b|2001:db8:/;

/** Addresses of organisations the register publishes anyway: a provider's abuse address, the register's contact address. */
function publishedContacts(e: AuditContent): string[] {
  if (e.action === 'provider.created') return [String(e.data.abuseEmail)];
  if (e.action === 'settings.changed' && e.subjectId === 'contactEmail')
    return [String(e.data.from), String(e.data.to)];
  return [];
}

interface Row extends AuditContent {
  personal: Record<string, unknown> | null;
  salt: Buffer | null;
}

describe('personal data stays out of the public log (issue 16)', () => {
  let db: TestDatabase;
  let app: Express;
  let auditor: TestUser;
  let auditorAgent: Agent;
  let admin: User;
  let victim: TestUser;
  const invited = 'uitgenodigd-pd@test.example';
  const env = () => ({
    DATABASE_URL: db.url,
    MIGRATION_DATABASE_URL: db.ownerUrl,
    // The app's log key and origin: the development key under the tests' data folder.
    PUBLIC_BASE_URL: testConfig.publicBaseUrl,
    DATA_DIR: testConfig.dataDir,
  });

  const events = () =>
    db.dataSource.query<Row[]>(
      `SELECT e.id::text AS id, e.occurred_at AS "occurredAt", e.actor, e.action, e.subject_type AS "subjectType",
              e.subject_id AS "subjectId", e.data, pd.data AS personal, pd.salt
         FROM audit_events e LEFT JOIN audit_personal_data pd ON pd.event_id = e.id ORDER BY e.id`,
    );

  before(async function () {
    this.timeout(300_000);
    db = await createTestDatabase();
    // Every flow the demo drives: registrations, applications, reviews, decisions, attestations,
    // code of conduct versions, the AAN import, status changes.
    await seedDemoData(db.dataSource, { now: systemClock.now(), config: testConfig, keyring: testKeyring });
    app = testApp(db.dataSource, { config: { trustProxy: 1 } }).app;
    admin = must(
      (await db.dataSource.manager.findOneBy(User, { email: DEMO_ADMIN })) ?? undefined,
      'the demo administrator',
    );
    const now = new Date();
    // And what it does not: security events, invitations, staff changes, settings, an export.
    const [provider] = await db.dataSource.query<{ id: string }[]>('SELECT id FROM providers LIMIT 1');
    victim = await givenUser(db.dataSource, 'provider', { providerId: must(provider, 'a demo provider').id });
    const agent = request.agent(app);
    const _csrf = await tokenFor(agent, '/inloggen');
    await agent
      .post('/inloggen')
      .set('X-Forwarded-For', '198.51.100.77')
      .type('form')
      .send({ _csrf, email: victim.email, password: 'wrong password 12345' })
      .expect(400);
    await securityEventRecorder(
      db.dataSource,
      createLogger('silent'),
      systemClock,
    )({
      kind: 'csrf_refused',
      ip: '2001:db8::77',
      userId: victim.user.id,
      actor: actorOf(victim.user),
      data: { method: 'POST', route: '/account' },
    });
    await inviteColleague(
      db.dataSource,
      victim.user,
      invited,
      testConfig.publicBaseUrl,
      { perUserPerHour: 10, pendingPerProvider: 10 },
      now,
    );
    await inviteStaff(
      db.dataSource,
      admin,
      'nieuwe-staf@test.example',
      'reviewer',
      testConfig.publicBaseUrl,
      now,
    );
    const [open] = await db.dataSource.query<{ id: string }[]>(
      `SELECT id FROM account_tokens WHERE email = 'nieuwe-staf@test.example'`,
    );
    await resendStaffInvitation(
      db.dataSource,
      admin,
      must(open, 'the invitation').id,
      testConfig.publicBaseUrl,
      now,
    );
    const [resent] = await db.dataSource.query<{ id: string }[]>(
      `SELECT id FROM account_tokens WHERE email = 'nieuwe-staf@test.example' AND used_at IS NULL`,
    );
    await revokeStaffInvitation(db.dataSource, admin, must(resent, 'the new invitation').id, now);
    const reviewer = await givenUser(db.dataSource, 'reviewer');
    await changeStaffRole(db.dataSource, admin, reviewer.user.id, 'auditor', now);
    const settings = await readSettings(db.dataSource.manager, testConfig);
    await updateSettings(
      db.dataSource,
      testConfig,
      actorOf(admin),
      { ...settings, contactEmail: 'contact-pd@register.example' },
      now,
    );
    auditor = await givenUser(db.dataSource, 'auditor', { name: 'Petra Privacy' });
    auditorAgent = await signedIn(app, auditor);
    await auditorAgent.get(`/beheer/auditlog.csv?door=${encodeURIComponent(victim.email)}`).expect(200);
  });
  after(() => db.drop());

  it('writes no e-mail address and no IP address into any event, whatever flow wrote it', async () => {
    const all = await events();
    assert.ok(all.length > 150, `the demo and the flows wrote ${all.length} events`);
    const problems = all.flatMap((e) => {
      const json = canonicalJson(e);
      const allowed = publishedContacts(e);
      const addresses = [...json.matchAll(ADDRESS)].map((m) => m[0]).filter((a) => !allowed.includes(a));
      return [
        ...addresses.map((a) => `${e.id} ${e.action}: ${a}`),
        ...(IP.test(json) ? [`${e.id} ${e.action}: an IP address`] : []),
      ];
    });
    assert.deepEqual(problems, []);
    const actions = new Set(all.map((e) => e.action));
    for (const action of [
      'user.created',
      'provider.created',
      'application.submitted',
      'application.approve',
      'attestation.issued',
      'aan.imported',
      'code_of_conduct.published',
      'security.login_failed',
      'security.csrf_refused',
      'invitation.created',
      'invitation.resent',
      'invitation.revoked',
      'staff.role_changed',
      'settings.changed',
      'audit.exported',
    ])
      assert.ok(actions.has(action), `the flows wrote ${action}`);
  });

  it('names every person by role and user id, and every such user exists', async () => {
    const all = await events();
    const ids = new Set(
      (await db.dataSource.query<{ id: string }[]>('SELECT id FROM users')).map((u) => u.id),
    );
    const actors = new Set(all.map((e) => e.actor));
    const wrong = [...actors].filter((a) => {
      const person = personOfActor(a);
      return person ? !ids.has(person.id) : isEmailActor(a) || !/^[a-z:-]+$/.test(a);
    });
    assert.deepEqual(wrong, []);
  });

  it('keeps the IP addresses and invitation addresses beside the log, each matching the digest in its event', async () => {
    const all = await events();
    const withDigest = all.filter((e) => 'personalData' in e.data);
    assert.deepEqual(
      withDigest.map((e) =>
        checkPersonalData(
          e.data,
          e.personal && e.salt ? { data: e.personal, salt: e.salt } : undefined,
          false,
        ),
      ),
      withDigest.map(() => 'intact'),
    );
    assert.ok(
      all.every((e) => !e.personal || 'personalData' in e.data),
      'no side row without its digest',
    );
    const login = all.find((e) => e.action === 'security.login_failed' && e.subjectId === victim.user.id);
    assert.deepEqual(login?.personal, { ip: '198.51.100.77' });
    const invitation = all.find((e) => e.action === 'invitation.created' && e.personal?.email === invited);
    assert.ok(invitation, 'the invitation address is kept beside its event');
    const exported = all.findLast((e) => e.action === 'audit.exported');
    assert.deepEqual(exported?.personal, { filter: { door: victim.email } });
  });

  it('lets the app add, read and delete personal details, never change them', async () => {
    const [row] = await db.dataSource.query<{ event_id: string }[]>(
      'SELECT event_id FROM audit_personal_data LIMIT 1',
    );
    await assert.rejects(
      db.dataSource.query(`UPDATE audit_personal_data SET data = '{"ip":"0.0.0.0"}' WHERE event_id = $1`, [
        row!.event_id,
      ]),
      /permission denied|refused|not allowed/i,
    );
  });

  it('shows the auditor the person behind an actor, the IP address kept beside it and its check, and finds them by the address typed', async () => {
    const page = await auditorAgent
      .get(`/beheer/auditlog?actie=security.&door=${encodeURIComponent(victim.email)}`)
      .expect(200);
    // Found by the address typed, though the event names only role and id.
    const text = readable(page.text);
    assert.match(text, /2001:db8::77 +personalData +[0-9a-f]{64} \(controle klopt: ongewijzigd\)/);
    assert.match(
      text,
      new RegExp(`Test provider +${victim.email.replace(/[.+]/g, '\\$&')} \\(hostingprovider\\)`),
    );
    assert.doesNotMatch(text, /security\.login_failed/, 'an anonymous failed login is not theirs');
    const failed = readable(
      (await auditorAgent.get('/beheer/auditlog?actie=security.login_failed').expect(200)).text,
    );
    assert.match(failed, /ip +198\.51\.100\.77 +personalData +[0-9a-f]{64} \(controle klopt: ongewijzigd\)/);
  });

  it('says so when personal details were changed behind the app', async () => {
    const [event] = await db.dataSource.query<{ id: string }[]>(
      `SELECT event_id::text AS id FROM audit_personal_data pd JOIN audit_events e ON e.id = pd.event_id WHERE e.action = 'security.csrf_refused' AND e.subject_id = $1`,
      [victim.user.id],
    );
    await db.asOwner(`ALTER TABLE audit_personal_data DISABLE TRIGGER USER`);
    await db.asOwner(`UPDATE audit_personal_data SET data = '{"ip":"2001:db8::78"}' WHERE event_id = $1`, [
      event!.id,
    ]);
    await db.asOwner(`ALTER TABLE audit_personal_data ENABLE TRIGGER USER`);
    const page = readable(
      (await auditorAgent.get('/beheer/auditlog?actie=security.csrf_refused').expect(200)).text,
    );
    assert.match(page, /2001:db8::78 [\s\S]*controle klopt NIET/);
    await db
      .asOwner(`UPDATE audit_personal_data SET data = '{"ip":"2001:db8::77"}' WHERE event_id = $1`, [
        event!.id,
      ])
      .catch(() => undefined);
  });

  it("personal-data:erase deletes a person's details (audited), and the log still verifies", async () => {
    const before = await events();
    const theirs = before.filter(
      (e) =>
        e.personal &&
        (e.subjectId === victim.user.id ||
          e.actor === actorOf(victim.user) ||
          // Their address anywhere in the side row: an invitation's, the filter of an export.
          JSON.stringify(e.personal).toLowerCase().includes(victim.email.toLowerCase())),
    );
    assert.ok(theirs.length >= 2, 'the failed login and the refused form');
    const erase = runCli(['personal-data:erase', '--user', victim.user.id], env());
    assert.equal(erase.status, 0, erase.stderr);
    assert.match(
      erase.stdout,
      new RegExp(`Erased user ${victim.user.id}: .* kept beside ${theirs.length} audit event`),
    );
    const after = await events();
    const gone = after.filter((e) => theirs.some((t) => t.id === e.id));
    assert.deepEqual(
      gone.map((e) => [e.personal, checkPersonalData(e.data, undefined, true)]),
      theirs.map(() => [null, 'erased']),
    );
    const erased = must(after.at(-1), 'the erasure event');
    assert.deepEqual(
      [erased.actor, erased.action, erased.subjectType, erased.subjectId, erased.data],
      [
        'cli:personal-data:erase',
        'personal_data.erased',
        'user',
        victim.user.id,
        { events: theirs.map((t) => t.id) },
      ],
    );
    assert.equal(
      after.filter((e) => e.personal).length,
      before.filter((e) => e.personal).length - theirs.length,
      "nobody else's",
    );
    const verify = runCli(['audit:verify', '--full'], env());
    assert.equal(verify.status, 0, verify.stdout + verify.stderr);
    const page = readable(
      (await auditorAgent.get('/beheer/auditlog?actie=security.login_failed').expect(200)).text,
    );
    assert.match(page, /gewist/);
    assert.doesNotMatch(page, /198\.51\.100\.77/);

    // The staff invitation to an address that never became an account: sent, sent again, revoked.
    const staffInvited = 'nieuwe-staf@test.example';
    const sideRows = await db.dataSource.query<unknown[]>(
      `SELECT 1 FROM audit_personal_data WHERE data->>'email' = $1`,
      [staffInvited],
    );
    assert.equal(sideRows.length, 3);
    const address = runCli(['personal-data:erase', '--email', staffInvited], env());
    assert.equal(address.status, 0, address.stderr);
    assert.match(address.stdout, new RegExp(`kept beside ${sideRows.length} audit event\\(s\\)`));
    assert.match(
      address.stdout,
      /Free text elsewhere \(application messages, evidence file names\) is not searched\./,
    );
    assert.equal(
      (
        await db.dataSource.query<unknown[]>(
          `SELECT 1 FROM audit_personal_data WHERE data->>'email' = ANY($1::text[])`,
          [[invited, staffInvited]],
        )
      ).length,
      0,
    );
    const refused = runCli(['personal-data:erase', '--user', 'nobody'], env());
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /user: /);
  });

  it('shows "verwijderde gebruiker" for a person the users table no longer knows', async () => {
    const gone = actorOf({ id: randomUUID(), role: 'reviewer' });
    await db.dataSource.transaction((m) =>
      appendAuditEvent(m, new Date(), {
        actor: gone,
        action: 'user.logged_in',
        subjectType: 'user',
        subjectId: gone.slice(9),
      }),
    );
    const page = readable(
      (await auditorAgent.get(`/beheer/auditlog?onderwerp=${gone.slice(9)}`).expect(200)).text,
    );
    assert.match(page, new RegExp(`verwijderde gebruiker\\s+${gone}`));
  });

  it('publishes none of what people typed or sent in the entries the log serves, whatever the flow', async function () {
    this.timeout(120_000);
    const now = new Date();
    // The privacy review's flows: a forged POST to a path with an e-mail address (anonymous) ...
    await request(app).post('/zomaar/jan.jansen@gmail.com').type('form').send({ a: 1 }).expect(403);
    // ... a registration of a one-man business: a person's names, home address and e-mail address ...
    const registration = request.agent(app);
    const form = await registration.get('/registreren').expect(200);
    const fields = registrationFields({
      legalName: 'Jan Jansen Webhosting',
      tradeNames: 'Jansen Hosting',
      streetAddress: 'Jansenlaan 77',
      abuseEmail: 'jan.jansen.abuse@gmail.com',
      name: 'Johannes Jansen',
      email: 'johannes.jansen@gmail.com',
    });
    await registration
      .post('/registreren')
      .type('form')
      .send({ ...fields, _csrf: csrfFrom(form.text) })
      .expect(303);
    const link = await confirmationLinkTo(db.dataSource, fields.email);
    assert.equal((await submitForm(registration, link, link, {})).status, 200);
    // ... an evidence file whose name holds a BSN, and a reviewer's message with someone's phone number ...
    const provider = await givenProvider(db.dataSource);
    const applicant = await givenUser(db.dataSource, 'provider', { providerId: provider.id });
    const [version] = await db.dataSource
      .getRepository(CodeOfConductVersion)
      .find({ order: { publishedAt: 'DESC' }, take: 1 });
    const draft = await givenFilledApplication(
      db.dataSource,
      applicant.user,
      must(version, 'a version'),
      now,
      {
        submit: false,
      },
    );
    await addEvidence(
      db.dataSource,
      applicant.user,
      draft.id,
      { kind: 'other', filename: 'Uittreksel BSN 123456782 J. Jansen.pdf', content: simplePdf('bsn') },
      testConfig,
      now,
    );
    const current = async () =>
      String((await db.dataSource.getRepository(Application).findOneByOrFail({ id: draft.id })).version);
    await submitApplication(db.dataSource, applicant.user, draft.id, await current(), testConfig, now);
    const reviewer = await givenUser(db.dataSource, 'reviewer');
    for (const [action, message] of [
      ['start_review', ''],
      ['request_changes', 'Bel mevrouw De Vries van de KvK even, 06-12345678.'],
    ] as const)
      await decide(
        db.dataSource,
        reviewer.user,
        draft.id,
        { action, message, version: await current() },
        testConfig,
        now,
      );
    // ... and a setting set to a person's address.
    const settings = await readSettings(db.dataSource.manager, testConfig);
    await updateSettings(
      db.dataSource,
      testConfig,
      actorOf(admin),
      { ...settings, contactEmail: 'p.de.vries@gmail.com' },
      now,
    );
    // The forged request's path is kept beside the log only (the event holds its route).
    const forged = 'jan.jansen@gmail.com';
    assert.ok(
      (await events()).some((e) => JSON.stringify(e.personal ?? {}).includes(forged)),
      'the forged path is kept beside the log',
    );
    const typed = [
      'Jan Jansen',
      'Jansen Hosting',
      'Jansenlaan',
      'jan.jansen.abuse@gmail.com',
      '123456782',
      '06-12345678',
      'De Vries',
      'p.de.vries@gmail.com',
      'contact-pd@register.example',
    ];
    const all = await events();
    const json = all.map((e) => canonicalJson(e)).join('\n');
    for (const text of typed) assert.ok(json.includes(text), `the flows put ${text} in an event's data`);
    // The registrant's own name and address go to the users table, the signatory's and AAN contact's
    // beside the log: never in an event, and so never in a leaf either.
    const never = [...typed, forged, 'Johannes', 'johannes.jansen@gmail.com', 'Sara Tekenaar', 'Anna AAN'];

    // What anyone can download: every entry bundle up to a checkpoint over all of it.
    const signed = await signCheckpointIfDue(db.dataSource, testSigner(db), new Date(), {
      intervalSeconds: 30,
      asked: true,
    });
    assert.equal(signed.outcome, 'signed');
    const size = signed.outcome === 'signed' ? signed.treeSize : 0;
    assert.equal(size, all.length);
    const served: string[] = [];
    for (let index = 0; index * 256 < size; index++) {
      const width = Math.min(256, size - index * 256);
      const res = await request(app)
        .get(`/transparantie/${entriesPath(index, width)}`)
        .buffer(true)
        .parse((r, done) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => done(null, Buffer.concat(chunks)));
        })
        .expect(200);
      served.push(...decodeEntryBundle(res.body as Buffer).map((e) => e.toString('utf8')));
    }
    assert.equal(served.length, size);
    const problems = served.flatMap((entry) => [
      ...never.filter((text) => entry.includes(text)).map((text) => `${text} in ${entry}`),
      ...[...entry.matchAll(ADDRESS)].map((m) => `an e-mail address ${m[0]} in ${entry}`),
      ...(IP.test(entry) ? [`an IP address in ${entry}`] : []),
    ]);
    assert.deepEqual(problems, []);

    // An account or security action's leaf names its actor by role only and no subject: no user id
    // links a person's logins, failed logins, invitations or erasure, even after the erasure.
    const userIds = (await db.dataSource.query<{ id: string }[]>('SELECT id::text AS id FROM users')).map(
      (u) => u.id,
    );
    const accountLeaves = served
      .map((entry) => ({ entry, leaf: JSON.parse(entry) as Record<string, unknown> }))
      .filter(({ leaf }) => hidesPerson(String(leaf.action)));
    for (const action of [
      'user.logged_in',
      'security.login_failed',
      'invitation.created',
      'personal_data.erased',
    ])
      assert.ok(
        accountLeaves.some(({ leaf }) => leaf.action === action),
        `the log serves a leaf of ${action}`,
      );
    assert.deepEqual(
      accountLeaves.flatMap(({ entry, leaf }) => [
        ...userIds.filter((id) => entry.includes(id)).map((id) => `user ${id} in ${entry}`),
        ...(leaf.subjectId === '' ? [] : [`a subject in ${entry}`]),
        // A role, or `confidential` for the events of signals (issue 19), whose leaves hide even that.
        ...(/^(provider|reviewer|auditor|admin|buyer|signal_supplier|person|anonymous|system|confidential)$/.test(
          String(leaf.actor),
        )
          ? []
          : [`an actor other than a role in ${entry}`]),
      ]),
      [],
    );
  });

  it('personal-data:erase --email finds a refused request whose path names the address, in any case', async () => {
    await request(app)
      .post('/account/Jan.Wis-Mij@X.example/wachtwoord')
      .type('form')
      .send({ a: 1 })
      .expect(403);
    const [row] = await db.dataSource.query<{ id: string }[]>(
      `SELECT event_id::text AS id FROM audit_personal_data WHERE data::text LIKE '%Jan.Wis-Mij@X.example%'`,
    );
    const event = must(row, 'the refused request kept beside the log').id;
    const erase = runCli(['personal-data:erase', '--email', 'jan.wis-mij@x.example'], env());
    assert.equal(erase.status, 0, erase.stderr);
    assert.match(erase.stdout, new RegExp(`kept beside 1 audit event\\(s\\): ${event}\\.`));
    assert.deepEqual(
      await db.dataSource.query(`SELECT 1 FROM audit_personal_data WHERE event_id = $1`, [event]),
      [],
    );
    const page = readable(
      (await auditorAgent.get(`/beheer/auditlog?actie=security.csrf_refused`).expect(200)).text,
    );
    assert.doesNotMatch(page, /Wis-Mij/i);
    const refused = runCli(['personal-data:erase', '--email', 'geen adres'], env());
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /email: /);
  });

  it('says "ontbreekt, zonder wissing" (a problem, also in the exports) for side data deleted without an erasure', async () => {
    const record = securityEventRecorder(db.dataSource, createLogger('silent'), systemClock);
    await record({ kind: 'rate_limited', ip: '192.0.2.201', data: { limit: 'pd-missing' } });
    const [row] = await db.dataSource.query<{ id: string }[]>(
      `SELECT e.id::text AS id FROM audit_events e WHERE e.action = 'security.rate_limited' AND e.data->>'limit' = 'pd-missing'`,
    );
    const event = must(row, 'the event').id;
    // What an insider can do with the app's own rights: delete the row, without an erasure.
    await db.dataSource.query(`DELETE FROM audit_personal_data WHERE event_id = $1`, [event]);
    const page = await auditorAgent.get(`/beheer/auditlog?actie=security.rate_limited`).expect(200);
    const at = page.text.indexOf(`data-audit-id="${event}"`);
    const rowHtml = page.text.slice(at, page.text.indexOf('</tr>', at));
    assert.match(
      rowHtml,
      /<strong data-personal-problem>\(ontbreekt, zonder wissing: geen wissing noemt deze gebeurtenis\)<\/strong>/,
    );
    assert.doesNotMatch(readable(rowHtml), /gewist/);
    const jsonl = await auditorAgent.get(`/beheer/auditlog.jsonl?actie=security.rate_limited`).expect(200);
    const records = String(jsonl.text)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; personalCheck?: string });
    assert.equal(records.find((r) => r.id === event)?.personalCheck, 'missing');
    const csv = await auditorAgent
      .get(`/beheer/auditlog.csv?actie=security.rate_limited&lang=en`)
      .expect(200);
    await auditorAgent.get('/beheer/auditlog?lang=nl').expect(200);
    const line = String(csv.text)
      .split('\r\n')
      .find((l) => l.startsWith(`${event};`));
    assert.match(must(line, 'the event in the CSV'), /;missing, not erased: no erasure names this event$/);
    // A lawful erasure, by contrast, is named by its personal_data.erased event.
    const erased = await auditorAgent.get(`/beheer/auditlog.jsonl?actie=security.login_failed`).expect(200);
    assert.ok(
      String(erased.text)
        .trim()
        .split('\n')
        .some((l) => (JSON.parse(l) as { personalCheck?: string }).personalCheck === 'erased'),
      'the erased failed login says erased',
    );
  });

  describe('erasing a person: personal-data:erase --user', () => {
    const accountOf = async (id: string) =>
      must(
        (
          await db.dataSource.query<
            {
              name: string;
              email: string;
              password_hash: string;
              totp_secret: string | null;
              disabled_at: Date | null;
              role: string;
            }[]
          >(`SELECT name, email, password_hash, totp_secret, disabled_at, role FROM users WHERE id = $1`, [
            id,
          ])
        )[0],
        `user ${id}`,
      );
    const erase = (...args: string[]) => runCli(['personal-data:erase', ...args], env());

    it('erases a reviewer who decided things: the account keeps its id but nothing of the person, every staff page says "verwijderde gebruiker", and the log verifies', async () => {
      const [decided] = await db.dataSource.query<
        { id: string; name: string; email: string; applicationId: string; kvk: string }[]
      >(
        `SELECT u.id, u.name, u.email, a.id AS "applicationId", p.kvk_number AS kvk
           FROM applications a JOIN users u ON u.id = a.decided_by JOIN providers p ON p.id = a.provider_id
          WHERE u.role = 'reviewer' ORDER BY a.decided_at DESC LIMIT 1`,
      );
      const reviewer = must(decided, 'a demo reviewer who decided an application');
      const before = readable(
        (await auditorAgent.get(`/beoordeling/hostingproviders/${reviewer.kvk}`).expect(200)).text,
      );
      assert.match(before, new RegExp(literal(reviewer.name)), 'the page named them before');
      await db.dataSource.query(
        `INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, repeat('a', 64))`,
        [reviewer.id],
      );

      const result = erase('--user', reviewer.id);
      assert.equal(result.status, 0, result.stderr);
      assert.match(
        result.stdout,
        new RegExp(`Erased user ${reviewer.id}: the account is anonymised and closed`),
      );

      const account = await accountOf(reviewer.id);
      assert.deepEqual(
        [account.name, account.email, account.totp_secret, account.disabled_at !== null, account.role],
        [
          'verwijderde gebruiker / erased user',
          `erased-${reviewer.id}@erased.invalid`,
          null,
          true,
          'reviewer',
        ],
      );
      assert.doesNotMatch(account.password_hash, /^\$argon2/);
      const [left] = await db.dataSource.query<{ codes: number; tokens: number }[]>(
        `SELECT (SELECT count(*)::int FROM recovery_codes WHERE user_id = $1) AS codes,
                (SELECT count(*)::int FROM account_tokens WHERE user_id = $1 OR email = $2) AS tokens`,
        [reviewer.id, reviewer.email],
      );
      assert.deepEqual(left, { codes: 0, tokens: 0 });

      const erasedEvent = must((await events()).at(-1), 'the erasure event');
      assert.deepEqual(
        [erasedEvent.action, erasedEvent.subjectType, erasedEvent.subjectId],
        ['personal_data.erased', 'user', reviewer.id],
      );
      assert.doesNotMatch(canonicalJson(erasedEvent), new RegExp(literal(reviewer.email)));

      const pages = [
        `/beoordeling/hostingproviders/${reviewer.kvk}`,
        `/beoordeling/hostingproviders/${reviewer.kvk}/dossier`,
        `/beoordeling/aanvragen/${reviewer.applicationId}`,
        `/beheer/auditlog?onderwerp=${reviewer.applicationId}`,
        `/beheer/auditlog?onderwerp=${reviewer.id}`,
      ];
      for (const url of pages) {
        const text = readable((await auditorAgent.get(url).expect(200)).text);
        assert.doesNotMatch(text, new RegExp(literal(reviewer.name)), `${url} no longer names them`);
        assert.doesNotMatch(
          text,
          new RegExp(literal(reviewer.email)),
          `${url} no longer gives their address`,
        );
        // The dossier names people only beside status changes, which a reviewer's decision need not be.
        if (!url.endsWith('/dossier'))
          assert.match(text, /verwijderde gebruiker/, `${url} says who it was: an erased user`);
      }
      const log = readable(
        (await auditorAgent.get(`/beheer/auditlog?onderwerp=${reviewer.applicationId}`).expect(200)).text,
      );
      assert.match(log, new RegExp(`verwijderde gebruiker\\s+reviewer:${reviewer.id}`));
      const own = readable(
        (await auditorAgent.get(`/beheer/auditlog?onderwerp=${reviewer.id}`).expect(200)).text,
      );
      assert.match(
        own,
        new RegExp(`verwijderde gebruiker\\s+${reviewer.id}`),
        'the erasure event names the account only',
      );

      const csv = (
        await auditorAgent.get(`/beheer/auditlog.csv?onderwerp=${reviewer.applicationId}`).expect(200)
      ).text;
      assert.match(csv, new RegExp(`reviewer:${reviewer.id};verwijderde gebruiker;`));
      assert.doesNotMatch(csv, new RegExp(literal(reviewer.name)));

      const verify = runCli(['audit:verify', '--full'], env());
      assert.equal(verify.status, 0, verify.stdout + verify.stderr);
      assert.match(verify.stdout, /Audit log intact/);
    });

    it('erases a provider user: their sessions end, and neither the old nor the new address signs in', async () => {
      // The demo provider the first person erased above worked for: a full account page.
      const providerId = victim.user.providerId;
      const colleague = await givenUser(db.dataSource, 'provider', { providerId, name: 'Collega Blijft' });
      const leaving = await givenUser(db.dataSource, 'provider', { providerId, name: 'Vera Vertrekt' });
      const theirAgent = await signedIn(app, leaving);
      await theirAgent.get('/account').expect(200);
      const colleagueAgent = await signedIn(app, colleague);

      const result = erase('--user', leaving.user.id);
      assert.equal(result.status, 0, result.stderr);

      const after = await theirAgent.get('/account');
      assert.equal(after.status, 303, 'the session is gone: back to the login');
      for (const email of [leaving.email, `erased-${leaving.user.id}@erased.invalid`]) {
        const agent = request.agent(app);
        const _csrf = await tokenFor(agent, '/inloggen');
        const login = await agent
          .post('/inloggen')
          .type('form')
          .send({ _csrf, email, password: leaving.password });
        assert.equal(login.status, 400, `${email} cannot sign in`);
      }
      const colleagues = readable((await colleagueAgent.get('/account').expect(200)).text);
      assert.match(colleagues, /Collega Blijft/, 'the page lists colleagues');
      assert.doesNotMatch(colleagues, /Vera Vertrekt/);
      assert.doesNotMatch(colleagues, new RegExp(literal(leaving.email)));
    });

    it('refuses the last active administrator, saying so in Dutch and English', async () => {
      const admins = await db.dataSource.query<{ id: string }[]>(
        `SELECT id FROM users WHERE role = 'admin' AND disabled_at IS NULL ORDER BY id`,
      );
      const [last, ...others] = admins.map((a) => a.id);
      await db.dataSource.query(`UPDATE users SET disabled_at = now() WHERE id = ANY($1::uuid[])`, [others]);
      try {
        const result = erase('--user', must(last, 'an active administrator'));
        assert.equal(result.status, 2, result.stdout);
        assert.match(result.stderr, /laatste actieve beheerder: die kan niet worden gewist/);
        assert.match(result.stderr, /last active administrator: they cannot be erased/);
        assert.doesNotMatch((await accountOf(last!)).email, /erased\.invalid/);
      } finally {
        await db.dataSource.query(`UPDATE users SET disabled_at = NULL WHERE id = ANY($1::uuid[])`, [others]);
      }
    });

    it("refuses a provider's only active user while its application is open, and then erases them once it is not", async () => {
      const version = must(
        (await db.dataSource.query<{ id: string }[]>(`SELECT id FROM code_of_conduct_versions LIMIT 1`))[0],
        'a code version',
      );
      const provider = await givenProvider(db.dataSource);
      const only = await givenUser(db.dataSource, 'provider', { providerId: provider.id });
      const [application] = await db.dataSource.query<{ id: string }[]>(
        `INSERT INTO applications (provider_id, kind, state, code_of_conduct_version_id, created_by)
         VALUES ($1, 'listing', 'draft', $2, $3) RETURNING id`,
        [provider.id, version.id, only.user.id],
      );
      const refused = erase('--user', only.user.id);
      assert.equal(refused.status, 2, refused.stdout);
      assert.match(
        refused.stderr,
        /enige actieve gebruiker van de hostingprovider, en die heeft een lopende aanvraag/,
      );
      assert.match(refused.stderr, /only active user, and it has an open application/);
      assert.equal((await accountOf(only.user.id)).email, only.email);

      await db.dataSource.query(`UPDATE applications SET state = 'withdrawn' WHERE id = $1`, [
        application!.id,
      ]);
      assert.equal(erase('--user', only.user.id).status, 0);
    });

    it("erases a provider's only user who was already disabled while its application is open: nobody active is left to protect", async () => {
      const version = must(
        (await db.dataSource.query<{ id: string }[]>(`SELECT id FROM code_of_conduct_versions LIMIT 1`))[0],
        'a code version',
      );
      const provider = await givenProvider(db.dataSource);
      const only = await givenUser(db.dataSource, 'provider', { providerId: provider.id });
      await db.dataSource.query(
        `INSERT INTO applications (provider_id, kind, state, code_of_conduct_version_id, created_by)
         VALUES ($1, 'listing', 'draft', $2, $3)`,
        [provider.id, version.id, only.user.id],
      );
      await db.dataSource.query(`UPDATE users SET disabled_at = now() WHERE id = $1`, [only.user.id]);
      const result = erase('--user', only.user.id);
      assert.equal(result.status, 0, result.stderr);
      assert.equal((await accountOf(only.user.id)).email, `erased-${only.user.id}@erased.invalid`);
    });

    it('refuses an id no account has, and a command without exactly one of --user and --email, changing nothing', async () => {
      const nobody = randomUUID();
      const unknown = erase('--user', nobody);
      assert.equal(unknown.status, 2, unknown.stdout);
      assert.match(
        unknown.stderr,
        /user: er is geen gebruiker met dit id\nuser: there is no user with this id/,
      );
      assert.doesNotMatch(unknown.stdout, /Erased/);
      for (const args of [[], ['--user', nobody, '--email', 'iemand@test.example']]) {
        const usage = erase(...args);
        assert.equal(usage.status, 2, args.join(' '));
        assert.match(
          usage.stderr,
          /Give personal-data:erase --user ID, or --email ADDRESS \(one of the two\)\./,
        );
      }
      const [erasures] = await db.dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM audit_events WHERE action = 'personal_data.erased' AND subject_id = $1`,
        [nobody],
      );
      assert.equal(erasures?.n, 0);
    });

    it('refuses --email for an address with an account (names its id), and never enables an erased account again', async () => {
      const someone = await givenUser(db.dataSource, 'auditor');
      const refused = erase('--email', someone.email.toUpperCase());
      assert.equal(refused.status, 2);
      assert.match(refused.stderr, new RegExp(`--user ${someone.user.id}`));
      assert.equal(erase('--user', someone.user.id).status, 0);
      await assert.rejects(
        setStaffDisabled(db.dataSource, admin, someone.user.id, false, new Date()),
        (e: ValidationError) => e.fields.staffMember?.[0] === 'erasure.cannotEnable',
      );
    });
  });

  describe('the audit page and exports in words', () => {
    it('says "niet ingelogd" and "onbekend account" for a failed login with an unknown address (and in English)', async () => {
      const agent = request.agent(app);
      const _csrf = await tokenFor(agent, '/inloggen');
      await agent
        .post('/inloggen')
        .type('form')
        .send({ _csrf, email: 'niemand-pd@test.example', password: 'wrong password 12345' })
        .expect(400);
      const html = (await auditorAgent.get(`/beheer/auditlog?actie=security.login_failed`).expect(200)).text;
      assert.match(readable(html), /niet ingelogd\s+Inloggen mislukt\s+onbekend account/);
      // The raw values stay in the row's details only, not in the columns people read.
      const cells = [...html.matchAll(/data-(?:actor|subject)>([^]*?)<\/td>/g)].map((m) => m[1]).join('\n');
      assert.doesNotMatch(cells, /\banonymous\b|unknown account/);
      const en = readable(
        (await auditorAgent.get(`/beheer/auditlog?actie=security.login_failed&lang=en`).expect(200)).text,
      );
      assert.match(en, /not signed in/);
      assert.match(en, /unknown account/);
      // The language is remembered: back to Dutch for the tests after this one.
      await auditorAgent.get('/beheer/auditlog?lang=nl').expect(200);
    });

    it("shows an invitation's role and whether it was accepted", async () => {
      await inviteStaff(
        db.dataSource,
        admin,
        'open-pd@test.example',
        'auditor',
        testConfig.publicBaseUrl,
        new Date(),
      );
      const page = readable((await auditorAgent.get(`/beheer/auditlog?soort=invitation`).expect(200)).text);
      assert.match(page, /uitnodiging als beoordelaar\s+ingetrokken/);
      assert.match(page, /uitnodiging als auditor\s+\(nog\) niet geaccepteerd/);
    });

    it('puts the name and role of the actor beside it in the CSV', async () => {
      const csv = (await auditorAgent.get(`/beheer/auditlog.csv?actie=settings.changed`).expect(200)).text;
      const [header, row] = csv.replace(/^\uFEFF/, '').split(/\r?\n/);
      assert.match(must(header, 'a header'), /^id;tijdstip;door;door_naam;actie;/);
      assert.match(
        must(row, 'a row'),
        new RegExp(`;admin:${admin.id};${literal(admin.name)} \\(beheerder\\);settings\\.changed;`),
      );
    });

    it('audit:verify names the auditor behind an earlier verification by address', async () => {
      await auditorAgent.get('/beheer/auditlog/controle').expect(200);
      const result = runCli(['audit:verify'], env());
      assert.equal(result.status, 0, result.stdout + result.stderr);
      assert.match(
        result.stdout,
        new RegExp(`by auditor:${auditor.user.id} \\(${auditor.email.replace(/[.+]/g, '\\$&')}\\)`),
      );
    });
  });

  it('/privacy tells of the transparency log, the data beside the audit log, erasure and where to ask', async () => {
    // The register's contact address as the settings hold it now (earlier tests change it).
    const contact = new RegExp(literal((await readSettings(db.dataSource.manager, testConfig)).contactEmail));
    const nl = readable((await request(app).get('/privacy').expect(200)).text);
    assert.match(nl, /openbaar transparantielog/);
    assert.match(nl, /een rol en een pseudoniem gebruikersnummer/);
    assert.match(nl, /IP-adres/);
    assert.match(nl, /artikel 17 AVG/);
    // What stays public and what erasure does not reach, said truthfully.
    assert.match(nl, /geen gebruikersnummer en geen account/);
    assert.match(nl, /ingangsmoment, geldig tot, geschorst tot, AAN-deelname sinds/);
    assert.match(nl, /eenmanszaak/);
    assert.match(nl, /ondertekenaar of AAN-contactpersoon, de namen van bewijsbestanden/);
    assert.doesNotMatch(nl, /leidt dan naar niemand/);
    assert.match(nl, contact);
    const en = readable((await request(app).get('/privacy?lang=en').expect(200)).text);
    assert.match(en, /public transparency log/);
    assert.match(en, /article 17 GDPR/);
    assert.match(en, /one-man business/);
    assert.match(en, /Erasure does not reach/);
    assert.match(en, contact);
  });
});
