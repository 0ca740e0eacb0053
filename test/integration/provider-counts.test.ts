import assert from 'node:assert/strict';
import { Client } from 'pg';
import request from 'supertest';
import { createApp } from '../../src/app';
import { createLogger } from '../../src/shared/logger';
import { createLifecycle } from '../../src/shared/lifecycle';
import { systemClock } from '../../src/shared/clock';
import { addMonths } from '../../src/shared/time';
import { countedProviders, registerPage } from '../../src/register/search.queries';
import { EXACT_COUNT_LIMIT, SEARCH_PAGE_SIZE, searchProviders } from '../../src/register/search.service';
import { refreshDueSnapshots } from '../../src/status/status-snapshot.service';
import {
  givenApproval,
  givenCodeVersion,
  givenProvider,
  givenStatusEvent,
  TEST_ACTOR,
} from '../factories/provider.factory';
import { confirmIdentity } from '../../src/register/provider.service';
import { apiClient, bodyOf } from '../helpers/api';
import { testConfig } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { must } from '../../src/shared/must';

type Counts = Record<string, number>;
interface ApiList {
  hostingproviders: { kvkNummer: string }[];
  paginering: {
    pagina: number;
    paginaGrootte: number;
    aantalPaginas: number;
    totaal: number;
    meerDanTotaal?: boolean;
  };
}
const PAGE = SEARCH_PAGE_SIZE;

/**
 * `count` confirmed providers not listed, in one statement each for the providers and their
 * snapshots: KvK numbers `prefix` + six digits, names `name` + a number.
 */
async function givenConfirmedProviders(
  ds: TestDatabase['dataSource'],
  prefix: string,
  name: string,
  count: number,
): Promise<void> {
  await ds.query(
    `INSERT INTO providers (kvk_number, legal_name, street_address, postcode, city, abuse_email,
                            identity_confirmed_at, identity_confirmed_by)
     SELECT $1 || lpad(i::text, 6, '0'), $2 || ' ' || i, 'Straat 1', '1234 AB', 'Stad', 'abuse@bulk.example', now(), 'test'
       FROM generate_series(1, $3) AS i`,
    [prefix, name, count],
  );
  await ds.query(
    `INSERT INTO provider_status (provider_id, status, computed_at, next_change_at)
     SELECT id, 'not_listed', now(), NULL FROM providers WHERE kvk_number LIKE $1 || '%'`,
    [prefix],
  );
}

describe('the kept counts of the register', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(() => db.drop());

  /** Counts per status and public or not: kept, and counted over the snapshot and the providers. */
  async function counts(): Promise<{ kept: Counts; real: Counts }> {
    const kept: { key: string; n: number }[] = await db.dataSource.query(
      `SELECT status || '/' || identity_confirmed AS key, sum(n)::int AS n FROM provider_status_counts
        GROUP BY 1 HAVING sum(n) <> 0`,
    );
    const real: { key: string; n: number }[] = await db.dataSource.query(
      `SELECT s.status || '/' || (p.identity_confirmed_at IS NOT NULL) AS key, count(*)::int AS n
         FROM provider_status s JOIN providers p ON p.id = s.provider_id GROUP BY 1`,
    );
    const asObject = (rows: { key: string; n: number }[]): Counts =>
      Object.fromEntries(
        rows.map((r): [string, number] => [r.key, r.n]).sort(([x], [y]) => x.localeCompare(y)),
      );
    return { kept: asObject(kept), real: asObject(real) };
  }
  async function assertCounted(step: string) {
    const { kept, real } = await counts();
    assert.deepEqual(kept, real, `after ${step}`);
  }

  it('equal a real count after every kind of status change and confirmation', async () => {
    const ds = db.dataSource;
    await assertCounted('the migrations');
    const version = await givenCodeVersion(ds, { publishedAt: addMonths(new Date(), -24) });
    const unconfirmed = await givenProvider(ds, {}, { unconfirmed: true });
    await assertCounted('a registration');
    const providers = await Promise.all([1, 2, 3, 4, 5].map(() => givenProvider(ds)));
    await assertCounted('confirmed registrations');
    const [a, b, c, d, e] = providers.map((p) => p);
    assert.ok(a && b && c && d && e);
    const now = new Date();
    for (const p of [a, b, c, d]) await givenApproval(ds, p, version, addMonths(now, -1));
    await assertCounted('approvals');
    await givenStatusEvent(ds, { providerId: b.id, kind: 'suspended', effectiveAt: now, reason: 'test' });
    await assertCounted('a suspension');
    await givenStatusEvent(ds, { providerId: b.id, kind: 'suspension_lifted', effectiveAt: now });
    await assertCounted('a suspension lifted');
    await givenStatusEvent(ds, { providerId: c.id, kind: 'revoked', effectiveAt: now, reason: 'test' });
    await assertCounted('a revocation');
    await givenStatusEvent(ds, { providerId: d.id, kind: 'aan_participation_ended', effectiveAt: now });
    await assertCounted('an AAN participation ended');
    await givenStatusEvent(ds, { providerId: e.id, kind: 'application_submitted', effectiveAt: now });
    await assertCounted('an application');
    await givenStatusEvent(ds, {
      providerId: e.id,
      kind: 'application_rejected',
      effectiveAt: now,
      reason: 'test',
    });
    await assertCounted('a rejection');
    // An approval that ran out a month ago: due, and expired when refreshed.
    await givenApproval(ds, e, version, addMonths(now, -13));
    await ds.query(`UPDATE provider_status SET next_change_at = '-infinity' WHERE provider_id = $1`, [e.id]);
    await refreshDueSnapshots(ds.manager, now);
    await assertCounted('an expiry');
    // A new version makes every snapshot due; refreshing moves the approved to outdated later on.
    await givenCodeVersion(ds, { publishedAt: addMonths(now, -3), transitionEndsAt: addMonths(now, -2) });
    await ds.query(`UPDATE provider_status SET next_change_at = '-infinity'`);
    await refreshDueSnapshots(ds.manager, now);
    await assertCounted('a new code version');
    await ds.transaction((m) => confirmIdentity(m, unconfirmed.id, TEST_ACTOR, {}, now));
    await assertCounted('an identity confirmation');
    // Taken back by hand (the app never does): the count follows.
    await ds.query(
      `UPDATE providers SET identity_confirmed_at = NULL, identity_confirmed_by = NULL, identity_confirmed_how = NULL WHERE id = $1`,
      [a.id],
    );
    await assertCounted('a confirmation taken back');
    await ds.query(`UPDATE providers SET city = 'Elders' WHERE id = $1`, [a.id]);
    await assertCounted('an edit that changes no count');
    // Snapshot rows removed and the table emptied, as only the owner can.
    await db.asOwner(`DELETE FROM provider_status WHERE provider_id = $1`, [a.id]);
    await assertCounted('a deleted snapshot');
    assert.ok((await countedProviders(ds)) > 0);
    await db.asOwner(`TRUNCATE provider_status`);
    await assertCounted('a truncated snapshot table');
    assert.equal(await countedProviders(ds, undefined, true), 0);
    await refreshDueSnapshots(ds.manager, now);
    await ds.query(
      `INSERT INTO provider_status (provider_id, status, computed_at, next_change_at)
       SELECT id, 'not_listed', now(), '-infinity' FROM providers`,
    );
    await refreshDueSnapshots(ds.manager, now);
    await assertCounted('snapshots written again');
  });

  it('equal a real count after many transactions at once, and fold their rows', async () => {
    const ds = db.dataSource;
    const created = await Promise.all(
      Array.from({ length: 12 }, (_, i) => givenProvider(ds, {}, { unconfirmed: i % 3 === 0 })),
    );
    const ids = created.map((p) => p.id).sort();
    const statuses = ['verantwoord', 'suspended', 'revoked', 'expired', 'not_listed', 'rejected'];
    const clients = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const client = new Client({ connectionString: db.url });
        await client.connect();
        return client;
      }),
    );
    const rowsNow = async () =>
      must(
        (await ds.query<{ rows: number }[]>(`SELECT count(*)::int AS rows FROM provider_status_counts`))[0],
        'count(*) answers a row',
      ).rows;
    const lastId = async () =>
      Number(
        must(
          (
            await ds.query<{ last: string }[]>(
              `SELECT last_value::text AS last FROM provider_status_counts_id_seq`,
            )
          )[0],
          'a sequence has a last value',
        ).last,
      );
    const idBefore = await lastId();
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    try {
      await Promise.all(
        clients.map(async (client, worker) => {
          for (let round = 0; round < 25; round++) {
            // Rows in one order everywhere (as the app's single-provider writes are): waits, no deadlocks.
            const picked = [...new Set([next(12), next(12), next(12)])].sort((x, y) => x - y);
            const confirms = (i: number) => (worker + round + i) % 4 === 0;
            await client.query('BEGIN');
            // A confirmation takes the audit chain's lock (migration StatusEventsInCommitOrder); the
            // app takes it first, for its audit event, and so does this transaction.
            if (picked.some(confirms)) await client.query('SELECT pg_advisory_xact_lock(7306117001)');
            for (const i of picked) {
              if (confirms(i)) {
                await client.query(
                  `UPDATE providers SET identity_confirmed_at = CASE WHEN identity_confirmed_at IS NULL THEN now() END,
                          identity_confirmed_by = CASE WHEN identity_confirmed_at IS NULL THEN 'test' END,
                          identity_confirmed_how = CASE WHEN identity_confirmed_at IS NULL THEN 'reviewer' END WHERE id = $1`,
                  [ids[i]],
                );
              } else {
                await client.query(`UPDATE provider_status SET status = $2 WHERE provider_id = $1`, [
                  ids[i],
                  statuses[next(statuses.length)],
                ]);
              }
              await client.query('SELECT pg_sleep(0.001)');
            }
            // A few transactions give up: their differences go with them.
            await client.query(round % 7 === 3 ? 'ROLLBACK' : 'COMMIT');
          }
        }),
      );
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
    await assertCounted('concurrent writers');
    // Folding is tried, never waited for: a writer that passes a mark while another transaction
    // still folds leaves its rows to the next mark, so under contention only "fewer than added" holds.
    const added = (await lastId()) - idBefore;
    const leftConcurrent = await rowsNow();
    assert.ok(
      leftConcurrent < added / 2,
      `folded under contention (${leftConcurrent} of ${added} rows left)`,
    );
    // One writer alone folds at the first mark it passes: at most a row per (status, public) and
    // the rows added after that mark are left.
    const lone = must(ids[0], 'twelve providers were made');
    for (let i = 0; i < 40; i++) {
      await ds.query(`UPDATE provider_status SET status = $2 WHERE provider_id = $1`, [
        lone,
        statuses[i % statuses.length],
      ]);
    }
    await assertCounted('one writer after them');
    const left = await rowsNow();
    const [groups] = await ds.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM (SELECT 1 FROM provider_status GROUP BY status, identity_confirmed) AS g`,
    );
    assert.ok(
      left < must(groups, 'count(*) answers a row').n + 64,
      `folded by one writer (${left} rows left)`,
    );
  });

  it('answers the register page and the API list from the counts, every page in order from either end', async () => {
    const ds = db.dataSource;
    const now = new Date();
    // A renamed provider moves in the name order of its status too.
    const [renamed] = await ds.query<{ id: string }[]>(
      `SELECT provider_id AS id FROM provider_status WHERE identity_confirmed ORDER BY name_key DESC LIMIT 1`,
    );
    await ds.query(`UPDATE providers SET legal_name = 'Aaa Eerst B.V.' WHERE id = $1`, [renamed?.id]);
    /** Every page of a search in pages of two, as KvK numbers. */
    const paged = async (query: { sort: 'name' | 'status'; status?: string }, total: number) => {
      const found: string[] = [];
      for (let page = 1; page <= Math.ceil(total / 2); page++) {
        const result = await searchProviders(ds, { q: '', ...query, page, pageSize: 2 }, now);
        assert.equal(result.total, total);
        found.push(...result.rows.map((r) => r.kvkNumber));
      }
      return found;
    };
    const inOrder = async (where: string, order: string) =>
      (
        await ds.query<{ kvk_number: string }[]>(
          `SELECT p.kvk_number FROM providers p JOIN provider_status s ON s.provider_id = p.id
            WHERE p.identity_confirmed_at IS NOT NULL ${where} ORDER BY ${order}`,
        )
      ).map((r) => r.kvk_number);
    const byName = 'lower(p.legal_name), p.kvk_number';
    const everyone = await inOrder('', byName);
    // Sorted by status: verantwoord first, then each status by name, cut by the kept counts.
    assert.deepEqual(
      await paged({ sort: 'status' }, everyone.length),
      await inOrder('', `(s.status = 'verantwoord') DESC, s.status, ${byName}`),
    );
    // Each status filter by name, from an index of its own.
    const statuses = await ds.query<{ status: string; n: number }[]>(
      `SELECT status, count(*)::int AS n FROM provider_status WHERE identity_confirmed GROUP BY status`,
    );
    assert.ok(statuses.length >= 3);
    for (const { status, n } of statuses) {
      const expected = await inOrder(`AND s.status = '${status}'`, byName);
      assert.deepEqual(await paged({ sort: 'name', status }, n), expected, status);
    }
    // By KvK number, within a status (no index of its own: the planner's way) and for staff.
    const kvkOrder = await inOrder('', 'p.kvk_number');
    const kvkPage = await searchProviders(ds, { q: '', sort: 'kvk', page: 1, pageSize: 3 }, now);
    assert.deepEqual(
      kvkPage.rows.map((r) => r.kvkNumber),
      kvkOrder.slice(0, 3),
    );
    const first = must(statuses[0], 'a status');
    const statusByKvk = await searchProviders(ds, { q: '', status: first.status, sort: 'kvk', page: 1 }, now);
    assert.deepEqual(
      statusByKvk.rows.map((r) => r.kvkNumber),
      (await inOrder(`AND s.status = '${first.status}'`, 'p.kvk_number')).slice(0, PAGE),
    );
    const staff = await searchProviders(ds, { q: '', sort: 'name', page: 1, includeUnconfirmed: true }, now);
    const [{ n: registered } = { n: 0 }] = await ds.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM provider_status`,
    );
    assert.equal(staff.total, registered);
    assert.equal(
      everyone[0],
      (
        await ds.query<{ k: string }[]>(`SELECT kvk_number AS k FROM providers WHERE id = $1`, [renamed?.id])
      )[0]?.k,
    );

    const all = await ds.query<{ kvk_number: string }[]>(
      `SELECT p.kvk_number FROM providers p JOIN provider_status s ON s.provider_id = p.id
        WHERE p.identity_confirmed_at IS NOT NULL ORDER BY lower(p.legal_name), p.kvk_number`,
    );
    const total = all.length;
    assert.ok(total >= 5);
    assert.equal(await countedProviders(ds), total);
    const pages: string[] = [];
    for (let page = 1; page <= Math.ceil(total / 2); page++) {
      const result = await searchProviders(ds, { q: '', sort: 'name', page, pageSize: 2 }, now);
      assert.equal(result.total, total);
      pages.push(...result.rows.map((r) => r.kvkNumber));
    }
    assert.deepEqual(
      pages,
      all.map((r) => r.kvk_number),
    );
    // By KvK number too, and past the last page nothing.
    const byKvk = await registerPage(ds, { order: 'kvk' }, 3, total - 2, total);
    assert.deepEqual(
      byKvk.map((r) => r.kvk_number),
      all
        .map((r) => r.kvk_number)
        .sort()
        .slice(-2),
    );
    assert.deepEqual(await registerPage(ds, { order: 'name' }, 3, total + 3, total), []);

    const app = createApp({
      config: testConfig,
      dataSource: ds,
      logger: createLogger('silent'),
      lifecycle: createLifecycle(),
      clock: systemClock,
    });
    const list = bodyOf<ApiList>(
      await apiClient(app).get('/api/v1/hostingproviders?paginaGrootte=2&pagina=2'),
    );
    assert.equal(list.paginering.totaal, total);
    assert.deepEqual(
      list.hostingproviders.map((h) => h.kvkNummer),
      all.slice(2, 4).map((r) => r.kvk_number),
    );
    const last = Math.ceil(total / PAGE);
    const pageRes = await request(app)
      .get(`/hostingproviders?page=${last + 5}`)
      .expect(200);
    assert.match(pageRes.text, new RegExp(`data-total="${total}"`));
  });

  it('counts a search up to the limit and then says more than that, with every page still reachable', async () => {
    const ds = db.dataSource;
    const extra = EXACT_COUNT_LIMIT + 10;
    // Providers whose KvK numbers all start with 66: a two-digit search matches every one.
    await givenConfirmedProviders(ds, '66', 'Veel', extra);
    await assertCounted('many providers at once');
    const app = createApp({
      config: testConfig,
      dataSource: ds,
      logger: createLogger('silent'),
      lifecycle: createLifecycle(),
      clock: systemClock,
    });
    const atLeast = Math.ceil((EXACT_COUNT_LIMIT + 1) / PAGE);
    const first = await request(app).get('/hostingproviders?q=66').expect(200);
    assert.match(first.text, /data-more/);
    assert.match(first.text, /Meer dan 1[.]?000 hostingproviders/);
    assert.match(first.text, new RegExp(`Pagina 1 van ten minste ${atLeast}`));
    assert.match(first.text, /rel="next"/);
    // The page where the limit runs out still links on; the last page tells the whole count.
    const atLimit = await request(app)
      .get(`/hostingproviders?q=66&page=${atLeast - 1}&lang=en`)
      .expect(200);
    assert.match(atLimit.text, new RegExp(`Page ${atLeast - 1} of at least ${atLeast}`));
    assert.match(atLimit.text, /rel="next"/);
    const lastPage = Math.ceil(extra / PAGE);
    const end = await request(app).get(`/hostingproviders?q=66&page=${lastPage}`).expect(200);
    assert.match(end.text, new RegExp(`data-total="${extra}"`));
    assert.doesNotMatch(end.text, /data-more|rel="next"/);
    // Past the end, the web page counts exactly and shows the real last page.
    const past = await request(app)
      .get(`/hostingproviders?q=66&page=${lastPage + 20}`)
      .expect(200);
    assert.match(past.text, new RegExp(`Pagina ${lastPage} van ${lastPage}<`));
    assert.match(past.text, new RegExp(`data-total="${extra}"`));
    assert.doesNotMatch(past.text, /data-more|rel="next"|ten minste/);

    const list = bodyOf<ApiList>(await apiClient(app).get('/api/v1/hostingproviders?zoekterm=66'));
    assert.deepEqual(list.paginering, {
      pagina: 1,
      paginaGrootte: PAGE,
      aantalPaginas: atLeast,
      totaal: EXACT_COUNT_LIMIT,
      meerDanTotaal: true,
    });
    const apiEnd = bodyOf<ApiList>(
      await apiClient(app).get(`/api/v1/hostingproviders?zoekterm=66&pagina=${lastPage}`),
    );
    assert.equal(apiEnd.paginering.totaal, extra);
    assert.equal(apiEnd.paginering.meerDanTotaal, undefined);
    const apiPast = bodyOf<ApiList>(
      await apiClient(app).get(`/api/v1/hostingproviders?zoekterm=66&pagina=${lastPage + 1}`),
    );
    assert.deepEqual(apiPast.hostingproviders, []);
    assert.deepEqual(apiPast.paginering, {
      pagina: lastPage + 1,
      paginaGrootte: PAGE,
      aantalPaginas: lastPage,
      totaal: extra,
    });
    // A search with few matches is counted exactly, as before.
    // A name search past its last page counts apart and shows the last page; one that finds nothing, none.
    const pastNames = await searchProviders(ds, { q: 'veel', sort: 'name', page: 999 }, new Date());
    assert.equal(pastNames.total, extra);
    assert.equal(pastNames.page, Math.ceil(extra / PAGE));
    const nothing = await searchProviders(ds, { q: 'qqqxyzzy', sort: 'name', page: 2 }, new Date());
    assert.deepEqual([nothing.total, nothing.rows], [0, []]);
    const few = await searchProviders(ds, { q: '660010', sort: 'kvk', page: 1 }, new Date());
    assert.equal(few.total, 11);
    assert.equal(few.more, undefined);
  });

  it('pages through more matches than the limit exactly: a full last page has no next, past the end is counted', async () => {
    const ds = db.dataSource;
    const pages = Math.ceil((EXACT_COUNT_LIMIT + 1) / PAGE) + 2;
    const matches = pages * PAGE;
    // Exactly `pages` full pages of KvK numbers that start with 55.
    await givenConfirmedProviders(ds, '55', 'Vol', matches);
    const app = createApp({
      config: testConfig,
      dataSource: ds,
      logger: createLogger('silent'),
      lifecycle: createLifecycle(),
      clock: systemClock,
    });
    // The last page is full: it has no next page and tells the exact count.
    const last = await request(app).get(`/hostingproviders?q=55&page=${pages}`).expect(200);
    assert.match(last.text, new RegExp(`Pagina ${pages} van ${pages}<`));
    assert.match(last.text, new RegExp(`data-total="${matches}"`));
    assert.equal((last.text.match(/data-kvk=/g) ?? []).length, PAGE);
    assert.doesNotMatch(last.text, /data-more|rel="next"|ten minste/);
    // The page before it: a next page, at least one more page.
    const before = await request(app)
      .get(`/hostingproviders?q=55&page=${pages - 1}`)
      .expect(200);
    assert.match(before.text, new RegExp(`Pagina ${pages - 1} van ten minste ${pages}<`));
    assert.match(before.text, /rel="next"/);
    // Past the end, near and far: the real last page, with its real number.
    for (const page of [pages + 1, 5000, '99999999999999999999']) {
      const past = await request(app).get(`/hostingproviders?q=55&page=${page}`).expect(200);
      assert.match(past.text, new RegExp(`Pagina ${pages} van ${pages}<`), String(page));
      assert.match(past.text, new RegExp(`data-total="${matches}"`));
      assert.equal((past.text.match(/data-kvk="55/g) ?? []).length, PAGE);
    }
    // Nonsense page numbers show page 1.
    for (const page of ['1e3', '-1', 'abc']) {
      const odd = await request(app).get(`/hostingproviders?q=55&page=${page}`).expect(200);
      assert.match(
        odd.text,
        new RegExp(`Pagina 1 van ten minste ${Math.ceil((EXACT_COUNT_LIMIT + 1) / PAGE)}<`),
      );
    }

    const apiLast = bodyOf<ApiList & { links: { next?: unknown } }>(
      await apiClient(app).get(`/api/v1/hostingproviders?zoekterm=55&pagina=${pages}`),
    );
    assert.deepEqual(apiLast.paginering, {
      pagina: pages,
      paginaGrootte: PAGE,
      aantalPaginas: pages,
      totaal: matches,
    });
    assert.equal(apiLast.links.next, undefined, 'no next link after a full last page');
    assert.equal(apiLast.hostingproviders.length, PAGE);
    const apiPast = bodyOf<ApiList>(
      await apiClient(app).get(`/api/v1/hostingproviders?zoekterm=55&pagina=${pages + 1}`),
    );
    assert.deepEqual(apiPast.hostingproviders, []);
    assert.deepEqual(apiPast.paginering, {
      pagina: pages + 1,
      paginaGrootte: PAGE,
      aantalPaginas: pages,
      totaal: matches,
    });
  });
});
