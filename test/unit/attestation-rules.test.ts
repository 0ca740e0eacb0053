import assert from 'node:assert/strict';
import {
  type AttestationState,
  attestationStatusAt,
  attestationValidUntil,
} from '../../src/attestation/attestation-rules';
import type { CodeVersionFact, ReasonCode, StatusFact } from '../../src/status/status-rules';

// The listing: approved 1 March 2025 10:00 until 1 March 2026 10:00. The attestation: issued
// 1 April 2025 12:00, valid until the listing's end (the earlier of that and 12 months).
const at = (iso: string) => new Date(iso);
const APPROVED = '2025-03-01T10:00:00.000Z';
const LISTING_END = '2026-03-01T10:00:00.000Z';
const ISSUED = '2025-04-01T12:00:00.000Z';
const ATTESTATION = { issuedAt: at(ISSUED), validUntil: at(LISTING_END) };

const V1: CodeVersionFact = {
  id: 'v1',
  publishedAt: at('2020-01-01T00:00:00Z'),
  transitionEndsAt: at('2020-01-01T00:00:00Z'),
};
const V2: CodeVersionFact = {
  id: 'v2',
  publishedAt: at('2025-06-01T00:00:00Z'),
  transitionEndsAt: at('2025-09-01T00:00:00Z'),
};

type Spec = { kind: StatusFact['kind']; at: string; until?: string; version?: string };
function history(...specs: Spec[]): StatusFact[] {
  return [
    { kind: 'application_submitted', at: '2025-02-01T09:00:00.000Z' } as Spec,
    { kind: 'listing_approved', at: APPROVED } as Spec,
    ...specs,
  ].map((s, i) => ({
    sequence: i + 1,
    kind: s.kind,
    effectiveAt: at(s.at),
    recordedAt: at(s.at),
    validUntil: s.kind === 'listing_approved' ? at(LISTING_END) : null,
    codeOfConductVersionId: s.kind === 'listing_approved' ? (s.version ?? 'v1') : null,
    aanSince: s.kind === 'listing_approved' ? at('2024-01-01T00:00:00Z') : null,
    suspendedUntil: s.until ? at(s.until) : null,
  }));
}

interface Case {
  name: string;
  events: Spec[];
  /** Only V1 exists unless the case says otherwise. */
  versions?: CodeVersionFact[];
  t: string;
  state: AttestationState;
  since?: string;
  reason?: ReasonCode;
}

const CASES: Case[] = [
  { name: 'verantwoord throughout', events: [], t: '2025-10-01T00:00:00Z', state: 'valid' },
  { name: 'at the instant of issue', events: [], t: ISSUED, state: 'valid' },
  {
    name: 'suspended after issue, still suspended',
    events: [{ kind: 'suspended', at: '2025-05-01T08:00:00.000Z' }],
    t: '2025-06-01T00:00:00Z',
    state: 'suspended',
    since: '2025-05-01T08:00:00.000Z',
    reason: 'suspended',
  },
  {
    name: 'suspension lifted: valid again',
    events: [
      { kind: 'suspended', at: '2025-05-01T08:00:00.000Z' },
      { kind: 'suspension_lifted', at: '2025-05-20T08:00:00.000Z' },
    ],
    t: '2025-06-01T00:00:00Z',
    state: 'valid',
  },
  {
    name: 'suspension with a planned end that has passed: valid again',
    events: [{ kind: 'suspended', at: '2025-05-01T08:00:00.000Z', until: '2025-05-15T00:00:00.000Z' }],
    t: '2025-05-15T00:00:00.000Z',
    state: 'valid',
  },
  {
    name: 'revoked after issue',
    events: [{ kind: 'revoked', at: '2025-07-01T08:00:00.000Z' }],
    t: '2025-07-01T08:00:00.000Z',
    state: 'revoked',
    since: '2025-07-01T08:00:00.000Z',
    reason: 'revoked',
  },
  {
    name: '1 ms before the revocation',
    events: [{ kind: 'revoked', at: '2025-07-01T08:00:00.000Z' }],
    t: '2025-07-01T07:59:59.999Z',
    state: 'valid',
  },
  {
    name: 'AAN participation ended',
    events: [{ kind: 'aan_participation_ended', at: '2025-08-01T00:00:00.000Z' }],
    t: '2025-09-01T00:00:00Z',
    state: 'revoked',
    since: '2025-08-01T00:00:00.000Z',
    reason: 'aan_participation_ended',
  },
  {
    name: 'AAN ended and resumed: stays revoked, for good',
    events: [
      { kind: 'aan_participation_ended', at: '2025-08-01T00:00:00.000Z' },
      { kind: 'aan_participation_resumed', at: '2025-08-10T00:00:00.000Z' },
    ],
    t: '2025-09-01T00:00:00Z',
    state: 'revoked',
    since: '2025-08-01T00:00:00.000Z',
    reason: 'aan_participation_ended',
  },
  {
    name: 'signed code version lapses after its successor’s transition',
    events: [],
    versions: [V1, V2],
    t: '2025-10-01T00:00:00Z',
    state: 'revoked',
    since: '2025-09-01T00:00:00.000Z',
    reason: 'code_of_conduct_outdated',
  },
  {
    name: 'suspended and then revoked: revoked',
    events: [
      { kind: 'suspended', at: '2025-05-01T08:00:00.000Z' },
      { kind: 'revoked', at: '2025-05-10T08:00:00.000Z' },
    ],
    t: '2025-06-01T00:00:00Z',
    state: 'revoked',
    since: '2025-05-10T08:00:00.000Z',
    reason: 'revoked',
  },
  {
    name: 'at the end of validity (the listing ends too): expired, not revoked',
    events: [],
    t: LISTING_END,
    state: 'expired',
    since: LISTING_END,
  },
  {
    name: 'suspended until after the end of validity, asked afterwards: expired',
    events: [{ kind: 'suspended', at: '2026-02-01T00:00:00.000Z' }],
    t: '2026-04-01T00:00:00Z',
    state: 'expired',
    since: LISTING_END,
  },
  {
    name: 'revoked before the end of validity, asked afterwards: still revoked',
    events: [{ kind: 'revoked', at: '2025-07-01T08:00:00.000Z' }],
    t: '2027-01-01T00:00:00Z',
    state: 'revoked',
    since: '2025-07-01T08:00:00.000Z',
    reason: 'revoked',
  },
  {
    name: 'revoked after the end of validity: expired (it had already ended)',
    events: [{ kind: 'revoked', at: '2026-03-05T00:00:00.000Z' }],
    t: '2026-04-01T00:00:00Z',
    state: 'expired',
    since: LISTING_END,
  },
];

describe('attestationStatusAt', () => {
  for (const c of CASES) {
    it(`${c.name} → ${c.state}`, () => {
      const status = attestationStatusAt(ATTESTATION, history(...c.events), c.versions ?? [V1], at(c.t));
      assert.equal(status.state, c.state);
      if (c.since) assert.equal(status.since?.toISOString(), at(c.since).toISOString());
      assert.equal(status.reason, c.reason);
    });
  }

  it('ends an attestation at 12 months when the listing runs longer', () => {
    const shorter = { issuedAt: at(ISSUED), validUntil: at('2026-02-01T00:00:00.000Z') };
    assert.equal(
      attestationStatusAt(shorter, history(), [V1], at('2026-02-01T00:00:00.000Z')).state,
      'expired',
    );
    assert.equal(
      attestationStatusAt(shorter, history(), [V1], at('2026-01-31T23:59:59.999Z')).state,
      'valid',
    );
  });
});

describe('attestationValidUntil', () => {
  const listing = (validUntil = LISTING_END) => ({
    approvedAt: at(APPROVED),
    validUntil: at(validUntil),
    codeOfConductVersionId: 'v1',
    aanSince: at('2024-01-01T00:00:00Z'),
  });
  // A successor of v1 published after the listing's end: v1 lapses after it too.
  const LATE: CodeVersionFact = {
    id: 'late',
    publishedAt: at('2026-06-01T00:00:00Z'),
    transitionEndsAt: at('2026-09-01T00:00:00Z'),
  };
  const cases: {
    name: string;
    listingEnd?: string;
    events?: Spec[];
    versions?: CodeVersionFact[];
    until: string;
  }[] = [
    { name: 'the listing’s end, when nothing ends it earlier', until: LISTING_END },
    {
      name: '12 months from issue, when the listing runs longer',
      listingEnd: '2026-09-01T10:00:00.000Z',
      until: '2026-04-01T12:00:00.000Z',
    },
    {
      name: 'the signed version’s lapse, announced at issue (the successor not published yet)',
      versions: [V1, V2],
      until: '2025-09-01T00:00:00.000Z',
    },
    { name: 'the listing’s end, when the version lapses after it', versions: [V1, LATE], until: LISTING_END },
    {
      name: 'a planned end of AAN participation known at issue',
      events: [{ kind: 'aan_participation_ended', at: '2025-12-01T00:00:00.000Z' }],
      until: '2025-12-01T00:00:00.000Z',
    },
    {
      name: 'the earliest of a version lapse and a planned AAN end',
      events: [{ kind: 'aan_participation_ended', at: '2025-12-01T00:00:00.000Z' }],
      versions: [V1, V2],
      until: '2025-09-01T00:00:00.000Z',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const until = attestationValidUntil(
        listing(c.listingEnd),
        history(...(c.events ?? [])),
        c.versions ?? [V1],
        at(ISSUED),
      );
      assert.equal(until.toISOString(), at(c.until).toISOString());
    });
  }
});
