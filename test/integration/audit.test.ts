import assert from 'node:assert/strict';
import { AuditEvent } from '../../src/audit/audit-event.entity';
import { createRegisterDataSource } from '../../src/entities';
import {
  appendAuditEvent,
  recordAuditVerification,
  verifyAuditChain,
  verifyAuditChainIncrementally,
} from '../../src/audit/audit.service';
import { chainHash } from '../../src/audit/audit-chain';
import { must } from '../../src/shared/must';
import { Provider } from '../../src/provider/provider.entity';
import { StatusEvent } from '../../src/status/status-event.entity';
import { recordStatusEvent } from '../../src/status/status.service';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { givenProvider, TEST_ACTOR } from '../factories/provider.factory';
import { tamperWithAuditLog } from '../helpers/database';
import { rebuildMerkleTree } from '../helpers/insider';

describe('the audit log', () => {
  // Providers here stay unconfirmed: one audit event each (provider.created), which the counts rely on.
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(() => db.drop());

  it('records every change in the same transaction, each event chained to the one before', async () => {
    const provider = await givenProvider(db.dataSource, {}, { unconfirmed: true });
    await db.dataSource.transaction((m) =>
      recordStatusEvent(
        m,
        {
          providerId: provider.id,
          kind: 'application_submitted',
          effectiveAt: new Date(),
          actor: TEST_ACTOR,
        },
        new Date(),
      ),
    );
    const events = await db.dataSource.getRepository(AuditEvent).find({ order: { id: 'ASC' } });
    assert.deepEqual(
      events.map((e) => e.action),
      ['provider.created', 'status.application_submitted'],
    );
    const [created, submitted] = events;
    assert.ok(created && submitted);
    assert.equal(submitted.prevHash, created.hash);
    assert.equal(submitted.subjectId, provider.id);
    const verified = await verifyAuditChain(db.dataSource);
    assert.equal(verified.broken, undefined);
    assert.equal(verified.checked, 2);
    // The head is the newest event: its hash stands for the whole log.
    assert.deepEqual(verified.head, {
      id: submitted.id,
      hash: submitted.hash,
      occurredAt: submitted.occurredAt,
    });
  });

  it('leaves nothing behind when the change fails after its audit event was written', async () => {
    const provider = await givenProvider(db.dataSource, {}, { unconfirmed: true });
    await assert.rejects(
      db.dataSource.transaction(async (m) => {
        await recordStatusEvent(
          m,
          {
            providerId: provider.id,
            kind: 'application_submitted',
            effectiveAt: new Date(),
            actor: TEST_ACTOR,
          },
          new Date(),
        );
        // A suspension without a reason breaks a database rule: the whole change must roll back.
        await recordStatusEvent(
          m,
          {
            providerId: provider.id,
            kind: 'suspended',
            effectiveAt: new Date(),
            actor: TEST_ACTOR,
          },
          new Date(),
        );
      }),
      /status_events_reason_required/,
    );
    assert.equal(await db.dataSource.getRepository(StatusEvent).countBy({ providerId: provider.id }), 0);
    assert.equal(await db.dataSource.getRepository(AuditEvent).count(), 1);
  });

  it('refuses to append outside a transaction', async () => {
    await assert.rejects(
      appendAuditEvent(db.dataSource.manager, new Date(), {
        actor: 'x',
        action: 'x',
        subjectType: 'x',
        subjectId: 'x',
      }),
      /inside a transaction/,
    );
  });

  for (const [verb, sql] of [
    ['UPDATE', "UPDATE audit_events SET actor = 'someone else'"],
    ['DELETE', 'DELETE FROM audit_events'],
    // CASCADE: the personal details beside the log refer to it (a plain TRUNCATE stops there already).
    ['TRUNCATE', 'TRUNCATE audit_events CASCADE'],
  ] as const) {
    it(`is refused ${verb} by the database, to the app's role and to the owner`, async () => {
      await givenProvider(db.dataSource, {}, { unconfirmed: true });
      await assert.rejects(db.dataSource.query(sql), /permission denied for table audit_events/);
      await assert.rejects(db.asOwner(sql), /append-only/);
    });
  }

  it('keeps the status history append-only too', async () => {
    const provider = await givenProvider(db.dataSource, {}, { unconfirmed: true });
    await db.dataSource.transaction((m) =>
      recordStatusEvent(
        m,
        {
          providerId: provider.id,
          kind: 'application_submitted',
          effectiveAt: new Date(),
          actor: TEST_ACTOR,
        },
        new Date(),
      ),
    );
    for (const sql of ["UPDATE status_events SET actor = 'x'", 'DELETE FROM status_events']) {
      await assert.rejects(db.dataSource.query(sql), /permission denied for table status_events/);
      await assert.rejects(db.asOwner(sql), /append-only/);
    }
  });

  it('names the first event whose content was changed', async () => {
    for (let i = 0; i < 5; i++) await givenProvider(db.dataSource, {}, { unconfirmed: true });
    const [third] = await db.dataSource
      .getRepository(AuditEvent)
      .find({ order: { id: 'ASC' }, skip: 2, take: 1 });
    assert.ok(third, 'five providers make more than two events');
    await tamperWithAuditLog(
      db.dataSource,
      `UPDATE audit_events SET data = jsonb_set(data, '{legalName}', '"Vervalst B.V."') WHERE id = $1`,
      [third.id],
    );
    const result = await verifyAuditChain(db.dataSource);
    assert.deepEqual(result.broken, { id: third.id, problem: 'content_mismatch' });
    assert.equal(result.checked, 3);
  });

  it('names the event after one that was removed', async () => {
    for (let i = 0; i < 5; i++) await givenProvider(db.dataSource, {}, { unconfirmed: true });
    const events = await db.dataSource.getRepository(AuditEvent).find({ order: { id: 'ASC' } });
    const [, second, third] = events;
    assert.ok(second && third, 'five providers make more than two events');
    await tamperWithAuditLog(db.dataSource, 'DELETE FROM audit_events WHERE id = $1', [second.id]);
    assert.deepEqual((await verifyAuditChain(db.dataSource)).broken, {
      id: third.id,
      problem: 'predecessor_mismatch',
    });
  });

  it('verifies across batches', async () => {
    for (let i = 0; i < 7; i++) await givenProvider(db.dataSource, {}, { unconfirmed: true });
    const verified = await verifyAuditChain(db.dataSource, { batchSize: 3 });
    const [newest] = await db.dataSource.getRepository(AuditEvent).find({ order: { id: 'DESC' }, take: 1 });
    assert.deepEqual([verified.checked, verified.broken, verified.head?.id], [7, undefined, newest?.id]);
  });

  it('stays one unbroken chain when 20 transactions append at once', async () => {
    // A pool of its own, so that all 20 transactions are open at the same moment.
    const wide = createRegisterDataSource({ url: db.url, poolSize: 20 });
    await wide.initialize();
    let open = 0;
    let mostOpen = 0;
    // A barrier: no transaction appends before all 20 have begun.
    let allOpen!: () => void;
    const barrier = new Promise<void>((resolve) => (allOpen = resolve));
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        wide.transaction(async (m) => {
          await m.query('SELECT 1');
          mostOpen = Math.max(mostOpen, ++open);
          if (open === 20) allOpen();
          await barrier;
          const provider = await m.save(
            m.create(Provider, {
              kvkNumber: String(30000000 + i),
              legalName: `Gelijktijdig ${i}`,
              streetAddress: 'x 1',
              postcode: '1234 AB',
              city: 'X',
              abuseEmail: 'a@b.example',
            }),
          );
          await appendAuditEvent(m, new Date(), {
            actor: TEST_ACTOR,
            action: 'provider.created',
            subjectType: 'provider',
            subjectId: provider.id,
          });
          await appendAuditEvent(m, new Date(), {
            actor: TEST_ACTOR,
            action: 'provider.checked',
            subjectType: 'provider',
            subjectId: provider.id,
          });
          open--;
        }),
      ),
    );
    await wide.destroy();
    assert.equal(mostOpen, 20, 'all transactions were open at once');
    const events = await db.dataSource.getRepository(AuditEvent).find({ order: { id: 'ASC' } });
    assert.equal(events.length, 40);
    assert.equal(new Set(events.map((e) => e.prevHash)).size, 40, 'no two events share a predecessor');
    const verified = await verifyAuditChain(db.dataSource);
    assert.deepEqual([verified.checked, verified.broken], [40, undefined]);
  });
});

describe('verifying the audit log from the last verification on', () => {
  // Unconfirmed providers make one audit event each (provider.created).
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(() => db.drop());

  const eventIds = async () =>
    (await db.dataSource.query<{ id: string }[]>('SELECT id::text AS id FROM audit_events ORDER BY id')).map(
      (r) => r.id,
    );
  const givenEvents = async (count: number) => {
    for (let i = 0; i < count; i++) await givenProvider(db.dataSource, {}, { unconfirmed: true });
    return eventIds();
  };
  /** Verifies the whole log and records it, as `audit:verify --full` does: the anchor of the next run. */
  const verifiedInFull = async () => {
    const result = await verifyAuditChain(db.dataSource);
    assert.equal(result.broken, undefined);
    assert.equal(
      await db.dataSource.transaction((m) => recordAuditVerification(m, result, 'test', new Date(), 5)),
      true,
    );
    return must(result.head, 'the log has events').id;
  };
  const nth = (ids: string[], i: number) => must(ids[i], `the log has more than ${i} events`);

  it('without an earlier verification checks the whole log', async () => {
    await givenEvents(3);
    const result = await verifyAuditChainIncrementally(db.dataSource);
    assert.deepEqual(
      [result.mode, result.checked, result.eventCount, result.anchor],
      ['full', 3, 3, undefined],
    );
  });

  it('checks only the events after the last verified one, and records what it vouched for', async () => {
    await givenEvents(5);
    const anchor = await verifiedInFull();
    const ids = await givenEvents(3);
    const result = await verifyAuditChainIncrementally(db.dataSource, { batchSize: 2 });
    assert.equal(result.broken, undefined);
    assert.equal(result.mode, 'incremental');
    assert.equal(result.anchor?.headId, anchor);
    assert.equal(result.anchor?.verifiedBy, 'test');
    // The anchor event is hashed again, then the three after it.
    assert.deepEqual([result.checked, result.eventCount, result.head?.id], [4, 8, ids.at(-1)]);
    await db.dataSource.transaction((m) =>
      recordAuditVerification(m, result, 'cli:audit:verify', new Date('2026-11-30T10:00:00Z'), 7),
    );
    const [row] = await db.dataSource.query<Record<string, unknown>[]>(
      `SELECT verified_by, mode, from_event_id::text AS "from", head_event_id::text AS head, head_hash,
              event_count::int AS "eventCount", checked::int AS checked, milliseconds
         FROM audit_verifications ORDER BY id DESC LIMIT 1`,
    );
    assert.deepEqual(row, {
      verified_by: 'cli:audit:verify',
      mode: 'incremental',
      from: anchor,
      head: ids.at(-1),
      head_hash: result.head?.hash,
      eventCount: 8,
      checked: 4,
      milliseconds: 7,
    });
    // Nothing new: the anchor alone is checked again, and the head stays.
    const idle = await verifyAuditChainIncrementally(db.dataSource);
    assert.deepEqual(
      [idle.broken, idle.checked, idle.eventCount, idle.head?.id],
      [undefined, 1, 8, ids.at(-1)],
    );
  });

  it('finds an event after the anchor that was changed', async () => {
    await givenEvents(4);
    await verifiedInFull();
    const ids = await givenEvents(4);
    await tamperWithAuditLog(db, `UPDATE audit_events SET actor = 'vervalst' WHERE id = $1`, [nth(ids, 5)]);
    assert.deepEqual((await verifyAuditChainIncrementally(db.dataSource)).broken, {
      id: nth(ids, 5),
      problem: 'content_mismatch',
    });
  });

  it('finds the event after one removed after the anchor', async () => {
    await givenEvents(4);
    await verifiedInFull();
    const ids = await givenEvents(4);
    await tamperWithAuditLog(db, 'DELETE FROM audit_events WHERE id = $1', [nth(ids, 5)]);
    assert.deepEqual((await verifyAuditChainIncrementally(db.dataSource)).broken, {
      id: nth(ids, 6),
      problem: 'predecessor_mismatch',
    });
  });

  it('finds the anchor event changed, with its hash left or recomputed', async () => {
    await givenEvents(4);
    const anchor = await verifiedInFull();
    await givenEvents(2);
    await tamperWithAuditLog(db, `UPDATE audit_events SET actor = 'vervalst' WHERE id = $1`, [anchor]);
    const changed = await verifyAuditChainIncrementally(db.dataSource);
    assert.deepEqual(
      [changed.broken?.id, changed.broken?.problem, changed.checked],
      [anchor, 'content_mismatch', 1],
    );
    // The hash recomputed to match the new content: no longer the hash the verification vouched for.
    const [event] = await db.dataSource.getRepository(AuditEvent).findBy({ id: anchor });
    const rehashed = chainHash(must(event, 'the anchor event').prevHash, must(event, 'the anchor event'));
    await tamperWithAuditLog(db, 'UPDATE audit_events SET hash = $2 WHERE id = $1', [anchor, rehashed]);
    const mismatch = await verifyAuditChainIncrementally(db.dataSource);
    assert.deepEqual([mismatch.broken?.id, mismatch.broken?.problem], [anchor, 'anchor_mismatch']);
    assert.equal(mismatch.broken?.anchor?.verifiedBy, 'test');
  });

  it('finds the log cut short: the anchor event gone', async () => {
    const ids = await givenEvents(5);
    const anchor = await verifiedInFull();
    await givenEvents(2);
    await tamperWithAuditLog(db, 'DELETE FROM audit_events WHERE id >= $1', [nth(ids, 3)]);
    const cut = await verifyAuditChainIncrementally(db.dataSource);
    assert.deepEqual([cut.broken?.id, cut.broken?.problem, cut.checked], [anchor, 'anchor_missing', 0]);
    // The full run finds it too: the log is intact in itself, but an earlier verification vouched for more.
    const full = await verifyAuditChain(db.dataSource);
    assert.deepEqual([full.broken?.id, full.broken?.problem], [anchor, 'anchor_missing']);
  });

  it('does not re-check the events before the anchor: the full run finds one changed or removed there', async () => {
    const ids = await givenEvents(6);
    await verifiedInFull();
    await tamperWithAuditLog(db, `UPDATE audit_events SET actor = 'vervalst' WHERE id = $1`, [nth(ids, 1)]);
    await tamperWithAuditLog(db, 'DELETE FROM audit_events WHERE id = $1', [nth(ids, 3)]);
    const incremental = await verifyAuditChainIncrementally(db.dataSource);
    assert.deepEqual(
      [incremental.mode, incremental.broken, incremental.checked],
      ['incremental', undefined, 1],
    );
    assert.deepEqual((await verifyAuditChain(db.dataSource)).broken, {
      id: nth(ids, 1),
      problem: 'content_mismatch',
    });
  });

  it('in a full run finds a chain rewritten and rehashed from an event before a verified one', async () => {
    const ids = await givenEvents(5);
    const anchor = await verifiedInFull();
    // What an insider with the owner role could do: change an event and recompute every hash after it.
    const events = await db.dataSource.getRepository(AuditEvent).find({ order: { id: 'ASC' } });
    let prev = must(events[1], 'a second event').hash;
    for (const event of events.slice(2)) {
      if (event.id === nth(ids, 2)) event.actor = 'vervalst';
      const hash = chainHash(prev, event);
      await tamperWithAuditLog(
        db,
        'UPDATE audit_events SET actor = $2, prev_hash = $3, hash = $4 WHERE id = $1',
        [event.id, event.actor, prev, hash],
      );
      prev = hash;
    }
    // And the transparency log's tree with it: otherwise the changed event's leaf tells at once.
    await rebuildMerkleTree(db);
    const full = await verifyAuditChain(db.dataSource);
    assert.equal(full.checked, 5, 'the chain itself is intact');
    assert.deepEqual([full.broken?.id, full.broken?.problem], [anchor, 'anchor_mismatch']);
  });

  it('records nothing for an empty log', async () => {
    const empty = await verifyAuditChainIncrementally(db.dataSource);
    assert.deepEqual(
      [empty.mode, empty.checked, empty.broken, empty.head],
      ['full', 0, undefined, undefined],
    );
    assert.equal(
      await db.dataSource.transaction((m) => recordAuditVerification(m, empty, 'test', new Date(), 1)),
      false,
    );
    assert.deepEqual(await db.dataSource.query('SELECT id FROM audit_verifications'), []);
  });

  it('remembers a break: later incremental runs fail until a full run finds the log intact again', async () => {
    const ids = await givenEvents(5);
    const anchor = await verifiedInFull();
    const [{ actor }] = await db.dataSource.query<[{ actor: string }]>(
      'SELECT actor FROM audit_events WHERE id = $1',
      [nth(ids, 1)],
    );
    await tamperWithAuditLog(db, `UPDATE audit_events SET actor = 'vervalst' WHERE id = $1`, [nth(ids, 1)]);
    // Before the anchor: the incremental run does not look there.
    assert.equal((await verifyAuditChainIncrementally(db.dataSource)).broken, undefined);
    const broken = await verifyAuditChain(db.dataSource);
    assert.deepEqual(broken.broken, { id: nth(ids, 1), problem: 'content_mismatch' });
    const at = new Date('2026-11-30T11:00:00Z');
    assert.equal(
      await db.dataSource.transaction((m) => recordAuditVerification(m, broken, 'cli:audit:verify', at, 3)),
      true,
    );
    const [row] = await db.dataSource.query<Record<string, unknown>[]>(
      `SELECT mode, broken_event_id::text AS "brokenAt", problem, head_event_id AS head, checked::int AS checked
         FROM audit_verifications ORDER BY id DESC LIMIT 1`,
    );
    assert.deepEqual(row, {
      mode: 'full',
      brokenAt: nth(ids, 1),
      problem: 'content_mismatch',
      head: null,
      checked: 2,
    });

    // The next incremental run answers the recorded break, checks nothing and records nothing more.
    await givenEvents(1);
    const after = await verifyAuditChainIncrementally(db.dataSource);
    assert.deepEqual(
      [after.mode, after.checked, after.broken, after.recorded?.verifiedBy, after.recorded?.verifiedAt],
      ['incremental', 0, { id: nth(ids, 1), problem: 'content_mismatch' }, 'cli:audit:verify', at],
    );
    assert.equal(
      await db.dataSource.transaction((m) => recordAuditVerification(m, after, 'test', new Date(), 1)),
      false,
    );

    // Repaired, a full run finds the log intact again: incremental runs continue from it.
    await tamperWithAuditLog(db, 'UPDATE audit_events SET actor = $2 WHERE id = $1', [nth(ids, 1), actor]);
    const repaired = await verifiedInFull();
    assert.notEqual(repaired, anchor);
    const again = await verifyAuditChainIncrementally(db.dataSource);
    assert.deepEqual([again.broken, again.recorded, again.anchor?.headId], [undefined, undefined, repaired]);
  });

  it('records a break found by an incremental run, with the verification it continued from', async () => {
    await givenEvents(3);
    const anchor = await verifiedInFull();
    const ids = await givenEvents(2);
    await tamperWithAuditLog(db, `UPDATE audit_events SET actor = 'vervalst' WHERE id = $1`, [nth(ids, 4)]);
    const broken = await verifyAuditChainIncrementally(db.dataSource);
    await db.dataSource.transaction((m) => recordAuditVerification(m, broken, 'test', new Date(), 1));
    const [row] = await db.dataSource.query<Record<string, unknown>[]>(
      `SELECT mode, from_event_id::text AS "from", broken_event_id::text AS "brokenAt", problem
         FROM audit_verifications ORDER BY id DESC LIMIT 1`,
    );
    assert.deepEqual(row, {
      mode: 'incremental',
      from: anchor,
      brokenAt: nth(ids, 4),
      problem: 'content_mismatch',
    });
    assert.equal((await verifyAuditChainIncrementally(db.dataSource)).recorded?.mode, 'incremental');
  });

  it('keeps the verifications append-only, to the app and to the owner', async () => {
    await givenEvents(2);
    await verifiedInFull();
    for (const sql of [
      "UPDATE audit_verifications SET verified_by = 'x'",
      'DELETE FROM audit_verifications',
      'TRUNCATE audit_verifications',
    ]) {
      await assert.rejects(db.dataSource.query(sql), /permission denied for table audit_verifications/);
      await assert.rejects(db.asOwner(sql), /append-only/);
    }
  });
});
