// Runs a function inside one transaction on one pooled client: commit on success,
// rollback on any error. The only way our code opens a transaction.

import type { Pool, PoolClient } from './pool.ts';

export async function withTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // A checked-out client has no 'error' listener (the pool's is for idle clients), so a connection
  // lost mid-transaction (a database restart) would be an uncaught exception ending the process.
  // Not swallowed: the failing query rejects with the same error, and release() drops the client.
  const onConnectionLost = () => {};
  client.on('error', onConnectionLost);
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.removeListener('error', onConnectionLost);
    client.release();
  }
}
