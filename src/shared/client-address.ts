import { isIPv6 } from 'node:net';

/**
 * The key a client's address is counted under by the rate limits: an IPv4 address as it is (also
 * when IPv6-mapped), an IPv6 address by its /64 network, because one subscriber usually holds a
 * whole /64 and could otherwise take a fresh address for every attempt.
 */
export function clientKey(address: string | undefined): string {
  if (!address) return 'unknown';
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped?.[1]) return mapped[1];
  const ip = address.replace(/%.*$/, '');
  if (!isIPv6(ip)) return ip;
  const [head, tail] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g || '0', 16).toString(16))
    .join(':')}::/64`;
}
