import assert from 'node:assert/strict';
import { HTTP } from 'cloudevents';
import { cloudEventFor, eventSource, structuredBody } from '../../src/webhooks/webhook-event';
import type { LookupOptions } from 'node:dns';
import { type LookupCallback, publicOnlyLookup } from '../../src/webhooks/webhook-http';
import { afterFailure, GIVE_UP_AFTER_MS, shouldDisable } from '../../src/webhooks/webhook-retry';
import { checkTarget, isPublicAddress, targetRefusal } from '../../src/webhooks/webhook-target';

const strict = { production: true, allowPrivate: false };
const development = { production: false, allowPrivate: false };
const tests = { production: false, allowPrivate: true };

describe('webhook target rules', () => {
  const cases: [string, typeof strict, string | undefined][] = [
    ['https://hooks.example.org/ontvanger', strict, undefined],
    ['http://hooks.example.org/ontvanger', strict, 'not_https'],
    ['http://hooks.example.org/ontvanger', development, undefined],
    ['https://user:secret@hooks.example.org/', strict, 'userinfo'],
    ['https://:secret@hooks.example.org/', strict, 'userinfo'],
    ['ftp://hooks.example.org/', strict, 'invalid'],
    ['not a url', strict, 'invalid'],
    ['javascript:alert(1)', strict, 'invalid'],
    ['https://127.0.0.1/', strict, 'private_address'],
    ['https://10.20.30.40/', strict, 'private_address'],
    ['https://172.16.0.1/', strict, 'private_address'],
    ['https://192.168.1.1/', strict, 'private_address'],
    ['https://100.64.0.1/', strict, 'private_address'],
    ['https://169.254.169.254/', strict, 'private_address'],
    ['https://0.0.0.0/', strict, 'private_address'],
    ['https://224.0.0.1/', strict, 'private_address'],
    ['https://[::1]/', strict, 'private_address'],
    ['https://[::]/', strict, 'private_address'],
    ['https://[fd00::1]/', strict, 'private_address'],
    ['https://[fe80::1]/', strict, 'private_address'],
    ['https://[ff02::1]/', strict, 'private_address'],
    ['https://[::ffff:127.0.0.1]/', strict, 'private_address'],
    ['https://[::ffff:8.8.8.8]/', strict, 'private_address'],
    // IPv6 forms that carry an IPv4 address, and the 6to4 relay anycast.
    ['https://[::7f00:1]/', strict, 'private_address'],
    ['https://[::a00:1]/', strict, 'private_address'],
    ['https://[::808:808]/', strict, 'private_address'],
    ['https://[2002:7f00:1::1]/', strict, 'private_address'],
    ['https://[2002:808:808::1]/', strict, 'private_address'],
    ['https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/', strict, 'private_address'],
    ['https://[64:ff9b:1::a00:1]/', strict, 'private_address'],
    ['https://[::ffff:0:7f00:1]/', strict, 'private_address'],
    ['https://[3fff::1]/', strict, 'private_address'],
    ['https://[5f00::1]/', strict, 'private_address'],
    ['https://[2001:10::1]/', strict, 'private_address'],
    ['https://[64:ff9b::a00:1]/', strict, 'private_address'],
    ['https://192.88.99.1/', strict, 'private_address'],
    // Neighbours of those ranges stay public.
    ['https://192.88.100.1/', strict, undefined],
    ['https://[2001:4860::8888]/', strict, undefined],
    ['https://[2003::1]/', strict, undefined],
    ['https://[1::1]/', strict, undefined],
    ['https://8.8.8.8/', strict, undefined],
    ['https://[2a00:1450::1]/', strict, undefined],
    ['http://127.0.0.1:8080/', tests, undefined],
  ];
  for (const [url, rules, expected] of cases) {
    it(`${url} (${rules.production ? 'production' : rules.allowPrivate ? 'private allowed' : 'development'}): ${expected ?? 'allowed'}`, () => {
      assert.equal(targetRefusal(url, rules), expected);
    });
  }

  it('tells public from other addresses', () => {
    assert.equal(isPublicAddress('93.184.216.34'), true);
    assert.equal(isPublicAddress('127.0.0.53'), false);
    assert.equal(isPublicAddress('not-an-address'), false);
  });

  it('resolves a host name at save time: refused when any address is not public, or when it does not resolve', async () => {
    const resolveTo = (addresses: string[]) => () => Promise.resolve(addresses);
    assert.equal(
      await checkTarget('https://hooks.example.org/', strict, resolveTo(['93.184.216.34'])),
      undefined,
    );
    assert.equal(
      await checkTarget('https://hooks.example.org/', strict, resolveTo(['93.184.216.34', '10.0.0.1'])),
      'private_address',
    );
    assert.equal(
      await checkTarget('https://localhost/', strict, resolveTo(['127.0.0.1'])),
      'private_address',
    );
    assert.equal(
      await checkTarget('https://nowhere.invalid/', strict, () => Promise.reject(new Error('ENOTFOUND'))),
      'unresolvable',
    );
    assert.equal(await checkTarget('https://x.example/', strict, resolveTo([])), 'unresolvable');
  });
});

describe('the connect-time lookup of a delivery (publicOnlyLookup)', () => {
  const cases: [string[], boolean][] = [
    [['93.184.216.34'], true],
    [['2a00:1450::1'], true],
    [['::7f00:1'], false],
    [['93.184.216.34', '::a00:1'], false],
    [['2002:a00:1::1'], false],
    [['2001::1'], false],
    [['64:ff9b:1::7f00:1'], false],
    [['::ffff:0:7f00:1'], false],
    [['3fff::1'], false],
    [['5f00::1'], false],
    [['2001:10::1'], false],
    [['2001:20::1'], false],
    [['192.88.99.7'], false],
    [['10.0.0.1'], false],
  ];
  for (const [addresses, allowed] of cases) {
    for (const all of [true, false]) {
      it(`${addresses.join(', ')} (${all ? 'all' : 'one'}): ${allowed ? 'connects' : 'refused'}`, async () => {
        const fake = (_host: string, options: LookupOptions, callback: LookupCallback) =>
          options.all
            ? callback(
                null,
                addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
              )
            : callback(null, addresses[addresses.length - 1]!, addresses.at(-1)!.includes(':') ? 6 : 4);
        const error = await new Promise<Error | null>((resolve) =>
          publicOnlyLookup(fake)('hooks.example.org', { all }, (e) => resolve(e)),
        );
        if (allowed) assert.equal(error, null);
        else assert.match(error?.message ?? '', /is not allowed\. Because it is not a public address/);
      });
    }
  }
});

describe('webhook retry rules', () => {
  const created = new Date('2026-11-30T12:00:00Z');
  const at = (ms: number) => new Date(created.getTime() + ms);
  const cases: [number, number, number, number | 'give up'][] = [
    // failures, elapsed ms at the failure, random, expected wait (ms) or give up
    [1, 0, 0.5, 5_000],
    [2, 5_000, 0.5, 30_000],
    [3, 35_000, 0.5, 120_000],
    [4, 155_000, 0.5, 600_000],
    [5, 755_000, 0.5, 3_600_000],
    [6, 4_355_000, 0.5, 10_800_000],
    [7, 15_155_000, 0.5, 21_600_000],
    [20, 100_000_000, 0.5, 21_600_000],
    // Jitter: 20 % either way.
    [1, 0, 0, 4_000],
    [1, 0, 0.999999, 5_999],
    // The last wait stops at the 3-day mark; at or past it, the delivery is given up.
    [12, GIVE_UP_AFTER_MS - 60_000, 0.5, 60_000],
    [13, GIVE_UP_AFTER_MS, 0.5, 'give up'],
    [13, GIVE_UP_AFTER_MS + 1, 0.5, 'give up'],
  ];
  for (const [failures, elapsed, random, expected] of cases) {
    it(`failure ${failures} after ${elapsed} ms (dice ${random}): ${expected === 'give up' ? 'give up' : `retry in ${expected} ms`}`, () => {
      const decision = afterFailure(created, failures, at(elapsed), random);
      if (expected === 'give up') assert.deepEqual(decision, { giveUp: true });
      else {
        assert.ok('retryAt' in decision);
        assert.equal(Math.floor(decision.retryAt.getTime() - at(elapsed).getTime()), expected);
      }
    });
  }

  const day = 24 * 3600 * 1000;
  const disableCases: [number, number, boolean, boolean][] = [
    // consecutive failures, ms since the last success, a delivery given up, disabled?
    [9, 2 * day, false, false],
    [10, day - 1, false, false],
    [10, day, false, true],
    [50, 3 * day, false, true],
    [1, 0, true, true],
  ];
  for (const [failures, silence, gaveUp, expected] of disableCases) {
    it(`${failures} failures, ${silence} ms since a success${gaveUp ? ', given up' : ''}: ${expected ? 'disable' : 'keep'}`, () => {
      assert.equal(shouldDisable(failures, created, at(silence), gaveUp), expected);
    });
  }
});

describe('the CloudEvent of a watch event', () => {
  const event = {
    id: '42',
    kind: 'listing_ends_before_contract' as const,
    kvkNumber: '12345678',
    occurredAt: new Date('2026-11-30T10:00:00Z'),
    recordedAt: new Date('2026-11-30T10:00:01Z'),
    data: { validUntil: '2027-03-01T00:00:00Z', contractEnd: '2027-06-30', legalName: 'Kaasmarkt B.V.' },
  };

  it('names the register by its OIN when it has one, else by its URL, and round-trips through the SDK', () => {
    for (const [oin, source, id] of [
      [
        '00000001234567890000',
        'urn:nld:oin:00000001234567890000:systeem:hostingregister',
        'urn:nld:oin:00000001234567890000:systeem:hostingregister:gebeurtenis:42',
      ],
      [undefined, 'https://register.example', 'https://register.example#gebeurtenis-42'],
    ] as const) {
      const built = cloudEventFor(event, eventSource('https://register.example', oin));
      const { body, contentType } = structuredBody(built);
      const parsed = HTTP.toEvent<Record<string, unknown>>({
        headers: { 'content-type': contentType },
        body,
      });
      assert.ok(!Array.isArray(parsed));
      assert.equal(parsed.source, source);
      assert.equal(parsed.id, id);
      assert.equal(parsed.type, 'nl.hostingregister.vermelding-eindigt-voor-contract');
      assert.equal(parsed.subject, '12345678');
      assert.equal(parsed.time, '2026-11-30T10:00:01.000Z');
      assert.equal(parsed.dataref, 'https://register.example/api/v1/hostingproviders/12345678');
      assert.deepEqual(
        { ...parsed.data, links: undefined },
        {
          kvkNummer: '12345678',
          naam: 'Kaasmarkt B.V.',
          plaatsgevondenOp: '2026-11-30T10:00:00.000Z',
          geldigTot: '2027-03-01T00:00:00.000Z',
          contracteinde: '2027-06-30',
          links: undefined,
        },
      );
    }
  });
});
