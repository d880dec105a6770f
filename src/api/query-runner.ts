// Runs the SQL of one API request: in a transaction with a statement timeout, after
// PostgreSQL has compiled the request's regexes; turns database failures into the
// catalogue's answers (400 for a bad regex or one too slow, 503 when the database is down).

import { isDatabaseConnectionError, sqlState } from '../db/connection-errors.ts';
import type { Pool, PoolClient } from '../db/pool.ts';
import { checkRegularExpression, setLocalStatementTimeout } from '../db/queries/query-guards.ts';
import { withTransaction } from '../db/transaction.ts';
import { AppError } from '../errors.ts';
import { invalidParams, ParamProblem } from './query-params.ts';
import type { QueryLimit } from './query-limit.ts';

export interface QueryContext {
  pool: Pool;
  /** Longest run of any one statement; a regex bomb or a huge scan is cancelled after it. */
  statementTimeoutMs: number;
  /** Caps concurrent API queries on the shared pool; none in tests that call the runner directly. */
  limit?: QueryLimit;
}

/** A user-given regex with the query parameter it came from. */
export interface RegexParam {
  param: string;
  regex: string;
}

const RETRY_AFTER_SECONDS = '10';
const SQLSTATE_INVALID_REGEX = '2201B';
const SQLSTATE_QUERY_CANCELED = '57014';

/** Runs `work` on one connection inside a read transaction guarded as described above. */
export async function runReadQuery<T>(context: QueryContext, regexes: readonly RegexParam[], work: (db: PoolClient) => Promise<T>): Promise<T> {
  const query = async () => {
    try {
      return await withTransaction(context.pool, async (client) => {
        await setLocalStatementTimeout(client, context.statementTimeoutMs);
        for (const r of regexes) await checkRegex(client, r);
        return await work(client);
      });
    } catch (err) {
      throw toQueryError(err, regexes, context.statementTimeoutMs);
    }
  };
  return context.limit ? context.limit.run(query) : query();
}

async function checkRegex(client: PoolClient, r: RegexParam): Promise<void> {
  try {
    await checkRegularExpression(client, r.regex);
  } catch (err) {
    if (sqlState(err) === SQLSTATE_INVALID_REGEX) {
      throw invalidParams([new ParamProblem(r.param, `${r.param} is not a valid regular expression`, (err as Error).message)]);
    }
    throw err;
  }
}

/** The answer for an error thrown while querying: AppErrors pass, bugs are rethrown as they are. */
export function toQueryError(err: unknown, regexes: readonly RegexParam[], timeoutMs: number): unknown {
  if (err instanceof AppError) return err;
  const state = sqlState(err);
  if (state === SQLSTATE_INVALID_REGEX) {
    const problems = regexes.map((r) => new ParamProblem(r.param, 'A regular expression is invalid', (err as Error).message));
    return problems.length > 0 ? invalidParams(problems) : err;
  }
  if (state === SQLSTATE_QUERY_CANCELED) {
    if (regexes.length > 0) {
      const detail = `the query was cancelled after ${timeoutMs} ms; simplify the regular expression or narrow the other filters`;
      return invalidParams(regexes.map((r) => new ParamProblem(r.param, 'The query took too long; simplify the regular expression or narrow the filters', detail)));
    }
    return new AppError('DB_UNAVAILABLE', `The query was cancelled after ${timeoutMs} ms (statement timeout); narrow the filters or the time range`, {
      headers: { 'Retry-After': RETRY_AFTER_SECONDS },
    });
  }
  if (isDatabaseConnectionError(err)) {
    return new AppError('DB_UNAVAILABLE', undefined, { headers: { 'Retry-After': RETRY_AFTER_SECONDS } });
  }
  return err;
}
