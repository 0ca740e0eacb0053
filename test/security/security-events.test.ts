import { actorOf } from '../../src/audit/actor';
import assert from 'node:assert/strict';
import type { Express } from 'express';
import request from 'supertest';
import {
  SECURITY_EVENTS_PER_KIND,
  SECURITY_EVENTS_PER_KIND_AND_IP,
  securityEventRecorder,
} from '../../src/audit/security-events';
import { createLogger } from '../../src/shared/logger';
import { givenProvider } from '../factories/provider.factory';
import { givenUser, type TestUser } from '../factories/user.factory';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { testApp } from '../helpers/app';
import { type Agent, signedIn, submitForm, tokenFor } from '../helpers/session';
import { systemClock } from '../../src/shared/clock';

/** What an attacker types; none of it may reach the audit log. */
const TYPED_PASSWORD = 'Mijn-Geheime-Wachtwoord-4711';
const TYPED_ADDRESS = 'wachtwoord-per-ongeluk-QX93@test.example';
const TYPED_CODE = '918273';

describe('security events in the audit log (issue 10 item 17)', () => {
  let db: TestDatabase;
  let app: Express;
  let victim: TestUser;
  let staff: TestUser;
  let auditor: Agent;

  before(async function () {
    this.timeout(120_000);
    db = await createTestDatabase();
    // Behind one trusted proxy, so each attack below comes from an address of its own.
    app = testApp(db.dataSource, { config: { trustProxy: 1, loginAttemptsPerIp: 3 } }).app;
    victim = await givenUser(db.dataSource, 'provider', {
      providerId: (await givenProvider(db.dataSource)).id,
    });
    staff = await givenUser(db.dataSource, 'reviewer');
    auditor = await signedIn(app, await givenUser(db.dataSource, 'auditor'));

    const from = (ip: string, agent = request.agent(app)) => ({
      agent,
      post: async (path: string, fields: Record<string, string>, page = path) => {
        const _csrf = await tokenFor(agent, page);
        return agent
          .post(path)
          .set('X-Forwarded-For', ip)
          .type('form')
          .send({ ...fields, _csrf });
      },
    });
    const wrongPassword = await from('198.51.100.1').post('/inloggen', {
      email: victim.email,
      password: TYPED_PASSWORD,
    });
    assert.equal(wrongPassword.status, 400);
    const unknown = await from('198.51.100.2').post('/inloggen', {
      email: TYPED_ADDRESS,
      password: TYPED_PASSWORD,
    });
    assert.equal(unknown.status, 400);

    const second = from('198.51.100.3');
    assert.equal(
      (await second.post('/inloggen', { email: staff.email, password: staff.password })).status,
      303,
    );
    assert.equal((await second.post('/inloggen/tweestaps', { code: TYPED_CODE })).status, 400);

    const csrf = await request(app)
      .post('/uitloggen')
      .set('X-Forwarded-For', '198.51.100.4')
      .type('form')
      .send({});
    assert.equal(csrf.status, 403);
    // Anyone can write text into a path: a name, an address, thousands of characters.
    const written = await request(app)
      .post(`/zomaar/jan.jansen@gmail.com/${'x'.repeat(6000)}`)
      .set('X-Forwarded-For', '198.51.100.16')
      .type('form')
      .send({});
    assert.equal(written.status, 403);

    const flood = from('198.51.100.5');
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push(
        (await flood.post('/inloggen', { email: TYPED_ADDRESS, password: TYPED_PASSWORD })).status,
      );
    assert.deepEqual(statuses, [400, 400, 400, 429, 429]);
  });
  after(() => db.drop());

  async function events(
    action: string,
  ): Promise<
    { actor: string; subjectId: string; data: Record<string, unknown>; personal?: { ip?: string } }[]
  > {
    const res = await auditor.get(`/beheer/auditlog.jsonl?actie=${action}`).expect(200);
    return res.text
      .split('\n')
      .filter(Boolean)
      .map(
        (line) =>
          JSON.parse(line) as {
            actor: string;
            subjectId: string;
            data: Record<string, unknown>;
            personal?: { ip?: string };
          },
      );
  }

  it('records a failed login with the account it was for, or "unknown account", and the IP address', async () => {
    const failed = await events('security.login_failed');
    assert.ok(failed.some((e) => e.subjectId === victim.user.id && e.personal?.ip === '198.51.100.1'));
    assert.ok(failed.some((e) => e.subjectId === 'unknown account' && e.personal?.ip === '198.51.100.2'));
  });

  it('records a wrong second-factor code', async () => {
    const failed = await events('security.second_factor_failed');
    assert.ok(failed.some((e) => e.subjectId === staff.user.id && e.personal?.ip === '198.51.100.3'));
  });

  it('records a refused CSRF token', async () => {
    const refused = await events('security.csrf_refused');
    assert.ok(refused.some((e) => e.personal?.ip === '198.51.100.4' && e.data.route === '/uitloggen'));
  });

  it('keeps a path a visitor wrote out of the audit log: the route in the event, the path (cut to 300 characters) beside it, erasable', async () => {
    const rows = await db.dataSource.query<{ data: Record<string, unknown>; personal: { path?: string } }[]>(
      `SELECT e.data, p.data AS personal FROM audit_events e JOIN audit_personal_data p ON p.event_id = e.id
        WHERE e.action = 'security.csrf_refused' AND p.data->>'ip' = '198.51.100.16'`,
    );
    assert.equal(rows.length, 1);
    const [row] = rows;
    const { personalData, ...data } = row?.data ?? {};
    assert.deepEqual(data, { method: 'POST', route: '(unknown)' });
    assert.equal(typeof personalData, 'string', 'the digest of the details kept beside it');
    const [{ leaks } = { leaks: -1 }] = await db.dataSource.query<{ leaks: number }[]>(
      `SELECT count(*)::int AS leaks FROM audit_events WHERE data::text ILIKE '%jansen%' OR data::text ILIKE '%zomaar%'`,
    );
    assert.equal(leaks, 0);
    assert.equal(row?.personal.path, `/zomaar/jan.jansen@gmail.com/${'x'.repeat(6000)}`.slice(0, 300));
  });

  it('names the signed-in user whose form was refused, not "anonymous"', async () => {
    const who = await givenUser(db.dataSource, 'provider', {
      providerId: (await givenProvider(db.dataSource)).id,
    });
    const agent = await signedIn(app, who);
    const res = await agent
      .post('/account/collegas')
      .set('X-Forwarded-For', '198.51.100.6')
      .type('form')
      .send({ _csrf: 'a-stale-token', email: 'x@test.example' });
    assert.equal(res.status, 403);
    const refused = (await events('security.csrf_refused')).filter((e) => e.personal?.ip === '198.51.100.6');
    assert.deepEqual(
      refused.map((e) => [e.actor, e.subjectId]),
      [[actorOf(who.user), who.user.id]],
    );
    const anonymous = (await events('security.csrf_refused')).find((e) => e.personal?.ip === '198.51.100.4');
    assert.equal(anonymous?.actor, 'anonymous');
  });

  it('records a rate-limit block once when it starts, not for every refused request', async () => {
    const blocks = (await events('security.rate_limited')).filter((e) => e.personal?.ip === '198.51.100.5');
    assert.equal(blocks.length, 1);
  });

  it('shows them to an auditor at /beheer/auditlog, and never a password, code or typed address', async () => {
    const page = await auditor.get('/beheer/auditlog?actie=security.login_failed').expect(200);
    assert.match(page.text, /security\.login_failed/);
    assert.match(page.text, /198\.51\.100\.1/);
    const all = (await auditor.get('/beheer/auditlog.jsonl').expect(200)).text;
    const html = (await auditor.get('/beheer/auditlog').expect(200)).text;
    for (const secret of [TYPED_PASSWORD, TYPED_ADDRESS, TYPED_CODE, staff.password]) {
      assert.ok(!all.includes(secret), `the export holds no ${secret}`);
      assert.ok(!html.includes(secret), `the page holds no ${secret}`);
    }
  });

  it(`keeps at most ${SECURITY_EVENTS_PER_KIND_AND_IP} events per kind and address in 15 minutes`, async function () {
    this.timeout(120_000);
    const flooding = testApp(db.dataSource, { config: { trustProxy: 1 } }).app;
    const before = (await events('security.login_failed')).length;
    const agent = request.agent(flooding);
    for (let i = 0; i < SECURITY_EVENTS_PER_KIND_AND_IP + 3; i++) {
      const res = await submitForm(agent, '/inloggen', '/inloggen', {
        email: `x${i}@test.example`,
        password: 'x',
      });
      assert.equal(res.status, 400);
    }
    const after = (await events('security.login_failed')).length;
    assert.equal(after - before, SECURITY_EVENTS_PER_KIND_AND_IP);
  });

  it(`keeps at most ${SECURITY_EVENTS_PER_KIND} events of a kind from all addresses together`, async function () {
    this.timeout(120_000);
    const record = securityEventRecorder(db.dataSource, createLogger('silent'), systemClock);
    for (let i = 0; i < SECURITY_EVENTS_PER_KIND + 5; i++)
      await record({ kind: 'csrf_refused', ip: `10.${i >> 8}.${i & 255}.1` });
    // Every event of this kind in this database fell within the last 15 minutes: they all count.
    assert.equal((await events('security.csrf_refused')).length, SECURITY_EVENTS_PER_KIND);
  });
});
