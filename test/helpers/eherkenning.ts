import assert from 'node:assert/strict';
import { createHash, createPrivateKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import type { AssuranceLevel, Config, EherkenningConfig } from '../../src/config';
import { type DemoAccount, demoOidcProvider } from '../../src/identity/demo-oidc-provider';
import type { Agent } from './session';
import { testConfig } from './app';

export const TEST_CLIENT = { id: 'register-test', secret: 'register-test-secret-0123456789' };
export const KVK_CLAIM = 'urn:etoegang:core:LegalSubjectID';

/** What the broker's token response carries, for a test to change on its way to the register. */
export interface TokenResponse {
  id_token: string;
  [key: string]: unknown;
}

/**
 * A real OpenID provider (the register's own test provider, oidc-provider) on a loopback port,
 * behind a small HTTP proxy that may rewrite its token responses: a test sets `tamper` to change
 * the ID token's claims (re-signed with the provider's own key, or with another key).
 */
export interface TestBroker {
  issuer: string;
  /** The settings that make the register use this broker. */
  config: Partial<Config>;
  /** Rewrites each token response; undefined: as the provider sent it. */
  tamper: ((response: TokenResponse) => TokenResponse) | undefined;
  /** Stops answering (connections refused) until `resume`. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** Re-signs changed claims with the provider's key (`key` for another one). */
  resign(
    idToken: string,
    change: (claims: Record<string, unknown>) => Record<string, unknown>,
    key?: KeyObject,
  ): string;
  close(): Promise<void>;
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A key that is not the provider's: a signature made with it must be refused. */
export const FOREIGN_KEY = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

function listen(server: http.Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

const closeServer = (server: http.Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

/** Starts a test broker with these people; the register's settings in `config`. */
export async function startTestBroker(
  accounts: DemoAccount[],
  settings: {
    assuranceLevel?: AssuranceLevel;
    privateKeyJwk?: Record<string, unknown>;
    /** The register's address, when it is not the tests' PUBLIC_BASE_URL (a server a browser visits). */
    registerBase?: string;
  } = {},
): Promise<TestBroker> {
  const proxy = http.createServer();
  const proxyPort = await listen(proxy);
  const issuer = `http://127.0.0.1:${proxyPort}`;
  const redirectUrl = `${settings.registerBase ?? testConfig.publicBaseUrl}/inloggen/eherkenning/terug`;
  const provider = await demoOidcProvider({
    issuer,
    kvkClaim: KVK_CLAIM,
    accounts,
    clients: [
      settings.privateKeyJwk
        ? { clientId: TEST_CLIENT.id, redirectUris: [redirectUrl], jwks: { keys: [settings.privateKeyJwk] } }
        : { clientId: TEST_CLIENT.id, clientSecret: TEST_CLIENT.secret, redirectUris: [redirectUrl] },
    ],
  });
  const upstream = http.createServer(provider.handler);
  const upstreamPort = await listen(upstream);

  const broker: TestBroker = {
    issuer,
    config: {},
    tamper: undefined,
    async pause() {
      await closeServer(proxy);
    },
    async resume() {
      await listen(proxy, proxyPort);
    },
    resign(idToken, change, key = provider.signingKey) {
      const [header, payload] = idToken.split('.');
      const claims = change(
        JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>,
      );
      const head = JSON.parse(Buffer.from(header!, 'base64url').toString()) as Record<string, unknown>;
      const input = `${b64(head)}.${b64(claims)}`;
      return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
    },
    async close() {
      await closeServer(proxy);
      await closeServer(upstream);
    },
  };

  proxy.on('request', (req, res) => {
    const forward = http.request(
      { host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        const isToken = req.method === 'POST' && req.url?.startsWith('/token') && broker.tamper;
        if (!isToken || answer.statusCode !== 200) {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        answer.on('data', (c: Buffer) => chunks.push(c));
        answer.on('end', () => {
          const body = JSON.stringify(
            broker.tamper!(JSON.parse(Buffer.concat(chunks).toString()) as TokenResponse),
          );
          const headers = { ...answer.headers, 'content-length': String(Buffer.byteLength(body)) };
          res.writeHead(200, headers);
          res.end(body);
        });
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });

  const eherkenning: EherkenningConfig = {
    mode: 'broker',
    issuer,
    clientId: TEST_CLIENT.id,
    clientSecret: settings.privateKeyJwk ? undefined : TEST_CLIENT.secret,
    privateKeyFile: undefined,
    redirectUrl,
    assuranceLevel: settings.assuranceLevel ?? 'EH3',
    kvkClaim: KVK_CLAIM,
  };
  broker.config = { eherkenning };
  return broker;
}

/** The private key of a private_key_jwt client, and its public JWK for the provider. */
export function clientKeyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = publicKey.export({ format: 'jwk' });
  // The register names its key by its RFC 7638 thumbprint.
  const kid = createHash('sha256')
    .update(JSON.stringify({ e: jwk.e, kty: jwk.kty, n: jwk.n }))
    .digest('base64url');
  return {
    pem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicJwk: { ...jwk, kid, alg: 'RS256', use: 'sig' },
    privateKey: createPrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8' })),
  };
}

/** Where the broker sends the browser back: the register's callback path with its query. */
export interface BrokerReturn {
  path: string;
  query: URLSearchParams;
}

/**
 * The browser's trip to the broker and back, as far as the register's callback (not requested):
 * the register's start, the broker's pages (the chooser: this account, or cancel).
 */
export async function throughBroker(
  agent: Agent,
  broker: Pick<TestBroker, 'issuer'>,
  choice: { account: string } | { cancel: true },
  /** The browser at the broker: its own cookie jar unless the broker is on the register's own origin. */
  browser: Agent = request.agent(broker.issuer),
): Promise<BrokerReturn> {
  const start = await agent.get('/inloggen/eherkenning');
  assert.equal(start.status, 303, `the start answered ${start.status}: ${start.text.slice(0, 300)}`);
  let location = String(start.headers.location);
  for (let hop = 0; hop < 10; hop++) {
    const url = new URL(location, broker.issuer);
    if (url.pathname === '/inloggen/eherkenning/terug')
      return { path: url.pathname, query: url.searchParams };
    const page = await browser.get(`${url.pathname}${url.search}`);
    if (page.status === 200 && /\/interactie\//.test(url.pathname)) {
      const form = 'account' in choice ? { account: choice.account } : { cancel: '1' };
      const chosen = await browser.post(`${url.pathname}/kies`).type('form').send(form);
      assert.equal(chosen.status, 303, `the chooser answered ${chosen.status}`);
      location = String(chosen.headers.location);
      continue;
    }
    assert.ok(
      [302, 303].includes(page.status),
      `the broker answered ${page.status}: ${page.text.slice(0, 300)}`,
    );
    location = String(page.headers.location);
  }
  throw new Error('the broker did not send the browser back');
}

/** The register's callback with this query. */
export function callback(agent: Agent, back: BrokerReturn) {
  return agent.get(`${back.path}?${back.query.toString()}`);
}
