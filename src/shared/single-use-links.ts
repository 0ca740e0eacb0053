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
 * The text with the secret of every single-use link replaced by `[token]`: for URLs in log lines
 * and for mail bodies once they are delivered, so that neither a log nor the outbox hands anyone a
 * usable link.
 */
export function maskSingleUseLinks(text: string): string {
  return text.replace(SECRET_IN_TEXT, '$1[token]');
}
