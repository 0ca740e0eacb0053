import assert from 'node:assert/strict';
import { AuditEvent } from '../../src/audit/audit-event.entity';
import { createRegisterDataSource } from '../../src/entities';
import { appendAuditEvent, verifyAuditChain } from '../../src/audit/audit.service';
import { Provider } from '../../src/provider/provider.entity';
import { StatusEvent } from '../../src/status/status-event.entity';
import { recordStatusEvent } from '../../src/status/status.service';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { givenProvider, TEST_ACTOR } from '../factories/provider.factory';
import { tamperWithAuditLog } from '../helpers/database';

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
    ['TRUNCATE', 'TRUNCATE audit_events'],
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
    const verified = await verifyAuditChain(db.dataSource, 3);
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
