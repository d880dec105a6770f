// Commands run beside a server on the same embedded database: an operator adds a
// user or a token while `telemetrics serve` runs. The command uses the server's
// PostgreSQL and leaves it running; a second server on the same folder is refused.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runCli, startServeProcess, stopProcess } from '../helpers/cli.ts';

const PASSWORD = 'a first admin password';

describe('one-shot commands beside a running server (embedded database)', () => {
  test('use the server\'s PostgreSQL without stopping it; a second serve is refused', async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'shared-embedded-'));
    const env = { TELEMETRICS_DATA_DIR: dataDir, TELEMETRICS_ADMIN_PASSWORD: PASSWORD, TELEMETRICS_RETENTION_ENABLED: 'false' };
    const server = await startServeProcess(['--host', '127.0.0.1', '--port', '0'], env, 180_000);
    t.after(async () => {
      await stopProcess(server.child);
      rmSync(dataDir, { recursive: true, force: true });
    });
    const base = `http://127.0.0.1:${server.port}`;

    const created = await runCli(['token', 'create', '--name', 'beside', '--role', 'viewer'], env, 180_000);
    assert.equal(created.code, 0, created.stderr);
    const token = created.stdout.trim().split('\n').pop() ?? '';
    const list = await runCli(['user', 'list'], env);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /\badmin\b/);

    // The server kept its database: the token the command stored works at once.
    assert.equal((await fetch(`${base}/readyz`)).status, 200);
    const records = await fetch(`${base}/api/records`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(records.status, 200, await records.text());

    const second = await runCli(['serve', '--host', '127.0.0.1', '--port', '0'], env);
    assert.equal(second.code, 1);
    assert.match(second.stderr, /is in use by process \d+/);
    assert.equal((await fetch(`${base}/readyz`)).status, 200);

    // With the server gone, a command starts (and stops) the database itself.
    assert.equal(await stopProcess(server.child), 0);
    const after = await runCli(['user', 'list'], env);
    assert.equal(after.code, 0, after.stderr);
    assert.match(after.stdout, /\badmin\b/);
  });
});
