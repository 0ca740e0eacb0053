import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import { testApp } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { assertValidHtml } from '../helpers/html';

/** A logger whose JSON lines land in `lines`. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

describe('unexpected errors', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
    // A broken schema makes every register query fail in a way no user can cause.
    await db.asOwner('ALTER TABLE providers RENAME TO providers_elsewhere');
  });
  after(() => db.drop());

  it('answer 500 inside the layout with only a reference, and log the stack with the request id', async () => {
    const { logger, lines } = capturingLogger();
    const res = await request(testApp(db.dataSource, { logger }).app)
      .get('/hostingproviders?lang=en')
      .expect(500);
    const reference = String(res.headers['x-request-id']);
    assert.match(res.text, /Something went wrong/);
    assert.ok(res.text.includes(reference), 'the page shows the reference');
    assert.doesNotMatch(res.text, /providers_elsewhere|relation|QueryFailedError|\.js:\d+/);
    await assertValidHtml(res.text, 'the 500 page');

    const logged = lines.find((l) => l.level === 50 && l.msg === 'unexpected error');
    assert.ok(logged, 'the error is logged');
    assert.equal(logged.reqId, reference);
    assert.match(
      String((logged.err as { stack?: string }).stack),
      /relation "providers" does not exist[\s\S]*\n\s+at /,
    );
    for (const line of lines)
      assert.equal(
        line.reqId,
        reference,
        `every line of the request carries its id: ${JSON.stringify(line)}`,
      );
  });
});
