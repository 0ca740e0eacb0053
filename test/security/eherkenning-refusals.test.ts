import assert from 'node:assert/strict';
import type { Express } from 'express';
import request from 'supertest';
import en from '../../locales/en.json';
import nl from '../../locales/nl.json';
import { REFUSAL_REASONS, type RefusalReason } from '../../src/identity/eherkenning-rules';
import { testApp } from '../helpers/app';
import { assertValidHtml } from '../helpers/html';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import {
  callback,
  FOREIGN_KEY,
  startTestBroker,
  type TestBroker,
  throughBroker,
  type TokenResponse,
} from '../helpers/eherkenning';
import type { Agent } from '../helpers/session';
import { uniqueKvk } from '../factories/provider.factory';

type Claims = Record<string, unknown>;
const now = () => Math.floor(Date.now() / 1000);

interface Case {
  name: string;
  reason: RefusalReason;
  status: number;
  /** The person chosen at the broker (default: a valid EH3 login for a new number). */
  account?: string;
  /** Changes the ID token on its way from the broker (re-signed with the broker's key unless `key`). */
  claims?: (claims: Claims) => Claims;
  key?: 'foreign';
  /** Does the trip itself, answering the register's response to the callback. */
  run?: (agent: Agent, broker: TestBroker) => Promise<request.Response>;
}

/**
 * Each way an eHerkenning login can be wrong, refused: a clear page (never a 500), no session, no
 * account, and a `security.eherkenning_refused` audit event that names the reason.
 */
const CASES: Case[] = [
  {
    name: 'a token from another issuer',
    reason: 'wrong_issuer',
    status: 400,
    claims: (c) => ({ ...c, iss: 'https://evil.example' }),
  },
  {
    name: 'a token for another client (audience)',
    reason: 'wrong_audience',
    status: 400,
    claims: (c) => ({ ...c, aud: 'another-client' }),
  },
  {
    name: 'an expired token',
    reason: 'token_expired',
    status: 400,
    claims: (c) => ({ ...c, iat: now() - 1200, exp: now() - 600 }),
  },
  {
    name: 'a token not yet valid (nbf in the future)',
    reason: 'token_not_yet_valid',
    status: 400,
    claims: (c) => ({ ...c, nbf: now() + 600 }),
  },
  {
    name: 'a token issued in the future (iat)',
    reason: 'token_not_yet_valid',
    status: 400,
    claims: (c) => ({ ...c, iat: now() + 600, exp: now() + 1200 }),
  },
  {
    name: 'a token signed with another key',
    reason: 'bad_signature',
    status: 400,
    claims: (c) => c,
    key: 'foreign',
  },
  {
    name: 'a token whose claims were changed after signing',
    reason: 'bad_signature',
    status: 400,
    run: async (agent, broker) => {
      broker.tamper = (response) => {
        const [header, , signature] = response.id_token.split('.');
        const payload = JSON.parse(
          Buffer.from(response.id_token.split('.')[1]!, 'base64url').toString(),
        ) as Claims;
        const changed = Buffer.from(JSON.stringify({ ...payload, sub: 'someone-else' })).toString(
          'base64url',
        );
        return { ...response, id_token: `${header}.${changed}.${signature}` };
      };
      return callback(agent, await throughBroker(agent, broker, { account: 'valid' }));
    },
  },
  {
    name: 'a code used before',
    reason: 'code_rejected',
    status: 400,
    run: async (agent, broker) => {
      const first = await throughBroker(agent, broker, { account: 'valid' });
      const used = await callback(agent, first);
      assert.equal(used.status, 303, 'the first use of the code goes through');
      // A new login in the same browser, answered with the old code.
      const start = await agent.get('/inloggen/eherkenning');
      const state = new URL(String(start.headers.location)).searchParams.get('state')!;
      first.query.set('state', state);
      return callback(agent, first);
    },
  },
  {
    name: 'a wrong state',
    reason: 'state_mismatch',
    status: 400,
    run: async (agent, broker) => {
      const back = await throughBroker(agent, broker, { account: 'valid' });
      back.query.set('state', 'not-the-state-of-this-login-0123456789');
      return callback(agent, back);
    },
  },
  {
    name: 'a wrong nonce',
    reason: 'nonce_mismatch',
    status: 400,
    claims: (c) => ({ ...c, nonce: 'another-nonce' }),
  },
  {
    name: 'an assurance level below the setting (EH2)',
    reason: 'assurance_too_low',
    status: 403,
    account: 'eh2',
  },
  {
    name: 'no assurance level at all',
    reason: 'assurance_too_low',
    status: 403,
    claims: (c) => ({ ...c, acr: undefined }),
  },
  { name: 'no KvK claim', reason: 'kvk_missing', status: 400, account: 'no-kvk' },
  { name: 'a claim that is no KvK number (an RSIN)', reason: 'kvk_missing', status: 400, account: 'rsin' },
  {
    name: 'a callback without a login started in this browser',
    reason: 'no_login_started',
    status: 400,
    run: (agent) => agent.get('/inloggen/eherkenning/terug?code=abc&state=def'),
  },
  {
    name: 'a login cancelled at the broker',
    reason: 'broker_error',
    status: 400,
    run: async (agent, broker) => callback(agent, await throughBroker(agent, broker, { cancel: true })),
  },
  {
    name: 'a broker that cannot be reached',
    reason: 'broker_unreachable',
    status: 502,
    run: async (agent, broker) => {
      const back = await throughBroker(agent, broker, { account: 'valid' });
      await broker.pause();
      try {
        return await callback(agent, back);
      } finally {
        await broker.resume();
      }
    },
  },
];

describe('eHerkenning refusals: each a clear page and an audit event', function () {
  this.timeout(60_000);
  let db: TestDatabase;
  let app: Express;
  let broker: TestBroker;

  before(async () => {
    db = await createTestDatabase();
    broker = await startTestBroker([
      { id: 'valid', label: 'Valid', kvkNumber: uniqueKvk(), level: 'EH3' },
      { id: 'eh2', label: 'Too low', kvkNumber: uniqueKvk(), level: 'EH2' },
      { id: 'no-kvk', label: 'No KvK', level: 'EH3' },
      {
        id: 'rsin',
        label: 'RSIN',
        kvkClaimValue: 'urn:etoegang:1.9:EntityConcernedID:RSIN:123456789',
        level: 'EH4',
      },
    ]);
    // Each case from its own address: security events are limited per kind and address.
    app = testApp(db.dataSource, { config: { ...broker.config, trustProxy: 'loopback' } }).app;
  });
  afterEach(() => {
    broker.tamper = undefined;
  });
  after(async () => {
    await broker?.close();
    await db?.drop();
  });

  it('has a case for every reason but the account ones (in eherkenning.test.ts) and an unusable answer', () => {
    const covered = new Set(CASES.map((c) => c.reason));
    const left = REFUSAL_REASONS.filter((r) => !covered.has(r));
    assert.deepEqual(left.sort(), [
      'account_disabled',
      'handed_over',
      'invalid_response',
      'other_organisation',
    ]);
  });

  CASES.forEach((testCase, index) => {
    it(`refuses ${testCase.name} (${testCase.reason}, ${testCase.status})`, async () => {
      const ip = `10.17.0.${index + 1}`;
      const agent = request.agent(app).set('X-Forwarded-For', ip);
      const usersBefore = await db.dataSource.query<{ n: number }[]>('SELECT count(*)::int AS n FROM users');
      if (testCase.claims) {
        const change = testCase.claims;
        const key = testCase.key === 'foreign' ? FOREIGN_KEY : undefined;
        broker.tamper = (response: TokenResponse) => ({
          ...response,
          id_token: broker.resign(response.id_token, change, key),
        });
      }
      const answer = testCase.run
        ? await testCase.run(agent, broker)
        : await callback(agent, await throughBroker(agent, broker, { account: testCase.account ?? 'valid' }));

      assert.equal(answer.status, testCase.status, answer.text.slice(0, 500));
      const text = nl.eherkenning.refused[testCase.reason].replace('{level}', 'EH3');
      assert.ok(answer.text.includes(text.replace(/"/g, '&quot;')), `the page says: ${text}`);
      assert.match(answer.text, /Inloggen met eHerkenning is niet gelukt/);
      assert.equal((await agent.get('/account')).status, 303, 'nobody is signed in');
      const usersAfter = await db.dataSource.query<{ n: number }[]>('SELECT count(*)::int AS n FROM users');
      assert.equal(usersAfter[0]!.n, usersBefore[0]!.n, 'no account was made');
      const [event] = await db.dataSource.query<{ reason: string }[]>(
        `SELECT e.data->>'reason' AS reason FROM audit_events e JOIN audit_personal_data p ON p.event_id = e.id
          WHERE e.action = 'security.eherkenning_refused' AND p.data->>'ip' = $1`,
        [ip],
      );
      assert.equal(event?.reason, testCase.reason, 'an audit event names the reason');
    });
  });

  it('says the same in English through the language switch', async () => {
    const page = await request(app).get('/inloggen/eherkenning/terug?code=abc&state=def&lang=en');
    assert.equal(page.status, 400);
    await assertValidHtml(page.text, '/inloggen/eherkenning/terug');
    assert.ok(page.text.includes(en.eherkenning.refused.no_login_started));
    assert.match(page.text, /Logging in with eHerkenning did not succeed/);
  });
});
