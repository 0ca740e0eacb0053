import { generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AssuranceLevel } from '../config';
import { acrValueOf } from './eherkenning-rules';

/*
 * An eHerkenning broker to try the login without one: a real OpenID provider (oidc-provider) with a
 * page on which the visitor picks one of a few companies, each with its KvK number and assurance
 * level. The tests start it on a loopback port; `npm start` mounts it under /demo-eherkenning when
 * no broker is configured (never in production: anyone may log in for any company here).
 */

/** A person the test provider can log in, for one company. */
export interface DemoAccount {
  /** The `sub` the provider gives this person. */
  id: string;
  /** What the chooser shows: the company and the person. */
  label: string;
  /** The KvK number the KvK claim carries, as eToegang writes it (`urn:etoegang:1.9:EntityConcernedID:KvKnr:<n>`). */
  kvkNumber?: string;
  /** The KvK claim's value as it is, instead of one made of `kvkNumber` (a claim that is no KvK number). */
  kvkClaimValue?: string;
  /** The level the login is at (the ID token's `acr`). */
  level: AssuranceLevel;
}

/** A registered client (the register, in the tests perhaps another) and how it authenticates. */
export interface DemoClient {
  clientId: string;
  redirectUris: string[];
  /** client_secret_basic with this secret; else private_key_jwt with `jwks`. */
  clientSecret?: string;
  jwks?: { keys: Record<string, unknown>[] };
}

export interface DemoProviderOptions {
  issuer: string;
  accounts: readonly DemoAccount[];
  clients: readonly DemoClient[];
  /** The name of the claim that carries the KvK number. */
  kvkClaim: string;
}

export interface DemoOidcProvider {
  issuer: string;
  /** Serves every request under the issuer's path (mounted at that path, or a server of its own). */
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  /** The private key that signs its ID tokens, and its key id (the tests re-sign tokens with it). */
  signingKey: KeyObject;
  keyId: string;
}

/** The path of the chooser, under the issuer: `/interactie/<uid>`; POSTed to `/interactie/<uid>/kies`. */
const INTERACTION = /^\/interactie\/([A-Za-z0-9_-]{1,64})(\/kies)?$/;

const escapeHtml = (value: string) =>
  value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

/** The claims an account's ID token carries beside `sub`. */
function kvkClaimOf(account: DemoAccount): string | undefined {
  if (account.kvkClaimValue !== undefined) return account.kvkClaimValue;
  return account.kvkNumber ? `urn:etoegang:1.9:EntityConcernedID:KvKnr:${account.kvkNumber}` : undefined;
}

/**
 * A page of the provider. Its form's answer redirects on to a client (form-action covers every
 * redirect that follows a form), so the clients' origins are allowed beside its own.
 */
function send(res: ServerResponse, status: number, html: string, clientOrigins: string[] = []): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader(
    'Content-Security-Policy',
    `default-src 'none'; style-src 'unsafe-inline'; form-action 'self' ${clientOrigins.join(' ')}; frame-ancestors 'none'; base-uri 'none'`,
  );
  res.end(html);
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
button{display:block;width:100%;text-align:left;margin:.5rem 0;padding:.75rem;font-size:1rem;cursor:pointer}
.demo{background:#fff4d6;border:2px solid #a86d00;padding:.5rem 1rem}</style></head>
<body><main>${body}</main></body></html>`;
}

function chooser(action: string, accounts: readonly DemoAccount[]): string {
  const buttons = accounts
    .map(
      (a) =>
        `<button type="submit" name="account" value="${escapeHtml(a.id)}">${escapeHtml(a.label)}` +
        ` — KvK ${escapeHtml(a.kvkNumber ?? '—')}, ${escapeHtml(a.level)}</button>`,
    )
    .join('\n');
  return page(
    'Demo-eHerkenning',
    `<h1>Demo-eHerkenning</h1>
<p class="demo"><strong>Alleen voor een demonstratie.</strong> Hier kiest u zelf namens welk bedrijf u inlogt;
een echte eHerkenningsmakelaar controleert dat. <span lang="en"><strong>For a demonstration only.</strong>
Here you choose which company you log in for; a real eHerkenning broker checks that.</span></p>
<form method="post" action="${escapeHtml(action)}">
<fieldset><legend>Inloggen namens / <span lang="en">Log in for</span></legend>
${buttons}
</fieldset>
<button type="submit" name="cancel" value="1">Annuleren / <span lang="en">Cancel</span></button>
</form>`,
  );
}

/** A small URL-encoded form body (the chooser's). */
async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let body = '';
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > 10_000) break;
  }
  return new URLSearchParams(body);
}

/** Starts the test provider (oidc-provider is loaded only now: it is never loaded in production). */
export async function demoOidcProvider(options: DemoProviderOptions): Promise<DemoOidcProvider> {
  const { default: Provider } = await import('oidc-provider');
  const keyId = `demo-${randomBytes(6).toString('hex')}`;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: keyId, use: 'sig', alg: 'RS256' };
  const issuer = new URL(options.issuer);
  const accounts = new Map(options.accounts.map((a) => [a.id, a]));
  const clientOrigins = [
    ...new Set(options.clients.flatMap((c) => c.redirectUris.map((u) => new URL(u).origin))),
  ];
  const provider = new Provider(options.issuer, {
    clients: options.clients.map((c) => ({
      client_id: c.clientId,
      redirect_uris: c.redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      id_token_signed_response_alg: 'RS256',
      ...(c.clientSecret
        ? { client_secret: c.clientSecret, token_endpoint_auth_method: 'client_secret_basic' }
        : { jwks: c.jwks, token_endpoint_auth_method: 'private_key_jwt' }),
    })),
    jwks: { keys: [jwk] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    // The KvK claim in the ID token itself, as eHerkenning brokers send it.
    claims: { openid: ['sub', options.kvkClaim] },
    conformIdTokenClaims: false,
    acrValues: (['EH1', 'EH2', 'EH2+', 'EH3', 'EH4'] as const).map(acrValueOf),
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: {
      url: (_ctx: unknown, interaction: { uid: string }) =>
        `${issuer.pathname.replace(/\/$/, '')}/interactie/${interaction.uid}`,
    },
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      IdToken: 600,
      Interaction: 600,
      Session: 600,
      Grant: 600,
    },
    findAccount: (_ctx: unknown, id: string) => {
      const account = accounts.get(id);
      if (!account) return undefined;
      const claim = kvkClaimOf(account);
      return {
        accountId: id,
        claims: () => ({ sub: id, ...(claim === undefined ? {} : { [options.kvkClaim]: claim }) }),
      };
    },
    // Every client of this provider is first-party: the grant is given without a consent page.
    loadExistingGrant: async (ctx: {
      oidc: {
        client?: { clientId: string };
        session?: { accountId?: string; grantIdFor(clientId: string): string | undefined };
        provider: InstanceType<typeof Provider>;
      };
    }) => {
      const clientId = ctx.oidc.client!.clientId;
      const existing = ctx.oidc.session?.grantIdFor(clientId);
      if (existing) {
        const found = await ctx.oidc.provider.Grant.find(existing);
        if (found) return found;
      }
      const grant = new ctx.oidc.provider.Grant({ clientId, accountId: ctx.oidc.session!.accountId! });
      grant.addOIDCScope('openid');
      grant.addOIDCClaims(['sub', options.kvkClaim]);
      await grant.save();
      return grant;
    },
    renderError: (ctx: { type: string; body: string }, out: Record<string, string>) => {
      ctx.type = 'html';
      ctx.body = page(
        'Demo-eHerkenning',
        `<h1>Demo-eHerkenning: fout / <span lang="en">error</span></h1><p>${escapeHtml(out.error ?? '')}: ${escapeHtml(out.error_description ?? '')}</p>`,
      );
    },
  });
  // Its own URLs (in the discovery document, its redirects) are the issuer's, whichever way the
  // request came: a proxy in front, or the register's own port behind PUBLIC_BASE_URL.
  provider.proxy = true;
  const callback = provider.callback();

  async function interaction(req: IncomingMessage, res: ServerResponse, uid: string, choose: boolean) {
    const details = await provider.interactionDetails(req, res).catch(() => undefined);
    if (!details || details.uid !== uid) {
      return send(
        res,
        400,
        page(
          'Demo-eHerkenning',
          '<h1>Deze inlogpoging is verlopen</h1><p lang="en">This login attempt has expired. Start again from the register.</p>',
        ),
      );
    }
    if (!choose || req.method !== 'POST') {
      return send(res, 200, chooser(`${details.uid}/kies`, options.accounts), clientOrigins);
    }
    const form = await readForm(req);
    if (form.get('cancel')) {
      return provider.interactionFinished(
        req,
        res,
        { error: 'access_denied', error_description: 'the person cancelled the login' },
        { mergeWithLastSubmission: false },
      );
    }
    const account = accounts.get(form.get('account') ?? '');
    if (!account) return send(res, 400, chooser(`${details.uid}/kies`, options.accounts), clientOrigins);
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: account.id, acr: acrValueOf(account.level), amr: ['pwd'] } },
      { mergeWithLastSubmission: false },
    );
  }

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    req.headers.host = issuer.host;
    req.headers['x-forwarded-proto'] = issuer.protocol.replace(':', '');
    const path = new URL(req.url ?? '/', 'http://local').pathname;
    // Mounted (the register strips its path) or on its own server (the path still has it).
    const local =
      path.startsWith(issuer.pathname) && issuer.pathname !== '/'
        ? path.slice(issuer.pathname.length - (issuer.pathname.endsWith('/') ? 1 : 0))
        : path;
    const match = INTERACTION.exec(local);
    if (!match) return callback(req, res);
    interaction(req, res, match[1]!, match[2] !== undefined).catch(() => {
      if (!res.headersSent) send(res, 500, page('Demo-eHerkenning', '<h1>Fout / Error</h1>'));
    });
  };
  return { issuer: options.issuer, handler, signingKey: privateKey, keyId };
}
