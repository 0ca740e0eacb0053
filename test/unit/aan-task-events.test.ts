import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { canonicalJson } from '../../src/audit/audit-chain';
import { TASK_IDS_PER_EVENT } from '../../src/aan/aan-import.service';

/** A leaf of the transparency log is a tlog-tiles entry: at most 65,535 bytes. */
const ENTRY_LIMIT = 65_535;

describe('AAN task ids in audit events', () => {
  it('a full event of task ids, with the longest actor and subject the register writes, fits one log entry', () => {
    const json = canonicalJson({
      id: String(Number.MAX_SAFE_INTEGER),
      occurredAt: new Date(),
      actor: `administrator:${randomUUID()}`,
      action: 'aan.tasks_kept_closed',
      subjectType: 'aan_import',
      subjectId: randomUUID(),
      data: {
        taskIds: Array.from({ length: TASK_IDS_PER_EVENT }, () => randomUUID()),
        from: 1_000_000,
        of: 2_000_000,
      },
    });
    assert.ok(Buffer.byteLength(json) < ENTRY_LIMIT, `${Buffer.byteLength(json)} bytes`);
  });
});
