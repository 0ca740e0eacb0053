import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { AuditContent } from '../../src/audit/audit-chain';
import {
  ACCOUNT_ACTIONS,
  actorRole,
  CONFIDENTIAL_LEAF_FIELD,
  dataDigest,
  hidesPerson,
  isConfidential,
  leafEntry,
  PUBLIC_DATA_FIELDS,
  publicData,
  publicFieldsOf,
  writesConfidentialLeaf,
  REGISTER_ACTIONS,
} from '../../src/audit/leaf-entry';
import { AUDIT_ACTION_GROUPS } from '../../src/audit-browser/audit-actions';
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
        .update(canonicalize({ actor: e.actor, subjectId: e.subjectId, data: e.data }) ?? '')
        .digest('hex');
      const hidden = hidesPerson(e.action);
      assert.equal(
        entry,
        canonicalize({
          id: e.id,
          occurredAt: at.toISOString(),
          actor: hidden ? actorRole(e.actor) : e.actor,
          action: e.action,
          subjectType: e.subjectType,
          subjectId: hidden ? '' : e.subjectId,
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

  it('changes its digest with any change of the actor, the subject, the data, and with the salt', () => {
    const data = { a: 1, b: [true, null, 'x'], c: { d: 'é' } };
    const header = { actor: PIET, subjectId: PIET.slice(9) };
    const digest = dataDigest(SALT, { ...header, data });
    for (const other of [
      { ...data, a: 2 },
      { ...data, b: [true, null, 'y'] },
      { ...data, c: { d: 'e' } },
      { ...data, e: null },
      { a: 1, b: [true, null, 'x'] },
    ])
      assert.notEqual(dataDigest(SALT, { ...header, data: other }), digest, JSON.stringify(other));
    for (const other of [
      { ...header, actor: RITA },
      { ...header, actor: 'provider' },
      { ...header, subjectId: RITA.slice(9) },
      { ...header, subjectId: '' },
    ])
      assert.notEqual(dataDigest(SALT, { ...other, data }), digest, JSON.stringify(other));
    assert.notEqual(dataDigest(Buffer.alloc(16, 2), { ...header, data }), digest);
    assert.equal(
      dataDigest(SALT, { ...header, data: { c: { d: 'é' }, b: [true, null, 'x'], a: 1 } }),
      digest,
      'key order does not count',
    );
    for (const action of ['user.logged_in', 'status.revoked']) {
      const e = event({ action, ...header, data });
      const entry = leafEntry(e, SALT);
      for (const other of [
        { ...e, data: { ...data, a: 2 } },
        { ...e, actor: RITA },
        { ...e, subjectId: RITA.slice(9) },
      ])
        assert.notEqual(leafEntry(other, SALT), entry, `${action}: ${JSON.stringify(other)}`);
      assert.notEqual(leafEntry(e, Buffer.alloc(16, 2)), entry);
    }
  });

  it('changes nothing in the event', () => {
    const e = event({ action: 'status.revoked', data: { effectiveAt: 'x', reason: 'y' } });
    const copy = structuredClone(e);
    leafEntry(e, SALT);
    assert.deepEqual(e, copy);
  });
});

const PIET = 'provider:7a9b0c1d-2222-4333-8444-a55556666777';
const RITA = 'reviewer:2f1c0a4e-1111-4222-8333-944445555666';

describe('the header of a leaf: account actions publish a role and no subject', () => {
  /** The decision, written out: every action the register writes, and whether its leaf names the person. */
  const ACCOUNT = [
    ...AUDIT_ACTION_GROUPS.user,
    ...AUDIT_ACTION_GROUPS.security,
    ...AUDIT_ACTION_GROUPS.invitation,
    ...AUDIT_ACTION_GROUPS.staff,
    ...AUDIT_ACTION_GROUPS.personal_data,
    ...AUDIT_ACTION_GROUPS.audit,
    'attestation.downloaded',
    'evidence.downloaded',
    'evidence.extract_downloaded',
    'provider.dossier_exported',
    'provider.handed_over',
    ...AUDIT_ACTION_GROUPS.claim,
    // Issue 18: who buys, and which suppliers a government organisation watches, is not published.
    ...AUDIT_ACTION_GROUPS.buyer,
    ...AUDIT_ACTION_GROUPS.buyer_organisation,
    ...AUDIT_ACTION_GROUPS.watch_list,
    ...AUDIT_ACTION_GROUPS.webhook_subscription,
    ...AUDIT_ACTION_GROUPS.api_key,
    // Issue 19: signals, their matches and a provider's declared resellers are confidential.
    ...AUDIT_ACTION_GROUPS.signal_supplier,
    ...AUDIT_ACTION_GROUPS.signal,
    ...AUDIT_ACTION_GROUPS.signal_match,
    ...AUDIT_ACTION_GROUPS.reseller,
  ];
  const REGISTER = [
    'provider.created',
    'provider.identity_confirmed',
    ...AUDIT_ACTION_GROUPS.application,
    'evidence.uploaded',
    'evidence.deleted',
    ...AUDIT_ACTION_GROUPS.status,
    'attestation.issued',
    ...AUDIT_ACTION_GROUPS.code_of_conduct,
    ...AUDIT_ACTION_GROUPS.aan,
    ...AUDIT_ACTION_GROUPS.review_task,
    'settings.changed',
  ];

  it('classifies every action of the audit log, each table entry with its reason', () => {
    const all = Object.values(AUDIT_ACTION_GROUPS).flat();
    assert.deepEqual([...ACCOUNT, ...REGISTER].sort(), [...all].sort(), 'each action once');
    assert.deepEqual(
      all.filter((a) => hidesPerson(a)),
      all.filter((a) => ACCOUNT.includes(a)),
    );
    for (const table of [ACCOUNT_ACTIONS, REGISTER_ACTIONS])
      for (const [key, reason] of Object.entries(table)) {
        assert.ok(reason.length > 20, `${key} says why`);
        assert.ok(
          all.some((a) => a === key || (key.endsWith('.') && a.startsWith(key))),
          `${key} is an action`,
        );
      }
    // Exactly one table names each action.
    const named = (table: Record<string, string>, a: string) =>
      a in table || a.slice(0, a.indexOf('.') + 1) in table;
    for (const a of all) assert.equal(named(ACCOUNT_ACTIONS, a) !== named(REGISTER_ACTIONS, a), true, a);
  });

  it('hides the person of an action no table names yet', () => {
    for (const action of ['test.anything', 'user', 'new_kind.done', 'provider.something_new'])
      assert.ok(hidesPerson(action), action);
  });

  it('publishes no data field of an account action', () => {
    for (const action of ACCOUNT) assert.deepEqual(publicFieldsOf(action), [], action);
  });

  const ROLES: [string, string][] = [
    [PIET, 'provider'],
    [RITA, 'reviewer'],
    ['auditor:0e0f1a2b-3333-4444-8555-b66667777888', 'auditor'],
    ['admin:0e0f1a2b-3333-4444-8555-b66667777888', 'admin'],
    // Issue 19: when the police are at work is not published.
    ['signal_supplier:0e0f1a2b-3333-4444-8555-b66667777888', 'person'],
    ['anonymous', 'anonymous'],
    ['jobs:daily', 'system'],
    ['cli:personal-data:erase', 'system'],
    ['seed:demo', 'system'],
    ['piet@polderwolk.example', 'person'],
    ['person:erased', 'person'],
    ['provider:not-a-uuid', 'system'],
  ];
  for (const [actor, role] of ROLES)
    it(`names the actor ${actor} as ${role}`, () => assert.equal(actorRole(actor), role));

  const EVENTS: [string, Partial<AuditContent>, string][] = [
    [
      'a login',
      { actor: PIET, action: 'user.logged_in', subjectType: 'user', subjectId: PIET.slice(9) },
      'provider',
    ],
    [
      'a failed login of a known account',
      { actor: 'anonymous', action: 'security.login_failed', subjectType: 'user', subjectId: PIET.slice(9) },
      'anonymous',
    ],
    [
      'an invitation',
      { actor: PIET, action: 'invitation.created', subjectType: 'invitation', subjectId: PIET.slice(9) },
      'provider',
    ],
    [
      'a staff change',
      { actor: RITA, action: 'staff.disabled', subjectType: 'user', subjectId: PIET.slice(9) },
      'reviewer',
    ],
    [
      'an erasure',
      {
        actor: 'cli:personal-data:erase',
        action: 'personal_data.erased',
        subjectType: 'user',
        subjectId: PIET.slice(9),
      },
      'system',
    ],
    [
      'an export',
      { actor: RITA, action: 'audit.exported', subjectType: 'audit_log', subjectId: 'csv' },
      'reviewer',
    ],
    [
      'a download',
      { actor: PIET, action: 'attestation.downloaded', subjectType: 'attestation', subjectId: PIET.slice(9) },
      'provider',
    ],
  ];
  for (const [what, fields, role] of EVENTS)
    it(`${what}: the role only, no subject, no user id anywhere`, () => {
      const e = event({ ...fields, data: { userId: PIET.slice(9) } });
      const leaf = JSON.parse(leafEntry(e, SALT)) as Record<string, unknown>;
      assert.equal(leaf.actor, role);
      assert.equal(leaf.subjectId, '');
      assert.equal(leaf.subjectType, e.subjectType);
      assert.ok(!leafEntry(e, SALT).includes(PIET.slice(9)));
    });

  it('keeps the header of a register action as the chain has it', () => {
    const e = event({ actor: RITA, action: 'status.suspended', subjectType: 'provider', subjectId: 'p-1' });
    const leaf = JSON.parse(leafEntry(e, SALT)) as Record<string, unknown>;
    assert.deepEqual([leaf.actor, leaf.subjectId], [RITA, 'p-1']);
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

describe('the leaf of a confidential action (issue 19): not even its kind is published', () => {
  const SIGNAL_ACTIONS = [
    ...AUDIT_ACTION_GROUPS.signal_supplier,
    ...AUDIT_ACTION_GROUPS.signal,
    ...AUDIT_ACTION_GROUPS.signal_match,
    ...AUDIT_ACTION_GROUPS.reseller,
  ];

  it('publishes id and time only, for every signal, match and reseller action', () => {
    for (const action of SIGNAL_ACTIONS) {
      assert.ok(isConfidential(action), action);
      const leaf = JSON.parse(
        leafEntry(
          event({
            action,
            actor: 'provider:2f1c0a1e-0000-4000-8000-000000000001',
            subjectType: 'signal',
            subjectId: '2f1c0a1e-0000-4000-8000-000000000002',
            data: { providerId: 'p', count: 3 },
          }),
          SALT,
        ),
      ) as Record<string, unknown>;
      assert.deepEqual(
        { ...leaf, dataDigest: typeof leaf.dataDigest },
        {
          id: '42',
          occurredAt: at.toISOString(),
          actor: 'confidential',
          action: 'confidential',
          subjectType: 'confidential',
          subjectId: '',
          data: {},
          dataDigest: 'string',
        },
        action,
      );
    }
  });

  it('binds the hidden action, actor, subject and data in its digest', () => {
    const base = event({
      action: 'signal_match.found',
      subjectType: 'provider',
      subjectId: 'a',
      data: { n: 1 },
    });
    const digest = (e: AuditContent) => (JSON.parse(leafEntry(e, SALT)) as { dataDigest: string }).dataDigest;
    for (const changed of [
      { ...base, action: 'signal.read' },
      { ...base, actor: 'jobs:daily' },
      { ...base, subjectType: 'signal' },
      { ...base, subjectId: 'b' },
      { ...base, data: { n: 2 } },
    ])
      assert.notEqual(digest(changed), digest(base));
  });

  it('leaves every other action as it was', () => {
    for (const action of ['user.login', 'api_key.created', 'status.suspended', 'review_task.resolved'])
      assert.equal(isConfidential(action), false, action);
  });
});

describe('a signal supplier’s own account events (F18): a confidential leaf for those written so', () => {
  const POLICE = 'signal_supplier:0e0f1a2b-3333-4444-8555-b66667777888';
  const leafOf = (fields: Partial<AuditContent>) =>
    JSON.parse(leafEntry(event(fields), SALT)) as Record<string, unknown>;

  it('is written so for every action of a signal supplier’s person not confidential already, and for no one else', () => {
    for (const action of ['user.logged_in', 'api_key.created', 'user.created', 'invitation.created'])
      assert.equal(writesConfidentialLeaf({ actor: POLICE, action }), true, action);
    assert.equal(
      writesConfidentialLeaf({ actor: POLICE, action: 'signal.created' }),
      false,
      'confidential already',
    );
    for (const actor of [PIET, RITA, 'buyer:0e0f1a2b-3333-4444-8555-b66667777888', 'anonymous', 'jobs:daily'])
      assert.equal(writesConfidentialLeaf({ actor, action: 'user.logged_in' }), false, actor);
  });

  it('publishes id and time only for an event written so, whatever its action', () => {
    const leaf = leafOf({
      actor: POLICE,
      action: 'user.logged_in',
      subjectType: 'user',
      subjectId: POLICE.slice(16),
      data: { [CONFIDENTIAL_LEAF_FIELD]: true },
    });
    assert.deepEqual(
      [leaf.actor, leaf.action, leaf.subjectType, leaf.subjectId, leaf.data],
      ['confidential', 'confidential', 'confidential', '', {}],
    );
  });

  it('keeps the leaf of an event written before byte for byte: a leaf is made again when a tile is served', () => {
    const before = event({ actor: POLICE, action: 'user.logged_in', subjectType: 'user', subjectId: 'x' });
    const leaf = JSON.parse(leafEntry(before, SALT)) as Record<string, unknown>;
    assert.equal(leaf.actor, 'person');
    assert.equal(leaf.action, 'user.logged_in');
    // The bytes as they were published before F18 (computed by 56d42e5), for this salt.
    assert.equal(
      leafEntry(before, SALT),
      '{"action":"user.logged_in","actor":"person","data":{},' +
        '"dataDigest":"97418bbdcbee3b058613f3dff74594d83c1c456e7a47031503397cbf7d420288",' +
        '"id":"42","occurredAt":"2026-03-04T05:06:07.089Z","subjectId":"","subjectType":"user"}',
    );
  });
});
