import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runReadQuery } from '../../src/api/query-runner.ts';
import { createPool } from '../../src/db/pool.ts';
import { AppError } from '../../src/errors.ts';
import { createTestDatabase, databaseTargets } from '../helpers/database.ts';

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  assert.fail('expected a rejection');
}

for (const target of databaseTargets()) {
  describe(`runReadQuery (${target.name})`, () => {
    test('runs the work under the statement timeout, in a transaction', async (t) => {
      const db = await createTestDatabase(target, { migrate: false });
      t.after(() => db.drop());
      const settings = await runReadQuery({ pool: db.pool, statementTimeoutMs: 1234 }, [], async (client) => {
        const timeout = await client.query<{ statement_timeout: string }>('SHOW statement_timeout');
        const inTransaction = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = pg_backend_pid() AND xact_start IS NOT NULL');
        return { timeout: timeout.rows[0]?.statement_timeout, inTransaction: inTransaction.rows[0]?.n };
      });
      assert.deepEqual(settings, { timeout: '1234ms', inTransaction: 1 });
      const after = await db.pool.query<{ statement_timeout: string }>('SHOW statement_timeout');
      assert.equal(after.rows[0]?.statement_timeout, '0', 'the timeout does not outlive the transaction');
    });

    test('answers 503 DB_UNAVAILABLE with Retry-After when a statement outlives the timeout', async (t) => {
      const db = await createTestDatabase(target, { migrate: false });
      t.after(() => db.drop());
      const err = await rejection(runReadQuery({ pool: db.pool, statementTimeoutMs: 50 }, [], (c) => c.query('SELECT pg_sleep(5)')));
      assert.ok(err instanceof AppError);
      assert.equal(err.code, 'DB_UNAVAILABLE');
      assert.equal(err.status, 503);
      assert.equal(err.headers?.['Retry-After'], '10');
      assert.match(err.message, /cancelled after 50 ms/);
    });

    test('answers 400 naming the regex parameters when a query with a regex outlives the timeout', async (t) => {
      const db = await createTestDatabase(target, { migrate: false });
      t.after(() => db.drop());
      const regexes = [{ param: 'payload', regex: 'a' }, { param: 'not_payload', regex: 'b' }];
      const err = await rejection(runReadQuery({ pool: db.pool, statementTimeoutMs: 50 }, regexes, (c) => c.query('SELECT pg_sleep(5)')));
      assert.ok(err instanceof AppError);
      assert.equal(err.code, 'QUERY_PARAM_INVALID');
      assert.deepEqual(err.details?.map((d) => d.field), ['payload', 'not_payload']);
    });

    test('answers 400 naming the parameter whose regex PostgreSQL cannot compile, before running the work', async (t) => {
      const db = await createTestDatabase(target, { migrate: false });
      t.after(() => db.drop());
      let ran = false;
      const regexes = [{ param: 'payload', regex: 'fine' }, { param: 'not_payload', regex: '(unclosed' }];
      const err = await rejection(runReadQuery({ pool: db.pool, statementTimeoutMs: 1000 }, regexes, async () => (ran = true)));
      assert.ok(err instanceof AppError);
      assert.equal(err.message, 'not_payload is not a valid regular expression');
      assert.deepEqual(err.details, [{ field: 'not_payload', message: 'invalid regular expression: parentheses () not balanced' }]);
      assert.equal(ran, false);
    });

    test('passes other errors through unchanged and releases the connection', async (t) => {
      const db = await createTestDatabase(target, { migrate: false });
      t.after(() => db.drop());
      const bug = new TypeError('a bug');
      assert.equal(await rejection(runReadQuery({ pool: db.pool, statementTimeoutMs: 1000 }, [], async () => { throw bug; })), bug);
      const sqlError = await rejection(runReadQuery({ pool: db.pool, statementTimeoutMs: 1000 }, [], (c) => c.query('SELECT * FROM no_such_table')));
      assert.equal((sqlError as { code?: string }).code, '42P01');
      assert.equal(db.pool.totalCount, db.pool.idleCount);
    });
  });
}

describe('runReadQuery without a database', () => {
  test('answers 503 DB_UNAVAILABLE when PostgreSQL is unreachable', async (t) => {
    const pool = createPool('postgresql://nobody@127.0.0.1:1/none');
    t.after(() => pool.end());
    const err = await rejection(runReadQuery({ pool, statementTimeoutMs: 1000 }, [], (c) => c.query('SELECT 1')));
    assert.ok(err instanceof AppError);
    assert.equal(err.code, 'DB_UNAVAILABLE');
    assert.equal(err.headers?.['Retry-After'], '10');
  });
});
