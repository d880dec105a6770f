// The real `telemetrics serve` process on its embedded database, under load from 8
// concurrent clients that open a connection per record: every record answered 201
// is in the database after the process is killed (SIGKILL) or stopped (SIGTERM).

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import pg from 'pg';
import { pino } from 'pino';
import { startEmbeddedDatabase } from '../../src/db/embedded.ts';
import { startServeProcess, stopProcess } from '../helpers/cli.ts';
import { sendRequest } from '../helpers/http-requests.ts';
import { buildDistinctRecord } from '../helpers/ingest-records.ts';

const CLIENTS = 8;
/** Upper bound of the load; it normally ends about a second after it started, at the signal. */
const LOAD_MS = 10_000;
/** Acknowledged records before the signal: about a second of load on a 2-core machine. */
const ACKS_BEFORE_SIGNAL = 300;

interface Acknowledged {
  id: number;
  payload: string;
}

interface LoadResult {
  acknowledged: Acknowledged[];
  /** requests sent but not yet answered at the moment of the signal */
  inFlightAtSignal: number;
  signalled: boolean;
}

/**
 * Posts distinct records from CLIENTS loops, a new connection each (agent: false), for at
 * most LOAD_MS. Calls `signal` once ACKS_BEFORE_SIGNAL records were answered 201; each loop
 * stops at its first failure after that.
 */
async function runLoad(port: number, signal: () => void): Promise<LoadResult> {
  const result: LoadResult = { acknowledged: [], inFlightAtSignal: 0, signalled: false };
  let inFlight = 0;
  const deadline = Date.now() + LOAD_MS;
  const client = async (n: number) => {
    for (let i = 0; Date.now() < deadline; i++) {
      const record = buildDistinctRecord(`client ${n} record ${i}`);
      inFlight++;
      let status: number;
      let id: unknown;
      try {
        const res = await sendRequest(`http://127.0.0.1:${port}`, { path: '/v2/collector', headers: record.headers, body: record.body });
        status = res.status;
        id = status === 201 ? res.json().id : undefined;
      } catch {
        status = 0; // connection refused or reset: the process is gone or closing
      } finally {
        inFlight--;
      }
      if (status === 201) {
        result.acknowledged.push({ id: id as number, payload: record.body });
        if (!result.signalled && result.acknowledged.length >= ACKS_BEFORE_SIGNAL) {
          result.signalled = true;
          result.inFlightAtSignal = inFlight;
          signal();
        }
      } else if (result.signalled) {
        return;
      } else {
        assert.fail(`answered ${status} before the signal`);
      }
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, (_, n) => client(n)));
  return result;
}

/** Reads the stored payloads of `ids` straight from the embedded database's socket. */
async function readPayloads(dataDir: string, ids: number[]): Promise<Map<number, string>> {
  const client = new pg.Client({ host: join(dataDir, 'run'), user: 'telemetrics', database: 'telemetrics' });
  await client.connect();
  try {
    const result = await client.query<{ id: string; payload: string }>('SELECT id, payload FROM records WHERE id = ANY($1::bigint[])', [ids]);
    return new Map(result.rows.map((r) => [Number(r.id), r.payload]));
  } finally {
    await client.end();
  }
}

function assertAllStored(acknowledged: Acknowledged[], stored: Map<number, string>): void {
  assert.equal(new Set(acknowledged.map((a) => a.id)).size, acknowledged.length, 'an id was answered twice');
  const missing = acknowledged.filter((a) => stored.get(a.id) !== a.payload);
  assert.deepEqual(missing, [], `${missing.length} of ${acknowledged.length} acknowledged records are not stored`);
}

/** A temporary data folder, removed after the test with any server or PostgreSQL left running. */
function useDataDir(t: TestContext, children: Set<ChildProcess>): string {
  const dataDir = mkdtempSync(join(tmpdir(), 'telemetrics-e2e-'));
  t.after(async () => {
    for (const child of children) await stopProcess(child, 'SIGTERM');
    if (existsSync(join(dataDir, 'pg', 'postmaster.pid'))) {
      // A killed server leaves its PostgreSQL running: take it over, then stop it.
      const leftover = await startEmbeddedDatabase({ dataDir, logger: pino({ level: 'silent' }) });
      await leftover.stop();
    }
    rmSync(dataDir, { recursive: true, force: true });
  });
  return dataDir;
}

async function startServer(dataDir: string, children: Set<ChildProcess>) {
  const server = await startServeProcess(['--data-dir', dataDir, '--host', '127.0.0.1', '--port', '0']);
  children.add(server.child);
  server.child.once('exit', () => children.delete(server.child));
  return server;
}

describe('telemetrics serve under load', () => {
  test('keeps every acknowledged record when the process is killed with SIGKILL mid-load', async (t) => {
    const children = new Set<ChildProcess>();
    const dataDir = useDataDir(t, children);
    const first = await startServer(dataDir, children);
    const exited = new Promise<NodeJS.Signals | null>((resolve) => first.child.once('exit', (_code, signal) => resolve(signal)));

    const load = await runLoad(first.port, () => first.child.kill('SIGKILL'));
    assert.equal(load.signalled, true, `only ${load.acknowledged.length} records acknowledged in ${LOAD_MS} ms`);
    assert.ok(load.inFlightAtSignal > 0, 'no request was in flight when the process was killed');
    assert.equal(await exited, 'SIGKILL');
    t.diagnostic(`${load.acknowledged.length} acknowledged, ${load.inFlightAtSignal} in flight at SIGKILL`);

    await startServer(dataDir, children); // takes over the PostgreSQL the killed process left running
    assertAllStored(load.acknowledged, await readPayloads(dataDir, load.acknowledged.map((a) => a.id)));
  });

  test('exits 0 and keeps every acknowledged record when stopped with SIGTERM mid-load', async (t) => {
    const children = new Set<ChildProcess>();
    const dataDir = useDataDir(t, children);
    const server = await startServer(dataDir, children);
    const exitCode = new Promise<number | null>((resolve) => server.child.once('exit', (code) => resolve(code)));

    const load = await runLoad(server.port, () => server.child.kill('SIGTERM'));
    assert.equal(load.signalled, true, `only ${load.acknowledged.length} records acknowledged in ${LOAD_MS} ms`);
    assert.ok(load.inFlightAtSignal > 0, 'no request was in flight when the process was stopped');
    assert.equal(await exitCode, 0, server.logs());
    assert.match(server.logs(), /"msg":"shutdown complete"/);
    t.diagnostic(`${load.acknowledged.length} acknowledged, ${load.inFlightAtSignal} in flight at SIGTERM`);

    const database = await startEmbeddedDatabase({ dataDir, logger: pino({ level: 'silent' }) });
    try {
      assertAllStored(load.acknowledged, await readPayloads(dataDir, load.acknowledged.map((a) => a.id)));
    } finally {
      await database.stop();
    }
  });
});
