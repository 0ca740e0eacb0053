import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { AanListRejected, importAanList } from '../../src/aan/aan-import.service';
import { dailyWork } from '../../src/jobs/daily-jobs';
import { addDays, startOfLocalDay, toLocalDate } from '../../src/shared/time';
import { statusesAt } from '../../src/status/status.service';
import { givenAanListed } from '../factories/aan.factory';
import { givenCodeVersion } from '../factories/provider.factory';
import { givenUser } from '../factories/user.factory';
import { useDemoRegister } from '../helpers/demo';
import { assertValidHtml } from '../helpers/html';
import { runCli } from '../helpers/processes';
import { type Agent, csrfFrom, signedIn, tokenFor } from '../helpers/session';
import { must } from '../../src/shared/must';

const HEADER = 'kvk_nummer;naam;deelname_sinds;deelname_tot';
const list = (...rows: string[]) => [HEADER, ...rows].join('\n');
/** These lists name only the test's own providers, not the demo's: confirmed complete. */
const ALL = { acceptIncomplete: true };
const sha256 = (text: string) => createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex');

describe('importing the AAN participant list', () => {
  const demo = useDemoRegister();
  let admin: Agent;
  let version: { id: string; published_at: Date };

  before(async () => {
    admin = await signedIn(demo.app, await givenUser(demo.db.dataSource, 'admin'));
    // The newest version, so the listing never lapses on its code of conduct in these tests.
    const yesterday = addDays(new Date(), -1);
    await givenCodeVersion(demo.db.dataSource, { publishedAt: yesterday, transitionEndsAt: yesterday });
    version = must(
      (
        await demo.db.dataSource.query<(typeof version)[]>(
          'SELECT id, published_at FROM code_of_conduct_versions ORDER BY published_at DESC LIMIT 1',
        )
      )[0],
      'a code version',
    );
  });

  /** A provider listed since the newest code version's publication for five years, in the AAN since `aanSince`. */
  const givenListed = (aanSince = '2024-01-01') =>
    givenAanListed(demo.db.dataSource, version, {
      aanSince,
      approvedAt: version.published_at,
      codeSignedOn: '2023-12-01',
    });
  const upload = async (csv: string, agent = admin) => {
    const token = await tokenFor(agent, '/beheer/aan-deelnemers');
    return (
      agent
        .post('/beheer/aan-deelnemers')
        .field('_csrf', token)
        // The demo's listed providers are on none of these lists: each is confirmed complete.
        .field('onvolledig', 'ja')
        .attach('deelnemerslijst', Buffer.from(csv), 'aan.csv')
    );
  };
  const count = async (sql: string, params: unknown[] = []) =>
    must((await demo.db.dataSource.query<{ n: number }[]>(sql, params))[0], 'a count gives one row').n;
  const aanEvents = (providerId: string) =>
    demo.db.dataSource.query<{ kind: string; effective_at: Date; reason: string }[]>(
      `SELECT kind, effective_at, reason FROM status_events
        WHERE provider_id = $1 AND kind LIKE 'aan_%' ORDER BY effective_at, id`,
      [providerId],
    );
  const lastAudit = async (action: string) =>
    (
      await demo.db.dataSource.query<{ data: Record<string, unknown> }[]>(
        'SELECT data FROM audit_events WHERE action = $1 ORDER BY id DESC LIMIT 1',
        [action],
      )
    )[0]?.data;

  it('refuses a list with malformed rows whole, reports each row, changes nothing, and audits the refusal', async () => {
    const provider = await givenListed();
    const before = await count('SELECT count(*)::int AS n FROM status_events');
    const imports = await count('SELECT count(*)::int AS n FROM aan_imports');
    const csv = list(
      `${provider.kvkNumber};P;2024-01-01;2025-06-01`,
      '1234;X;2024-01-01;',
      `${provider.kvkNumber}9;D;2024-02-30;`,
    );
    const res = await upload(csv);
    assert.equal(res.status, 400);
    assert.match(res.text, /data-problem-line="3" data-problem="kvkNumber"/);
    assert.match(res.text, /data-problem-line="4" data-problem="kvkNumber"/);
    assert.ok(res.text.includes(sha256(csv)), 'the page names the file by its SHA-256');
    await assertValidHtml(res.text, 'refused AAN list');
    assert.equal(await count('SELECT count(*)::int AS n FROM status_events'), before);
    assert.equal(await count('SELECT count(*)::int AS n FROM aan_imports'), imports);
    assert.deepEqual(await lastAudit('aan.refused'), {
      fileSha256: sha256(csv),
      problemCount: 2,
      problems: [
        { line: 3, problem: 'kvkNumber' },
        { line: 4, problem: 'kvkNumber' },
      ],
    });
  });

  it('refuses a list whose first line lacks a column, naming the column, in both languages', async () => {
    const csv = 'kvk_nummer;naam;deelname_sinds\n12345678;A;2024-01-01\n';
    const nl = await upload(csv);
    assert.equal(nl.status, 400);
    assert.match(nl.text, /data-problem="missingColumns"/);
    assert.match(
      nl.text,
      /de kopregel mist de kolom\(men\) deelname_tot; de kopregel is: kvk_nummer;naam;deelname_sinds/,
    );
    await assertValidHtml(nl.text, 'AAN list without a column');
    await admin.get('/beheer/aan-deelnemers?lang=en');
    const en = await upload(csv);
    await admin.get('/beheer/aan-deelnemers?lang=nl');
    assert.match(
      en.text,
      /the header line lacks the column\(s\) deelname_tot; the header line is: kvk_nummer;naam;deelname_sinds/,
    );
    assert.equal((await lastAudit('aan.refused'))?.fileSha256, sha256(csv));
  });

  it('refuses a header with a typo showing the header as the file has it, the look-alike cell, and asking to correct the header line', async () => {
    const csv = 'kvk_nummer;naam;deelnam_sinds;deelname_tot\n12345678;A;2024-01-01;\n';
    const nl = await upload(csv);
    assert.equal(nl.status, 400);
    assert.ok(
      nl.text.includes(
        'de kopregel mist de kolom(men) deelname_sinds; de kopregel is: kvk_nummer;naam;deelnam_sinds;deelname_tot',
      ),
    );
    assert.match(nl.text, /<code>kvk_nummer;naam;deelnam_sinds;deelname_tot<\/code>/);
    assert.match(nl.text, /Bedoelt u met deelnam_sinds de kolom deelname_sinds\?/);
    assert.match(nl.text, /rejectedIntroHeader">Er is niets veranderd. Verbeter de kopregel/);
    await assertValidHtml(nl.text, 'AAN list with a typo in its header');
    await admin.get('/beheer/aan-deelnemers?lang=en');
    const en = await upload(csv);
    await admin.get('/beheer/aan-deelnemers?lang=nl');
    assert.ok(
      en.text.includes(
        'the header line lacks the column(s) deelname_sinds; the header line is: kvk_nummer;naam;deelnam_sinds;deelname_tot',
      ),
    );
    assert.match(en.text, /Did you mean the column deelname_sinds by deelnam_sinds\?/);
    assert.match(en.text, /Correct the header line/);
  });

  it('reads columns in any order with a comma in an unquoted name, reports each provider and what changed, audits the SHA-256 and counts, and changes nothing the second time', async () => {
    const [ends, stays, missing, later] = [
      await givenListed(),
      await givenListed(),
      await givenListed(),
      await givenListed(),
    ];
    const csv = [
      'deelname_tot;deelname_sinds;naam;kvk_nummer',
      `2026-01-01;2024-01-01;Wolk, Dijk & Co B.V.;${ends.kvkNumber}`,
      `;2024-01-01;Blijft B.V.;${stays.kvkNumber}`,
      `;2024-06-01;Later B.V.;${later.kvkNumber}`,
      ';2024-01-01;Niet in het register, B.V.;11112222',
    ].join('\r\n');
    const res = await upload(csv);
    assert.equal(res.status, 200);
    await assertValidHtml(res.text, 'AAN list imported');
    const reported = [...res.text.matchAll(/data-change-kvk="(\d{8})" data-change="(\w+)"/g)].map(
      (m) => `${m[1]} ${m[2]}`,
    );
    assert.ok(reported.includes(`${ends.kvkNumber} ended`), reported.join());
    assert.ok(reported.includes(`${missing.kvkNumber} missingFromList`), reported.join());
    assert.ok(reported.includes(`${later.kvkNumber} since_later`), reported.join());
    assert.ok(
      !reported.some((r) => r.startsWith(stays.kvkNumber)),
      'a provider the list agrees with is not reported',
    );
    assert.ok(res.text.includes(ends.legalName));

    const imported = must(await lastAudit('aan.imported'), 'the import is audited');
    assert.equal(imported.fileSha256, sha256(csv));
    assert.equal(imported.listDate, toLocalDate(new Date()));
    assert.deepEqual(
      [imported.rows, imported.notInRegister, imported.ended, imported.endsPlanned],
      [4, 1, 1, 0],
    );
    assert.deepEqual(
      (await aanEvents(ends.id)).map((e) => [e.kind, e.effective_at.toISOString()]),
      [['aan_participation_ended', startOfLocalDay('2026-01-01').toISOString()]],
    );

    // The public page explains the status by the list and its date, in the reader's language.
    const nl = await admin.get(`/hostingproviders/${ends.kvkNumber}?lang=nl`);
    assert.match(nl.text, /data-status="aan_participation_ended"/);
    assert.ok(
      nl.text.includes(
        `AAN-deelnemerslijst van ${new Intl.DateTimeFormat('nl-NL', { dateStyle: 'long', timeZone: 'Europe/Amsterdam' }).format(new Date())}`,
      ),
    );
    const en = await admin.get(`/hostingproviders/${ends.kvkNumber}?lang=en`);
    assert.ok(
      en.text.includes(
        `AAN participant list of ${new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'Europe/Amsterdam' }).format(new Date())}`,
      ),
    );
    assert.doesNotMatch(en.text + nl.text, /regel \d/);

    // Reviewers see the tasks, with what the list said.
    const reviewer = await signedIn(demo.app, await givenUser(demo.db.dataSource, 'reviewer'));
    const queuePage = await reviewer.get('/beoordeling?lang=en');
    assert.match(
      queuePage.text,
      new RegExp(
        `data-task-kvk="${later.kvkNumber}"[^<]*<a[^>]*>[^<]*</a> \\(${later.kvkNumber}\\): by the list participating since 1 June 2024, the listing says since 1 January 2024 \\(according to the AAN participant list of `,
      ),
    );

    const events = await count('SELECT count(*)::int AS n FROM status_events');
    const tasks = await count('SELECT count(*)::int AS n FROM review_tasks WHERE resolved_at IS NULL');
    const second = await importAanList(demo.db.dataSource, Buffer.from(csv), 'test', new Date(), ALL);
    assert.deepEqual(
      [second.ended, second.endsPlanned, second.resumed, second.tasks, second.changes.length],
      [0, 0, 0, 0, 0],
    );
    assert.equal(await count('SELECT count(*)::int AS n FROM status_events'), events);
    assert.equal(await count('SELECT count(*)::int AS n FROM review_tasks WHERE resolved_at IS NULL'), tasks);

    // A reviewer looks into a task and closes it; the audit log keeps who and when.
    const resolve = new RegExp(
      `data-task-kvk="${later.kvkNumber}".*?action="(/beoordeling/taken/[0-9a-f-]{36}/afgehandeld)"`,
    ).exec(queuePage.text)?.[1];
    assert.ok(resolve);
    const done = await reviewer
      .post(resolve)
      .type('form')
      .send({ _csrf: csrfFrom(queuePage.text), note: 'Deelname nagevraagd bij het AAN.' });
    assert.equal(done.status, 303);
    assert.equal(
      await count('SELECT count(*)::int AS n FROM review_tasks WHERE resolved_at IS NULL'),
      tasks - 1,
    );
  });

  it('list A (resumed), an older list B (ended earlier), then A again: the public page shows one end and one resumption', async () => {
    const provider = await givenListed();
    const listA = list(`${provider.kvkNumber};P;2026-03-01;`);
    const listB = list(`${provider.kvkNumber};P;2024-01-01;2026-02-01`);
    await importAanList(demo.db.dataSource, listB, 'test', new Date(), ALL);
    for (const csv of [listA, listB, listA, listB])
      await importAanList(demo.db.dataSource, csv, 'test', new Date(), ALL);
    assert.deepEqual(
      (await aanEvents(provider.id)).map((e) => [e.kind, toLocalDate(e.effective_at)]),
      [
        ['aan_participation_ended', '2026-02-01'],
        ['aan_participation_resumed', '2026-03-01'],
      ],
    );
    const page = await admin.get(`/hostingproviders/${provider.kvkNumber}`);
    assert.match(page.text, /data-status="verantwoord"/);
  });

  it('stores a future deelname_tot, which takes effect at that instant: the rules from then on, the stored status when the daily work runs', async () => {
    const provider = await givenListed();
    const endDay = toLocalDate(addDays(new Date(), 40));
    const csv = list(`${provider.kvkNumber};P;2024-01-01;${endDay}`);
    const result = await importAanList(demo.db.dataSource, csv, 'test', new Date(), ALL);
    assert.equal(result.endsPlanned, 1);
    assert.deepEqual(
      result.changes.filter((c) => c.kvkNumber === provider.kvkNumber).map((c) => c.change),
      ['endPlanned'],
    );
    const endsAt = startOfLocalDay(endDay);
    const status = async (t: Date) => {
      const s = must(
        (await statusesAt(demo.db.dataSource.manager, [provider.id], t)).get(provider.id),
        'a status',
      );
      return s.verantwoord ? 'verantwoord' : s.reason;
    };
    assert.equal(await status(new Date()), 'verantwoord');
    assert.equal(await status(new Date(endsAt.getTime() - 1)), 'verantwoord');
    assert.equal(await status(endsAt), 'aan_participation_ended');

    // The stored status (search, open data) moves when the daily work runs after that instant.
    const snapshot = async () =>
      (
        await demo.db.dataSource.query<{ status: string }[]>(
          'SELECT status FROM provider_status WHERE provider_id = $1',
          [provider.id],
        )
      )[0]?.status;
    assert.equal(await snapshot(), 'verantwoord');
    await demo.db.dataSource.transaction((m) =>
      dailyWork(m, new Date(endsAt.getTime() + 60_000), 'http://register.test'),
    );
    assert.equal(await snapshot(), 'aan_participation_ended');

    const again = await importAanList(demo.db.dataSource, csv, 'test', new Date(), ALL);
    assert.equal(again.changes.filter((c) => c.kvkNumber === provider.kvkNumber).length, 0);
    assert.equal((await aanEvents(provider.id)).length, 1);
  });

  it('over random sequences of lists (fast-check, 15 sequences on PostgreSQL): idempotent, no duplicate events, the stored status agrees with the rules', async () => {
    const days = [
      '2023-06-01',
      '2024-01-01',
      '2024-06-01',
      '2025-06-01',
      '2026-01-01',
      '2026-06-01',
      '2027-06-01',
    ];
    const row = fc
      .tuple(fc.integer({ min: 0, max: days.length - 1 }), fc.integer({ min: 0, max: days.length }))
      .map(([s, u]) => ({ since: days[s]!, until: u > s && u < days.length ? days[u]! : '' }));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.option(row, { nil: undefined }), { minLength: 1, maxLength: 3 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 5 }),
        async (lists, order) => {
          const provider = await givenListed();
          for (const i of order) {
            const entry = lists[i % lists.length];
            const csv = list(
              ...(entry ? [`${provider.kvkNumber};P;${entry.since};${entry.until}`] : []),
              '11112222;Ander;2024-01-01;',
            );
            await importAanList(demo.db.dataSource, csv, 'test', new Date(), ALL);
            const events = await aanEvents(provider.id);
            const again = await importAanList(demo.db.dataSource, csv, 'test', new Date(), ALL);
            assert.equal(
              again.changes.filter((c) => c.kvkNumber === provider.kvkNumber).length,
              0,
              'second import',
            );
            assert.equal((await aanEvents(provider.id)).length, events.length);
            const keys = events.map((e) => `${e.kind}@${e.effective_at.toISOString()}`);
            assert.equal(new Set(keys).size, keys.length, keys.join());
            const now = new Date();
            const ruled = must(
              (await statusesAt(demo.db.dataSource.manager, [provider.id], now)).get(provider.id),
              'status',
            );
            const [stored] = await demo.db.dataSource.query<{ status: string }[]>(
              'SELECT status FROM provider_status WHERE provider_id = $1',
              [provider.id],
            );
            assert.equal(stored?.status, ruled.verantwoord ? 'verantwoord' : ruled.reason);
          }
        },
      ),
      { numRuns: 15, seed: 7 },
    );
  });

  it('npm run cli -- aan:import FILE imports with a progress bar, and refuses a malformed file with exit 1', async () => {
    const provider = await givenListed();
    const dir = mkdtempSync(path.join(tmpdir(), 'aan-'));
    const good = path.join(dir, 'good.csv');
    writeFileSync(good, list(`${provider.kvkNumber};P;2024-01-01;2026-01-01`));
    const ok = runCli(['aan:import', good, '--incomplete'], { DATABASE_URL: demo.db.url });
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(
      ok.stdout,
      /AAN list imported: 1 line, 1 in the register, 0 not; 1 end and 0 resumptions recorded, 0 ends planned, \d+ new tasks?, \d+ tasks? closed/,
    );
    assert.match(
      ok.stdout,
      new RegExp(`${provider.kvkNumber} .*: participation ended \\(recorded\\) 1 January 2026`),
    );
    assert.match(ok.stderr, /\[#+\] \d+\/\d+ providers/);
    const bad = path.join(dir, 'bad.csv');
    writeFileSync(bad, list('1234;X;2024-01-01;'));
    const refused = runCli(['aan:import', bad, '--incomplete'], { DATABASE_URL: demo.db.url });
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /line 2: not a valid KvK number/);
  });

  it('refuses a file that is not UTF-8 with a clear problem, as AanListRejected', async () => {
    await assert.rejects(
      importAanList(
        demo.db.dataSource,
        Buffer.from(`${HEADER}\n12345678;Caf\u00e9;2024-01-01;\n`, 'latin1'),
        'test',
        new Date(),
        ALL,
      ),
      (error: unknown) => error instanceof AanListRejected && error.problems[0]?.problem === 'encoding',
    );
  });

  it('is for administrators only', async () => {
    const reviewer = await signedIn(demo.app, await givenUser(demo.db.dataSource, 'reviewer'));
    assert.equal((await reviewer.get('/beheer/aan-deelnemers')).status, 403);
  });
});
