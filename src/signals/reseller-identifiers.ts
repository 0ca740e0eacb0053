/*
 * Issue 19: how a reseller is identified, for signals and for providers' declared resellers alike.
 * One reading of each identifier, so that a signal and a declaration that mean the same reseller
 * give the same value: KvK numbers, domain names, mail domains, IP ranges, AS numbers and names.
 * Pure functions, unit-tested on tables of cases.
 */
import { createHmac } from 'node:crypto';
import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import { nameKey } from '../register/name-resemblance';
import { readKvkNumber } from '../shared/identifiers';
import { isOneLine } from '../shared/forbidden-characters';
import { isMailServiceDomain, isSharedHostingDomain, isSharedMailDomain } from './shared-domains';

/** The identifiers matched exactly through keyed HMACs (blind indexes). */
export const EXACT_KINDS = ['kvk', 'domain', 'mail_domain', 'as_number'] as const;
export type ExactKind = (typeof EXACT_KINDS)[number];
/** Everything a match can be on. */
export type MatchKind = ExactKind | 'ip_range' | 'name';

/** A reseller as a signal or a declaration names it, every value in its one normal form. */
export interface ResellerIdentity {
  kvkNumbers: string[];
  names: string[];
  domains: string[];
  mailDomains: string[];
  /** CIDR with the host bits zero: `192.0.2.0/24`, `2001:db8::/32`; a single address is /32 or /128. */
  ipRanges: string[];
  asNumbers: number[];
}

export const emptyIdentity = (): ResellerIdentity => ({
  kvkNumbers: [],
  names: [],
  domains: [],
  mailDomains: [],
  ipRanges: [],
  asNumbers: [],
});

/** Whether an identity names nothing at all. */
export function isEmptyIdentity(identity: ResellerIdentity): boolean {
  return Object.values(identity).every((values: unknown[]) => values.length === 0);
}

/** Why one typed value is refused: a key under `signals.identifiers.invalid` in the locales. */
export type IdentifierProblem =
  | 'kvk'
  | 'domain'
  | 'domainShared'
  | 'domainMailService'
  | 'mailDomain'
  | 'mailDomainShared'
  | 'ipRange'
  | 'ipRangeTooWide'
  | 'ipRangeMapped'
  | 'asNumber'
  | 'name'
  | 'nameTooLong';

export type Reading<T> = { ok: true; value: T } | { ok: false; problem: IdentifierProblem };

const ok = <T>(value: T): Reading<T> => ({ ok: true, value });
const refused = <T>(problem: IdentifierProblem): Reading<T> => ({ ok: false, problem });

/** A KvK number as the rest of the register reads it (spaces, dots, "KvK:" ignored; seven digits are not guessed at). */
export function readResellerKvk(typed: string): Reading<string> {
  const reading = readKvkNumber(typed);
  return reading.kind === 'valid' ? ok(reading.kvkNumber) : refused('kvk');
}

/**
 * Defanged indicators as police and CERT lists write them, made whole again (F16): `evil[.]nl`,
 * `evil(dot)nl`, `hxxps://…`, `info[@]evil.nl`, `info[at]evil.nl`, `192.0.2[.]1`, `2001:db8[:]:1`.
 * Only bracketed forms and the `hxxp` scheme are read, so nothing undefanged changes meaning.
 */
export function refang(typed: string): string {
  return typed
    .replace(/\s*[[({]\s*(?:\.|dot)\s*[\])}]\s*/gi, '.')
    .replace(/\s*[[({]\s*(?:@|at)\s*[\])}]\s*/gi, '@')
    .replace(/[[({]\s*:\s*[\])}]/g, ':')
    .replace(/[[({]\s*(:\/\/|\/)\s*[\])}]/g, '$1')
    .replace(/^(\s*)h(?:xx|\*\*)p(s?)(?=:\/\/)/i, '$1http$2');
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * A domain name: lower case, in its ASCII (punycode) form, without a scheme, path, port, trailing
 * dot or leading `www.`; at least two labels. `https://WWW.Voorbeeld.NL/pad` reads as
 * `voorbeeld.nl`, `bücher.de` as `xn--bcher-kva.de`.
 */
export function readDomain(typed: string): Reading<string> {
  const domain = readAnyDomain(typed);
  if (!domain.ok) return domain;
  if (isSharedHostingDomain(domain.value)) return refused('domainShared');
  return isMailServiceDomain(domain.value) ? refused('domainMailService') : domain;
}

/** A domain name in normal form, shared platforms included (readDomain refuses those). */
function readAnyDomain(typed: string): Reading<string> {
  let value = refang(typed).trim().toLowerCase();
  value = value.replace(/^[a-z][a-z0-9+.-]*:\/\//, '');
  value = value
    .replace(/[/?#].*$/, '')
    .replace(/:\d+$/, '')
    .replace(/\.$/, '');
  if (value.includes('@') || !value || !isOneLine(value)) return refused('domain');
  const ascii = domainToASCII(value);
  if (!ascii) return refused('domain');
  const labels = ascii.replace(/^www\./, '').split('.');
  if (labels.length < 2 || ascii.length > 253 || !labels.every((l) => LABEL.test(l)))
    return refused('domain');
  if (/^[0-9]+$/.test(labels[labels.length - 1]!)) return refused('domain');
  return ok(labels.join('.'));
}

/**
 * A mail domain: a domain, typed alone, as `@voorbeeld.nl` or as a whole address (`abuse@voorbeeld.nl`).
 * A public mail service's domain (gmail.com, ziggo.nl) is refused: it names no one (shared-domains.ts).
 */
export function readMailDomain(typed: string): Reading<string> {
  const value = refang(typed).trim();
  const at = value.lastIndexOf('@');
  const domain = readAnyDomain(at >= 0 ? value.slice(at + 1) : value);
  if (!domain.ok) return refused('mailDomain');
  return isSharedMailDomain(domain.value) ? refused('mailDomainShared') : domain;
}

/**
 * The domain and its parents down to two labels: a declaration of `shop.voorbeeld.nl` is matched by
 * a signal naming `voorbeeld.nl` (a signal about a whole domain covers its subdomains), never the
 * other way round. A shared platform (`github.io`) is no one's parent: it is left out.
 */
export function domainAndParents(domain: string): string[] {
  const labels = domain.split('.');
  const out: string[] = [];
  for (let i = 0; i <= labels.length - 2; i++) {
    const parent = labels.slice(i).join('.');
    if (i === 0 || !isSharedHostingDomain(parent)) out.push(parent);
  }
  return out;
}

/** The widest ranges a signal may name: a /8 of IPv4 or a /16 of IPv6 names a network operator, not a reseller. */
export const WIDEST_PREFIX = { 4: 8, 6: 16 } as const;

/**
 * The widest ranges a provider may declare for one reseller: a /20 of IPv4 (4,096 addresses) or a
 * /32 of IPv6 (an LIR's whole allocation). Wider ones would let a provider cover the address space
 * with a few declarations and read every signal that names a range (the outside tries did, with /8s).
 */
export const DECLARED_WIDEST_PREFIX = { 4: 20, 6: 32 } as const;

/** Whether IPv6 bytes fall in ::ffff:0:0/96, the IPv4-mapped addresses (RFC 4291 §2.5.5.2). */
function isIpv4Mapped(bytes: number[]): boolean {
  return bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
}

/**
 * An IP range in CIDR notation, or a single address (`/32`, `/128`); host bits that are set are
 * cleared (`192.0.2.7/24` reads as `192.0.2.0/24`), as PostgreSQL's `cidr` would refuse them. An
 * IPv4-mapped IPv6 range reads as the IPv4 range it is (`::ffff:192.0.2.0/120` as `192.0.2.0/24`),
 * so that it matches what names the same addresses in IPv4; one wider than a /96 is not all IPv4
 * and is refused (`ipRangeMapped`).
 */
export function readIpRange(
  typed: string,
  widest: { 4: number; 6: number } = WIDEST_PREFIX,
): Reading<string> {
  const value = refang(typed).trim();
  const [address = '', prefixText, ...rest] = value.split('/');
  if (address.includes('%')) return refused('ipRange');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return refused('ipRange');
  const bits = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? bits : /^[0-9]{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits) return refused('ipRange');
  const bytes = version === 4 ? ipv4Bytes(address) : ipv6Bytes(address);
  if (!bytes) return refused('ipRange');
  if (version === 6 && isIpv4Mapped(bytes)) {
    if (prefix < 96) return refused('ipRangeMapped');
    return readIpRange(`${formatIpv4(bytes.slice(12))}/${prefix - 96}`, widest);
  }
  if (prefix < widest[version === 4 ? 4 : 6]) return refused('ipRangeTooWide');
  for (let bit = prefix; bit < bits; bit++) bytes[bit >> 3]! &= ~(0x80 >> (bit & 7));
  return ok(`${version === 4 ? formatIpv4(bytes) : formatIpv6(bytes)}/${prefix}`);
}

function ipv4Bytes(address: string): number[] {
  return address.split('.').map(Number);
}

function ipv6Bytes(address: string): number[] | undefined {
  let text = address.toLowerCase();
  // An embedded IPv4 tail (::ffff:192.0.2.1) as two groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const b = ipv4Bytes(v4[1]!);
    text =
      text.slice(0, -v4[1]!.length) +
      `${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return undefined;
  const groups = [...headGroups, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...tailGroups];
  return groups.flatMap((g) => {
    const n = parseInt(g, 16);
    return [n >> 8, n & 0xff];
  });
}

function formatIpv4(bytes: number[]): string {
  return bytes.join('.');
}

/** RFC 5952: lower case, leading zeros dropped, the longest run of two or more zero groups as `::`. */
function formatIpv6(bytes: number[]): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength && j - i >= 2) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** An AS number: `AS64496`, `as 64496` or `64496`; 1 to 4294967295 (0 and 4294967295 are reserved, 23456 is AS_TRANS). */
export function readAsNumber(typed: string): Reading<number> {
  const match = /^\s*(?:as\s*)?([0-9]{1,10})\s*$/i.exec(typed);
  const n = match ? Number(match[1]) : NaN;
  if (!Number.isInteger(n) || n < 1 || n >= 4294967295 || n === 23456) return refused('asNumber');
  return ok(n);
}

/** A legal or trade name: one line, 1–200 characters, spaces folded. */
export function readResellerName(typed: string): Reading<string> {
  const value = typed.trim().replace(/\s+/g, ' ');
  if (!value || !isOneLine(value)) return refused('name');
  if (value.length > 200) return refused('nameTooLong');
  return ok(value);
}

/** The key a name is matched on (fuzzy): the register's name key, shared with the resemblance check. */
export const resellerNameKey = nameKey;

/**
 * The keyed HMAC (blind index) of one exact identifier: the same reseller in a signal and in a
 * declaration gives the same value, and the database alone gives neither (the key lives outside it).
 */
export function identifierMac(macKey: Buffer, kind: ExactKind, value: string | number): string {
  return createHmac('sha256', macKey)
    .update(`${kind}\u0000${String(value)}`)
    .digest('hex');
}

/**
 * The exact identifiers of an identity, as (kind, value) pairs to take an HMAC of. `forDeclaration`
 * adds the parent domains of each domain and mail domain, so that a signal about `voorbeeld.nl`
 * matches a declared `shop.voorbeeld.nl`.
 */
export function exactIdentifiers(
  identity: ResellerIdentity,
  forDeclaration: boolean,
): { kind: ExactKind; value: string | number }[] {
  const spread = (domains: string[]) => [
    ...new Set(forDeclaration ? domains.flatMap(domainAndParents) : domains),
  ];
  return [
    ...identity.kvkNumbers.map((value) => ({ kind: 'kvk' as const, value })),
    ...spread(identity.domains).map((value) => ({ kind: 'domain' as const, value })),
    ...spread(identity.mailDomains).map((value) => ({ kind: 'mail_domain' as const, value })),
    ...identity.asNumbers.map((value) => ({ kind: 'as_number' as const, value })),
  ];
}
