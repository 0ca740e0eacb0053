import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { actorOf, ERASED_PERSON, isEmailActor, personOfActor } from '../../src/audit/actor';
import type { AuditContent } from '../../src/audit/audit-chain';
import {
  carriedOverEntryAgrees,
  legacyLeafEntry,
  type LegacyPerson,
} from '../../src/audit/legacy-leaf-entry';
import { addressPattern, checkPersonalData, personalDataDigest } from '../../src/audit/personal-data';

const RITA = { id: '2f1c0a4e-1111-4222-8333-944445555666', role: 'reviewer' };
const PIET = { id: '7a9b0c1d-2222-4333-8444-a55556666777', role: 'provider' };
const ADA = { id: '0e0f1a2b-3333-4444-8555-b66667777888', role: 'admin' };
const PEOPLE: ReadonlyMap<string, LegacyPerson> = new Map([
  ['rita@register.example', RITA],
  ['piet@polderwolk.example', PIET],
  ['ada@register.example', ADA],
]);
const PROVIDER = 'c0ffee00-0000-4000-8000-000000000001';
const INVITATION = 'c0ffee00-0000-4000-8000-000000000002';
const at = new Date('2026-03-04T05:06:07.089Z');

const event = (fields: Partial<AuditContent>): AuditContent => ({
  id: '42',
  occurredAt: at,
  actor: 'jobs:daily',
  action: 'status.listing_expired',
  subjectType: 'provider',
  subjectId: PROVIDER,
  data: {},
  ...fields,
});

const rita = `reviewer:${RITA.id}`;
const piet = `provider:${PIET.id}`;
const ada = `admin:${ADA.id}`;

/**
 * Every shape of event the register wrote before issue 16, as it was written, and the leaf it gets:
 * [what, the event, the header fields its leaf names otherwise (undefined or {}: none)]. The leaf's
 * data is only its action's public fields (PUBLIC below), the rest behind the digest.
 */
const CASES: [
  string,
  Partial<AuditContent>,
  Pick<AuditContent, 'actor' | 'subjectId'> | Partial<AuditContent> | undefined,
][] = [
  ['a system actor, nothing personal', { actor: 'jobs:daily' }, undefined],
  [
    'the CLI creates a user',
    {
      actor: 'cli:user:create',
      action: 'user.created',
      subjectType: 'user',
      subjectId: ADA.id,
      data: { email: 'ada@register.example', role: 'admin', providerId: null },
    },
    { actor: 'system', subjectId: '' },
  ],
  [
    'a provider user registers',
    {
      actor: 'piet@polderwolk.example',
      action: 'provider.created',
      data: { legalName: 'Polderwolk B.V.', abuseEmail: 'abuse@polderwolk.example', kvkNumber: '12345678' },
    },
    { actor: piet },
  ],
  [
    'a user is created by the demo seed',
    {
      actor: 'seed:demo',
      action: 'user.created',
      subjectType: 'user',
      subjectId: RITA.id,
      data: { email: 'Rita@Register.example', role: 'reviewer', providerId: null },
    },
    { actor: 'system', subjectId: '' },
  ],
  [
    'a reviewer decides',
    {
      actor: 'rita@register.example',
      action: 'application.approve',
      subjectType: 'application',
      subjectId: PROVIDER,
      data: { note: 'ok', validUntil: '2027-03-04' },
    },
    { actor: rita },
  ],
  [
    'a status change by a reviewer',
    {
      actor: 'rita@register.example',
      action: 'status.suspended',
      data: { effectiveAt: at.toISOString(), reason: 'abuse' },
    },
    { actor: rita },
  ],
  [
    'the identity confirmed',
    {
      actor: 'RITA@register.example',
      action: 'provider.identity_confirmed',
      data: { applicationId: PROVIDER },
    },
    { actor: rita },
  ],
  [
    'an attestation issued',
    {
      actor: 'piet@polderwolk.example',
      action: 'attestation.issued',
      subjectType: 'attestation',
      data: { number: 'VHP-2026-000001' },
    },
    { actor: piet },
  ],
  [
    'a provider user logs in',
    {
      actor: 'piet@polderwolk.example',
      action: 'user.logged_in',
      subjectType: 'user',
      subjectId: PIET.id,
      data: { way: 'password' },
    },
    { actor: 'provider', subjectId: '' },
  ],
  [
    'a provider invitation',
    {
      actor: 'piet@polderwolk.example',
      action: 'invitation.created',
      data: {
        email: 'nieuw@polderwolk.example',
        role: 'provider',
        invitationId: INVITATION,
        mail: 'link',
        expiredRevoked: 0,
      },
    },
    { actor: 'provider', subjectId: '' },
  ],
  [
    'a provider invitation revoked',
    {
      actor: 'piet@polderwolk.example',
      action: 'invitation.revoked',
      data: { email: 'nieuw@polderwolk.example', invitationId: INVITATION },
    },
    { actor: 'provider', subjectId: '' },
  ],
  [
    'a staff invitation to an address that became an account',
    {
      actor: 'ada@register.example',
      action: 'invitation.created',
      subjectType: 'user',
      subjectId: 'rita@register.example',
      data: { email: 'rita@register.example', role: 'reviewer', invitationId: INVITATION, expiredRevoked: 0 },
    },
    { actor: 'admin', subjectId: '' },
  ],
  [
    'a staff invitation resent',
    {
      actor: 'ada@register.example',
      action: 'invitation.resent',
      subjectType: 'user',
      subjectId: 'weg@register.example',
      data: { email: 'weg@register.example', role: 'auditor', invitationId: INVITATION, replaces: PROVIDER },
    },
    { actor: 'admin', subjectId: '' },
  ],
  [
    'an erased person logs in: their role is not known any more',
    {
      actor: 'weg@register.example',
      action: 'user.logged_in',
      subjectType: 'user',
      subjectId: ADA.id,
      data: { way: 'password' },
    },
    { actor: 'person', subjectId: '' },
  ],
  [
    'a staff role changed',
    {
      actor: 'ada@register.example',
      action: 'staff.role_changed',
      subjectType: 'user',
      subjectId: RITA.id,
      data: { email: 'rita@register.example', from: 'reviewer', to: 'admin' },
    },
    { actor: 'admin', subjectId: '' },
  ],
  [
    'a failed login of a known account',
    {
      actor: 'anonymous',
      action: 'security.login_failed',
      subjectType: 'user',
      subjectId: PIET.id,
      data: { ip: '198.51.100.1' },
    },
    { actor: 'anonymous', subjectId: '' },
  ],
  [
    'a refused form of a signed-in user',
    {
      actor: 'piet@polderwolk.example',
      action: 'security.csrf_refused',
      subjectType: 'user',
      subjectId: PIET.id,
      data: { ip: '2001:db8::1', method: 'POST', path: '/uitloggen' },
    },
    { actor: 'provider', subjectId: '' },
  ],
  [
    'a rate limit',
    {
      action: 'security.rate_limited',
      actor: 'anonymous',
      subjectType: 'user',
      subjectId: 'unknown account',
      data: { ip: '203.0.113.9', limit: 'login' },
    },
    { actor: 'anonymous', subjectId: '' },
  ],
  [
    'the register contact address changed',
    {
      actor: 'ada@register.example',
      action: 'settings.changed',
      subjectType: 'setting',
      subjectId: 'contactEmail',
      data: { from: 'info@register.example', to: 'contact@register.example' },
    },
    { actor: ada },
  ],
  [
    'another setting changed',
    {
      actor: 'ada@register.example',
      action: 'settings.changed',
      subjectType: 'setting',
      subjectId: 'reminderDays',
      data: { from: [60, 30], to: [90] },
    },
    { actor: ada },
  ],
  [
    'an export filtered on a person',
    {
      actor: 'rita@register.example',
      action: 'audit.exported',
      subjectType: 'audit_log',
      subjectId: 'csv',
      data: { format: 'csv', filter: { actie: 'x', door: 'piet@polderwolk.example' } },
    },
    { actor: 'reviewer', subjectId: '' },
  ],
  [
    'an address deeper in the data',
    {
      actor: 'aan@cli',
      action: 'aan.imported',
      subjectType: 'aan_import',
      data: { list: ['piet@polderwolk.example', 3] },
    },
    { actor: ERASED_PERSON },
  ],
  [
    'an application saved with its signatory and AAN contact',
    {
      actor: 'piet@polderwolk.example',
      action: 'application.saved',
      subjectType: 'application',
      data: {
        codeSignedOn: '2026-01-02',
        signatoryName: 'P. Piet',
        signatoryRole: 'Directeur',
        aanSince: '2025-01-01',
        aanContactName: 'A. Buse',
        aanContactEmail: 'aan@polderwolk.example',
      },
    },
    {
      actor: piet,
    },
  ],
  [
    'a user id (not an address) stays',
    {
      actor: 'cli:aan:import',
      action: 'review_task.resolved',
      data: { taskId: PROVIDER, note: 'mailde met iemand at example' },
    },
    undefined,
  ],
];

/** The data fields the leaves of these cases publish: all others stay behind the digest. */
const PUBLIC: Record<string, Record<string, unknown>> = {
  'a status change by a reviewer': { effectiveAt: at.toISOString() },
  'an attestation issued': { number: 'VHP-2026-000001' },
};

const SALT = Buffer.alloc(16, 7);
const sha256 = (salt: Buffer, json: string) => createHash('sha256').update(salt).update(json).digest('hex');

describe('legacyLeafEntry: the leaf of an event carried over from before issue 16', () => {
  for (const [what, fields, header] of CASES) {
    it(what, () => {
      const before = event(fields);
      const entry = legacyLeafEntry(before, SALT, PEOPLE);
      assert.deepEqual(JSON.parse(entry), {
        id: before.id,
        occurredAt: before.occurredAt.toISOString(),
        actor: header?.actor ?? before.actor,
        action: before.action,
        subjectType: before.subjectType,
        subjectId: header?.subjectId ?? before.subjectId,
        data: PUBLIC[what] ?? {},
        // Over the event's ORIGINAL actor, subject and data: the tree still binds every byte of it.
        dataDigest: sha256(
          SALT,
          JSON.stringify(sortedKeys({ actor: before.actor, subjectId: before.subjectId, data: before.data })),
        ),
      });
      assert.doesNotMatch(entry, /@/);
      assert.doesNotMatch(entry, /198\.51|2001:db8|203\.0\.113|Piet|Buse|Directeur|mailde/);
    });
  }

  it('is canonical JSON, changes nothing in the event, and agrees with its event once the people are unnamed', () => {
    const before = event({ actor: 'rita@register.example', data: { b: 'é', a: [1, { z: null }] } });
    const copy = structuredClone(before);
    const entry = legacyLeafEntry(before, SALT, PEOPLE);
    assert.equal(entry, canonicalize(JSON.parse(entry)));
    assert.deepEqual(before, copy);
    assert.ok(carriedOverEntryAgrees(entry, before, SALT));
    assert.ok(!carriedOverEntryAgrees(entry, before, Buffer.alloc(16, 8)), 'another salt');
    assert.ok(!carriedOverEntryAgrees(entry, { ...before, data: { b: 'e', a: [1, { z: null }] } }, SALT));
    assert.ok(!carriedOverEntryAgrees(entry, { ...before, action: 'status.revoked' }, SALT));
  });

  it("agrees with an account action's event whatever role the users table gave, but not with another actor or subject", () => {
    const login = event({
      actor: 'piet@polderwolk.example',
      action: 'user.logged_in',
      subjectType: 'user',
      subjectId: PIET.id,
    });
    const entry = legacyLeafEntry(login, SALT, PEOPLE);
    assert.match(
      entry,
      /^\{"action":"user\.logged_in","actor":"provider","data":\{\},"dataDigest":"[0-9a-f]{64}"/,
    );
    assert.ok(carriedOverEntryAgrees(entry, login, SALT));
    assert.ok(!carriedOverEntryAgrees(entry, { ...login, actor: 'rita@register.example' }, SALT));
    assert.ok(!carriedOverEntryAgrees(entry, { ...login, subjectId: RITA.id }, SALT));
    assert.ok(!carriedOverEntryAgrees(entry.replace('"actor":"provider"', '"actor":"system"'), login, SALT));
  });
});

/** A JSON value with every object's keys in order (what RFC 8785 does for these plain values). */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortedKeys((value as Record<string, unknown>)[k])]),
    );
  return value;
}

describe('actors of people', () => {
  const CASES: [string, ReturnType<typeof personOfActor>, boolean][] = [
    [rita, { role: 'reviewer', id: RITA.id }, false],
    [`auditor:${RITA.id}`, { role: 'auditor', id: RITA.id }, false],
    ['cli:aan:import', undefined, false],
    ['jobs:daily', undefined, false],
    ['seed:demo', undefined, false],
    ['anonymous', undefined, false],
    [ERASED_PERSON, undefined, false],
    ['reviewer:not-a-uuid', undefined, false],
    ['rita@register.example', undefined, true],
    ['rita@register example', undefined, false],
  ];
  for (const [actor, person, email] of CASES)
    it(`${actor}: ${person ? `${person.role} ${person.id}` : 'no person by id'}${email ? ', an address' : ''}`, () => {
      assert.deepEqual(personOfActor(actor), person);
      assert.equal(isEmailActor(actor), email);
    });

  it('makes <role>:<id>', () => {
    assert.equal(actorOf({ id: RITA.id, role: 'reviewer' }), rita);
  });
});

describe('the digest of personal details kept beside the log', () => {
  const salt = Buffer.alloc(16, 7);
  const data = { ip: '198.51.100.1' };
  const digest = personalDataDigest(salt, data);

  it('is SHA-256 over the salt and the canonical JSON', () => {
    assert.match(digest, /^[0-9a-f]{64}$/);
    assert.equal(personalDataDigest(salt, { ip: '198.51.100.1' }), digest);
    assert.notEqual(personalDataDigest(Buffer.alloc(16, 8), data), digest, 'another salt, another digest');
  });

  const CHECKS: [
    string,
    Record<string, unknown>,
    Parameters<typeof checkPersonalData>[1],
    boolean,
    string,
  ][] = [
    ['intact', { personalData: digest }, { data, salt }, false, 'intact'],
    ['a changed address', { personalData: digest }, { data: { ip: '198.51.100.2' }, salt }, false, 'altered'],
    ['a changed salt', { personalData: digest }, { data, salt: Buffer.alloc(16, 9) }, false, 'altered'],
    ['erased: an erasure names the event', { personalData: digest }, undefined, true, 'erased'],
    ['deleted without an erasure', { personalData: digest }, undefined, false, 'missing'],
    [
      'an erasure named it, yet a row is there and changed',
      { personalData: digest },
      { data: {}, salt },
      true,
      'altered',
    ],
    ['no personal details', { format: 'csv' }, undefined, false, 'none'],
    ['a row for an event without a digest', { format: 'csv' }, { data, salt }, false, 'altered'],
    ['carried over', { personalData: 'carried-over' }, undefined, false, 'none'],
  ];
  for (const [what, eventData, row, erased, answer] of CHECKS)
    it(`${what}: ${answer}`, () => assert.equal(checkPersonalData(eventData, row, erased), answer));
});

describe('addressPattern: a side row naming an address', () => {
  const CASES: [string, string, boolean][] = [
    ['{"email": "jan.jansen@x.example"}', 'jan.jansen@x.example', true],
    ['{"path": "/account/jan.jansen@x.example/wachtwoord"}', 'jan.jansen@x.example', true],
    ['{"path": "/account/Jan.Jansen@X.Example/wachtwoord"}', 'jan.jansen@x.example', true],
    ['{"path": "/account/jan.jansen@x.example/wachtwoord"}', 'JAN.JANSEN@x.EXAMPLE', true],
    ['{"path": "/account/jan.jansen%40x.example?a=1"}', 'jan.jansen@x.example', true],
    ['{"filter": {"door": "mail jan.jansen@x.example."}}', 'jan.jansen@x.example', true],
    ['{"path": "/a/pjan.jansen@x.example"}', 'jan.jansen@x.example', false],
    ['{"path": "/a/jan.jansen@x.example.org"}', 'jan.jansen@x.example', false],
    ['{"path": "/a/jan.jansen@x.examples"}', 'jan.jansen@x.example', false],
    ['{"path": "/a/janXjansen@x.example"}', 'jan.jansen@x.example', false],
    ['{"email": "a+b@x.example"}', 'a+b@x.example', true],
    ['{"email": "aab@x.example"}', 'a+b@x.example', false],
    ['{"ip": "198.51.100.1"}', 'jan.jansen@x.example', false],
  ];
  for (const [text, email, found] of CASES)
    it(`${found ? 'finds' : 'does not find'} ${email} in ${text}`, () =>
      assert.equal(new RegExp(addressPattern(email), 'i').test(text), found));
});
