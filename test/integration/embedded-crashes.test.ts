import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Client } from 'pg';
import { freePort, processAlive, startEmbeddedPostgres } from '../../src/database/embedded';
import { createLogger } from '../../src/shared/logger';
import { startServer } from '../helpers/processes';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits (bounded) until `check` holds. */
async function until(check: () => boolean, what: string, withinMs = 30_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** A logger whose lines the test reads. */
function recordingLogger() {
  const lines: string[] = [];
  const logger = createLogger(
    'info',
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    }),
  );
  const logged = (pattern: RegExp) => lines.some((l) => pattern.test(l));
  return { logger, lines, logged };
}

async function answers(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one === 1;
  } finally {
    await client.end();
  }
}

/** A process id that no longer runs. */
function goneProcess(): number {
  return spawnSync(process.execPath, ['-e', '']).pid;
}

/**
 * One data folder for the whole file (initdb takes seconds): each test leaves no server running.
 * The first tests run the server in this process, the last ones in a child process of the built
 * register, killed as an operator or a crash would.
 */
describe('the embedded PostgreSQL survives crashes', function () {
  this.timeout(120_000);
  let parent: string;
  let dataDir: string;
  let directory: string;
  before(() => {
    parent = mkdtempSync(path.join(os.tmpdir(), 'vhp-crashes-'));
    // As root the server runs as the postgres user, which must be able to reach its folder.
    chmodSync(parent, 0o755);
    dataDir = path.join(parent, 'data');
    directory = path.join(dataDir, 'postgres');
  });
  after(() => rmSync(parent, { recursive: true, force: true }));

  const postmaster = () =>
    Number(readFileSync(path.join(directory, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const startedBy = () => `${directory}.started-by`;
  const recordedPid = () => (JSON.parse(readFileSync(startedBy(), 'utf8')) as { pid: number }).pid;

  it('stops the server of a register process that is gone, and refuses one whose process runs or that no register started', async () => {
    const log = recordingLogger();
    const first = await startEmbeddedPostgres({ directory, logger: log.logger });
    const server = postmaster();
    assert.equal(recordedPid(), process.pid);

    await assert.rejects(
      startEmbeddedPostgres({ directory, logger: log.logger }),
      new RegExp(
        `^SettingError: DATA_DIR: the database in .* is already in use by process ${process.pid} \\(its PostgreSQL server is process ${server}\\)`,
      ),
    );
    renameSync(startedBy(), `${startedBy()}.aside`);
    await assert.rejects(
      startEmbeddedPostgres({ directory, logger: log.logger }),
      new RegExp(`already in use by PostgreSQL process ${server}, which this register did not start`),
    );
    assert.ok(processAlive(server), 'a server in use is never stopped');

    // As after SIGKILL: the process that started the server no longer runs.
    renameSync(`${startedBy()}.aside`, startedBy());
    writeFileSync(startedBy(), JSON.stringify({ pid: goneProcess() }));
    const second = await startEmbeddedPostgres({ directory, logger: log.logger });
    try {
      assert.equal(processAlive(server), false);
      assert.ok(log.logged(/was still running: stopping it \(fast shutdown\)/));
      assert.ok(log.logged(/stopped unexpectedly: the register has no database/));
      assert.ok(await answers(second.ownerUrl));
      // The first handle's server is gone: stopping it neither waits nor touches the new record.
      await first.stop();
      assert.ok(log.logged(/had already stopped/));
      assert.equal(recordedPid(), process.pid);
    } finally {
      await second.stop();
    }
    assert.equal(existsSync(startedBy()), false, 'a clean stop removes the record');
  });

  it('lets one of two simultaneous starts on a folder start it and refuses the other in one line, never stopping the server just started (also on an empty folder)', async () => {
    const log = recordingLogger();
    const refused =
      /^SettingError: DATA_DIR: the database in .* is already in use by process \d+, which is starting it/;
    const both = async (folder: string) => {
      const results = await Promise.allSettled([
        startEmbeddedPostgres({ directory: folder, logger: log.logger, persistent: folder === directory }),
        startEmbeddedPostgres({ directory: folder, logger: log.logger, persistent: folder === directory }),
      ]);
      const started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      const failed = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
      try {
        assert.equal(started.length, 1, failed.join('\n'));
        assert.match(failed[0] ?? '', refused);
        assert.ok(await answers(started[0]!.ownerUrl), 'the started server runs');
      } finally {
        for (const db of started) await db.stop();
      }
      assert.equal(existsSync(`${folder}.start-lock`), false, 'the start lock is released');
    };
    // As after the server was killed and the register stopped: the record names a process that is gone.
    writeFileSync(startedBy(), JSON.stringify({ pid: goneProcess() }));
    await both(directory);
    assert.equal(log.logged(/was still running: stopping it/), false);
    await both(path.join(parent, 'empty', 'postgres'));

    // A lock left by a starter that was killed is taken over.
    writeFileSync(`${directory}.start-lock`, JSON.stringify({ pid: goneProcess() }));
    const db = await startEmbeddedPostgres({ directory, logger: log.logger });
    await db.stop();
    assert.equal(existsSync(`${directory}.start-lock`), false);
  });

  it('restarts a server that dies (development), leaves one that someone else started again, and stops within its time when the server hangs', async () => {
    const log = recordingLogger();
    const db = await startEmbeddedPostgres({
      directory,
      logger: log.logger,
      restart: true,
      stopTimeoutMs: 500,
    });
    process.kill(postmaster(), 'SIGKILL');
    await until(() => log.logged(/embedded PostgreSQL restarted/), 'the restart');
    assert.ok(log.logged(/stopped unexpectedly: restarting it/));
    assert.ok(await answers(db.ownerUrl));

    // Hung: SIGSTOP keeps it from acting on the stop signal.
    const hung = postmaster();
    process.kill(hung, 'SIGSTOP');
    const started = Date.now();
    try {
      await db.stop();
      assert.ok(Date.now() - started < 3000, `stopping took ${Date.now() - started} ms`);
      assert.ok(log.logged(/did not stop in time: leaving it; the next start stops it/));
      assert.ok(existsSync(startedBy()), 'the record stays for the next start');
    } finally {
      process.kill(hung, 'SIGCONT');
    }
    await until(() => !processAlive(hung), 'the server to act on its stop signal');

    const again = await startEmbeddedPostgres({ directory, logger: log.logger, restart: true });
    process.kill(postmaster(), 'SIGKILL');
    await until(() => log.logged(/stopped unexpectedly: restarting it/), 'the death to be seen');
    // Before the restart is due, someone else has the data folder (a live process in postmaster.pid).
    writeFileSync(path.join(directory, 'postmaster.pid'), `${process.pid}\n${directory}\n`);
    await until(
      () => log.logged(/started again by another process: not restarting it/),
      'the restart to give way',
    );
    rmSync(path.join(directory, 'postmaster.pid'));
    await again.stop();
    assert.ok(log.logged(/had already stopped/));
  });

  it('comes up again on the same data folder after the register was killed with SIGKILL; a second start beside it refuses', async () => {
    const env = (port: number) => ({
      DATA_DIR: dataDir,
      PORT: String(port),
      SEED_DEMO_DATA: 'false',
      SHUTDOWN_TIMEOUT_MS: '1000',
    });
    const port = await freePort();
    const killed = startServer(env(port));
    await killed.waitFor(/is ready at/, 90_000);
    const orphan = postmaster();
    killed.child.kill('SIGKILL');
    await killed.exited;
    assert.ok(processAlive(orphan), 'PostgreSQL outlives the killed register');

    const next = startServer(env(port));
    try {
      await next.waitFor(/is ready at/, 90_000);
      assert.ok(next.lines.some((l) => /register process that is gone was still running/.test(l)));
      assert.equal(processAlive(orphan), false);
      assert.equal((await fetch(`http://127.0.0.1:${port}/readyz`)).status, 200);

      const beside = startServer(env(await freePort()));
      assert.equal(await beside.exited, 1);
      const refusal = beside.lines.find((l) => /could not start/.test(l)) ?? '';
      assert.match(
        refusal,
        new RegExp(`DATA_DIR: the database in .* is already in use by process ${next.child.pid}`),
      );
      assert.doesNotMatch(refusal, /"stack"/, 'one line, no stack trace');
      assert.equal(
        (await fetch(`http://127.0.0.1:${port}/readyz`)).status,
        200,
        'the running one is untouched',
      );

      next.child.kill('SIGTERM');
      assert.equal(await next.exited, 0);
    } finally {
      next.child.kill('SIGKILL');
    }
  });

  it('stops within SHUTDOWN_TIMEOUT_MS on SIGTERM when its PostgreSQL hangs, and at once when it has died', async () => {
    const env = { DATA_DIR: dataDir, SEED_DEMO_DATA: 'false', SHUTDOWN_TIMEOUT_MS: '1000' };
    const app = startServer({ ...env, PORT: String(await freePort()) });
    let hung: number | undefined;
    try {
      await app.waitFor(/is ready at/, 90_000);
      hung = postmaster();
      process.kill(hung, 'SIGSTOP');
      const started = Date.now();
      app.child.kill('SIGTERM');
      await app.exited;
      assert.ok(Date.now() - started < 5000, `stopping took ${Date.now() - started} ms`);
      assert.ok(
        app.lines.some((l) => /did not stop in time/.test(l)),
        app.lines.join('\n'),
      );
    } finally {
      app.child.kill('SIGKILL');
      if (hung) process.kill(hung, 'SIGCONT');
    }
    await until(() => hung === undefined || !processAlive(hung), 'the server to act on its stop signal');

    const died = startServer({ ...env, PORT: String(await freePort()) });
    try {
      await died.waitFor(/is ready at/, 90_000);
      process.kill(postmaster(), 'SIGKILL');
      await died.waitFor(/stopped unexpectedly/);
      const started = Date.now();
      died.child.kill('SIGTERM');
      assert.equal(await died.exited, 0);
      assert.ok(Date.now() - started < 3000, `stopping took ${Date.now() - started} ms`);
      assert.ok(died.lines.some((l) => /had already stopped/.test(l)));
    } finally {
      died.child.kill('SIGKILL');
    }
  });
});
