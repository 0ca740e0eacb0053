import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';
import { actorOf, isEmailActor, personOfActor } from '../../src/audit/actor';
import { type AuditContent, canonicalJson } from '../../src/audit/audit-chain';
import { appendAuditEvent } from '../../src/audit/audit.service';
import { checkPersonalData } from '../../src/audit/personal-data';
import { securityEventRecorder } from '../../src/audit/security-events';
import {
  inviteColleague,
  inviteStaff,
  resendStaffInvitation,
  revokeStaffInvitation,
} from '../../src/identity/invitation.service';
import { changeStaffRole } from '../../src/identity/staff.service';
import { User } from '../../src/identity/user.entity';
import { seedDemoData } from '../../src/seed/demo';
import { DEMO_ADMIN } from '../../src/seed/demo-data';
import { readSettings, updateSettings } from '../../src/settings/settings.service';
import { systemClock } from '../../src/shared/clock';
import { createLogger } from '../../src/shared/logger';
import { must } from '../../src/shared/must';
import { givenUser, type TestUser } from '../factories/user.factory';
import { testApp, testConfig, testKeyring } from '../helpers/app';
import { readable } from '../helpers/audit-log';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { runCli } from '../helpers/processes';
import { type Agent, signedIn, tokenFor } from '../helpers/session';

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
  const env = () => ({ DATABASE_URL: db.url, MIGRATION_DATABASE_URL: db.ownerUrl });

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
        checkPersonalData(e.data, e.personal && e.salt ? { data: e.personal, salt: e.salt } : undefined),
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
          e.personal.email === victim.email),
    );
    assert.ok(theirs.length >= 2, 'the failed login and the refused form');
    const erase = runCli(['personal-data:erase', '--user', victim.user.id], env());
    assert.equal(erase.status, 0, erase.stderr);
    assert.match(erase.stdout, new RegExp(`Erased the personal details of ${theirs.length} audit event`));
    const after = await events();
    const gone = after.filter((e) => theirs.some((t) => t.id === e.id));
    assert.deepEqual(
      gone.map((e) => [e.personal, checkPersonalData(e.data, undefined)]),
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

    const address = runCli(['personal-data:erase', '--email', invited], env());
    assert.equal(address.status, 0, address.stderr);
    assert.equal(
      (
        await db.dataSource.query<unknown[]>(`SELECT 1 FROM audit_personal_data WHERE data->>'email' = $1`, [
          invited,
        ])
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
});
