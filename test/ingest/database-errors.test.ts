import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isDatabaseConnectionError } from '../../src/db/connection-errors.ts';
import { isDatabaseUnavailable, isMissingPartition } from '../../src/ingest/database-errors.ts';

const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('database error classifiers', () => {
  test('a statement\'s own data error is neither unavailable nor a connection error', () => {
    for (const code of ['23505', '22P02', '42601', '23514']) {
      assert.equal(isDatabaseUnavailable(pgError(code)), false, code);
      assert.equal(isDatabaseConnectionError(pgError(code)), false, code);
    }
  });

  test('connection-class SQLSTATEs and socket errors are both', () => {
    for (const code of ['08006', '57P01', '53300', '58030', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE']) {
      assert.equal(isDatabaseUnavailable(pgError(code)), true, code);
      assert.equal(isDatabaseConnectionError(pgError(code)), true, code);
    }
  });

  test('ingest answers 503 to any error without a SQLSTATE; the API only to known connection losses', () => {
    const timeout = new Error('timeout exceeded when trying to connect');
    assert.equal(isDatabaseUnavailable(timeout), true);
    assert.equal(isDatabaseConnectionError(timeout), true);
    const unknown = new Error('something the driver says');
    assert.equal(isDatabaseUnavailable(unknown), true);
    assert.equal(isDatabaseConnectionError(unknown), false);
  });

  test('a missing partition is its own case', () => {
    assert.equal(isMissingPartition(pgError('23514', 'no partition of relation "records" found for row')), true);
    assert.equal(isMissingPartition(pgError('23514', 'new row violates check constraint')), false);
  });
});
