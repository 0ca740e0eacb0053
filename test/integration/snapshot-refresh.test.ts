import assert from 'node:assert/strict';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { refreshDueSnapshotsInBackground, startSnapshotRefresh } from '../../src/jobs/snapshot-refresh';
import { WORDS_PER_QUERY_WORD } from '../../src/register/search.queries';
import { SEARCH_CACHE_ENTRIES, searchProviders } from '../../src/register/search.service';
import { FixedClock } from '../../src/shared/clock';
import { createLogger } from '../../src/shared/logger';
import { publishCodeOfConductVersion, withdrawCodeVersion } from '../../src/status/code-of-conduct.service';
import type { CodeOfConductVersion } from '../../src/status/code-of-conduct-version.entity';
import { lockSnapshotRefresh } from '../../src/status/status-snapshot.queries';
import {
  catchUpAllSnapshots,
  catchUpFewSnapshots,
  READ_REFRESH_LIMIT,
} from '../../src/status/status-snapshot.service';
import {
  givenApproval,
  givenCodeVersion,
  givenProvider,
  givenStatusEvent,
} from '../factories/provider.factory';
import { apiClient, bodyOf } from '../helpers/api';
import { useTestApp } from '../helpers/app';
import type { Provider } from '../../src/provider/provider.entity';
import { createRegisterDataSource } from '../../src/entities';

const APPROVED = new Date('2026-01-10T10:00:00Z');
const EXPIRY = new Date('2027-01-10T10:00:00Z');

interface Snapshot {
  status: string;
  next_change_at: Date | null;
}

async function snapshotOf(ds: DataSource, provider: Provider): Promise<Snapshot | undefined> {
  const [row] = await ds.query<Snapshot[]>(
    'SELECT status, next_change_at FROM provider_status WHERE provider_id = $1',
    [provider.id],
  );
  return row;
}

const dueCount = async (ds: DataSource, now: Date) =>
  (
    await ds.query<{ n: number }[]>(
      'SELECT count(*)::int AS n FROM provider_status WHERE next_change_at <= $1',
      [now],
    )
  )[0]?.n;

describe('status snapshots: due ones refreshed in the background, reads never for the whole register', () => {
  const clock = new FixedClock('2026-06-01T10:00:00Z');
  const context = useTestApp({ clock });
  let v1: CodeOfConductVersion;
  let listed: Provider[];
  let others: Provider[];

  before(async () => {
    const ds = context.db.dataSource;
    v1 = await givenCodeVersion(ds, { label: '1.0', publishedAt: new Date('2024-01-01T00:00:00Z') });
    listed = [];
    others = [];
    // More than a read refreshes itself: 3 listed, the rest never listed.
    for (let i = 0; i < READ_REFRESH_LIMIT + 5; i++) {
      const provider = await givenProvider(ds, { legalName: `Kuddewolk ${String(i).padStart(3, '0')} B.V.` });
      if (i < 3) {
        await givenApproval(ds, provider, v1, APPROVED, APPROVED);
        listed.push(provider);
      } else others.push(provider);
    }
    // The snapshots as they are at the clock's instant.
    await refreshDueSnapshotsInBackground(ds, clock);
  });

  it('a new version makes due only the snapshots of providers on the version it lapses, from its lapse', async () => {
    const ds = context.db.dataSource;
    const lapse = new Date('2026-12-01T00:00:00Z');
    const before = await snapshotOf(ds, listed[0]!);
    assert.equal(
      before?.next_change_at?.getTime(),
      EXPIRY.getTime(),
      'before: due at the end of the listing',
    );
    const never = await snapshotOf(ds, others[0]!);
    const v2 = await ds.transaction((m) =>
      publishCodeOfConductVersion(
        m,
        {
          label: '2.0',
          title: 'Twee',
          publishedAt: new Date('2026-07-01T00:00:00Z'),
          transitionEndsAt: lapse,
        },
        'test',
        clock.now(),
      ),
    );
    for (const provider of listed)
      assert.equal((await snapshotOf(ds, provider))?.next_change_at?.getTime(), lapse.getTime());
    assert.deepEqual(await snapshotOf(ds, others[0]!), never, 'a provider never listed is not touched');
    assert.equal(await dueCount(ds, clock.now()), 0, 'nothing is due now: the lapse is to come');

    // Withdrawn before its publication: the lapse it brought is gone again, for the same providers.
    await ds.transaction((m) =>
      withdrawCodeVersion(
        m,
        { id: v2.id, actor: 'test', accountUrl: 'http://register.test/account' },
        clock.now(),
      ),
    );
    await refreshDueSnapshotsInBackground(ds, new FixedClock(lapse));
    clock.set(new Date('2026-12-02T00:00:00Z'));
    const result = await searchProviders(
      ds,
      { q: 'kuddewolk', sort: 'name', page: 1, pageSize: 3 },
      clock.now(),
    );
    assert.deepEqual(
      result.rows.map((r) => r.status),
      ['verantwoord', 'verantwoord', 'verantwoord'],
      'the withdrawn version lapses nothing',
    );
  });

  it('a read with many due snapshots shows its rows at now by the rules, without writing, keeps every row the filter found and says the statuses are behind', async () => {
    const ds = context.db.dataSource;
    clock.set(new Date('2027-02-01T00:00:00Z'));
    // As a code version did before: every snapshot due at once.
    await ds.query(`UPDATE provider_status SET next_change_at = '-infinity'`);
    assert.equal(await catchUpFewSnapshots(ds, clock.now()), false, 'too many for a read');

    const result = await searchProviders(ds, { q: 'kuddewolk', sort: 'name', page: 1 }, clock.now());
    assert.equal(result.total, READ_REFRESH_LIMIT + 5);
    assert.deepEqual(
      result.rows.slice(0, 3).map((r) => [r.status, r.validUntil?.getTime()]),
      listed.map(() => ['expired', EXPIRY.getTime()]),
    );
    assert.equal((await snapshotOf(ds, listed[0]!))?.status, 'verantwoord', 'the stored snapshot waits');
    assert.equal(result.behind, true, 'the result says the stored statuses are behind');
    // The stored status says verantwoord, the rules say expired: the filter (and the count) follow
    // the stored status until the refresh is done, but each row shows its status at now; a row is
    // never left out, so a count never stands above an empty page.
    const filtered = await searchProviders(
      ds,
      { q: 'kuddewolk', status: 'verantwoord', sort: 'name', page: 1 },
      clock.now(),
    );
    assert.equal(filtered.total, 3);
    assert.deepEqual(
      filtered.rows.map((r) => [r.kvkNumber, r.status]),
      listed.map((p) => [p.kvkNumber, 'expired']),
    );
    assert.equal(filtered.behind, true);
    // The web page: the rows with their status now, and a notice that the statuses are being updated.
    const page = await request(context.app).get('/hostingproviders?status=verantwoord').expect(200);
    assert.match(page.text, /data-total="3"/);
    assert.equal((page.text.match(/data-kvk=/g) ?? []).length, 3, 'the three rows the count counts');
    assert.equal((page.text.match(/data-status="expired"/g) ?? []).length, 3);
    assert.match(page.text, /data-statuses-behind[^>]*>De statussen worden op dit moment bijgewerkt/);
    const english = await request(context.app)
      .get('/hostingproviders?status=verantwoord&lang=en')
      .expect(200);
    assert.match(english.text, /Statuses are being brought up to date right now/);
    // The API: the same rows, each with its status now.
    const api = bodyOf<{
      hostingproviders: { kvkNummer: string; status: { code: string } }[];
      paginering: { totaal: number };
    }>(await apiClient(context.app).get('/api/v1/hostingproviders?status=verantwoord'));
    assert.equal(api.paginering.totaal, 3);
    assert.deepEqual(
      api.hostingproviders.map((h) => h.status.code),
      ['expired', 'expired', 'expired'],
    );
    // Other searches the same: a KvK number.
    const one = await searchProviders(ds, { q: listed[1]!.kvkNumber, sort: 'name', page: 1 }, clock.now());
    assert.equal(one.rows[0]?.status, 'expired');
  });

  it('the background refresh does them in batches, once across instances', async () => {
    const ds = context.db.dataSource;
    // Another instance holds the lock: this one leaves the work to it.
    const runner = ds.createQueryRunner();
    await runner.startTransaction();
    try {
      assert.equal(await lockSnapshotRefresh(runner.manager, false), true);
      assert.deepEqual(await refreshDueSnapshotsInBackground(ds, clock), { ran: false, refreshed: 0 });
      assert.equal(await catchUpFewSnapshots(ds, clock.now(), 1000), false, 'a read does not wait either');
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
    const { ran, refreshed } = await refreshDueSnapshotsInBackground(ds, clock, 20);
    assert.equal(ran, true);
    assert.equal(refreshed, READ_REFRESH_LIMIT + 5 + 0, 'every due snapshot, 20 at a time');
    assert.equal(await dueCount(ds, clock.now()), 0);
    assert.equal((await snapshotOf(ds, listed[0]!))?.status, 'expired');
    const filtered = await searchProviders(
      ds,
      { q: 'kuddewolk', status: 'expired', sort: 'name', page: 1 },
      clock.now(),
    );
    assert.deepEqual(
      filtered.rows.map((r) => r.kvkNumber),
      listed.map((p) => p.kvkNumber),
    );
  });

  it('a read refreshes a few due snapshots itself, shared by concurrent reads', async () => {
    const ds = context.db.dataSource;
    const [first, second] = others;
    await givenApproval(ds, first!, v1, clock.now(), clock.now());
    await givenApproval(ds, second!, v1, new Date(clock.now().getTime() + 1000), clock.now());
    assert.equal((await snapshotOf(ds, second!))?.status, 'not_listed');
    clock.set(new Date(clock.now().getTime() + 2000));
    const [a, b] = await Promise.all([
      catchUpFewSnapshots(ds, clock.now()),
      catchUpFewSnapshots(ds, clock.now()),
    ]);
    assert.deepEqual([a, b], [true, true]);
    assert.equal((await snapshotOf(ds, second!))?.status, 'verantwoord', 'written');
    assert.equal(await catchUpFewSnapshots(ds, clock.now()), true, 'nothing due');
  });

  it('the open data brings every due snapshot up to date first, shared by concurrent downloads', async () => {
    const ds = context.db.dataSource;
    await ds.query(`UPDATE provider_status SET next_change_at = '-infinity'`);
    await Promise.all([catchUpAllSnapshots(ds, clock.now(), 10), catchUpAllSnapshots(ds, clock.now(), 10)]);
    assert.equal(await dueCount(ds, clock.now()), 0);
    await catchUpAllSnapshots(ds, clock.now());
  });

  it('the scheduler refreshes them every interval, logs what it did and what failed, and stops', async () => {
    const ds = context.db.dataSource;
    assert.equal(await startSnapshotRefresh(ds, 0, createLogger('silent'), clock)(), undefined);
    await ds.query(`UPDATE provider_status SET next_change_at = '-infinity'`);
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
    const stop = startSnapshotRefresh(ds, 1, logger, clock);
    for (let waited = 0; waited < 50 && !lines.length; waited++) await new Promise((r) => setTimeout(r, 100));
    await stop();
    assert.match(lines.join(''), /"refreshed":\d+.*snapshots refreshed/);
    assert.equal(await dueCount(ds, clock.now()), 0);

    const broken = { transaction: () => Promise.reject(new Error('database gone')) } as unknown as DataSource;
    lines.length = 0;
    const stopBroken = startSnapshotRefresh(broken, 1, logger, clock);
    for (let waited = 0; waited < 50 && !lines.length; waited++) await new Promise((r) => setTimeout(r, 100));
    await stopBroken();
    assert.match(lines.join(''), /snapshot refresh failed/);
  });
});

describe('name search: the best few dictionary words, one computation per query, the first page kept briefly', () => {
  const clock = new FixedClock('2026-06-01T10:00:00Z');
  const context = useTestApp({ clock });
  let exact: Provider;
  let typo: Provider;

  before(async () => {
    const ds = context.db.dataSource;
    exact = await givenProvider(ds, { legalName: 'Herdwerk B.V.' });
    // More words that begin with the query word than a query word may match.
    for (let i = 0; i < WORDS_PER_QUERY_WORD + 3; i++)
      await givenProvider(ds, { legalName: `Herdwerk${String.fromCharCode(97 + i)}x Hosting B.V.` });
    typo = await givenProvider(ds, { legalName: 'Hardwerk Hosting B.V.' });
  });

  it('keeps the best matches first: the exact word, then beginnings; a typo falls off when better words fill the limit', async () => {
    const ds = context.db.dataSource;
    const result = await searchProviders(ds, { q: 'herdwerk', sort: 'relevance', page: 1 }, clock.now());
    assert.equal(result.rows[0]?.kvkNumber, exact.kvkNumber);
    assert.equal(result.total, WORDS_PER_QUERY_WORD, 'one provider per word, as many words as allowed');
    assert.ok(result.rows.slice(1).every((r) => /^Herdwerk[a-z]x Hosting/.test(r.legalName)));
    assert.ok(!result.rows.some((r) => r.kvkNumber === typo.kvkNumber));
    // Alone, the typo is found as before.
    const alone = await searchProviders(ds, { q: 'hardwerc', sort: 'relevance', page: 1 }, clock.now());
    assert.equal(alone.rows[0]?.kvkNumber, typo.kvkNumber);
    // A filter and an order by status rank the same matches.
    const byStatus = await searchProviders(
      ds,
      { q: 'herdwerk', status: 'not_listed', sort: 'status', page: 1, pageSize: 5 },
      clock.now(),
    );
    assert.equal(byStatus.total, WORDS_PER_QUERY_WORD);
    assert.equal(byStatus.rows.length, 5);
    // Past the last page: counted apart, the last page shown.
    const past = await searchProviders(
      ds,
      { q: 'herdwerk', sort: 'name', page: 9, pageSize: 5, status: 'not_listed' },
      clock.now(),
    );
    assert.equal(past.page, Math.ceil(WORDS_PER_QUERY_WORD / 5));
  });

  it('shares concurrent identical searches and keeps the first page for the time set, by the clock', async () => {
    const ds = context.db.dataSource;
    const query = { q: 'Herdwerk BV', sort: 'relevance' as const, page: 1, cacheSeconds: 5 };
    const [a, b] = await Promise.all([
      searchProviders(ds, query, clock.now()),
      searchProviders(ds, { ...query, q: 'herdwerk' }, clock.now()),
    ]);
    assert.equal(a.rows, b.rows, 'one computation');
    assert.deepEqual(
      a.reading,
      { kind: 'name', words: ['herdwerk'], ignored: ['bv'] },
      'each its own reading',
    );
    assert.deepEqual(b.reading, { kind: 'name', words: ['herdwerk'], ignored: [] });

    await givenStatusEvent(ds, {
      providerId: exact.id,
      kind: 'application_submitted',
      effectiveAt: clock.now(),
    });
    clock.set(new Date(clock.now().getTime() + 4000));
    const kept = await searchProviders(ds, query, clock.now());
    assert.equal(kept.rows, a.rows, 'kept');
    assert.equal(kept.rows[0]?.status, 'not_listed');
    clock.set(new Date(clock.now().getTime() + 1000));
    const fresh = await searchProviders(ds, query, clock.now());
    assert.notEqual(fresh.rows, a.rows);
    assert.equal(fresh.rows[0]?.status, 'application_pending', 'after the time set, the change shows');

    // A clock set back finds no page kept for its instant.
    clock.set(new Date(clock.now().getTime() - 10_000));
    assert.notEqual((await searchProviders(ds, query, clock.now())).rows, fresh.rows);
    clock.set(new Date(clock.now().getTime() + 10_000));

    // Other pages and searches without the setting are computed each time.
    const second = { ...query, page: 2, pageSize: 5 };
    const p2 = await searchProviders(ds, second, clock.now());
    assert.notEqual((await searchProviders(ds, second, clock.now())).rows, p2.rows);
    const plain = { ...query, sort: 'name' as const, cacheSeconds: undefined };
    const p1 = await searchProviders(ds, plain, clock.now());
    assert.notEqual((await searchProviders(ds, plain, clock.now())).rows, p1.rows);
  });

  it('keeps at most SEARCH_CACHE_ENTRIES first pages, the oldest going first', async () => {
    const ds = context.db.dataSource;
    const query = (pageSize: number) => ({
      q: 'herdwerk',
      sort: 'kvk' as const,
      page: 1,
      pageSize,
      cacheSeconds: 60,
    });
    const oldest = await searchProviders(ds, query(1), clock.now());
    assert.equal((await searchProviders(ds, query(1), clock.now())).rows, oldest.rows, 'kept');
    for (let size = 2; size <= SEARCH_CACHE_ENTRIES + 1; size++)
      await searchProviders(ds, query(size), clock.now());
    assert.notEqual((await searchProviders(ds, query(1), clock.now())).rows, oldest.rows, 'gone');
  });

  it('does not keep a search that failed', async () => {
    const closed = createRegisterDataSource({ url: context.db.url, poolSize: 1 });
    await closed.initialize();
    await closed.destroy();
    const query = { q: 'herdwerk', sort: 'name' as const, page: 1, cacheSeconds: 5 };
    await assert.rejects(searchProviders(closed, query, clock.now()));
    await assert.rejects(searchProviders(closed, query, clock.now()), 'tried again, not the failure kept');
  });
});
