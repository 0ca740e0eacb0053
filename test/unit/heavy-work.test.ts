import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { HeavyWorkGate } from '../../src/database/heavy-work';
import { OverloadedError } from '../../src/shared/errors';

describe('the heavy-work gate', () => {
  it('lets `size` jobs hold a place, queues the next and hands a freed place straight to it', async () => {
    const gate = new HeavyWorkGate(2, 1000);
    const first = await gate.acquire();
    const second = await gate.acquire();
    assert.deepEqual(gate.load, { running: 2, waiting: 0 });
    let admitted = false;
    const waiting = gate.acquire().then((release) => {
      admitted = true;
      return release;
    });
    await sleep(5);
    assert.deepEqual(gate.load, { running: 2, waiting: 1 });
    assert.equal(admitted, false);
    first();
    first(); // giving a place back twice frees it once
    const third = await waiting;
    assert.deepEqual(gate.load, { running: 2, waiting: 0 });
    second();
    third();
    assert.deepEqual(gate.load, { running: 0, waiting: 0 });
  });

  it('refuses a job that waited its whole time with 503 and Retry-After, and forgets it', async () => {
    const gate = new HeavyWorkGate(1, 30);
    const held = await gate.acquire();
    await assert.rejects(
      gate.acquire(),
      (e: unknown) => e instanceof OverloadedError && e.retryAfterSeconds === 1,
    );
    assert.deepEqual(gate.load, { running: 1, waiting: 0 });
    held();
    assert.deepEqual(gate.load, { running: 0, waiting: 0 });
  });

  it('refuses at once when waiting is off or the queue is full', async () => {
    const noWait = new HeavyWorkGate(1, 0);
    await noWait.acquire();
    await assert.rejects(noWait.acquire(), OverloadedError);
    const gate = new HeavyWorkGate(1, 60_000);
    const held = await gate.acquire();
    const queued = Array.from({ length: 16 }, () => gate.acquire());
    await assert.rejects(gate.acquire(), OverloadedError);
    held();
    for (const place of queued) (await place)();
    assert.deepEqual(gate.load, { running: 0, waiting: 0 });
  });
});
