import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { pino } from 'pino';
import { ensureInitialAdmin } from '../../src/auth/initial-admin.ts';
import { verifyPassword } from '../../src/auth/password.ts';
import { loadConfig } from '../../src/config/load.ts';
import { findUserCredentials, listUsers } from '../../src/db/queries/users.ts';
import { createPool } from '../../src/db/pool.ts';
import { createTestDatabase, databaseTargets } from '../helpers/database.ts';

function captureLogger() {
  const lines: string[] = [];
  const stream = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) });
  return { logger: pino({ level: 'trace' }, stream), text: () => lines.join('') };
}

for (const target of databaseTargets()) {
  describe(`ensureInitialAdmin (${target.name})`, () => {
    test('creates admin with the configured password, and nothing once a user exists', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      const config = loadConfig({ env: { TELEMETRICS_ADMIN_PASSWORD: 'from the environment' } });
      const { logger, text } = captureLogger();
      assert.equal(await ensureInitialAdmin(db.pool, config, logger), true);
      assert.equal(await ensureInitialAdmin(db.pool, config, logger), false);
      const admin = await findUserCredentials(db.pool, 'admin');
      assert.equal(admin?.role, 'admin');
      assert.ok(admin && (await verifyPassword('from the environment', admin.passwordHash)));
      assert.ok(!text().includes('from the environment'));
    });

    test('generates a password and logs it exactly once when none is configured', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      const { logger, text } = captureLogger();
      assert.equal(await ensureInitialAdmin(db.pool, loadConfig({ env: {} }), logger), true);
      const line = JSON.parse(text().trim()) as { generatedPassword: string; username: string; level: number };
      assert.equal(line.username, 'admin');
      assert.equal(line.level, 40);
      const admin = await findUserCredentials(db.pool, 'admin');
      assert.ok(admin && (await verifyPassword(line.generatedPassword, admin.passwordHash)));
    });

    test('creates one admin when several processes start at once', async (t) => {
      const db = await createTestDatabase(target);
      const pools = [createPool(db.url, { max: 1 }), createPool(db.url, { max: 1 }), createPool(db.url, { max: 1 })];
      t.after(async () => {
        await Promise.all(pools.map((p) => p.end()));
        await db.drop();
      });
      const config = loadConfig({ env: {} });
      const created = await Promise.all(pools.map((pool) => ensureInitialAdmin(pool, config, pino({ level: 'silent' }))));
      assert.deepEqual(created.filter(Boolean).length, 1);
      assert.equal((await listUsers(db.pool)).length, 1);
    });
  });
}
