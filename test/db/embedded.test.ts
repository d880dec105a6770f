import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import pg from 'pg';
import { pino } from 'pino';
import { EMBEDDED_WAL_SETTINGS, embeddedMemorySettings, startEmbeddedDatabase } from '../../src/db/embedded.ts';
import type { ConnectionTarget } from '../../src/db/pool.ts';

const logger = pino({ level: 'silent' });

async function query<T extends pg.QueryResultRow>(connection: ConnectionTarget, sql: string): Promise<T[]> {
  const client = new pg.Client(typeof connection === 'string' ? { connectionString: connection } : connection);
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('embeddedMemorySettings', () => {
  test('gives a quarter of the memory to shared buffers, from 128 MB up to 8 GB, and half as the cache estimate', () => {
    const gib = 1024 ** 3;
    assert.deepEqual(embeddedMemorySettings(24 * gib), ["shared_buffers = '6144MB'", "effective_cache_size = '12288MB'"]);
    assert.deepEqual(embeddedMemorySettings(0.25 * gib), ["shared_buffers = '128MB'", "effective_cache_size = '512MB'"]);
    assert.deepEqual(embeddedMemorySettings(256 * gib), ["shared_buffers = '8192MB'", "effective_cache_size = '131072MB'"]);
  });
});

describe('startEmbeddedDatabase', () => {
  test('keeps the data across a stop and a second start', async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'embedded-'));
    const first = await startEmbeddedDatabase({ dataDir, logger });
    // The settings sized to this machine are in force.
    const [shared] = await query<{ mib: number }>(first.connection, "SELECT (setting::bigint * 8192 / 1048576)::int AS mib FROM pg_settings WHERE name = 'shared_buffers'");
    assert.equal(`shared_buffers = '${shared?.mib}MB'`, embeddedMemorySettings(totalmem())[0]);
    const [wal] = await query<{ mib: number }>(first.connection, "SELECT setting::int AS mib FROM pg_settings WHERE name = 'max_wal_size'");
    assert.deepEqual(EMBEDDED_WAL_SETTINGS, [`max_wal_size = '${(wal?.mib ?? 0) / 1024}GB'`]);
    await query(first.connection, 'CREATE TABLE kept (v text); INSERT INTO kept VALUES (\'still here\')');
    await first.stop();
    const second = await startEmbeddedDatabase({ dataDir, logger });
    t.after(async () => {
      await second.stop();
      rmSync(dataDir, { recursive: true, force: true });
    });
    assert.deepEqual(await query(second.connection, 'SELECT v FROM kept'), [{ v: 'still here' }]);
  });

  test('starts when a crash left a stale postmaster.pid behind', async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'embedded-'));
    const first = await startEmbeddedDatabase({ dataDir, logger });
    await first.stop();
    // A pid file naming a process that is not PostgreSQL (pid 1), as after a reboot.
    const pidFile = join(dataDir, 'pg', 'postmaster.pid');
    writeFileSync(pidFile, `1\n${join(dataDir, 'pg')}\n`);
    const second = await startEmbeddedDatabase({ dataDir, logger });
    t.after(async () => {
      await second.stop();
      rmSync(dataDir, { recursive: true, force: true });
    });
    assert.deepEqual(await query(second.connection, 'SELECT 1 AS one'), [{ one: 1 }]);
  });

  test('takes over a PostgreSQL left running by a killed server', async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'embedded-'));
    await startEmbeddedDatabase({ dataDir, logger }); // never stopped, as after SIGKILL
    const leftoverPid = readFileSync(join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0];
    const second = await startEmbeddedDatabase({ dataDir, logger });
    t.after(async () => {
      await second.stop();
      rmSync(dataDir, { recursive: true, force: true });
    });
    const newPid = readFileSync(join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0];
    assert.notEqual(newPid, leftoverPid);
    assert.deepEqual(await query(second.connection, 'SELECT 1 AS one'), [{ one: 1 }]);
  });
});
