import { paths } from './paths';

/** Paths whose last segment is the secret of a single-use link: whoever reads it can use it. */
const SECRET_PATH_PREFIXES = [
  paths.resetPassword(''),
  paths.invitation(''),
  paths.confirmEmail(''),
  paths.claimConfirm(''),
];

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// Routing ignores case and doubled slashes (`/Uitnodiging//x` reaches the same page), so does this.
const SECRET_IN_TEXT = new RegExp(
  `(${SECRET_PATH_PREFIXES.map((prefix) => `${escapeRegExp(prefix)}/*`).join('|')})[^/?#\\s"'<>]+`,
  'gi',
);

/**
 * An OpenID Connect answer's authorisation code and state (the eHerkenning callback's query): a
 * code is a single-use secret too, and the state ties it to a browser.
 */
const OIDC_SECRETS_IN_TEXT = /([?&](?:code|state)=)[^&#\s"'<>]+/gi;

/**
 * An API key anywhere (`vhpk_…`, also with its underscore percent-encoded), and the value of a
 * key-like query parameter: a key put in the query string by mistake is a full credential.
 */
const API_KEYS_IN_TEXT = /vhpk(?:_|%5f)[A-Za-z0-9_%-]+/gi;
const KEY_PARAMS_IN_TEXT = /([?&](?:api_?key|api%5fkey|key|token|access_token)=)[^&#\s"'<>]+/gi;

/**
 * The text with the secret of every single-use link (and of an OpenID Connect callback, and any API key
 * or key-like query parameter) replaced by `[token]`: for URLs in log lines
 * and for mail bodies once they are delivered, so that neither a log nor the outbox hands anyone a
 * usable link.
 */
export function maskSingleUseLinks(text: string): string {
  return text
    .replace(SECRET_IN_TEXT, '$1[token]')
    .replace(OIDC_SECRETS_IN_TEXT, '$1[token]')
    .replace(API_KEYS_IN_TEXT, 'vhpk_[token]')
    .replace(KEY_PARAMS_IN_TEXT, '$1[token]');
}
