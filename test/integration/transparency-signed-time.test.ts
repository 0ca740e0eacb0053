import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import request from 'supertest';
import { formatCheckpoint } from '../../monitor/lib/checkpoint';
import { openTimestampedNote } from '../../monitor/lib/cosignature';
import { openNote, signNote } from '../../monitor/lib/note';
import { type AuditEntry, appendAuditEvents } from '../../src/audit/audit.service';
import { FixedClock } from '../../src/shared/clock';
import { createLogger } from '../../src/shared/logger';
import { signCheckpointIfDue } from '../../src/transparency/checkpoint.service';
import { insertCheckpoint } from '../../src/transparency/checkpoint.queries';
import { loadLogKey } from '../../src/transparency/log-key';
import { rootAt } from '../../src/transparency/proofs';
import { testApp, testConfig } from '../helpers/app';
import { asInsider, createTestDatabase, type TestDatabase, testSigner } from '../helpers/database';

const key = loadLogKey(testConfig);
const INTERVAL = { intervalSeconds: 30 };

const entry = (n: number): AuditEntry => ({
  actor: 'test:signed-time',
  action: 'test.event',
  subjectType: 'test',
  subjectId: String(n),
  data: { n },
});

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

describe('checkpoints carry the time the log signed them (/transparantie)', () => {
  const T0 = new Date('2026-11-30T12:00:00.250Z');
  const at = (s: number) => new Date(T0.getTime() + s * 1000);
  const DAY = 86_400;
  let db: TestDatabase;
  let clock: FixedClock;
  let agent: request.Agent;
  const logged: string[] = [];
  let firstNote: string;

  const append = (from: number, count: number, when: Date) =>
    db.dataSource.transaction((m) =>
      appendAuditEvents(
        m,
        when,
        Array.from({ length: count }, (_, i) => entry(from + i)),
      ),
    );

  before(async function () {
    this.timeout(60_000);
    db = await createTestDatabase();
    clock = new FixedClock(T0);
    const logger = createLogger(
      'warn',
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          logged.push(chunk.toString('utf8'));
          done();
        },
      }),
    );
    agent = request.agent(testApp(db.dataSource, { clock, logger }).app);
    // A checkpoint stored before the log signed its time: a plain signed note.
    await append(0, 5, at(-7200));
    await db.dataSource.transaction(async (m) =>
      insertCheckpoint(m, {
        treeSize: 5,
        rootHash: await rootAt(m, 5),
        signedAt: at(-3600),
        note: signNote(
          formatCheckpoint({ origin: key.origin, size: 5, root: await rootAt(m, 5), extensions: [] }),
          key.origin,
          key.privateKey,
        ),
      }),
    );
    await append(5, 2, at(-60));
    const signed = await signCheckpointIfDue(db.dataSource, testSigner(db), T0, INTERVAL);
    assert.equal(signed.outcome, 'signed');
  });
  after(() => db.drop());

  it('serves a checkpoint with two lines by the log key: the note signature and the signed time', async () => {
    const res = await agent.get('/transparantie/checkpoint');
    assert.equal(res.status, 200);
    firstNote = res.text;
    const signatures = res.text.slice(res.text.indexOf('\n\n') + 2, -1).split('\n');
    assert.equal(signatures.length, 2);
    assert.ok(signatures.every((line) => line.startsWith(`\u2014 ${key.origin} `)));
    assert.equal(openNote(res.text, [key.verifierKey]).text.split('\n')[1], '7');
    assert.equal(openTimestampedNote(res.text, key.verifierKey).timestamp, seconds(T0));
  });

  it('signs a quiet log again a day later: a new note with a later signed time', async () => {
    clock.set(at(DAY));
    const daily = await signCheckpointIfDue(db.dataSource, testSigner(db), at(DAY), INTERVAL);
    assert.equal(daily.outcome, 'signed');
    const res = await agent.get('/transparantie/checkpoint');
    assert.notEqual(res.text, firstNote);
    const before = openTimestampedNote(firstNote, key.verifierKey);
    const now = openTimestampedNote(res.text, key.verifierKey);
    assert.equal(now.text, before.text, 'the same tree');
    assert.equal(now.timestamp, seconds(T0) + DAY);
  });

  it('shows each checkpoint its signed time in the history, and says so of one without', async () => {
    const res = await agent.get('/transparantie/checkpoints');
    assert.equal(res.status, 200);
    const times = [...res.text.matchAll(/data-note-signed-at="([^"]*)"/g)].map((m) => m[1]);
    assert.deepEqual(times, [
      new Date((seconds(T0) + DAY) * 1000).toISOString(),
      new Date(seconds(T0) * 1000).toISOString(),
      'none',
    ]);
    assert.match(res.text, /Ondertekend tijdstip in het checkpoint/);
    assert.match(res.text, /geen ondertekend tijdstip/);
  });

  it('shows no warning while the checkpoints keep up', async () => {
    clock.set(at(DAY + 60));
    const quiet = await agent.get('/transparantie');
    assert.equal(quiet.status, 200);
    assert.doesNotMatch(quiet.text, /data-log-behind/);
    await append(7, 3, at(DAY + 60));
    clock.set(at(DAY + 149)); // the signed time is whole seconds: T0 less its 250 ms
    const grown = await agent.get('/transparantie');
    assert.doesNotMatch(grown.text, /data-log-behind/, 'grown, within three intervals and a minute');
    assert.deepEqual(logged, []);
  });

  it('warns, in Dutch and English, and logs it, when the log grew and no checkpoint followed', async () => {
    clock.set(at(DAY + 151));
    const res = await agent.get('/transparantie');
    assert.equal(res.status, 200);
    assert.match(
      res.text,
      /<div class="utrecht-alert utrecht-alert--warning" role="status"[^>]*data-log-behind>/,
    );
    assert.match(res.text, /de checkpoints van het log lopen achter/);
    assert.match(res.text, /het log telt nu 10 gebeurtenissen/);
    const english = await agent.get('/transparantie?lang=en');
    assert.match(english.text, /the log&#x27;s checkpoints are behind|the log's checkpoints are behind/);
    assert.ok(
      logged.some((line) => /"level":40/.test(line) && /transparency log is behind/.test(line)),
      logged.join('\n'),
    );
  });

  it('warns by the signed time, not the row, when an insider moves signed_at forward to freeze the signer', async () => {
    await asInsider(db, ['log_checkpoints'], (c) =>
      c.query(`UPDATE log_checkpoints SET signed_at = $1 WHERE id = (SELECT max(id) FROM log_checkpoints)`, [
        at(2 * DAY),
      ]),
    );
    clock.set(at(DAY + 3600));
    const refused = await signCheckpointIfDue(db.dataSource, testSigner(db), at(DAY + 3600), INTERVAL);
    assert.equal(refused.outcome, 'refused');
    assert.match(refused.outcome === 'refused' ? refused.reason : '', /says signed_at .*, its signed note /);
    const res = await agent.get('/transparantie');
    assert.match(res.text, /data-log-behind/);
  });
});
