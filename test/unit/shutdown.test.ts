import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { Writable } from 'node:stream';
import { shutdown } from '../../src/server';
import { createLifecycle } from '../../src/shared/lifecycle';
import { createLogger } from '../../src/shared/logger';
import { sessionStoreErrorLog } from '../../src/web/auth';

/** A logger whose JSON lines the test reads. */
function recordingLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger(
    'info',
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
        done();
      },
    }),
  );
  return { logger, lines };
}

describe('stopping', () => {
  it('never waits forever: past timeoutMs it gives up, saying so', async () => {
    const { logger, lines } = recordingLogger();
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const lifecycle = createLifecycle();
    const started = Date.now();
    const inTime = await shutdown({
      server,
      lifecycle,
      delayMs: 0,
      // A database that never answers the goodbye.
      close: () => new Promise<void>(() => {}),
      logger,
      timeoutMs: 200,
    });
    assert.equal(inTime, false);
    assert.equal(lifecycle.stopping, true);
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
    assert.ok(
      lines.some(
        (l) => l.msg === 'stopping took longer than SHUTDOWN_TIMEOUT_MS: exiting without waiting any further',
      ),
    );
  });

  it('says it stopped in time when everything closed', async () => {
    const { logger, lines } = recordingLogger();
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    let closed = false;
    const inTime = await shutdown({
      server,
      lifecycle: createLifecycle(),
      delayMs: 0,
      close: () => {
        closed = true;
        return Promise.resolve();
      },
      logger,
      timeoutMs: 5000,
    });
    assert.equal(inTime, true);
    assert.equal(closed, true);
    assert.ok(lines.some((l) => l.msg === 'stopped'));
  });
});

describe('the session store', () => {
  it('reports its errors as JSON log lines of the app, not on the console', () => {
    const { logger, lines } = recordingLogger();
    sessionStoreErrorLog(logger)(
      'Failed to prune sessions:',
      new Error('relation "sessions" does not exist'),
    );
    assert.equal(lines.length, 1);
    assert.equal(lines[0]?.msg, 'session store: Failed to prune sessions');
    assert.equal(lines[0]?.level, 50);
    assert.match(JSON.stringify(lines[0]?.err), /relation \\"sessions\\" does not exist/);
  });
});
