// The PostgreSQL connection pool and the Queryable type every query function takes.
// The only place besides db/ helpers that imports pg.

import pg from 'pg';

/** A connection URL, or pg connection options (the embedded database uses a unix socket). */
export type ConnectionTarget = string | { host: string; user: string; database: string; port?: number; password?: string };

/** A pool or a transaction client: what every function in db/queries takes first. */
export type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

export function createPool(target: ConnectionTarget, options: { max?: number; applicationName?: string; onError?: (err: Error) => void } = {}): pg.Pool {
  const base = typeof target === 'string' ? { connectionString: target } : target;
  const pool = new pg.Pool({
    ...base,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'telemetrics-server',
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    // A dead database must not hang requests past the client's 10 s timeout.
    query_timeout: 60_000,
  });
  // A client losing its connection (database restart) must not crash the process. The
  // pool's 'error' covers idle clients; a checked-out client emits on itself, and with no
  // listener that is an uncaught exception. Its failing query still rejects, and release()
  // drops the broken client.
  const onError = options.onError ?? (() => {});
  pool.on('error', onError);
  pool.on('connect', (client) => client.on('error', onError));
  return pool;
}

/** Describes a target without its password, for logs and error messages. */
export function describeTarget(target: ConnectionTarget): string {
  if (typeof target !== 'string') return `unix socket ${target.host} database ${target.database}`;
  try {
    const url = new URL(target);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return 'an unparseable database URL';
  }
}
