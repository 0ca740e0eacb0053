import assert from 'node:assert/strict';
import { setStaffDisabled } from '../../src/identity/staff.service';
import { pruneRateLimits, sendReviewerDigest } from '../../src/jobs/daily-jobs';
import { OutboxMail } from '../../src/mail/outbox-mail.entity';
import { addDays } from '../../src/shared/time';
import { givenCodeVersion, givenProvider } from '../factories/provider.factory';
import { givenUser } from '../factories/user.factory';
import { testConfig, useTestApp } from '../helpers/app';
import { createRegisterDataSource } from '../../src/entities';
import { startApplication } from '../../src/application/application.service';

describe('housekeeping that protects people and the database', () => {
  const ctx = useTestApp();

  it('sends the weekly reviewer digest to active reviewers only, never to a disabled account', async () => {
    const ds = ctx.db.dataSource;
    const active = await givenUser(ds, 'reviewer');
    const disabled = await givenUser(ds, 'reviewer');
    const admin = await givenUser(ds, 'admin');
    await setStaffDisabled(ds, admin.user, disabled.user.id, true, new Date());
    const provider = await givenProvider(ds);
    const applicant = await givenUser(ds, 'provider', { providerId: provider.id });
    const version = await givenCodeVersion(ds);
    await ds.query(
      `INSERT INTO applications (provider_id, kind, state, submitted_at, code_of_conduct_version_id, code_signed_on,
                                 signatory_name, signatory_role, aan_since, aan_contact_name, created_by)
       VALUES ($1, 'listing', 'submitted', $2, $3, '2026-01-01', 'A', 'B', '2025-01-01', 'C', $4)`,
      [provider.id, addDays(new Date(), -20), version.id, applicant.user.id],
    );
    await ds.transaction((m) => sendReviewerDigest(m, new Date(), 'http://register.test'));
    const outbox = ds.getRepository(OutboxMail);
    assert.equal(await outbox.countBy({ recipient: active.email }), 1);
    assert.equal(await outbox.countBy({ recipient: disabled.email }), 0, 'no mail to a disabled reviewer');
  });

  it('removes rate-limit counters whose window has passed, and keeps the live ones', async () => {
    const ds = ctx.db.dataSource;
    const now = Date.now();
    await ds.query(
      `INSERT INTO rate_limits (key, points, expire) VALUES ('old:1', 3, $1), ('old:2', 1, $1), ('live', 2, $2)`,
      [now - 60_000, now + 60_000],
    );
    const result = await ds.transaction((m) => pruneRateLimits(m, new Date(now)));
    assert.equal(result.rateLimitsPruned, 2);
    const keys = (await ds.query<{ key: string }[]>('SELECT key FROM rate_limits ORDER BY key')).map(
      (r) => r.key,
    );
    assert.deepEqual(keys, ['live']);
  });

  it('starts an application with every read inside its own transaction (works on a pool of one connection)', async () => {
    // A read through the DataSource inside the transaction would wait for a second connection that
    // a pool of one never has, and time out; it would also read outside the transaction's snapshot.
    const single = createRegisterDataSource({ url: ctx.db.url, poolSize: 1 });
    await single.initialize();
    try {
      const provider = await givenProvider(single);
      const who = await givenUser(single, 'provider', { providerId: provider.id });
      const application = await startApplication(single, who.user, testConfig, new Date());
      assert.equal(application.state, 'draft');
    } finally {
      await single.destroy();
    }
  });
});
