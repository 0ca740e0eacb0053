/**
 * Which e-mail addresses may register as a buyer (inkoper, issue 18 §1): those of a government
 * domain named in BUYER_EMAIL_DOMAINS. A pattern is a domain (`minvenj.nl`: that domain only) or
 * `*.` and a domain (`*.overheid.nl`: any subdomain of it, not the domain itself). Matching is by
 * whole labels: `overheid.nl.evil.com` and `evil-overheid.nl` never match `*.overheid.nl`.
 */

/** The default list: the central government's domains and every `*.overheid.nl`. */
export const DEFAULT_BUYER_EMAIL_DOMAINS = [
  'rijksoverheid.nl',
  '*.overheid.nl',
  'minvenj.nl',
  'minbzk.nl',
  'minfin.nl',
  'minezk.nl',
  'minocw.nl',
  'minszw.nl',
  'minvws.nl',
  'minienw.nl',
  'minlnv.nl',
  'mindef.nl',
  'minbuza.nl',
] as const;

const LABEL = '[a-z0-9]([a-z0-9-]*[a-z0-9])?';
/** A domain of two labels or more, lower case (as buyer_organisations.domain is checked). */
const DOMAIN = new RegExp(`^${LABEL}(\\.${LABEL})+$`);

/** Whether `pattern` is a domain or `*.` and a domain, in lower case. */
export function isDomainPattern(pattern: string): boolean {
  return DOMAIN.test(pattern.startsWith('*.') ? pattern.slice(2) : pattern);
}

/** The domain part of an address, lower case; undefined when it has none that reads as a domain. */
export function emailDomain(email: string): string | undefined {
  const at = email.lastIndexOf('@');
  if (at < 1) return undefined;
  const domain = email
    .slice(at + 1)
    .trim()
    .toLowerCase();
  return DOMAIN.test(domain) ? domain : undefined;
}

/** Whether `domain` (lower case) is allowed by one of the patterns. */
export function domainAllowed(domain: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) =>
    // `*.overheid.nl` asks for `.overheid.nl` at the end: a whole label before it, never the bare domain.
    pattern.startsWith('*.') ? domain.endsWith(pattern.slice(1)) : domain === pattern,
  );
}

/** Whether the address may register as a buyer. */
export function buyerEmailAllowed(email: string, patterns: readonly string[]): boolean {
  const domain = emailDomain(email);
  return domain !== undefined && domainAllowed(domain, patterns);
}
