import assert from 'node:assert/strict';
import { recordEndings } from '../../src/jobs/daily-jobs';
import { DemoRefusedError, existingDemoLogins, seedDemoData } from '../../src/seed/demo';
import { DEMO_ADMIN, DEMO_REVIEWER } from '../../src/seed/demo-data';
import { FixedClock } from '../../src/shared/clock';
import { previewPublication } from '../../src/status/code-of-conduct.service';
import { StatusEvent } from '../../src/status/status-event.entity';
import { loadHistories } from '../../src/status/status-history';
import { User } from '../../src/identity/user.entity';
import { givenCodeVersion } from '../factories/provider.factory';
import { testConfig, useTestApp } from '../helpers/app';
import { listedProvider } from '../helpers/code-versions';
import { runCli } from '../helpers/processes';

const BASE = testConfig.publicBaseUrl;
/** More providers than PostgreSQL takes parameters in one statement (65,535). */
const CLONES = 70_000;

/*
 * A register with more providers than one statement takes parameters: an id list sent as one
 * parameter per provider fails there ("bind message has N parameter formats but 0 parameters").
 * The providers are copies of one listed provider, made by INSERT … SELECT generate_series.
 */
describe('more providers than PostgreSQL takes parameters', function () {
  this.timeout(300_000);
  const clock = new FixedClock('2026-11-16T10:00:00Z');
  const context = useTestApp({ clock });
  let lateId: string;

  before(async () => {
    const ds = context.db.dataSource;
    // 1.0 lapsed on 1 June 2026, at the end of 2.0's transition.
    const v1 = await givenCodeVersion(ds, { label: '1.0', publishedAt: new Date('2024-01-01T00:00:00Z') });
    await givenCodeVersion(ds, {
      label: '2.0',
      publishedAt: new Date('2025-01-01T00:00:00Z'),
      transitionEndsAt: new Date('2026-05-31T22:00:00Z'),
    });
    const approvedAt = new Date('2026-03-01T10:00:00Z');
    const { provider: template } = await listedProvider(ds, v1, approvedAt, { user: false });
    // The template's lapse recorded, then copied with its history and snapshot to every clone.
    await ds.transaction((m) => recordEndings(m, clock.now(), BASE));
    await context.db.asOwner(
      `INSERT INTO providers (kvk_number, legal_name, street_address, postcode, city, abuse_email)
       SELECT (70000000 + i)::text, 'Kloon ' || i || ' B.V.', 'Kloonstraat 1', '1234 AB', 'Utrecht',
              'abuse@kloon' || i || '.example'
         FROM generate_series(1, $1::int) AS i`,
      [CLONES],
    );
    await context.db.asOwner(
      `INSERT INTO status_events (provider_id, kind, effective_at, recorded_at, actor, reason, valid_until,
                                  code_of_conduct_version_id, code_signed_on, aan_since, suspended_until)
       SELECT p.id, e.kind, e.effective_at, e.recorded_at, e.actor, e.reason, e.valid_until,
              e.code_of_conduct_version_id, e.code_signed_on, e.aan_since, e.suspended_until
         FROM providers p CROSS JOIN status_events e
        WHERE p.kvk_number LIKE '7%' AND e.provider_id = $1
        ORDER BY p.kvk_number, e.id`,
      [template.id],
    );
    await context.db.asOwner(
      `INSERT INTO provider_status (provider_id, status, since, valid_until, computed_at, next_change_at,
                                    identity_confirmed, name_key, kvk_number)
       SELECT p.id, s.status, s.since, s.valid_until, s.computed_at, s.next_change_at, s.identity_confirmed,
              lower(p.legal_name), p.kvk_number
         FROM providers p CROSS JOIN provider_status s
        WHERE p.kvk_number LIKE '7%' AND s.provider_id = $1`,
      [template.id],
    );
    // One provider whose lapse is not recorded yet.
    lateId = (await listedProvider(ds, v1, approvedAt, { user: false })).provider.id;
  });

  it('reads the status histories of all of them', async () => {
    const ids = (
      await context.db.dataSource.query<{ id: string }[]>('SELECT id FROM providers ORDER BY kvk_number')
    ).map((r) => r.id);
    assert.ok(ids.length > 65_535);
    const histories = await loadHistories(context.db.dataSource.manager, ids);
    assert.equal(histories.size, ids.length);
    for (const id of ids) {
      const kinds = histories.get(id)!.map((e) => e.kind);
      assert.equal(kinds[0], 'listing_approved', `the history of ${id} starts with its approval`);
    }
  });

  it('previews a new code version over every provider with a listing in force', async () => {
    const preview = await context.db.dataSource.transaction('REPEATABLE READ', (m) =>
      previewPublication(
        m,
        {
          versionLabel: '3.0',
          versionTitle: 'Gedragscode 3.0',
          publishedOn: '2026-11-16',
          transitionEndsOn: '2027-06-01',
        },
        clock.now(),
      ),
    );
    // Every clone, the template and the late one: each listed on 1.0, an older version than 3.0.
    assert.equal(preview.affected.length, CLONES + 2);
    assert.ok(preview.affected.every((a) => a.versionLabel === '1.0'));
  });

  it('records the daily lapses when more providers than that have ended, once', async () => {
    const ds = context.db.dataSource;
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const counts = await ds.transaction((m) => recordEndings(m, clock.now(), BASE));
      assert.deepEqual(counts, { expired: 0, lapsed: 1 });
      const again = await ds.transaction((m) => recordEndings(m, clock.now(), BASE));
      assert.deepEqual(again, { expired: 0, lapsed: 0 });
    } finally {
      process.off('warning', onWarning);
    }
    assert.deepEqual(
      warnings.map((w) => w.message).filter((m) => /already executing a query/.test(m)),
      [],
    );
    const lapses = await ds
      .getRepository(StatusEvent)
      .findBy({ providerId: lateId, kind: 'code_of_conduct_lapsed' });
    assert.equal(lapses.length, 1);
    assert.equal(lapses[0]!.effectiveAt.toISOString(), '2026-05-31T22:00:00.000Z');
  });

  it('refuses to load the demo on this register, before writing anything, and lists no demo logins', async () => {
    const ds = context.db.dataSource;
    const users = await ds.getRepository(User).count();
    await assert.rejects(
      seedDemoData(ds, { now: clock.now(), config: testConfig }),
      (error: unknown) =>
        error instanceof DemoRefusedError &&
        error.others === CLONES + 2 &&
        /empty register/.test(error.message),
    );
    assert.equal(await ds.getRepository(User).count(), users, 'no demo staff hired');
    assert.deepEqual(await existingDemoLogins(ds), []);
  });

  it('seed:demo says why it refuses, in one line, exit 2', () => {
    const result = runCli(['seed:demo'], {
      DATABASE_URL: context.db.url,
      MIGRATION_DATABASE_URL: context.db.ownerUrl,
    });
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr.trim(), /^Not loading the demo: this register already holds 70,002 providers/);
  });
});

describe('the demo logins in the start log', () => {
  const context = useTestApp();

  it('are only those whose accounts exist and are not disabled', async () => {
    const ds = context.db.dataSource;
    assert.deepEqual(await existingDemoLogins(ds), []);
    await ds.query(
      `INSERT INTO users (email, name, role, password_hash) VALUES ($1, 'Bea', 'reviewer', 'x'), ($2, 'Bea 2', 'reviewer', 'x')`,
      [DEMO_REVIEWER, DEMO_ADMIN],
    );
    await ds.query('UPDATE users SET disabled_at = now() WHERE email = $1', [DEMO_ADMIN]);
    assert.deepEqual(await existingDemoLogins(ds), [`${DEMO_REVIEWER} (reviewer)`]);
  });
});
