import assert from 'node:assert/strict';
import { Client } from 'pg';
import { importAanList } from '../../src/aan/aan-import.service';
import type { StatuswijzigingenFeed } from '../../src/api/api.schemas';
import { recordEndings } from '../../src/jobs/daily-jobs';
import type { Provider } from '../../src/provider/provider.entity';
import { addDays, addMonths, startOfLocalDay, toLocalDate } from '../../src/shared/time';
import { confirmIdentity } from '../../src/register/provider.service';
import { recordStatusEvent } from '../../src/status/status.service';
import { givenCodeVersion, givenProvider, givenStatusEvent, TEST_ACTOR } from '../factories/provider.factory';
import { apiClient, bodyOf } from '../helpers/api';
import { useTestApp } from '../helpers/app';

const FEED = '/api/v1/statuswijzigingen';
type Change = StatuswijzigingenFeed['statuswijzigingen'][number];

describe('GET /api/v1/statuswijzigingen (the change feed)', () => {
  const ctx = useTestApp();
  const api = () => apiClient(ctx.app);
  let version: { id: string };

  before(async () => {
    version = await givenCodeVersion(ctx.db.dataSource, { publishedAt: new Date('2020-01-01T00:00:00Z') });
  });

  /** A public provider listed from `approvedAt` for a year (or until `validUntil`). */
  async function givenListed(
    approvedAt = addDays(new Date(), -30),
    validUntil?: Date,
    kvkNumber?: string,
  ): Promise<Provider> {
    const provider = await givenProvider(ctx.db.dataSource, kvkNumber ? { kvkNumber } : {});
    await givenStatusEvent(ctx.db.dataSource, {
      providerId: provider.id,
      kind: 'listing_approved',
      effectiveAt: approvedAt,
      validUntil: validUntil ?? addMonths(approvedAt, 12),
      codeOfConductVersionId: version.id,
      codeSignedOn: '2024-12-01',
      aanSince: startOfLocalDay('2024-01-01'),
    });
    return provider;
  }

  /** Follows `next` from `url` until a page says there is no more; every page checked against the document. */
  async function readAll(url: string, headers: Record<string, string> = {}) {
    const changes: Change[] = [];
    let next = url;
    for (let pages = 0; pages < 1000; pages++) {
      const page = bodyOf<StatuswijzigingenFeed>(await api().get(next, headers).then(expectOk));
      changes.push(...page.statuswijzigingen);
      next = page.links.next.href.replace('http://register.test', '');
      if (!page.meer) return { changes, next };
    }
    throw new Error('the feed never ended');
  }
  const expectOk = (res: Awaited<ReturnType<ReturnType<typeof apiClient>['get']>>) => {
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res;
  };

  /** Every public status event's id, in order: what a client that read the whole feed must have seen. */
  const publicIds = async () =>
    (
      await ctx.db.dataSource.query<{ id: string }[]>(
        `SELECT e.id::text AS id FROM status_events e JOIN providers p ON p.id = e.provider_id
          WHERE p.identity_confirmed_at IS NOT NULL AND e.id > p.public_from_event ORDER BY e.id`,
      )
    ).map((r) => Number(r.id));

  it('pages oldest first with an opaque cursor, each change with from and to, and a next page to poll', async () => {
    const provider = await givenListed();
    await givenStatusEvent(ctx.db.dataSource, {
      providerId: provider.id,
      kind: 'suspended',
      effectiveAt: new Date(),
      reason: 'Abuse-meldingen bleven open.',
    });
    await givenStatusEvent(ctx.db.dataSource, {
      providerId: provider.id,
      kind: 'suspension_lifted',
      effectiveAt: new Date(),
    });

    const { changes, next } = await readAll(`${FEED}?paginaGrootte=1`);
    const numbers = changes.map((c) => c.volgnummer);
    assert.deepEqual(numbers, await publicIds());
    assert.deepEqual(
      numbers,
      [...numbers].sort((a, b) => a - b),
    );
    const own = changes.filter((c) => c.kvkNummer === provider.kvkNumber);
    assert.deepEqual(
      own.map((c) => [c.soort, c.van.code, c.naar.code]),
      [
        ['listing_approved', 'not_listed', 'verantwoord'],
        ['suspended', 'verantwoord', 'suspended'],
        ['suspension_lifted', 'suspended', 'verantwoord'],
      ],
    );
    const suspension = own[1]!;
    assert.equal(suspension.naam, provider.legalName);
    assert.equal(suspension.toelichting, 'Abuse-meldingen bleven open.');
    assert.equal(suspension.naar.omschrijving, 'Niet verantwoord: geschorst');
    assert.equal(
      suspension.links.hostingprovider.href,
      `http://register.test/api/v1/hostingproviders/${provider.kvkNumber}`,
    );
    assert.equal(
      suspension.links.webpagina.href,
      `http://register.test/hostingproviders/${provider.kvkNumber}`,
    );
    // The same changes, with the same numbers, as the provider's own history.
    const history = await api().get(`/api/v1/hostingproviders/${provider.kvkNumber}/statuswijzigingen`);
    assert.deepEqual(
      (history.body as { statuswijzigingen: { volgnummer: number }[] }).statuswijzigingen
        .map((c) => c.volgnummer)
        .reverse(),
      own.map((c) => c.volgnummer),
    );

    // The cursor is not a number in plain sight, and the last page's next link is where new changes appear.
    assert.doesNotMatch(next, new RegExp(`vanaf=${numbers.at(-1)}\\b`));
    const empty = bodyOf<StatuswijzigingenFeed>(await api().get(next));
    assert.deepEqual(empty.statuswijzigingen, []);
    assert.equal(empty.meer, false);
    assert.equal(empty.links.next.href.replace('http://register.test', ''), next);
    await givenStatusEvent(ctx.db.dataSource, {
      providerId: provider.id,
      kind: 'revoked',
      effectiveAt: new Date(),
      reason: 'Intrekking.',
    });
    const later = bodyOf<StatuswijzigingenFeed>(await api().get(next));
    assert.deepEqual(
      later.statuswijzigingen.map((c) => [c.soort, c.van.code, c.naar.code]),
      [['revoked', 'verantwoord', 'revoked']],
    );
  });

  it('filters by KvK numbers, repeated or as a comma list, and leaves out providers not public', async () => {
    const [a, b, c] = [await givenListed(), await givenListed(), await givenListed()];
    const hidden = await givenProvider(ctx.db.dataSource, {}, { unconfirmed: true });
    await givenStatusEvent(ctx.db.dataSource, {
      providerId: hidden.id,
      kind: 'application_submitted',
      effectiveAt: new Date(),
    });
    const repeated = await readAll(`${FEED}?kvkNummer=${a.kvkNumber}&kvkNummer=${c.kvkNumber}`);
    assert.deepEqual(new Set(repeated.changes.map((x) => x.kvkNummer)), new Set([a.kvkNumber, c.kvkNumber]));
    // Typed as people type them; the next link names the filter again.
    const comma = await readAll(
      `${FEED}?kvkNummer=${encodeURIComponent(`KvK ${b.kvkNumber},${c.kvkNumber}`)}`,
    );
    assert.deepEqual(new Set(comma.changes.map((x) => x.kvkNummer)), new Set([b.kvkNumber, c.kvkNumber]));
    assert.match(comma.next, new RegExp(`kvkNummer=${b.kvkNumber}&kvkNummer=${c.kvkNumber}`));
    const all = await readAll(FEED);
    assert.ok(!all.changes.some((x) => x.kvkNummer === hidden.kvkNumber));
    // Seven digits, as a spreadsheet leaves a number that starts with 0: read as /controles reads it.
    const zero = await givenListed(undefined, undefined, `0${String(Date.now()).slice(-7)}`);
    const sevenDigits = await readAll(`${FEED}?kvkNummer=${zero.kvkNumber.slice(1)}`);
    assert.deepEqual(
      sevenDigits.changes.map((x) => x.kvkNummer),
      [zero.kvkNumber],
    );
  });

  it('leaves out what a provider did before the register confirmed who it is, so nothing appears behind a cursor', async () => {
    const provider = await givenProvider(ctx.db.dataSource, {}, { unconfirmed: true });
    await givenStatusEvent(ctx.db.dataSource, {
      providerId: provider.id,
      kind: 'application_submitted',
      effectiveAt: new Date(),
    });
    const { next } = await readAll(FEED);
    // The first decision confirms the identity in the same transaction as its status event (review.service decide).
    await ctx.db.dataSource.transaction(async (m) => {
      const now = new Date();
      await confirmIdentity(m, provider.id, TEST_ACTOR, {}, now);
      await recordStatusEvent(
        m,
        {
          providerId: provider.id,
          kind: 'application_rejected',
          effectiveAt: now,
          actor: TEST_ACTOR,
          reason: 'Onvolledig.',
        },
        now,
      );
    });
    const after = await readAll(next);
    assert.deepEqual(
      after.changes.map((c) => [c.kvkNummer, c.soort, c.van.code, c.naar.code]),
      [[provider.kvkNumber, 'application_rejected', 'application_pending', 'rejected']],
    );
    assert.deepEqual(
      (await readAll(FEED)).changes.map((c) => c.volgnummer),
      await publicIds(),
    );
  });

  it('refuses a malformed cursor and a malformed KvK number with a 400 problem, in Dutch and in English', async () => {
    for (const vanaf of [
      'abc',
      '42',
      'c3cxOi0x',
      'c3cxOjQy=',
      Buffer.from('sw1:99999999999999999999').toString('base64url'),
      // Well-formed, but past the newest change: never given out, and it would skip changes for good.
      Buffer.from('sw1:900000000000').toString('base64url'),
    ]) {
      const res = await api().get(`${FEED}?vanaf=${encodeURIComponent(vanaf)}`);
      assert.equal(res.status, 400, vanaf);
      assert.deepEqual(
        (res.body as { invalidParams: { name: string; code: string }[] }).invalidParams.map((p) => [
          p.name,
          p.code,
        ]),
        [['vanaf', 'cursor']],
      );
    }
    // The newest position itself is where a client that read everything waits: an empty page, no error.
    const [{ last } = { last: '0' }] = await ctx.db.dataSource.query<{ last: string }[]>(
      'SELECT coalesce(max(id), 0)::text AS last FROM status_events',
    );
    const tail = await api().get(`${FEED}?vanaf=${Buffer.from(`sw1:${last}`).toString('base64url')}`);
    assert.equal(tail.status, 200);
    assert.deepEqual((tail.body as StatuswijzigingenFeed).statuswijzigingen, []);
    const dutch = await api().get(`${FEED}?vanaf=abc`);
    assert.match(JSON.stringify(dutch.body), /next-link van een eerdere pagina/);
    const english = await api().get(`${FEED}?vanaf=abc`, { 'Accept-Language': 'en' });
    assert.match(JSON.stringify(english.body), /next link of an earlier page/);
    const kvk = await api().get(`${FEED}?kvkNummer=1234&paginaGrootte=0`);
    assert.equal(kvk.status, 400);
    assert.deepEqual(
      (kvk.body as { invalidParams: { name: string }[] }).invalidParams.map((p) => p.name).sort(),
      ['kvkNummer[0]', 'paginaGrootte'],
    );
  });

  it('holds the changes time brings: a listing expiring, a code version lapsing, AAN participation ending', async () => {
    const now = new Date();
    const expiring = await givenListed(addMonths(now, -13), addMonths(now, -1));
    const lapsing = await givenListed(addMonths(now, -2));
    const leaving = await givenListed(addMonths(now, -2));
    const lapseAt = addDays(now, -3);
    await givenCodeVersion(ctx.db.dataSource, { publishedAt: addDays(now, -10), transitionEndsAt: lapseAt });
    await ctx.db.dataSource.transaction((m) => recordEndings(m, now, 'http://register.test'));
    const aanEnd = toLocalDate(addDays(now, -10));
    await importAanList(
      ctx.db.dataSource,
      Buffer.from(
        `kvk_nummer;naam;deelname_sinds;deelname_tot\n${leaving.kvkNumber};P;2024-01-01;${aanEnd}\n`,
      ),
      'test',
      now,
      { acceptIncomplete: true },
    );

    const { changes } = await readAll(FEED);
    const of = (provider: Provider) =>
      changes
        .filter((c) => c.kvkNummer === provider.kvkNumber && c.soort !== 'listing_approved')
        .map((c) => [c.soort, c.van.code, c.naar.code, c.ingangsmoment]);
    assert.deepEqual(of(expiring), [
      ['listing_expired', 'verantwoord', 'expired', addMonths(now, -1).toISOString()],
    ]);
    assert.deepEqual(of(lapsing), [
      ['code_of_conduct_lapsed', 'verantwoord', 'code_of_conduct_outdated', lapseAt.toISOString()],
    ]);
    assert.deepEqual(
      of(leaving).filter(([kind]) => kind === 'aan_participation_ended'),
      [
        [
          'aan_participation_ended',
          'verantwoord',
          'aan_participation_ended',
          startOfLocalDay(aanEnd).toISOString(),
        ],
      ],
    );
  });

  describe('while other connections commit changes (design: a change committed while a client pages is never skipped)', () => {
    /** A connection of its own, as the app's role: another instance of the register, or a slow transaction. */
    async function connection(): Promise<Client> {
      const client = new Client({ connectionString: ctx.db.url });
      await client.connect();
      return client;
    }
    const insertEvent = (client: Client, providerId: string, id?: number) =>
      client.query(
        `INSERT INTO status_events (${id === undefined ? '' : 'id, '}provider_id, kind, effective_at, recorded_at, actor)
         VALUES (${id === undefined ? '' : '$3, '}$1, $2, now(), clock_timestamp(), 'test')`,
        id === undefined
          ? [providerId, 'aan_participation_resumed']
          : [providerId, 'aan_participation_resumed', id],
      );

    /**
     * The case a bigserial id alone gets wrong: a transaction takes its id first, others commit
     * changes with higher ids, the client reads past them, then the first one commits.
     */
    async function idFirstCommitLast(): Promise<{ missed: number[] }> {
      const provider = await givenListed();
      const { next: start } = await readAll(FEED);
      const slow = await connection();
      try {
        await slow.query('BEGIN');
        const [{ id }] = (
          await slow.query<{ id: string }>(
            `SELECT nextval(pg_get_serial_sequence('status_events', 'id'))::text AS id`,
          )
        ).rows as [{ id: string }];
        for (let i = 0; i < 3; i++) {
          await givenStatusEvent(ctx.db.dataSource, {
            providerId: provider.id,
            kind: i % 2 ? 'suspension_lifted' : 'suspended',
            effectiveAt: new Date(),
            reason: 'Test.',
          });
        }
        const first = await readAll(start);
        assert.equal(first.changes.length, 3);
        await insertEvent(slow, provider.id, Number(id));
        await slow.query('COMMIT');
        const second = await readAll(first.next);
        const seen = new Set([...first.changes, ...second.changes].map((c) => c.volgnummer));
        const committed = (
          await ctx.db.dataSource.query<{ id: string }[]>(
            'SELECT id::text AS id FROM status_events WHERE provider_id = $1 AND kind <> $2',
            [provider.id, 'listing_approved'],
          )
        ).map((r) => Number(r.id));
        return { missed: committed.filter((n) => !seen.has(n)) };
      } finally {
        await slow.end();
      }
    }

    it('misses none when a transaction takes its id first and commits last', async () => {
      assert.deepEqual(await idFirstCommitLast(), { missed: [] });
    });

    it('would miss that change on ids from the sequence alone (without the commit-order trigger)', async () => {
      // As a plain bigserial: ids from the column's default, outside any lock.
      await ctx.db.asOwner('ALTER TABLE status_events DISABLE TRIGGER status_events_commit_ordered_id');
      await ctx.db.asOwner(
        `ALTER TABLE status_events ALTER COLUMN id SET DEFAULT nextval(pg_get_serial_sequence('status_events', 'id')::regclass)`,
      );
      try {
        const { missed } = await idFirstCommitLast();
        assert.equal(missed.length, 1);
      } finally {
        await ctx.db.asOwner('ALTER TABLE status_events ALTER COLUMN id DROP DEFAULT');
        await ctx.db.asOwner('ALTER TABLE status_events ENABLE TRIGGER status_events_commit_ordered_id');
      }
    });

    it('misses none while four writers commit changes, one of them holding its transaction open', async () => {
      const providers = [await givenListed(), await givenListed(), await givenListed(), await givenListed()];
      const { next: start } = await readAll(FEED);
      const readBefore = Math.max(0, ...(await publicIds()));
      // A writer that has recorded a change and waits before committing: the others queue behind it.
      const slow = await connection();
      await slow.query('BEGIN');
      await insertEvent(slow, providers[0]!.id);
      let stop = false;
      const writers = providers.slice(1).map(async (provider) => {
        let written = 0;
        while (!stop || written < 5) {
          await givenStatusEvent(ctx.db.dataSource, {
            providerId: provider.id,
            kind: written % 2 ? 'suspension_lifted' : 'suspended',
            effectiveAt: new Date(),
            reason: 'Test.',
          });
          written++;
        }
        return written;
      });
      const seen: Change[] = [];
      let next = start;
      const read = async () => {
        const page = await readAll(next);
        seen.push(...page.changes);
        next = page.next;
      };
      // While the slow writer holds its transaction, nobody else's change is visible yet.
      await read();
      assert.equal(seen.length, 0);
      setTimeout(() => void slow.query('COMMIT'), 100);
      for (let i = 0; i < 20; i++) {
        await read();
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      stop = true;
      const written = await Promise.all(writers);
      await slow.end();
      await read();
      const numbers = seen.map((c) => c.volgnummer);
      const own = new Set(providers.map((p) => p.kvkNumber));
      const expected = (await publicIds()).filter((n) => n > readBefore);
      const ofThese = seen.filter((c) => own.has(c.kvkNummer)).length;
      assert.equal(ofThese, 1 + written.reduce((sum, n) => sum + n, 0));
      assert.deepEqual(
        numbers,
        [...new Set(numbers)].sort((a, b) => a - b),
        'in order and each once',
      );
      assert.deepEqual(numbers, expected, 'every change committed after the client started, none missed');
      assert.equal(seen[0]?.kvkNummer, providers[0]!.kvkNumber, 'the slow writer committed first');
    });
  });
});
