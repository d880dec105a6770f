import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createQueryLimit, QueryLimit } from '../../src/api/query-limit.ts';
import { AppError } from '../../src/errors.ts';

/** A promise with its resolve, to hold work open until the test lets it finish. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = () => {};
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('QueryLimit', () => {
  test('runs at most maxRunning at once and starts waiters in order', async () => {
    const limit = new QueryLimit(2, 10);
    const started: number[] = [];
    const gates = [gate(), gate(), gate(), gate()];
    const runs = gates.map((g, i) => limit.run(async () => {
      started.push(i);
      await g.promise;
      return i;
    }));
    await Promise.resolve();
    assert.deepEqual(started, [0, 1]);
    gates[1]?.open();
    await runs[1];
    await new Promise(setImmediate);
    assert.deepEqual(started, [0, 1, 2]);
    gates.forEach((g) => g.open());
    assert.deepEqual(await Promise.all(runs), [0, 1, 2, 3]);
    assert.deepEqual(started, [0, 1, 2, 3]);
  });

  test('answers RATE_LIMITED with Retry-After when the queue is full', async () => {
    const limit = new QueryLimit(1, 1);
    const held = gate();
    const first = limit.run(() => held.promise);
    const second = limit.run(async () => 'second');
    await assert.rejects(limit.run(async () => 'third'), (err: unknown) => err instanceof AppError && err.code === 'RATE_LIMITED' && err.headers?.['Retry-After'] === '1');
    held.open();
    await first;
    assert.equal(await second, 'second');
  });

  test('frees the slot when the work fails', async () => {
    const limit = new QueryLimit(1, 0);
    await assert.rejects(limit.run(async () => { throw new Error('boom'); }), /boom/);
    assert.equal(await limit.run(async () => 'next'), 'next');
  });
});

describe('createQueryLimit', () => {
  test('takes api.maxConcurrentQueries, capped at the pool size minus the two kept for ingest', () => {
    assert.equal(createQueryLimit(10, 3).maxRunning, 3);
    assert.equal(createQueryLimit(10, 50).maxRunning, 8);
    assert.equal(createQueryLimit(10).maxRunning, 8);
    assert.equal(createQueryLimit(2, 5).maxRunning, 1);
  });
});
