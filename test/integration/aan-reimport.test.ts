import assert from 'node:assert/strict';
import fc from 'fast-check';
import { type AanImportResult, importAanList, resolveReviewTask } from '../../src/aan/aan-import.service';
import { parseAanList } from '../../src/aan/aan-list';
import { planAanChange } from '../../src/aan/aan-rules';
import { loadHistories, toStatusFact } from '../../src/status/status-history';
import type { Provider } from '../../src/provider/provider.entity';
import { dateInWords } from '../../src/shared/i18n';
import { must } from '../../src/shared/must';
import { startOfLocalDay } from '../../src/shared/time';
import type { CodeOfConductVersion } from '../../src/status/code-of-conduct-version.entity';
import { givenCodeVersion } from '../factories/provider.factory';
import { givenUser } from '../factories/user.factory';
import { givenAanListed, openReviewTasks } from '../factories/aan.factory';
import { useTestApp } from '../helpers/app';
import { assertValidHtml } from '../helpers/html';
import { type Agent, signedIn, tokenFor } from '../helpers/session';

const HEADER = 'kvk_nummer;naam;deelname_sinds;deelname_tot';
const list = (...rows: string[]) => [HEADER, ...rows].join('\n');
/** These lists name only the test's own providers: confirmed complete. */
const ALL = { acceptIncomplete: true };

describe('importing an AAN list again: a reviewer’s closed task stays closed, a repeated file is recognised', () => {
  const context = useTestApp();
  let admin: Agent;
  let reviewer: Agent;
  let version: CodeOfConductVersion;

  before(async () => {
    admin = await signedIn(context.app, await givenUser(context.db.dataSource, 'admin'));
    reviewer = await signedIn(context.app, await givenUser(context.db.dataSource, 'reviewer'));
    version = await givenCodeVersion(context.db.dataSource);
  });

  const givenListed = () => givenAanListed(context.db.dataSource, version);
  const openTasks = (providerId: string) => openReviewTasks(context.db.dataSource, providerId);
  const taskCount = async (providerId: string) =>
    must(
      (
        await context.db.dataSource.query<{ n: number }[]>(
          'SELECT count(*)::int AS n FROM review_tasks WHERE provider_id = $1',
          [providerId],
        )
      )[0],
      'a count',
    ).n;
  /** A reviewer closes the provider's one open task on its page, with a note. */
  const closeOnPage = async (providerId: string) => {
    const [task] = await openTasks(providerId);
    const url = `/beoordeling/taken/${must(task, 'an open task').id}/afgehandeld`;
    const token = await tokenFor(reviewer, url);
    const res = await reviewer
      .post(url)
      .type('form')
      .send({ _csrf: token, note: 'Nagebeld met AAN: klopt.' });
    assert.equal(res.status, 303);
    assert.deepEqual(await openTasks(providerId), []);
  };
  const upload = async (csv: string, lang: 'nl' | 'en') => {
    const token = await tokenFor(admin, '/beheer/aan-deelnemers');
    return admin
      .post(`/beheer/aan-deelnemers?lang=${lang}`)
      .field('_csrf', token)
      .field('onvolledig', 'ja')
      .attach('deelnemerslijst', Buffer.from(csv), 'aan.csv');
  };
  const changesFor = (result: AanImportResult, ...providers: Provider[]) =>
    result.changes.filter((c) => providers.some((p) => p.kvkNumber === c.kvkNumber));

  it('a task a reviewer closed is not reopened by the same list again, nor by another list with the same difference; a new difference opens a task, and so does the old one after a list stopped showing it', async () => {
    const [stroopwafel, molen] = [await givenListed(), await givenListed()];
    const listA = list(`${stroopwafel.kvkNumber};S;2025-03-01;`);
    const first = await importAanList(context.db.dataSource, listA, 'test', new Date(), ALL);
    assert.deepEqual(
      changesFor(first, stroopwafel, molen)
        .map((c) => `${c.kvkNumber} ${c.change}`)
        .sort(),
      [`${molen.kvkNumber} missingFromList`, `${stroopwafel.kvkNumber} since_later`].sort(),
    );
    await closeOnPage(stroopwafel.id);
    await closeOnPage(molen.id);

    // The same file again (same SHA-256): nothing reopens, nothing to report.
    const again = await importAanList(context.db.dataSource, listA, 'test', new Date(), ALL);
    assert.deepEqual(changesFor(again, stroopwafel, molen), []);
    assert.deepEqual(await openTasks(stroopwafel.id), []);
    assert.deepEqual(await openTasks(molen.id), []);
    // Another file that tells the same differences (another name, another line): still nothing.
    const sameSaid = list(
      '11112222;Ander;2024-01-01;',
      `${stroopwafel.kvkNumber};Stroopwafel BV;2025-03-01;`,
    );
    const other = await importAanList(context.db.dataSource, sameSaid, 'test', new Date(), ALL);
    assert.deepEqual(changesFor(other, stroopwafel, molen), []);
    assert.equal(await taskCount(stroopwafel.id), 1);
    assert.equal(await taskCount(molen.id), 1);

    // A new difference opens a new task: the list now says since 1 April.
    const listD = list(`${stroopwafel.kvkNumber};S;2025-04-01;`, `${molen.kvkNumber};M;2025-01-01;`);
    const newer = await importAanList(context.db.dataSource, listD, 'test', new Date(), ALL);
    assert.deepEqual(
      changesFor(newer, stroopwafel, molen).map((c) => `${c.kvkNumber} ${c.change}`),
      [`${stroopwafel.kvkNumber} since_later`],
    );
    assert.deepEqual(
      (await openTasks(stroopwafel.id)).map((t) => t.detail?.since),
      ['2025-04-01'],
    );
    // Molenrack was on list D: missing from a later list is a new difference again.
    const back = await importAanList(context.db.dataSource, listA, 'test', new Date(), ALL);
    assert.deepEqual(
      changesFor(back, molen).map((c) => c.change),
      ['missingFromList'],
    );
    assert.equal(await taskCount(molen.id), 2);
  });

  it('recognises the same file by its SHA-256: "al geïmporteerd op <date>; er verandert niets", in both languages, and audits the import', async () => {
    const provider = await givenListed();
    const csv = list(`${provider.kvkNumber};P;2025-01-01;`, `99887766;Nieuw;2025-01-01;`);
    const once = await upload(csv, 'nl');
    assert.equal(once.status, 200);
    assert.doesNotMatch(once.text, /al geïmporteerd/);
    const lastImport = async () =>
      must(
        (
          await context.db.dataSource.query<{ imported_at: Date }[]>(
            'SELECT imported_at FROM aan_imports ORDER BY imported_at DESC LIMIT 1',
          )
        )[0],
        'an import',
      ).imported_at;
    const first = await lastImport();

    const nl = await upload(csv, 'nl');
    assert.equal(nl.status, 200);
    await assertValidHtml(nl.text, 'AAN list imported again');
    assert.ok(
      nl.text.includes(
        `Deze lijst is al geïmporteerd op ${dateInWords('nl', first, true)}; er verandert niets.`,
      ),
      nl.text,
    );
    assert.doesNotMatch(nl.text, /data-no-changes/);
    // Nothing changed, so no "what changed" heading over nothing.
    assert.doesNotMatch(nl.text, /id="aan-changes"|Wat er is veranderd/);
    const second = await lastImport();
    const en = await upload(csv, 'en');
    assert.ok(
      en.text.includes(
        `This list was already imported on ${dateInWords('en', second, true)}; nothing changes.`,
      ),
      'the latest import before is named',
    );

    // Each import is audited, the repeated ones with when the file was imported before.
    const audits = await context.db.dataSource.query<{ data: Record<string, unknown> }[]>(
      `SELECT data FROM audit_events WHERE action = 'aan.imported' ORDER BY id DESC LIMIT 3`,
    );
    assert.deepEqual(
      audits.map(({ data }) => data.alreadyImportedAt),
      [second.toISOString(), first.toISOString(), null],
    );
    assert.equal(new Set(audits.map(({ data }) => data.fileSha256)).size, 1);
  });

  it('says so when a list imported before changes something because another list came in between', async () => {
    const provider = await givenListed();
    const listA = list(`${provider.kvkNumber};P;2025-01-01;`);
    const listB = list(`${provider.kvkNumber};P;2025-02-01;`);
    await importAanList(context.db.dataSource, listA, 'test', new Date(), ALL);
    await importAanList(context.db.dataSource, listB, 'test', new Date(), ALL);
    const res = await upload(listA, 'nl');
    assert.match(
      res.text,
      /Deze lijst is al eerder geïmporteerd op [^;]+; het register is sindsdien veranderd \(door een andere lijst/,
    );
    assert.doesNotMatch(res.text, /er verandert niets/);
    assert.match(res.text, new RegExp(`data-change-kvk="${provider.kvkNumber}" data-change="taskClosed"`));
  });

  it('over random sequences of lists with reviewers closing tasks in between (fast-check, 15 sequences on PostgreSQL): a list imported again changes nothing, and a closed task reopens only for a new difference', async () => {
    const days = ['2024-06-01', '2025-01-01', '2025-03-01', '2025-06-01', '2026-01-01'];
    const row = fc
      .tuple(fc.integer({ min: 0, max: days.length - 1 }), fc.integer({ min: 0, max: days.length }))
      .map(([s, u]) => ({ since: days[s]!, until: u > s && u < days.length ? days[u]! : '' }));
    const step = fc.record({ list: fc.nat(), close: fc.boolean(), twice: fc.boolean() });
    const said = (
      kind: string,
      detail: { difference?: string; since?: string; until?: string | null } | null | undefined,
    ) => JSON.stringify([kind, detail?.difference ?? '', detail?.since ?? '', detail?.until ?? '']);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.option(row, { nil: undefined }), { minLength: 1, maxLength: 3 }),
        fc.array(step, { minLength: 1, maxLength: 6 }),
        async (lists, steps) => {
          const provider = await givenListed();
          /** The difference a reviewer closed, as long as every list since still shows it. */
          let settled: string | undefined;
          for (const { list: i, close, twice } of steps) {
            const entry = lists[i % lists.length];
            const csv = list(
              ...(entry ? [`${provider.kvkNumber};P;${entry.since};${entry.until}`] : []),
              '11112222;Ander;2024-01-01;',
            );
            // The task the pure rules ask for, from the history before this import.
            const histories = await loadHistories(context.db.dataSource.manager, [provider.id]);
            const history = (histories.get(provider.id) ?? []).map(toStatusFact);
            const aanRow = parseAanList(csv).rows.find((r) => r.kvkNumber === provider.kvkNumber);
            const task = planAanChange(aanRow, history, startOfLocalDay('2025-01-01')).task;
            const wanted =
              task &&
              said(
                task.kind,
                aanRow && { ...aanRow, difference: 'difference' in task ? task.difference : '' },
              );
            if (wanted !== settled) settled = undefined;

            await importAanList(context.db.dataSource, csv, 'test', new Date(), ALL);
            const open = (await openTasks(provider.id)).map((t) => ({ ...t, said: said(t.kind, t.detail) }));
            assert.deepEqual(
              open.map((t) => t.said),
              wanted && wanted !== settled ? [wanted] : [],
              'the open task is what the list says, unless a reviewer closed that very difference',
            );
            if (close && open[0]) {
              await resolveReviewTask(context.db.dataSource, open[0].id, 'reviewer', 'Bekeken.', new Date());
              settled = open[0].said;
            }
            if (twice || close) {
              const tasks = await taskCount(provider.id);
              const again = await importAanList(context.db.dataSource, csv, 'test', new Date(), ALL);
              assert.deepEqual(changesFor(again, provider), [], 'the same list again changes nothing');
              assert.equal(await taskCount(provider.id), tasks);
              assert.ok(again.alreadyImportedAt instanceof Date, 'recognised by its SHA-256');
            }
          }
        },
      ),
      { numRuns: 15, seed: 12 },
    );
  });
});
