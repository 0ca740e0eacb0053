import { createHash, createPrivateKey, createPublicKey, type KeyObject, webcrypto } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as oidc from 'openid-client';
import type { AssuranceLevel, EherkenningConfig } from '../config';
import { currentLogger, type Logger } from '../shared/logger';
import {
  acrValueOf,
  assuranceLevelOf,
  kvkNumberFromClaim,
  meetsLevel,
  type RefusalReason,
} from './eherkenning-rules';

/** What a started login keeps in the session until its callback (each value single use). */
export interface PendingLogin {
  state: string;
  nonce: string;
  codeVerifier: string;
  /** ms since the epoch: a callback much later is refused by the broker's code lifetime anyway. */
  startedAt: number;
}

/** Who an eHerkenning login says logged in, and for which company. */
export interface EherkenningIdentity {
  issuer: string;
  subject: string;
  kvkNumber: string;
  level: AssuranceLevel;
}

export type LoginResult = { ok: true; identity: EherkenningIdentity } | { ok: false; reason: RefusalReason };

export interface EherkenningClient {
  /** A new login: where to send the browser, and what the session keeps for the callback. */
  start(now: Date): Promise<{ url: string; pending: PendingLogin } | { reason: RefusalReason }>;
  /** The callback's query string, checked against the pending login, the code exchanged and the ID token checked. */
  complete(query: string, pending: PendingLogin, now: Date): Promise<LoginResult>;
}

/** Seconds of clock difference with the broker that are tolerated on `iat`. */
const CLOCK_TOLERANCE_SECONDS = 30;
/** Seconds a request to the broker may take. */
const BROKER_TIMEOUT_SECONDS = 10;

/** A key id for the client's key: its RFC 7638 thumbprint. */
function thumbprint(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  const members =
    jwk.kty === 'RSA'
      ? { e: jwk.e, kty: jwk.kty, n: jwk.n }
      : jwk.kty === 'EC'
        ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }
        : { crv: jwk.crv, kty: jwk.kty, x: jwk.x };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

/** private_key_jwt: the key of EHERKENNING_PRIVATE_KEY_FILE (RSA: RS256, EC P-256: ES256, Ed25519). */
async function privateKeyAuth(file: string): Promise<oidc.ClientAuth> {
  const keyObject = createPrivateKey(readFileSync(file));
  const type = keyObject.asymmetricKeyType;
  const algorithm =
    type === 'rsa'
      ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }
      : type === 'ec'
        ? { name: 'ECDSA', namedCurve: 'P-256' }
        : { name: 'Ed25519' };
  const der = keyObject.export({ format: 'der', type: 'pkcs8' });
  const key = await webcrypto.subtle.importKey('pkcs8', der, algorithm, false, ['sign']);
  return oidc.PrivateKeyJwt({ key, kid: thumbprint(createPublicKey(keyObject)) });
}

/** The reason of a failure of openid-client (or of the network under it). */
export function refusalOf(error: unknown): RefusalReason {
  const chain: unknown[] = [];
  for (let e: unknown = error; e && chain.length < 6; e = (e as { cause?: unknown }).cause) chain.push(e);
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  const codes = chain.map((e) => text((e as { code?: unknown }).code));
  const messages = chain.map((e) => text((e as { message?: unknown }).message));
  const claim = chain
    .map((e) => (e as { claim?: unknown }).claim)
    .find((c): c is string => typeof c === 'string');
  if (error instanceof oidc.AuthorizationResponseError) return 'broker_error';
  // invalid_grant: the code was used, expired or is not this client's; anything else the token
  // endpoint says (invalid_client, …) is the register's settings at the broker.
  if (error instanceof oidc.ResponseBodyError)
    return error.error === 'invalid_grant' ? 'code_rejected' : 'invalid_response';
  if (codes.includes('OAUTH_JWT_TIMESTAMP_CHECK_FAILED'))
    return claim === 'nbf' ? 'token_not_yet_valid' : 'token_expired';
  if (codes.includes('OAUTH_JWT_CLAIM_COMPARISON_FAILED')) {
    if (claim === 'nonce') return 'nonce_mismatch';
    if (claim === 'iss') return 'wrong_issuer';
    if (claim === 'aud' || claim === 'azp') return 'wrong_audience';
    return 'invalid_response';
  }
  if (
    codes.includes('OAUTH_KEY_SELECTION_FAILED') ||
    messages.some((m) => /signature verification failed/.test(m))
  )
    return 'bad_signature';
  if (messages.some((m) => /"iss" \(issuer\)/.test(m))) return 'wrong_issuer';
  if (messages.some((m) => /"state"/.test(m))) return 'state_mismatch';
  if (
    (error instanceof TypeError && /fetch failed/.test(error.message)) ||
    codes.some((c) =>
      [
        'OAUTH_TIMEOUT',
        'OAUTH_ABORT',
        'OAUTH_RESPONSE_IS_NOT_CONFORM',
        'OAUTH_RESPONSE_IS_NOT_JSON',
      ].includes(c),
    )
  )
    return 'broker_unreachable';
  return 'invalid_response';
}

/**
 * The register as a client of the broker: discovery once (again after a failure), then each login.
 * What the broker answered is logged when it points at the broker or the settings, not the visitor.
 */
export function eherkenningClient(settings: EherkenningConfig, logger: Logger): EherkenningClient {
  const failed = (error: unknown): RefusalReason => {
    const reason = refusalOf(error);
    if (reason === 'invalid_response' || reason === 'broker_unreachable')
      currentLogger(logger).warn(
        { err: error, reason },
        'eHerkenning: the broker answered what the register cannot use',
      );
    return reason;
  };
  let discovered: Promise<oidc.Configuration> | undefined;
  const configuration = () => {
    discovered ??= (async () => {
      const auth = settings.privateKeyFile
        ? await privateKeyAuth(settings.privateKeyFile)
        : oidc.ClientSecretBasic(settings.clientSecret);
      const config = await oidc.discovery(
        new URL(settings.issuer),
        settings.clientId,
        { redirect_uris: [settings.redirectUrl], id_token_signed_response_alg: 'RS256' },
        auth,
        {
          timeout: BROKER_TIMEOUT_SECONDS,
          // Plain http only for a broker on this machine outside production (the config refuses it there).
          execute: [
            oidc.enableNonRepudiationChecks,
            ...(settings.issuer.startsWith('http://') ? [oidc.allowInsecureRequests] : []),
          ],
        },
      );
      config.timeout = BROKER_TIMEOUT_SECONDS;
      return config;
    })();
    discovered.catch(() => (discovered = undefined));
    return discovered;
  };

  return {
    async start(now) {
      let config: oidc.Configuration;
      try {
        config = await configuration();
      } catch (error) {
        return {
          reason: refusalOf(error) === 'invalid_response' ? 'invalid_response' : 'broker_unreachable',
        };
      }
      const pending: PendingLogin = {
        state: oidc.randomState(),
        nonce: oidc.randomNonce(),
        codeVerifier: oidc.randomPKCECodeVerifier(),
        startedAt: now.getTime(),
      };
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: settings.redirectUrl,
        scope: 'openid',
        response_type: 'code',
        state: pending.state,
        nonce: pending.nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(pending.codeVerifier),
        code_challenge_method: 'S256',
        acr_values: acrValueOf(settings.assuranceLevel),
      });
      return { url: url.href, pending };
    },

    async complete(query, pending, now) {
      const callback = new URL(settings.redirectUrl);
      callback.search = query;
      // The state first, before anything goes to the broker: a callback of another login stops here.
      if (callback.searchParams.get('state') !== pending.state)
        return { ok: false, reason: 'state_mismatch' };
      let claims: oidc.IDToken | undefined;
      try {
        const config = await configuration();
        const tokens = await oidc.authorizationCodeGrant(config, callback, {
          pkceCodeVerifier: pending.codeVerifier,
          expectedState: pending.state,
          expectedNonce: pending.nonce,
          idTokenExpected: true,
        });
        claims = tokens.claims();
      } catch (error) {
        return { ok: false, reason: failed(error) };
      }
      if (!claims) return { ok: false, reason: 'invalid_response' };
      // openid-client checks exp and nbf; a token issued in the future is not valid yet either.
      if (typeof claims.iat === 'number' && claims.iat > now.getTime() / 1000 + CLOCK_TOLERANCE_SECONDS)
        return { ok: false, reason: 'token_not_yet_valid' };
      const level = assuranceLevelOf(claims.acr);
      if (!level || !meetsLevel(level, settings.assuranceLevel))
        return { ok: false, reason: 'assurance_too_low' };
      const kvkNumber = kvkNumberFromClaim(claims[settings.kvkClaim]);
      if (!kvkNumber) return { ok: false, reason: 'kvk_missing' };
      return { ok: true, identity: { issuer: claims.iss, subject: claims.sub, kvkNumber, level } };
    },
  };
}
