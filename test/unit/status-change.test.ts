import assert from 'node:assert/strict';
import { decodeCursor, encodeCursor } from '../../src/api/api.cursor';
import { lastChangeAt, type ProviderDetail } from '../../src/register/provider.service';
import { statusChangeOf } from '../../src/status/status-change';
import type { CodeVersionFact, StatusFact } from '../../src/status/status-rules';

const at = (iso: string) => new Date(`${iso}T09:00:00Z`);
const VERSIONS: CodeVersionFact[] = [
  { id: 'v1', publishedAt: at('2020-01-01'), transitionEndsAt: at('2020-01-01') },
  { id: 'v2', publishedAt: at('2027-09-01'), transitionEndsAt: at('2027-12-01') },
];
const approval: StatusFact = {
  sequence: 2,
  kind: 'listing_approved',
  effectiveAt: at('2025-01-10'),
  recordedAt: at('2025-01-10'),
  validUntil: at('2026-01-10'),
  codeOfConductVersionId: 'v1',
  aanSince: at('2024-01-01'),
};
const submitted: StatusFact = {
  sequence: 1,
  kind: 'application_submitted',
  effectiveAt: at('2025-01-01'),
  recordedAt: at('2025-01-01'),
};

describe('statusChangeOf: what one status event changed', () => {
  const cases: [string, StatusFact[], number, string, string][] = [
    ['a submission', [submitted], 1, 'not_listed', 'application_pending'],
    ['an approval', [submitted, approval], 2, 'application_pending', 'verantwoord'],
    [
      'a suspension',
      [
        submitted,
        approval,
        { sequence: 3, kind: 'suspended', effectiveAt: at('2025-03-01'), recordedAt: at('2025-03-01') },
      ],
      3,
      'verantwoord',
      'suspended',
    ],
    [
      // Recorded the night after, at the instant the rules already counted from.
      'a recorded expiry',
      [
        submitted,
        approval,
        { sequence: 3, kind: 'listing_expired', effectiveAt: at('2026-01-10'), recordedAt: at('2026-01-11') },
      ],
      3,
      'verantwoord',
      'expired',
    ],
    [
      'a renewal submitted while listed changes nothing',
      [
        submitted,
        approval,
        {
          sequence: 3,
          kind: 'application_submitted',
          effectiveAt: at('2025-11-01'),
          recordedAt: at('2025-11-01'),
        },
      ],
      3,
      'verantwoord',
      'verantwoord',
    ],
    [
      // Judged as the register knew it then: the later revocation (sequence 4) does not count.
      'a suspension before a backdated revocation',
      [
        submitted,
        approval,
        { sequence: 3, kind: 'suspended', effectiveAt: at('2025-03-01'), recordedAt: at('2025-03-01') },
        { sequence: 4, kind: 'revoked', effectiveAt: at('2025-02-01'), recordedAt: at('2025-04-01') },
      ],
      3,
      'verantwoord',
      'suspended',
    ],
  ];
  for (const [name, history, sequence, from, to] of cases) {
    it(`${name}: ${from} → ${to}`, () => {
      assert.deepEqual(statusChangeOf(history, VERSIONS, sequence), { from, to });
    });
  }

  it('refuses an event that is not in the history', () => {
    assert.throws(() => statusChangeOf([submitted], VERSIONS, 9));
  });
});

describe('the change feed cursor', () => {
  it('round-trips a position and is not the number in plain sight', () => {
    for (const position of ['0', '1', '42', '9223372036854775807']) {
      const cursor = encodeCursor(position);
      assert.match(cursor, /^[A-Za-z0-9_-]+$/);
      assert.notEqual(cursor, position);
      assert.equal(decodeCursor(cursor), position);
      assert.equal(encodeCursor(position), cursor, 'stable');
    }
  });

  it('refuses what it did not give out', () => {
    const base64url = (text: string) => Buffer.from(text).toString('base64url');
    for (const cursor of [
      '',
      '42',
      'abc',
      `${encodeCursor('42')}=`,
      `${encodeCursor('42')}+`,
      base64url('sw1:-1'),
      base64url('sw1:042'),
      base64url('sw1:9223372036854775808'),
      base64url('sw2:42'),
      base64url('42'),
      'x'.repeat(100),
    ]) {
      assert.equal(decodeCursor(cursor), undefined, cursor);
    }
  });
});

describe('lastChangeAt: the Last-Modified of a lookup', () => {
  const detail = (history: Partial<ProviderDetail['history'][number]>[]) =>
    ({
      provider: {
        createdAt: at('2024-12-01'),
        updatedAt: at('2024-12-02'),
        identityConfirmedAt: at('2025-01-10'),
      },
      history,
      codeVersions: [],
      attestations: [],
    }) as unknown as ProviderDetail;

  it('is the last data instant up to now, not now, and moves when a planned end passes', () => {
    const history = [
      { recordedAt: at('2025-01-10'), effectiveAt: at('2025-01-10'), validUntil: at('2026-01-10') },
    ];
    assert.deepEqual(lastChangeAt(detail(history), at('2025-06-01')), at('2025-01-10'));
    assert.deepEqual(lastChangeAt(detail(history), at('2026-02-01')), at('2026-01-10'));
  });
});
