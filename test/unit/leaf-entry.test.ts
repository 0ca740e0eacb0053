import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { AuditContent } from '../../src/audit/audit-chain';
import {
  dataDigest,
  leafEntry,
  PUBLIC_DATA_FIELDS,
  publicData,
  publicFieldsOf,
} from '../../src/audit/leaf-entry';
import { STATUS_EVENT_KINDS } from '../../src/status/status-rules';

const SALT = Buffer.alloc(16, 1);
const at = new Date('2026-03-04T05:06:07.089Z');

const event = (fields: Partial<AuditContent>): AuditContent => ({
  id: '42',
  occurredAt: at,
  actor: 'anonymous',
  action: 'security.csrf_refused',
  subjectType: 'request',
  subjectId: 'request',
  data: {},
  ...fields,
});

const STATUS = ['statusEventId', 'effectiveAt', 'validUntil', 'suspendedUntil', 'aanSince'];

/** The decision, written out: which data fields of which action a leaf publishes. Every other: none. */
const EXPECTED: Record<string, string[]> = {
  'attestation.issued': ['number', 'providerId', 'validUntil', 'fingerprint', 'pdfSha256'],
  'code_of_conduct.published': ['publishedAt', 'transitionEndsAt'],
  ...Object.fromEntries(STATUS_EVENT_KINDS.map((kind) => [`status.${kind}`, STATUS])),
};

describe('the public fields of a leaf (allowlist)', () => {
  it('is exactly the agreed table, each field with its reason', () => {
    assert.deepEqual(
      Object.fromEntries(Object.keys(PUBLIC_DATA_FIELDS).map((a) => [a, publicFieldsOf(a)])),
      EXPECTED,
    );
    for (const [action, fields] of Object.entries(PUBLIC_DATA_FIELDS))
      for (const [field, reason] of Object.entries(fields))
        assert.ok(reason.length > 20, `${action}.${field} says why it is public`);
  });

  // Text people type or send, and what is not published: never in a leaf.
  const NEVER: [string, string][] = [
    ['status.suspended', 'reason'],
    ['status.listing_approved', 'applicationId'],
    ['status.listing_approved', 'codeOfConductVersionId'],
    ['status.listing_approved', 'codeSignedOn'],
    ['code_of_conduct.published', 'label'],
    ['code_of_conduct.published', 'title'],
    ['code_of_conduct.published', 'unreachableProviderIds'],
    ['security.csrf_refused', 'path'],
    ['provider.created', 'legalName'],
    ['provider.created', 'abuseEmail'],
    ['application.request_changes', 'message'],
    ['evidence.uploaded', 'fileName'],
    ['settings.changed', 'to'],
    ['test.anything', 'anything'],
  ];
  for (const [action, field] of NEVER)
    it(`never publishes ${action} ${field}`, () => assert.ok(!publicFieldsOf(action).includes(field)));
});

describe('leafEntry', () => {
  const CASES: [string, Partial<AuditContent>, Record<string, unknown>][] = [
    [
      'a refused form posted to a path with an e-mail address',
      { data: { method: 'POST', path: '/zomaar/jan.jansen@gmail.com', personalData: 'a'.repeat(64) } },
      {},
    ],
    [
      'an unconfirmed registration',
      {
        action: 'provider.created',
        subjectType: 'provider',
        data: { legalName: 'Jan Jansen', street: 'Dorpsstraat 1', abuseEmail: 'jan@jansen.example' },
      },
      {},
    ],
    [
      'a request for changes',
      { action: 'application.request_changes', data: { message: 'Bel mevrouw De Vries, 06-12345678' } },
      {},
    ],
    [
      'an evidence file',
      { action: 'evidence.uploaded', data: { fileName: 'Uittreksel BSN 123456782 J. Jansen.pdf' } },
      {},
    ],
    ['a setting', { action: 'settings.changed', data: { from: 'a@b.example', to: 'c@d.example' } }, {}],
    [
      'an attestation issued: what check-proof needs, and nothing else',
      {
        action: 'attestation.issued',
        data: {
          number: 'VHP-2026-000001',
          providerId: 'p',
          validUntil: '2027-01-01T00:00:00.000Z',
          fingerprint: 'f',
          pdfSha256: 'ab'.repeat(32),
          extra: 'secret',
        },
      },
      {
        number: 'VHP-2026-000001',
        providerId: 'p',
        validUntil: '2027-01-01T00:00:00.000Z',
        fingerprint: 'f',
        pdfSha256: 'ab'.repeat(32),
      },
    ],
    [
      'a suspension: the dates and number, not the reviewer’s text',
      {
        action: 'status.suspended',
        data: {
          statusEventId: '7',
          effectiveAt: at.toISOString(),
          reason: 'Klacht van Jan Jansen',
          suspendedUntil: null,
          applicationId: null,
        },
      },
      { statusEventId: '7', effectiveAt: at.toISOString(), suspendedUntil: null },
    ],
  ];
  for (const [what, fields, data] of CASES) {
    it(what, () => {
      const e = event(fields);
      const entry = leafEntry(e, SALT);
      const expectedDigest = createHash('sha256')
        .update(SALT)
        .update(canonicalize(e.data) ?? '')
        .digest('hex');
      assert.equal(
        entry,
        canonicalize({
          id: e.id,
          occurredAt: at.toISOString(),
          actor: e.actor,
          action: e.action,
          subjectType: e.subjectType,
          subjectId: e.subjectId,
          data,
          dataDigest: expectedDigest,
        }),
      );
      for (const value of Object.values(e.data))
        if (typeof value === 'string' && !Object.values(data).includes(value))
          assert.ok(!entry.includes(value), `${value} stays out`);
    });
  }

  it('publishes no data field outside the allowlist, for any action and any data', () => {
    const next = random(5);
    const actions = [...Object.keys(PUBLIC_DATA_FIELDS), 'provider.created', 'settings.changed', 'x.y'];
    for (let n = 0; n < 500; n++) {
      const action = actions[Math.floor(next() * actions.length)] ?? 'x.y';
      const names = [...publicFieldsOf(action), 'path', 'message', 'reason', 'label', 'email', 'fileName'];
      const data = Object.fromEntries(
        names.filter(() => next() < 0.6).map((k) => [k, `v${Math.floor(next() * 1e6)}`]),
      );
      const leaf = JSON.parse(leafEntry(event({ action, data }), SALT)) as { data: object };
      assert.deepEqual(leaf.data, publicData(action, data));
      for (const key of Object.keys(leaf.data)) assert.ok(publicFieldsOf(action).includes(key), key);
    }
  });

  it('changes its digest with any change of the data, and with the salt', () => {
    const data = { a: 1, b: [true, null, 'x'], c: { d: 'é' } };
    const digest = dataDigest(SALT, data);
    for (const other of [
      { ...data, a: 2 },
      { ...data, b: [true, null, 'y'] },
      { ...data, c: { d: 'e' } },
      { ...data, e: null },
      { a: 1, b: [true, null, 'x'] },
    ])
      assert.notEqual(dataDigest(SALT, other), digest, JSON.stringify(other));
    assert.notEqual(dataDigest(Buffer.alloc(16, 2), data), digest);
    assert.equal(
      dataDigest(SALT, { c: { d: 'é' }, b: [true, null, 'x'], a: 1 }),
      digest,
      'key order does not count',
    );
    const e = event({ data });
    assert.notEqual(leafEntry(e, SALT), leafEntry({ ...e, data: { ...data, a: 2 } }, SALT));
    assert.notEqual(leafEntry(e, SALT), leafEntry(e, Buffer.alloc(16, 2)));
  });

  it('changes nothing in the event', () => {
    const e = event({ action: 'status.revoked', data: { effectiveAt: 'x', reason: 'y' } });
    const copy = structuredClone(e);
    leafEntry(e, SALT);
    assert.deepEqual(e, copy);
  });
});

/** A small seeded random generator (mulberry32): the same cases every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
