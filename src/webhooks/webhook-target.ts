import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/** Why a webhook target URL is refused; each has a message in the locales (`webhooks.refused.<reason>`). */
export type TargetRefusal = 'invalid' | 'not_https' | 'userinfo' | 'private_address' | 'unresolvable';

export interface TargetRules {
  /** In production only `https` targets. */
  production: boolean;
  /** WEBHOOK_ALLOW_PRIVATE_TARGETS: tests and local demos send to a receiver on loopback. */
  allowPrivate: boolean;
}

/**
 * Addresses a webhook never goes to: a buyer could otherwise make the register knock on doors of
 * its own network (SSRF), its cloud's metadata service (169.254.169.254) or itself. Private
 * (RFC 1918, unique-local), loopback, link-local, CGNAT (RFC 6598), multicast, unspecified,
 * documentation and reserved ranges, and IPv6 forms that carry an IPv4 address the register's
 * own network may route: IPv4-mapped (apart, below) and IPv4-compatible (::/96, e.g. [::7f00:1]),
 * 6to4 (2002::/16) and its relay anycast (192.88.99.0/24), Teredo (2001::/32) and local-use NAT64
 * (64:ff9b:1::/48). Used at save time, and at connect time by the delivery's lookup
 * (webhook-http.ts), next to request-filtering-agent (whose own ranges miss ::/96).
 */
const NOT_PUBLIC = (() => {
  const list = new BlockList();
  for (const [net, prefix] of [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.0.0.0', 24],
    ['192.0.2.0', 24],
    ['192.88.99.0', 24],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15],
    ['198.51.100.0', 24],
    ['203.0.113.0', 24],
    ['224.0.0.0', 4],
    ['240.0.0.0', 4],
  ] as const) {
    list.addSubnet(net, prefix, 'ipv4');
  }
  for (const [net, prefix] of [
    ['::', 96],
    // IPv4-translated (RFC 2765): ::ffff:0:a.b.c.d, another way to write an IPv4 address.
    ['::ffff:0:0:0', 96],
    ['64:ff9b::', 96],
    ['64:ff9b:1::', 48],
    ['100::', 64],
    ['2001::', 32],
    // ORCHID and ORCHIDv2 (RFC 4843, 7343): identifiers, not addresses of a host.
    ['2001:10::', 28],
    ['2001:20::', 28],
    ['2001:db8::', 32],
    ['2002::', 16],
    // Documentation (RFC 9637) and SRv6 segment identifiers (RFC 9602): never a public receiver.
    ['3fff::', 20],
    ['5f00::', 16],
    ['fc00::', 7],
    ['fe80::', 10],
    ['ff00::', 8],
  ] as const) {
    list.addSubnet(net, prefix, 'ipv6');
  }
  return list;
})();

/**
 * IPv4-mapped IPv6 (::ffff:0:0/96), apart: a BlockList reads an IPv4 address as mapped, so in
 * NOT_PUBLIC this range would refuse every IPv4 address.
 */
const MAPPED = (() => {
  const list = new BlockList();
  list.addSubnet('::ffff:0:0', 96, 'ipv6');
  return list;
})();

/** Whether `address` (an IP address) is one a webhook may be sent to. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  if (family === 6 && MAPPED.check(address, 'ipv6')) return false;
  return !NOT_PUBLIC.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** The host of a URL without the brackets of an IPv6 literal. */
function bareHost(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/**
 * What is wrong with a target URL by its text alone (pure): not an http(s) URL, `http` in
 * production, a user name or password in it (it would be sent to whoever answers, and shown in
 * lists), or an IP address literal that is not public.
 */
export function targetRefusal(raw: string, rules: TargetRules): TargetRefusal | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'invalid';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'invalid';
  if (raw.length < 8 || raw.length > 2000 || !url.hostname) return 'invalid';
  if (rules.production && url.protocol !== 'https:') return 'not_https';
  if (url.username || url.password) return 'userinfo';
  const host = bareHost(url);
  if (!rules.allowPrivate && isIP(host) !== 0 && !isPublicAddress(host)) return 'private_address';
  return undefined;
}

/** Resolves a host name to all its addresses (the system's resolver, as the delivery uses). */
export type Resolve = (host: string) => Promise<string[]>;

export const systemResolve: Resolve = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

/**
 * The save-time check: the rules of `targetRefusal`, and a host name must resolve, to public
 * addresses only. The delivery checks the addresses again when it connects (a name may point
 * elsewhere by then: DNS rebinding), so this is the early, friendly answer, not the guard.
 */
export async function checkTarget(
  raw: string,
  rules: TargetRules,
  resolve: Resolve = systemResolve,
): Promise<TargetRefusal | undefined> {
  const refusal = targetRefusal(raw, rules);
  if (refusal) return refusal;
  if (rules.allowPrivate) return undefined;
  const host = bareHost(new URL(raw));
  if (isIP(host) !== 0) return undefined;
  let addresses: string[];
  try {
    addresses = await resolve(host);
  } catch {
    return 'unresolvable';
  }
  if (addresses.length === 0) return 'unresolvable';
  return addresses.every(isPublicAddress) ? undefined : 'private_address';
}
