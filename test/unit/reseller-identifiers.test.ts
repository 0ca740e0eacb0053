import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  DECLARED_WIDEST_PREFIX,
  domainAndParents,
  emptyIdentity,
  exactIdentifiers,
  identifierMac,
  isEmptyIdentity,
  readAsNumber,
  readDomain,
  readIpRange,
  readMailDomain,
  readResellerKvk,
  readResellerName,
  type Reading,
} from '../../src/signals/reseller-identifiers';
import { signalKeys } from '../../src/signals/signal-keys';
import { readCategory, readConfidence } from '../../src/signals/signal-terms';
import { loadConfig } from '../../src/config';

/** Each case: what is typed, and its normal form or the problem. */
function table<T>(
  name: string,
  read: (typed: string) => Reading<T>,
  cases: [string, T | { problem: string }][],
) {
  describe(name, () => {
    for (const [typed, expected] of cases) {
      const refused = typeof expected === 'object' && expected !== null && 'problem' in expected;
      it(`${JSON.stringify(typed)} → ${refused ? `refused (${expected.problem})` : JSON.stringify(expected)}`, () => {
        assert.deepEqual(
          read(typed),
          refused ? { ok: false, problem: expected.problem } : { ok: true, value: expected },
        );
      });
    }
  });
}

describe('reseller identifiers (issue 19): one reading for signals and declarations', () => {
  table('KvK numbers', readResellerKvk, [
    ['12345678', '12345678'],
    [' 1234 5678 ', '12345678'],
    ['KvK: 12.34.56.78', '12345678'],
    ['1234567', { problem: 'kvk' }],
    ['01-01-2026', { problem: 'kvk' }],
    ['abcdefgh', { problem: 'kvk' }],
  ]);

  table('domain names', readDomain, [
    ['voorbeeld.nl', 'voorbeeld.nl'],
    ['Voorbeeld.NL', 'voorbeeld.nl'],
    ['https://WWW.Voorbeeld.NL/pad?x=1', 'voorbeeld.nl'],
    ['http://shop.voorbeeld.nl:8080', 'shop.voorbeeld.nl'],
    ['voorbeeld.nl.', 'voorbeeld.nl'],
    ['bücher.de', 'xn--bcher-kva.de'],
    ['www.voorbeeld.co.uk', 'voorbeeld.co.uk'],
    ['voorbeeld', { problem: 'domain' }],
    ['a..nl', { problem: 'domain' }],
    ['-voorbeeld.nl', { problem: 'domain' }],
    ['voorbeeld-.nl', { problem: 'domain' }],
    ['192.0.2.1', { problem: 'domain' }],
    ['iemand@voorbeeld.nl', { problem: 'domain' }],
    ['voor beeld.nl', { problem: 'domain' }],
    ['', { problem: 'domain' }],
    [`${'a'.repeat(64)}.nl`, { problem: 'domain' }],
    // F7: a platform that gives anyone a subdomain names no one; a site on it does.
    ['github.io', { problem: 'domainShared' }],
    ['https://Blogspot.com/', { problem: 'domainShared' }],
    ['iemand.github.io', 'iemand.github.io'],
    // A public mail service's domain, or one of its own subdomains, is no reseller's site either.
    ['gmail.com', { problem: 'domainMailService' }],
    ['m.gmail.com', { problem: 'domainMailService' }],
    ['gmail.com.voorbeeld.nl', 'gmail.com.voorbeeld.nl'],
    ['gmail-voorbeeld.nl', 'gmail-voorbeeld.nl'],
    // Defanged as police and CERT lists write them (F16): read as the domain they name.
    ['evil[.]nl', 'evil.nl'],
    ['evil(.)nl', 'evil.nl'],
    ['evil[dot]nl', 'evil.nl'],
    ['shop [.] evil [.] nl', 'shop.evil.nl'],
    ['hxxp://evil[.]nl/login', 'evil.nl'],
    ['hxxps://evil2[.]nl/login/verify-account-now/aHR0cHM6Ly9ldmlsLmV4YW1wbGUvbG9naW4', 'evil2.nl'],
    ['HXXPS[:]//www[.]evil[.]nl', 'evil.nl'],
    ['evil[x]nl', { problem: 'domain' }],
    ['info[@]evil.nl', { problem: 'domain' }],
  ]);

  table('mail domains', readMailDomain, [
    ['voorbeeld.nl', 'voorbeeld.nl'],
    ['@Voorbeeld.nl', 'voorbeeld.nl'],
    ['abuse@mail.voorbeeld.nl', 'mail.voorbeeld.nl'],
    ['abuse@', { problem: 'mailDomain' }],
    ['info[@]evil[.]nl', 'evil.nl'],
    ['info[at]mail.evil.nl', 'mail.evil.nl'],
    ['info(at)evil(dot)nl', 'evil.nl'],
    ['niets', { problem: 'mailDomain' }],
    // F7: a public mail service names no one, typed alone or as an address.
    ['gmail.com', { problem: 'mailDomainShared' }],
    ['evil.guy@GMail.com', { problem: 'mailDomainShared' }],
    ['@hotmail.nl', { problem: 'mailDomainShared' }],
    ['iemand@kpnmail.nl', { problem: 'mailDomainShared' }],
    ['iemand@ziggo.nl', { problem: 'mailDomainShared' }],
    ['iemand@gmx.de', { problem: 'mailDomainShared' }],
    ['iemand@proton.me', { problem: 'mailDomainShared' }],
    ['abuse@github.io', { problem: 'mailDomainShared' }],
    ['abuse@mail.ziggo-zakelijk.nl', 'mail.ziggo-zakelijk.nl'],
  ]);

  table('IP ranges', readIpRange, [
    ['192.0.2.0/24', '192.0.2.0/24'],
    ['192.0.2.77/24', '192.0.2.0/24'],
    ['192.0.2.77', '192.0.2.77/32'],
    ['192.0.2[.]1', '192.0.2.1/32'],
    ['203[.]0[.]113[.]5', '203.0.113.5/32'],
    ['198.51.100[.]0/24', '198.51.100.0/24'],
    ['2001:db8[:]:1', '2001:db8::1/128'],
    [' 198.51.100.0/22 ', '198.51.100.0/22'],
    ['10.0.0.0/8', '10.0.0.0/8'],
    ['10.0.0.0/7', { problem: 'ipRangeTooWide' }],
    ['0.0.0.0/0', { problem: 'ipRangeTooWide' }],
    ['2001:DB8::1/32', '2001:db8::/32'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1/128'],
    ['2001:db8::/16', '2001::/16'],
    ['2001:db8::/15', { problem: 'ipRangeTooWide' }],
    ['2001:db8::/129', { problem: 'ipRange' }],
    ['192.0.2.0/33', { problem: 'ipRange' }],
    ['192.0.2.0/', { problem: 'ipRange' }],
    ['192.0.2.0/24/1', { problem: 'ipRange' }],
    ['256.0.0.1', { problem: 'ipRange' }],
    ['fe80::1%eth0', { problem: 'ipRange' }],
    ['1::2::3', { problem: 'ipRange' }],
    ['voorbeeld.nl', { problem: 'ipRange' }],
    // An IPv4-mapped IPv6 range is the IPv4 range it names (prefix − 96), so that the two match.
    ['::ffff:192.0.2.7', '192.0.2.7/32'],
    ['::FFFF:192.0.2.77/120', '192.0.2.0/24'],
    ['::ffff:c000:207', '192.0.2.7/32'],
    ['0:0:0:0:0:ffff:c000:200/120', '192.0.2.0/24'],
    ['::ffff:10.0.0.0/104', '10.0.0.0/8'],
    ['::ffff:10.0.0.0/103', { problem: 'ipRangeTooWide' }],
    ['::ffff:0.0.0.0/96', { problem: 'ipRangeTooWide' }],
    ['::ffff:192.0.2.0/95', { problem: 'ipRangeMapped' }],
    ['::ffff:0:0/64', { problem: 'ipRangeMapped' }],
    ['::ffff:192.0.2.0/129', { problem: 'ipRange' }],
    ['::fffe:192.0.2.7', '::fffe:c000:207/128'],
  ]);

  it('reads an IPv4-mapped range against the IPv4 limits of a declaration', () => {
    assert.deepEqual(readIpRange('::ffff:192.0.2.0/116', DECLARED_WIDEST_PREFIX), {
      ok: true,
      value: '192.0.0.0/20',
    });
    assert.deepEqual(readIpRange('::ffff:192.0.2.0/115', DECLARED_WIDEST_PREFIX), {
      ok: false,
      problem: 'ipRangeTooWide',
    });
  });

  table('AS numbers', readAsNumber, [
    ['AS64496', 64496],
    ['as 64496', 64496],
    ['64496', 64496],
    ['4200000000', 4200000000],
    ['AS0', { problem: 'asNumber' }],
    ['AS23456', { problem: 'asNumber' }],
    ['4294967295', { problem: 'asNumber' }],
    ['AS-1', { problem: 'asNumber' }],
    ['ASN', { problem: 'asNumber' }],
  ]);

  table('names', readResellerName, [
    ['  Snelle   Servers B.V. ', 'Snelle Servers B.V.'],
    ['', { problem: 'name' }],
    ['Naam\u202Eomgekeerd', { problem: 'name' }],
    ['x'.repeat(201), { problem: 'nameTooLong' }],
  ]);

  it('gives a domain and its parents down to two labels, never a bare top-level domain', () => {
    assert.deepEqual(domainAndParents('a.b.voorbeeld.nl'), [
      'a.b.voorbeeld.nl',
      'b.voorbeeld.nl',
      'voorbeeld.nl',
    ]);
    assert.deepEqual(domainAndParents('voorbeeld.nl'), ['voorbeeld.nl']);
    // A shared platform is no one's parent (F7).
    assert.deepEqual(domainAndParents('a.iemand.github.io'), ['a.iemand.github.io', 'iemand.github.io']);
  });

  it("spreads a declaration's domains to their parents, but not a signal's", () => {
    const identity = {
      ...emptyIdentity(),
      domains: ['shop.voorbeeld.nl'],
      mailDomains: ['mail.voorbeeld.nl'],
    };
    const values = (forDeclaration: boolean) =>
      exactIdentifiers(identity, forDeclaration).map(({ kind, value }) => `${kind}:${value}`);
    assert.deepEqual(values(false), ['domain:shop.voorbeeld.nl', 'mail_domain:mail.voorbeeld.nl']);
    assert.deepEqual(values(true), [
      'domain:shop.voorbeeld.nl',
      'domain:voorbeeld.nl',
      'mail_domain:mail.voorbeeld.nl',
      'mail_domain:voorbeeld.nl',
    ]);
    assert.equal(isEmptyIdentity(emptyIdentity()), true);
    assert.equal(isEmptyIdentity(identity), false);
  });

  it('keys the HMAC by kind and by key: the same value of another kind or under another key differs', () => {
    const key = randomBytes(32);
    const mac = identifierMac(key, 'domain', 'voorbeeld.nl');
    assert.match(mac, /^[0-9a-f]{64}$/);
    assert.equal(identifierMac(key, 'domain', 'voorbeeld.nl'), mac);
    assert.notEqual(identifierMac(key, 'mail_domain', 'voorbeeld.nl'), mac);
    assert.notEqual(identifierMac(randomBytes(32), 'domain', 'voorbeeld.nl'), mac);
  });

  it('seals a signal so that only the same secrets key opens it, and tampering is detected', () => {
    const keys = signalKeys(randomBytes(32));
    const content = { identity: { ...emptyIdentity(), domains: ['voorbeeld.nl'] }, text: 'Toelichting' };
    const sealed = keys.seal(content);
    assert.match(sealed, /^v1:/);
    assert.equal(sealed.includes('voorbeeld'), false);
    assert.deepEqual(keys.open(sealed), content);
    assert.throws(() => signalKeys(randomBytes(32)).open(sealed));
    const parts = sealed.split(':');
    const flipped = Buffer.from(parts[3]!, 'base64url');
    flipped[0]! ^= 1;
    assert.throws(() => keys.open([...parts.slice(0, 3), flipped.toString('base64url')].join(':')));
  });

  it('reads SIGNAL_REMINDER_DAYS as whole days, most distant first, and refuses anything else', () => {
    const env = { NODE_ENV: 'test', DATABASE_URL: 'postgres://x@localhost/x' };
    assert.deepEqual(loadConfig({ ...env }).signalReminderDays, [7, 1]);
    assert.deepEqual(
      loadConfig({ ...env, SIGNAL_REMINDER_DAYS: '1, 14,7,7' }).signalReminderDays,
      [14, 7, 1],
    );
    for (const bad of ['0', '7,x', '400', '-1'])
      assert.throws(() => loadConfig({ ...env, SIGNAL_REMINDER_DAYS: bad }), /SIGNAL_REMINDER_DAYS/);
  });

  it('reads categories and confidences as the form posts them and as spreadsheets write them', () => {
    const categories: [string, string | undefined][] = [
      ['phishing', 'phishing'],
      ['Fraude', 'fraud'],
      ['fraud', 'fraud'],
      ['DDoS', 'ddos'],
      ['child_abuse', 'child_abuse'],
      ['Kindermisbruik', 'child_abuse'],
      ['anders', 'other'],
      ['onzin', undefined],
      ['', undefined],
    ];
    for (const [typed, code] of categories) assert.equal(readCategory(typed), code, typed);
    const confidences: [string, string | undefined][] = [
      ['high', 'high'],
      ['Hoog', 'high'],
      ['middel', 'medium'],
      ['gemiddeld', 'medium'],
      ['laag', 'low'],
      ['zeker', undefined],
    ];
    for (const [typed, code] of confidences) assert.equal(readConfidence(typed), code, typed);
  });
});
