import assert from 'node:assert/strict';
import type { ChainVerification } from '../../src/audit/audit.service';
import type { VerificationAnchor } from '../../src/audit/audit.queries';
import { verificationReport } from '../../src/audit/verification-report';
import type { ChainProblem } from '../../src/audit/chain-problems';
import type { RegisterMismatch } from '../../src/audit/reconciliation';

const HASH = 'a'.repeat(64);
const anchor: VerificationAnchor = {
  verificationId: '3',
  verifiedAt: new Date('2026-11-29T10:00:00Z'),
  verifiedBy: 'cli:audit:verify',
  mode: 'full',
  headId: '2950000',
  headHash: HASH,
  eventCount: 2_950_000,
  counts: { statusEvents: 400_000, attestations: 90_000 },
};
const head = { id: '2960000', hash: 'b'.repeat(64), occurredAt: new Date('2026-11-30T09:00:00Z') };

describe('what audit:verify prints', () => {
  const signedAt = new Date('2026-11-29T10:00:00Z');
  const signatureCases: { latest: boolean; remembered: boolean; says: string }[] = [
    {
      latest: true,
      remembered: false,
      says: 'the checkpoint signed at 2026-11-29T10:00:00.000Z (the latest, up to this event)',
    },
    {
      latest: false,
      remembered: false,
      says: 'the checkpoint signed at 2026-11-29T10:00:00.000Z (of 1,000 events, not the latest, up to this event)',
    },
    {
      latest: true,
      remembered: true,
      says: 'the checkpoint the signer last signed (signed at 2026-11-29T10:00:00.000Z; not in the database) (the latest, up to this event)',
    },
  ];
  for (const c of signatureCases)
    it(`names which checkpoint is not signed (latest: ${c.latest}, remembered: ${c.remembered})`, () => {
      const result: ChainVerification = {
        mode: 'full',
        checked: 1200,
        broken: {
          id: '1000',
          problem: 'checkpoint_signature',
          checkpoint: { treeSize: 1000, signedAt, latest: c.latest, remembered: c.remembered },
        },
      };
      assert.deepEqual(verificationReport(result, 'full', 1), [
        `Audit log BROKEN at event 1000 (${c.says} is not signed by the log key, or its record was changed); 1,200 events checked.`,
      ]);
    });

  it('says which checkpoint the signer remembers when the database no longer holds it', () => {
    const result: ChainVerification = {
      mode: 'full',
      checked: 1200,
      broken: {
        id: '1000',
        problem: 'checkpoint_missing',
        checkpoint: { treeSize: 1000, signedAt, latest: true, remembered: true },
      },
    };
    assert.deepEqual(verificationReport(result, 'full', 1), [
      'Audit log BROKEN at event 1000 (the checkpoint the signer last signed — 1,000 events, signed at 2026-11-29T10:00:00.000Z — is not in the database: checkpoints were removed); 1,200 events checked.',
    ]);
  });

  it('for a full run: the count, that it was the whole log, the time and the head', () => {
    const result: ChainVerification = { mode: 'full', checked: 2_950_000, head, eventCount: 2_950_000 };
    assert.deepEqual(verificationReport(result, 'full', 38_712), [
      'Audit log intact: 2,950,000 events checked (the whole log) in 38.7 s.',
      `Head: event 2960000, hash ${'b'.repeat(64)} (2,950,000 events up to it).`,
    ]);
  });

  it('says so when an incremental run had no earlier verification to continue from', () => {
    const result: ChainVerification = { mode: 'full', checked: 0 };
    assert.deepEqual(verificationReport(result, 'incremental', 3), [
      'No earlier verification to continue from: checked the whole log.',
      'Audit log intact: 0 events checked (the whole log) in 0.0 s.',
    ]);
  });

  it('for an incremental run: where it started, whose verification it continued, and plainly what it did not re-check', () => {
    const result: ChainVerification = {
      mode: 'incremental',
      checked: 10_001,
      head,
      eventCount: 2_960_000,
      anchor,
    };
    assert.deepEqual(verificationReport(result, 'incremental', 412), [
      'Audit log intact from event 2950000 on: 10,001 events checked in 0.4 s, continuing from the verification of 2026-11-29T10:00:00.000Z by cli:audit:verify.',
      'Not re-checked: the content of the 2,949,999 events before event 2950000; only the hashes earlier verifications vouched for were compared. audit:verify --full re-checks every event.',
      `Head: event 2960000, hash ${'b'.repeat(64)} (2,960,000 events up to it).`,
    ]);
    const first = verificationReport(
      { ...result, checked: 1, anchor: { ...anchor, eventCount: 2 } },
      'incremental',
      1,
    );
    assert.match(first[0] ?? '', /: 1 event checked/);
    assert.match(first[1] ?? '', /the content of the 1 event before/);
  });

  it('names the broken event and what is wrong with it', () => {
    const broken = (b: ChainVerification['broken'], checked = 5) =>
      verificationReport({ mode: 'incremental', checked, broken: b }, 'incremental', 10);
    assert.deepEqual(broken({ id: '5', problem: 'content_mismatch' }), [
      'Audit log BROKEN at event 5 (its content was changed); 5 events checked; the events after event 5 were not checked.',
    ]);
    assert.deepEqual(broken({ id: '6', problem: 'predecessor_mismatch' }, 1), [
      'Audit log BROKEN at event 6 (its predecessor was changed or removed); 1 event checked; the events after event 6 were not checked.',
    ]);
    // The anchor event's content changed: still "its content", not an earlier verification's claim.
    assert.deepEqual(broken({ id: '2950000', problem: 'content_mismatch', anchor }, 1), [
      'Audit log BROKEN at event 2950000 (its content was changed); 1 event checked; the events after event 2950000 were not checked.',
    ]);
    const vouched = ' (vouched for by the verification of 2026-11-29T10:00:00.000Z by cli:audit:verify)';
    assert.deepEqual(broken({ id: '2950000', problem: 'anchor_missing', anchor }, 0), [
      `Audit log BROKEN at event 2950000${vouched} (it is gone: the log was cut short or the event removed); 0 events checked.`,
    ]);
    assert.deepEqual(broken({ id: '2950000', problem: 'anchor_mismatch', anchor }, 0), [
      `Audit log BROKEN at event 2950000${vouched} (it no longer has the hash ${HASH}: the log was rewritten from this event or before); 0 events checked.`,
    ]);
  });

  it('names a break an earlier run recorded, and that only a full run clears it', () => {
    const recorded = {
      verifiedAt: new Date('2026-11-30T10:00:00Z'),
      verifiedBy: 'cli:audit:verify',
      mode: 'full' as const,
      eventId: '50',
      problem: 'anchor_mismatch' as const,
    };
    assert.deepEqual(
      verificationReport(
        { mode: 'incremental', checked: 0, broken: { id: '50', problem: 'anchor_mismatch' }, recorded },
        'incremental',
        3,
      ),
      [
        'Audit log BROKEN at event 50 (it no longer has the hash an earlier verification vouched for: the log was rewritten from this event or before): found by the full verification of 2026-11-30T10:00:00.000Z by cli:audit:verify, and no full verification has found the log intact since.',
        'Nothing was checked now. Run audit:verify --full: only a full run that finds the log intact clears the break.',
      ],
    );
  });
});

describe('what audit:verify prints for a break an earlier run recorded', () => {
  // A recorded break is read back from audit_verifications: only its event and its kind, none of
  // the checkpoint, row or anchor the run that found it had. The words must not invent them.
  const recorded = (problem: ChainProblem) => ({
    verifiedAt: new Date('2026-11-30T10:00:00Z'),
    verifiedBy: 'cli:audit:verify',
    mode: 'incremental' as const,
    eventId: '50',
    problem,
  });
  const cases: { problem: ChainProblem; says: string }[] = [
    {
      problem: 'log_shrank',
      says: 'the log ends here, but the latest checkpoint holds more events: events were removed',
    },
    {
      problem: 'checkpoint_mismatch',
      says: 'the tree of the events up to here is not the one the latest checkpoint vouches for: the log was rewritten up to here',
    },
    {
      problem: 'checkpoint_signature',
      says: 'the latest checkpoint (the latest, up to this event) is not signed by the log key, or its record was changed',
    },
    {
      problem: 'checkpoint_missing',
      says: 'the checkpoint the signer last signed is not in the database: checkpoints were removed',
    },
    {
      problem: 'leaf_mismatch',
      says: 'its leaf in the transparency log is not the one its content makes: the event or the Merkle tree was changed',
    },
    {
      problem: 'status_event_missing',
      says: 'it records status event (which one: run audit:verify --full), and status_events no longer holds it: the status change was removed',
    },
    {
      problem: 'status_event_unlogged',
      says: 'status_events holds status event (which one: run audit:verify --full), and no status.* event in the log up to here records it: the status change was added behind the log',
    },
    {
      problem: 'status_event_altered',
      says: 'status_events row (which one: run audit:verify --full) disagrees with this event (kind, provider, times or details): the status change was altered behind the log',
    },
    {
      problem: 'attestation_missing',
      says: 'it records the issue of attestation (which one: run audit:verify --full), and attestations no longer holds it: the attestation was removed',
    },
    {
      problem: 'attestation_unlogged',
      says: 'attestations holds attestation (which one: run audit:verify --full), and no attestation.issued event in the log up to here records it: the attestation was added behind the log',
    },
    {
      problem: 'attestation_altered',
      says: 'attestation (which one: run audit:verify --full) disagrees with this event (number, provider, PDF hash, validity or issue time): the attestation was altered behind the log',
    },
  ];
  for (const c of cases)
    it(`${c.problem}: says what is wrong without a count, row or time it does not know`, () => {
      const [first] = verificationReport(
        {
          mode: 'incremental',
          checked: 0,
          broken: { id: '50', problem: c.problem },
          recorded: recorded(c.problem),
        },
        'incremental',
        3,
      );
      assert.equal(
        first,
        `Audit log BROKEN at event 50 (${c.says}): found by the incremental verification of 2026-11-30T10:00:00.000Z by cli:audit:verify, and no full verification has found the log intact since.`,
      );
      assert.doesNotMatch(first ?? '', / 0 events|\?|undefined/);
    });
});

describe('what audit:verify prints for a register break', () => {
  const cases: { row: string | null; count: number; says: string }[] = [
    { row: '12', count: 1, says: 'attestation 12 disagrees' },
    { row: '12', count: 2, says: 'attestation 12 disagrees' },
    { row: '12', count: 1201, says: 'attestation 12 disagrees' },
    // Only the count tells: no row to name.
    { row: null, count: 3, says: 'attestation (which one: run audit:verify --full) disagrees' },
  ];
  const tails: Record<number, string> = {
    1: '',
    2: '; 1 more disagreement in that table',
    3: '; 2 more disagreements in that table',
    1201: '; 1,200 more disagreements in that table',
  };
  for (const c of cases)
    it(`names the row (${c.row ?? 'none'}) and how many more rows disagree (${c.count - 1})`, () => {
      const register: RegisterMismatch = {
        problem: 'attestation_altered',
        eventId: '70',
        row: c.row,
        count: c.count,
      };
      assert.deepEqual(
        verificationReport(
          { mode: 'full', checked: 80, broken: { id: '70', problem: 'attestation_altered', register } },
          'full',
          1,
        ),
        [
          `Audit log BROKEN at event 70 (${c.says} with this event (number, provider, PDF hash, validity or issue time): the attestation was altered behind the log${tails[c.count]}); 80 events checked.`,
        ],
      );
    });
});
