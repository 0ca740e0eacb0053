import assert from 'node:assert/strict';
import {
  type CodeVersionFact,
  codeVersionLapsesAt,
  type ReasonCode,
  type StatusFact,
  statusAt,
} from '../../src/status/status-rules';

// A timeline in UTC instants. The listing: approved 1 March 2025 10:00, valid 12 months.
const at = (iso: string) => new Date(iso);
const ms = (iso: string, delta: number) => new Date(at(iso).getTime() + delta);

const APPROVED = '2025-03-01T10:00:00.000Z';
const VALID_UNTIL = '2026-03-01T10:00:00.000Z';

const V1: CodeVersionFact = {
  id: 'v1',
  publishedAt: at('2020-01-01T00:00:00Z'),
  transitionEndsAt: at('2020-01-01T00:00:00Z'),
};
// V2 succeeds V1; V1 stays accepted until 1 July 2025.
const V2: CodeVersionFact = {
  id: 'v2',
  publishedAt: at('2025-01-01T00:00:00Z'),
  transitionEndsAt: at('2025-07-01T00:00:00Z'),
};
const VERSIONS = [V1, V2];

type EventSpec = Omit<
  Partial<StatusFact>,
  'effectiveAt' | 'recordedAt' | 'validUntil' | 'aanSince' | 'suspendedUntil'
> & {
  kind: StatusFact['kind'];
  at: string;
  recorded?: string;
  validUntil?: string;
  aanSince?: string;
  until?: string;
};

function history(...specs: EventSpec[]): StatusFact[] {
  return specs.map((s, i) => ({
    sequence: s.sequence ?? i + 1,
    kind: s.kind,
    effectiveAt: at(s.at),
    recordedAt: at(s.recorded ?? s.at),
    validUntil: s.validUntil ? at(s.validUntil) : null,
    codeOfConductVersionId: s.codeOfConductVersionId ?? (s.kind === 'listing_approved' ? 'v2' : null),
    aanSince: s.aanSince ? at(s.aanSince) : s.kind === 'listing_approved' ? at('2024-01-01T00:00:00Z') : null,
    suspendedUntil: s.until ? at(s.until) : null,
  }));
}

const submitted = (when: string): EventSpec => ({ kind: 'application_submitted', at: when });
const approved = (when = APPROVED, extra: Partial<EventSpec> = {}): EventSpec => ({
  kind: 'listing_approved',
  at: when,
  validUntil:
    extra.validUntil ??
    new Date(at(when).getTime() + (at(VALID_UNTIL).getTime() - at(APPROVED).getTime())).toISOString(),
  ...extra,
});
const LISTED = [submitted('2025-02-01T09:00:00Z'), approved()];

interface Case {
  name: string;
  events: StatusFact[];
  t: Date;
  expect: 'verantwoord' | ReasonCode;
  versions?: CodeVersionFact[];
  knownAt?: Date;
  since?: string;
}

const cases: Case[] = [
  // Rule 1: listed by an approval, up to validUntil.
  { name: 'no history at all', events: history(), t: at('2025-06-01T00:00:00Z'), expect: 'not_listed' },
  {
    name: 'application submitted, not decided',
    events: history(submitted('2025-02-01T09:00:00Z')),
    t: at('2025-02-02T00:00:00Z'),
    expect: 'application_pending',
  },
  {
    name: 'application submitted only after t',
    events: history(submitted('2025-02-01T09:00:00Z')),
    t: at('2025-01-31T00:00:00Z'),
    expect: 'not_listed',
  },
  {
    name: 'application rejected',
    events: history(submitted('2025-02-01T09:00:00Z'), {
      kind: 'application_rejected',
      at: '2025-02-10T09:00:00Z',
    }),
    t: at('2025-03-01T00:00:00Z'),
    expect: 'rejected',
  },
  {
    name: 'rejected, then a new application',
    events: history(
      submitted('2025-02-01T09:00:00Z'),
      { kind: 'application_rejected', at: '2025-02-10T09:00:00Z' },
      submitted('2025-02-20T09:00:00Z'),
    ),
    t: at('2025-03-01T00:00:00Z'),
    expect: 'application_pending',
  },
  {
    name: 'application withdrawn',
    events: history(submitted('2025-02-01T09:00:00Z'), {
      kind: 'application_withdrawn',
      at: '2025-02-03T09:00:00Z',
    }),
    t: at('2025-03-01T00:00:00Z'),
    expect: 'not_listed',
  },
  {
    name: 'at the approval instant',
    events: history(...LISTED),
    t: at(APPROVED),
    expect: 'verantwoord',
    since: APPROVED,
  },
  {
    name: '1 ms before the approval',
    events: history(...LISTED),
    t: ms(APPROVED, -1),
    expect: 'application_pending',
  },
  {
    name: '1 ms before validUntil',
    events: history(...LISTED),
    t: ms(VALID_UNTIL, -1),
    expect: 'verantwoord',
  },
  {
    name: 'at validUntil',
    events: history(...LISTED),
    t: at(VALID_UNTIL),
    expect: 'expired',
    since: VALID_UNTIL,
  },
  {
    name: 'a year after validUntil',
    events: history(...LISTED),
    t: at('2027-03-01T00:00:00Z'),
    expect: 'expired',
  },
  {
    name: 'renewal approved before expiry carries on past the old end',
    events: history(
      ...LISTED,
      submitted('2026-01-01T00:00:00Z'),
      approved('2026-01-15T00:00:00Z', { validUntil: '2027-03-01T10:00:00Z' }),
    ),
    t: at('2026-06-01T00:00:00Z'),
    expect: 'verantwoord',
    since: APPROVED,
  },
  {
    name: 'renewal approved exactly at expiry leaves no gap',
    events: history(...LISTED, approved(VALID_UNTIL, { validUntil: '2027-03-01T10:00:00Z' })),
    t: at(VALID_UNTIL),
    expect: 'verantwoord',
    since: APPROVED,
  },
  {
    name: 'renewal still pending at expiry',
    events: history(...LISTED, submitted('2026-02-01T00:00:00Z')),
    t: at('2026-03-02T00:00:00Z'),
    expect: 'expired',
  },
  // Rule 2: suspension and revocation.
  {
    name: 'at the start of a suspension',
    events: history(...LISTED, { kind: 'suspended', at: '2025-06-01T12:00:00Z' }),
    t: at('2025-06-01T12:00:00Z'),
    expect: 'suspended',
    since: '2025-06-01T12:00:00Z',
  },
  {
    name: '1 ms before a suspension',
    events: history(...LISTED, { kind: 'suspended', at: '2025-06-01T12:00:00Z' }),
    t: ms('2025-06-01T12:00:00Z', -1),
    expect: 'verantwoord',
  },
  {
    name: '1 ms before the planned end of a suspension',
    events: history(...LISTED, {
      kind: 'suspended',
      at: '2025-06-01T12:00:00Z',
      until: '2025-07-01T00:00:00Z',
    }),
    t: ms('2025-07-01T00:00:00Z', -1),
    expect: 'suspended',
  },
  {
    name: 'at the planned end of a suspension',
    events: history(...LISTED, {
      kind: 'suspended',
      at: '2025-06-01T12:00:00Z',
      until: '2025-07-01T00:00:00Z',
    }),
    t: at('2025-07-01T00:00:00Z'),
    expect: 'verantwoord',
  },
  {
    name: '1 ms before a suspension is lifted',
    events: history(
      ...LISTED,
      { kind: 'suspended', at: '2025-06-01T12:00:00Z' },
      { kind: 'suspension_lifted', at: '2025-06-10T12:00:00Z' },
    ),
    t: ms('2025-06-10T12:00:00Z', -1),
    expect: 'suspended',
  },
  {
    name: 'at the instant a suspension is lifted',
    events: history(
      ...LISTED,
      { kind: 'suspended', at: '2025-06-01T12:00:00Z' },
      { kind: 'suspension_lifted', at: '2025-06-10T12:00:00Z' },
    ),
    t: at('2025-06-10T12:00:00Z'),
    expect: 'verantwoord',
    since: '2025-06-10T12:00:00Z',
  },
  {
    name: 'a second suspension after one was lifted',
    events: history(
      ...LISTED,
      { kind: 'suspended', at: '2025-06-01T12:00:00Z' },
      { kind: 'suspension_lifted', at: '2025-06-10T12:00:00Z' },
      { kind: 'suspended', at: '2025-08-01T12:00:00Z' },
    ),
    t: at('2025-09-01T00:00:00Z'),
    expect: 'suspended',
    since: '2025-08-01T12:00:00Z',
  },
  {
    name: 'still suspended when the listing expires: expired wins',
    events: history(...LISTED, { kind: 'suspended', at: '2025-06-01T12:00:00Z' }),
    t: at(VALID_UNTIL),
    expect: 'expired',
  },
  {
    name: 'at the revocation instant',
    events: history(...LISTED, { kind: 'revoked', at: '2025-09-01T00:00:00Z' }),
    t: at('2025-09-01T00:00:00Z'),
    expect: 'revoked',
  },
  {
    name: '1 ms before a revocation',
    events: history(...LISTED, { kind: 'revoked', at: '2025-09-01T00:00:00Z' }),
    t: ms('2025-09-01T00:00:00Z', -1),
    expect: 'verantwoord',
  },
  {
    name: 'revoked while suspended: revoked wins',
    events: history(
      ...LISTED,
      { kind: 'suspended', at: '2025-06-01T00:00:00Z' },
      { kind: 'revoked', at: '2025-07-01T00:00:00Z' },
    ),
    t: at('2025-08-01T00:00:00Z'),
    expect: 'revoked',
  },
  {
    name: 'revoked, later approved again',
    events: history(
      ...LISTED,
      { kind: 'revoked', at: '2025-04-01T00:00:00Z' },
      approved('2025-10-01T00:00:00Z'),
    ),
    t: at('2025-10-02T00:00:00Z'),
    expect: 'verantwoord',
    since: '2025-10-01T00:00:00Z',
  },
  {
    name: 'revocation effective at the approval instant but recorded after it',
    events: history(...LISTED, { kind: 'revoked', at: APPROVED }),
    t: at(APPROVED),
    expect: 'revoked',
  },
  // Rule 3: the signed code-of-conduct version.
  {
    name: 'older version 1 ms before its transition period ends',
    events: history(
      submitted('2024-02-01T00:00:00Z'),
      approved('2024-03-01T00:00:00Z', { codeOfConductVersionId: 'v1', validUntil: '2026-03-01T00:00:00Z' }),
    ),
    t: ms('2025-07-01T00:00:00Z', -1),
    expect: 'verantwoord',
  },
  {
    name: 'older version at the end of its transition period',
    events: history(
      submitted('2024-02-01T00:00:00Z'),
      approved('2024-03-01T00:00:00Z', { codeOfConductVersionId: 'v1', validUntil: '2026-03-01T00:00:00Z' }),
    ),
    t: at('2025-07-01T00:00:00Z'),
    expect: 'code_of_conduct_outdated',
    since: '2025-07-01T00:00:00Z',
  },
  {
    name: 'successor published without a transition period',
    events: history(approved('2024-03-01T00:00:00Z', { codeOfConductVersionId: 'v1' })),
    versions: [
      V1,
      { id: 'v2', publishedAt: at('2024-06-01T00:00:00Z'), transitionEndsAt: at('2024-06-01T00:00:00Z') },
    ],
    t: at('2024-06-01T00:00:00Z'),
    expect: 'code_of_conduct_outdated',
  },
  {
    name: 'signed version not yet published at t: outdated since the approval',
    events: history(approved('2024-12-01T00:00:00Z', { codeOfConductVersionId: 'v2' })),
    t: at('2024-12-15T00:00:00Z'),
    expect: 'code_of_conduct_outdated',
    since: '2024-12-01T00:00:00Z',
  },
  // "since" never lies before the provider's first event (issue 12).
  {
    name: 'approved on a version that lapsed before the provider existed: outdated since the approval',
    events: history(
      submitted('2025-08-01T09:00:00Z'),
      approved('2025-08-02T10:00:00Z', { codeOfConductVersionId: 'v1' }),
    ),
    t: at('2025-09-01T00:00:00Z'),
    expect: 'code_of_conduct_outdated',
    since: '2025-08-02T10:00:00Z',
  },
  {
    name: 'renewed on the lapsed version while already outdated: outdated since the lapse',
    events: history(
      approved('2024-03-01T00:00:00Z', { codeOfConductVersionId: 'v1', validUntil: '2026-03-01T00:00:00Z' }),
      approved('2025-08-01T00:00:00Z', { codeOfConductVersionId: 'v1', validUntil: '2026-08-01T00:00:00Z' }),
    ),
    t: at('2025-09-01T00:00:00Z'),
    expect: 'code_of_conduct_outdated',
    since: '2025-07-01T00:00:00Z',
  },
  {
    name: 'AAN participation declared to start after the approval: ended since the approval',
    events: history(approved(APPROVED, { aanSince: '2025-04-01T00:00:00Z' })),
    t: at('2025-03-15T00:00:00Z'),
    expect: 'aan_participation_ended',
    since: APPROVED,
  },
  {
    name: 'signed version unknown to the register',
    events: history(approved(APPROVED, { codeOfConductVersionId: 'v-unknown' })),
    t: at('2025-04-01T00:00:00Z'),
    expect: 'code_of_conduct_outdated',
  },
  {
    name: 'expired and outdated at once: expired wins',
    events: history(approved('2024-03-01T00:00:00Z', { codeOfConductVersionId: 'v1' })),
    t: at('2025-08-01T00:00:00Z'),
    expect: 'expired',
  },
  // Rule 4: AAN participation.
  {
    name: 'at the instant AAN participation ends',
    events: history(...LISTED, { kind: 'aan_participation_ended', at: '2025-05-01T00:00:00Z' }),
    t: at('2025-05-01T00:00:00Z'),
    expect: 'aan_participation_ended',
    since: '2025-05-01T00:00:00Z',
  },
  {
    name: '1 ms before AAN participation ends',
    events: history(...LISTED, { kind: 'aan_participation_ended', at: '2025-05-01T00:00:00Z' }),
    t: ms('2025-05-01T00:00:00Z', -1),
    expect: 'verantwoord',
  },
  {
    name: 'AAN participation ended, then resumed',
    events: history(
      ...LISTED,
      { kind: 'aan_participation_ended', at: '2025-05-01T00:00:00Z' },
      { kind: 'aan_participation_resumed', at: '2025-06-01T00:00:00Z' },
    ),
    t: at('2025-06-01T00:00:00Z'),
    expect: 'verantwoord',
  },
  {
    name: 'an AAN end before the participation declared in the approval does not count',
    events: history({ kind: 'aan_participation_ended', at: '2023-06-01T00:00:00Z' }, ...LISTED),
    t: at('2025-04-01T00:00:00Z'),
    expect: 'verantwoord',
  },
  {
    name: 'AAN participation declared to start after t',
    events: history(approved(APPROVED, { aanSince: '2025-04-01T00:00:00Z' })),
    t: at('2025-03-15T00:00:00Z'),
    expect: 'aan_participation_ended',
  },
  {
    name: 'suspended while AAN participation has ended: suspended wins',
    events: history(
      ...LISTED,
      { kind: 'aan_participation_ended', at: '2025-05-01T00:00:00Z' },
      { kind: 'suspended', at: '2025-05-02T00:00:00Z' },
    ),
    t: at('2025-06-01T00:00:00Z'),
    expect: 'suspended',
  },
  // Order, time travel and corrections.
  {
    name: 'events given in any order',
    events: history(
      ...LISTED,
      { kind: 'suspended', at: '2025-06-01T00:00:00Z' },
      { kind: 'suspension_lifted', at: '2025-06-10T00:00:00Z' },
    ).reverse(),
    t: at('2025-06-20T00:00:00Z'),
    expect: 'verantwoord',
  },
  {
    name: 'an event effective after t is not seen',
    events: history(...LISTED, { kind: 'suspended', at: '2025-12-01T00:00:00Z' }),
    t: at('2025-11-30T00:00:00Z'),
    expect: 'verantwoord',
  },
  {
    name: 'a retroactive revocation, now',
    events: history(...LISTED, {
      kind: 'revoked',
      at: '2025-05-01T00:00:00Z',
      recorded: '2025-08-01T00:00:00Z',
    }),
    t: at('2025-06-01T00:00:00Z'),
    expect: 'revoked',
  },
  {
    name: 'a retroactive revocation, as known before it was recorded',
    events: history(...LISTED, {
      kind: 'revoked',
      at: '2025-05-01T00:00:00Z',
      recorded: '2025-08-01T00:00:00Z',
    }),
    t: at('2025-06-01T00:00:00Z'),
    knownAt: at('2025-07-01T00:00:00Z'),
    expect: 'verantwoord',
  },
  {
    name: 'a suspension and its lifting at the same instant: the later-recorded one counts',
    events: history(
      ...LISTED,
      { kind: 'suspension_lifted', at: '2025-06-01T00:00:00Z', sequence: 10 },
      { kind: 'suspended', at: '2025-06-01T00:00:00Z', sequence: 9 },
    ),
    t: at('2025-06-01T00:00:00Z'),
    expect: 'verantwoord',
  },
];

describe('status rules: statusAt(history, versions, t)', () => {
  it('covers at least 30 cases', () => assert.ok(cases.length >= 30, `${cases.length} cases`));

  for (const c of cases) {
    it(`${c.name} → ${c.expect}`, () => {
      const result = statusAt(c.events, c.versions ?? VERSIONS, c.t, { knownAt: c.knownAt });
      assert.equal(result.verantwoord ? 'verantwoord' : result.reason, c.expect);
      if (c.since) assert.equal(result.since?.toISOString(), at(c.since).toISOString());
    });
  }

  it('gives the same answer for the same inputs, whatever the clock says', () => {
    const events = history(...LISTED);
    const a = statusAt(events, VERSIONS, at('2025-06-01T00:00:00Z'));
    const b = statusAt(events, VERSIONS, at('2025-06-01T00:00:00Z'));
    assert.deepEqual(a, b);
  });

  it('does not reorder the history it is given', () => {
    const events = history(...LISTED).reverse();
    const before = events.map((e) => e.sequence);
    statusAt(events, VERSIONS, at('2025-06-01T00:00:00Z'));
    assert.deepEqual(
      events.map((e) => e.sequence),
      before,
    );
  });

  it('names the planned end of a suspension and the event behind it', () => {
    const events = history(...LISTED, {
      kind: 'suspended',
      at: '2025-06-01T00:00:00Z',
      until: '2025-07-01T00:00:00Z',
    });
    const result = statusAt(events, VERSIONS, at('2025-06-15T00:00:00Z'));
    assert.equal(result.verantwoord, false);
    if (result.verantwoord) return;
    assert.equal(result.until?.toISOString(), '2025-07-01T00:00:00.000Z');
    assert.equal(result.cause?.sequence, 3);
  });
});

describe('codeVersionLapsesAt', () => {
  it('is open-ended while no successor exists', () =>
    assert.equal(codeVersionLapsesAt(V2, VERSIONS), undefined));
  it("is the successor's transition end", () =>
    assert.equal(codeVersionLapsesAt(V1, VERSIONS)?.toISOString(), '2025-07-01T00:00:00.000Z'));
  it('is the earliest end when several successors exist', () => {
    const v3 = {
      id: 'v3',
      publishedAt: at('2025-03-01T00:00:00Z'),
      transitionEndsAt: at('2025-04-01T00:00:00Z'),
    };
    assert.equal(codeVersionLapsesAt(V1, [V1, V2, v3])?.toISOString(), '2025-04-01T00:00:00.000Z');
  });
});
