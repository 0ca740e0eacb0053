import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { importAanList } from '../../src/aan/aan-import.service';
import { StatusEvent } from '../../src/status/status-event.entity';
import { givenUser } from '../factories/user.factory';
import { demoKvkOf, useDemoRegister } from '../helpers/demo';
import { assertValidHtml } from '../helpers/html';
import { runCli } from '../helpers/processes';
import { type Agent, csrfFrom, signedIn, tokenFor } from '../helpers/session';
import { must } from '../../src/shared/must';

const LISTED = ['Polderwolk', 'Dijkgraaf', 'Klompenserver', 'Molenrack'];

describe('importing the AAN participant list', () => {
  const demo = useDemoRegister();
  let admin: Agent;

  before(async () => {
    admin = await signedIn(demo.app, await givenUser(demo.db.dataSource, 'admin'));
  });

  const upload = async (csv: string) => {
    const token = await tokenFor(admin, '/beheer/aan-deelnemers');
    return admin
      .post('/beheer/aan-deelnemers')
      .field('_csrf', token)
      .attach('bestand', Buffer.from(csv), 'aan.csv');
  };
  const count = async (sql: string) =>
    must((await demo.db.dataSource.query<{ n: number }[]>(sql))[0], 'a count gives one row').n;

  it('refuses a list with malformed rows whole, reports each row, and changes nothing', async () => {
    const before = await count('SELECT count(*)::int AS n FROM status_events');
    const importsBefore = await count('SELECT count(*)::int AS n FROM aan_imports');
    const res = await upload(
      `kvk_nummer;naam;deelname_sinds;deelname_tot\n${demoKvkOf('Polderwolk')};P;2024-01-01;2025-06-01\n1234;X;2024-01-01;\n${demoKvkOf('Dijkgraaf')};D;2024-02-30;\n`,
    );
    assert.equal(res.status, 400);
    assert.match(res.text, /data-problem-line="3" data-problem="kvkNumber"/);
    assert.match(res.text, /data-problem-line="4" data-problem="since"/);
    await assertValidHtml(res.text, 'refused AAN list');
    assert.equal(await count('SELECT count(*)::int AS n FROM status_events'), before);
    assert.equal(await count('SELECT count(*)::int AS n FROM aan_imports'), importsBefore);
  });

  it('records ended participation, raises a task for listed providers missing from the list, and changes nothing the second time', async () => {
    const polder = demoKvkOf('Polderwolk');
    const csv = [
      'kvk_nummer;naam;deelname_sinds;deelname_tot',
      `${polder};Polderwolk;2024-01-01;2026-01-01`,
      ...LISTED.slice(1).map((name) => `${demoKvkOf(name)};${name};2024-01-01;`),
      '11112222;Niet in het register B.V.;2024-01-01;',
    ].join('\n');
    const res = await upload(csv);
    assert.equal(res.status, 200);
    assert.match(res.text, /data-aan-result/);
    await assertValidHtml(res.text, 'AAN list imported');
    const ended = await demo.db.dataSource
      .getRepository(StatusEvent)
      .findBy({ kind: 'aan_participation_ended' });
    const [provider] = await demo.db.dataSource.query<{ id: string }[]>(
      'SELECT id FROM providers WHERE kvk_number = $1',
      [polder],
    );
    assert.ok(provider, 'the listed provider exists');
    assert.ok(ended.some((e) => e.providerId === provider.id));
    const page = await admin.get(`/hostingproviders/${polder}`);
    assert.match(page.text, /data-status="aan_participation_ended"/);
    const tasks = await count(`SELECT count(*)::int AS n FROM review_tasks WHERE resolved_at IS NULL`);
    assert.ok(tasks >= 1, 'listed providers that are not on the list are tasks');
    const queue = await signedIn(demo.app, await givenUser(demo.db.dataSource, 'reviewer'));
    const queuePage = await queue.get('/beoordeling');
    assert.match(queuePage.text, /data-task-kvk="\d{8}"/);

    const events = await count('SELECT count(*)::int AS n FROM status_events');
    const second = await importAanList(demo.db.dataSource, csv, 'test', new Date());
    assert.deepEqual([second.ended, second.resumed, second.tasks], [0, 0, 0]);
    assert.equal(await count('SELECT count(*)::int AS n FROM status_events'), events);
    assert.equal(await count(`SELECT count(*)::int AS n FROM review_tasks WHERE resolved_at IS NULL`), tasks);

    // A reviewer looks into a task and closes it; the audit log keeps who and when.
    const resolve = /action="(\/beoordeling\/taken\/[0-9a-f-]{36}\/afgehandeld)"/.exec(queuePage.text)?.[1];
    assert.ok(resolve);
    const done = await queue
      .post(resolve)
      .type('form')
      .send({ _csrf: csrfFrom(queuePage.text) });
    assert.equal(done.status, 303);
    assert.equal(
      await count(`SELECT count(*)::int AS n FROM review_tasks WHERE resolved_at IS NULL`),
      tasks - 1,
    );
    assert.equal(
      await count(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'review_task.resolved'`),
      1,
    );
  });

  it('npm run cli -- aan:import FILE imports with a progress bar, and refuses a malformed file with exit 1', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'aan-'));
    const good = path.join(dir, 'good.csv');
    writeFileSync(good, `${demoKvkOf('Polderwolk')};Polderwolk;2024-01-01;2026-01-01\n`);
    const ok = runCli(['aan:import', good], { DATABASE_URL: demo.db.url });
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(
      ok.stdout,
      /AAN list imported: 1 rows, 1 in the register, 0 not; 0 ends and 0 resumptions recorded/,
    );
    assert.match(ok.stderr, /\[#+\] \d+\/\d+ providers/);
    const bad = path.join(dir, 'bad.csv');
    writeFileSync(bad, '1234;X;2024-01-01;\n');
    const refused = runCli(['aan:import', bad], { DATABASE_URL: demo.db.url });
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /line 1: not a valid KvK number/);
  });

  it('is for administrators only', async () => {
    const reviewer = await signedIn(demo.app, await givenUser(demo.db.dataSource, 'reviewer'));
    assert.equal((await reviewer.get('/beheer/aan-deelnemers')).status, 403);
  });
});
