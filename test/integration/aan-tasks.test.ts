import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { AanListIncomplete, importAanList } from '../../src/aan/aan-import.service';
import { dateInWords } from '../../src/shared/i18n';
import { must } from '../../src/shared/must';
import { addDays, startOfLocalDay, toLocalDate } from '../../src/shared/time';
import type { CodeOfConductVersion } from '../../src/status/code-of-conduct-version.entity';
import { givenCodeVersion } from '../factories/provider.factory';
import { givenUser } from '../factories/user.factory';
import { givenAanListed, openReviewTasks } from '../factories/aan.factory';
import { useTestApp } from '../helpers/app';
import { assertValidHtml } from '../helpers/html';
import { type Agent, signedIn, tokenFor } from '../helpers/session';

const HEADER = 'kvk_nummer;naam;deelname_sinds;deelname_tot';
const list = (...rows: string[]) => [HEADER, ...rows].join('\n');
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
/** Lists in the tests that are about tasks name only that test's providers: confirmed complete. */
const ALL = { acceptIncomplete: true };

describe('AAN review tasks and the lists behind them', () => {
  const context = useTestApp();
  let admin: Agent;
  let version: CodeOfConductVersion;

  before(async () => {
    admin = await signedIn(context.app, await givenUser(context.db.dataSource, 'admin'));
    version = await givenCodeVersion(context.db.dataSource);
  });

  const givenListed = () => givenAanListed(context.db.dataSource, version);
  const openTasks = (providerId: string) => openReviewTasks(context.db.dataSource, providerId);
  const audits = (action: string, subjectId: string) =>
    context.db.dataSource.query<{ data: Record<string, unknown> }[]>(
      'SELECT data FROM audit_events WHERE action = $1 AND subject_id = $2 ORDER BY id',
      [action, subjectId],
    );
  const upload = async (file: Buffer | undefined, fields: Record<string, string> = {}) => {
    const token = await tokenFor(admin, '/beheer/aan-deelnemers');
    let req = admin.post('/beheer/aan-deelnemers?lang=nl').field('_csrf', token);
    for (const [name, value] of Object.entries(fields)) req = req.field(name, value);
    return file === undefined
      ? req.attach('deelnemerslijst', Buffer.alloc(0), '')
      : req.attach('deelnemerslijst', file, 'aan.csv');
  };

  it('list A, then B (one provider missing, one without its end), then A again: A closes both tasks, each with an audit event naming its SHA-256', async () => {
    const [klompen, delta] = [await givenListed(), await givenListed()];
    const end = toLocalDate(addDays(new Date(), 60));
    const listA = list(`${klompen.kvkNumber};K;2025-01-01;${end}`, `${delta.kvkNumber};D;2025-01-01;`);
    const listB = list(`${klompen.kvkNumber};K;2025-01-01;`);
    await importAanList(context.db.dataSource, listA, 'test', new Date(), ALL);
    const b = await importAanList(context.db.dataSource, listB, 'test', new Date(), ALL);
    assert.deepEqual(
      b.changes.map((c) => `${c.kvkNumber} ${c.change}`).sort(),
      [`${delta.kvkNumber} missingFromList`, `${klompen.kvkNumber} end_not_on_list`].sort(),
    );
    assert.equal((await openTasks(klompen.id)).length, 1);

    const again = await importAanList(context.db.dataSource, listA, 'test', new Date(), ALL);
    assert.deepEqual(
      again.changes
        .filter((c) => c.change === 'taskClosed')
        .map((c) => c.kvkNumber)
        .sort(),
      [klompen.kvkNumber, delta.kvkNumber].sort(),
    );
    assert.deepEqual(await openTasks(klompen.id), []);
    assert.deepEqual(await openTasks(delta.id), []);
    const closed = must((await audits('review_task.closed_by_list', delta.id))[0], 'the closing is audited');
    assert.equal(closed.data.fileSha256, sha256(Buffer.from(listA)));
    assert.equal(closed.data.kind, 'aan_missing_from_list');
    // The import's own event counts the settled tasks; their ids go in events of their own.
    const [imported] = await context.db.dataSource.query<{ data: Record<string, unknown> }[]>(
      `SELECT data FROM audit_events WHERE action = 'aan.imported' ORDER BY id DESC LIMIT 1`,
    );
    assert.equal(typeof must(imported, 'the import is audited').data.tasksSuperseded, 'number');
    const page = await admin.get('/beheer/aan-deelnemers');
    assert.doesNotMatch(page.text, new RegExp(`data-task-kvk="(${klompen.kvkNumber}|${delta.kvkNumber})"`));
    // The same list once more changes nothing.
    const fourth = await importAanList(context.db.dataSource, listA, 'test', new Date(), ALL);
    assert.deepEqual(
      fourth.changes.filter((c) => [klompen.kvkNumber, delta.kvkNumber].includes(c.kvkNumber)),
      [],
    );
  });

  it('replaces a task whose difference a later list tells otherwise, and names the list (date in words) on the task', async () => {
    const provider = await givenListed();
    await importAanList(
      context.db.dataSource,
      list(`${provider.kvkNumber};P;2025-03-01;`),
      'test',
      new Date(),
      ALL,
    );
    await importAanList(
      context.db.dataSource,
      list(`${provider.kvkNumber};P;2025-04-01;`),
      'test',
      new Date(),
      ALL,
    );
    assert.deepEqual(
      (await openTasks(provider.id)).map((t) => t.detail?.since),
      ['2025-04-01'],
      'one open task, saying what the latest list says',
    );
    const page = await admin.get('/beheer/aan-deelnemers?lang=nl');
    assert.ok(
      page.text.includes(
        `deelname volgens de lijst sinds 1 april 2025, de vermelding zegt sinds 1 januari 2025 (volgens de AAN-deelnemerslijst van ${dateInWords('nl', new Date())}`,
      ),
    );
    assert.doesNotMatch(page.text, /laatst geïmporteerde/);
  });

  it('refuses a list that lacks more than a third of the listed providers as probably incomplete (audited), and imports it once the administrator confirms it is complete', async () => {
    const [kept, lost1, lost2] = [await givenListed(), await givenListed(), await givenListed()];
    const csv = Buffer.from(list(`${kept.kvkNumber};K;2025-01-01;`));
    await assert.rejects(
      importAanList(context.db.dataSource, csv, 'test', new Date()),
      (e: unknown) =>
        e instanceof AanListIncomplete && e.missing.some((m) => m.kvkNumber === lost1.kvkNumber),
    );
    const refused = await upload(csv);
    assert.equal(refused.status, 400);
    assert.match(refused.text, /data-aan-incomplete/);
    assert.match(refused.text, new RegExp(`data-missing-kvk="${lost2.kvkNumber}"`));
    assert.match(refused.text, /name="onvolledig"/);
    await assertValidHtml(refused.text, 'AAN list refused as incomplete');
    const audit = must((await audits('aan.refused', sha256(csv))).at(-1), 'the refusal is audited');
    assert.equal(audit.data.problem, 'incomplete');
    assert.deepEqual(await openTasks(lost1.id), [], 'nothing changed');

    const confirmed = await upload(csv, { onvolledig: 'ja' });
    assert.equal(confirmed.status, 200);
    assert.equal((await openTasks(lost1.id)).length, 1);
  });

  it('shows a future AAN end as planned: in the status block, in the history, and in the API', async () => {
    const provider = await givenListed();
    const endDay = toLocalDate(addDays(new Date(), 40));
    const endsAt = startOfLocalDay(endDay);
    await importAanList(
      context.db.dataSource,
      list(`${provider.kvkNumber};P;2025-01-01;${endDay}`),
      'test',
      new Date(),
      ALL,
    );
    const nl = await admin.get(`/hostingproviders/${provider.kvkNumber}?lang=nl`);
    assert.match(nl.text, /data-status="verantwoord"/);
    assert.ok(nl.text.includes(`AAN-deelname eindigt op ${dateInWords('nl', endsAt)}`), 'the status block');
    assert.match(nl.text, /data-planned>AAN-deelname eindigt \(gepland\)/);
    assert.doesNotMatch(nl.text, /AAN-deelname beëindigd/);
    const staff = await admin.get(`/beoordeling/hostingproviders/${provider.kvkNumber}?lang=en`);
    assert.ok(staff.text.includes(`AAN participation ends on ${dateInWords('en', endsAt)}`));

    const api = await admin.get(`/api/v1/hostingproviders/${provider.kvkNumber}`);
    const body = api.body as { vermelding: { aanDeelnameTot: string | null } };
    // A calendar date on the Dutch calendar, not the UTC instant that reads as the day before.
    assert.equal(body.vermelding.aanDeelnameTot, endDay);
  });

  it('labels the AAN form on its own: no file chosen, an empty file (audited) and a file that is not UTF-8 (no line number)', async () => {
    const none = await upload(undefined);
    assert.equal(none.status, 400);
    assert.match(
      none.text,
      /CSV-bestand met de deelnemerslijst: kies het CSV-bestand met de AAN-deelnemerslijst/,
    );
    assert.doesNotMatch(none.text, /Of een CSV-bestand|pdf-bestand/);

    const empty = await upload(Buffer.alloc(0));
    assert.equal(empty.status, 400);
    assert.match(empty.text, /data-problem="empty"/);
    assert.doesNotMatch(empty.text, /Of een CSV-bestand|pdf-bestand/);
    assert.equal(
      (await audits('aan.refused', sha256(Buffer.alloc(0)))).length,
      1,
      'the empty file is audited',
    );

    const latin1 = await upload(Buffer.from(`${HEADER}\n12345678;Caf\u00e9;2024-01-01;\n`, 'latin1'));
    assert.equal(latin1.status, 400);
    assert.match(
      latin1.text,
      /data-problem-line="0" data-problem="encoding">\s*<th scope="row"[^>]*>hele bestand</,
    );
    await assertValidHtml(latin1.text, 'AAN list that is not UTF-8');
  });
});
