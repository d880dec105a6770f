import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { verifyPassword } from '../../src/auth/password.ts';
import { findUserCredentials } from '../../src/db/queries/users.ts';
import { runCli } from '../helpers/cli.ts';
import { createTestDatabase, databaseTargets } from '../helpers/database.ts';

for (const target of databaseTargets()) {
  describe(`telemetrics user (${target.name})`, () => {
    test('adds, lists, changes the password of and removes users; never prints a given password', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      const env = { DATABASE_URL: db.url };
      const added = await runCli(['user', 'add', 'alice', '--role', 'admin', '--password-stdin'], env, 60_000, 'alice-password-1\n');
      assert.equal(added.code, 0, added.stderr);
      assert.equal(added.stdout, 'added admin alice\n');
      assert.doesNotMatch(added.stdout + added.stderr, /alice-password-1/);
      const stored = await findUserCredentials(db.pool, 'alice');
      assert.ok(stored && (await verifyPassword('alice-password-1', stored.passwordHash)));
      assert.doesNotMatch(stored.passwordHash, /alice-password-1/);

      const generated = await runCli(['user', 'add', 'bob'], env);
      assert.equal(generated.code, 0, generated.stderr);
      const password = /^password: (\S+)$/m.exec(generated.stdout)?.[1] ?? '';
      assert.ok(password.length >= 16, generated.stdout);
      const bob = await findUserCredentials(db.pool, 'bob');
      assert.equal(bob?.role, 'viewer');
      assert.ok(bob && (await verifyPassword(password, bob.passwordHash)));

      const list = await runCli(['user', 'list'], env);
      assert.match(list.stdout, /^alice\tadmin\t/m);
      assert.match(list.stdout, /^bob\tviewer\t/m);

      const passwd = await runCli(['user', 'passwd', 'bob', '--password-stdin'], env, 60_000, 'bob-new-password');
      assert.equal(passwd.code, 0, passwd.stderr);
      const changed = await findUserCredentials(db.pool, 'bob');
      assert.ok(changed && (await verifyPassword('bob-new-password', changed.passwordHash)));

      const lastAdmin = await runCli(['user', 'remove', 'alice'], env);
      assert.equal(lastAdmin.code, 1);
      assert.match(lastAdmin.stderr, /last admin/);
      const removed = await runCli(['user', 'remove', 'bob'], env);
      assert.equal(removed.code, 0, removed.stderr);
      assert.equal(await findUserCredentials(db.pool, 'bob'), null);
    });

    test('refuses a duplicate name, a bad role, a bad name and a short password with one clear line', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      const env = { DATABASE_URL: db.url };
      assert.equal((await runCli(['user', 'add', 'carol'], env)).code, 0);
      const duplicate = await runCli(['user', 'add', 'carol'], env);
      assert.equal(duplicate.code, 1);
      assert.match(duplicate.stderr, /^telemetrics: User carol already exists\n$/);
      assert.match((await runCli(['user', 'add', 'dave', '--role', 'root'], env)).stderr, /--role must be viewer or admin/);
      assert.match((await runCli(['user', 'add', 'has space'], env)).stderr, /username must be/);
      assert.match((await runCli(['user', 'add', 'erin', '--password-stdin'], env, 60_000, 'short')).stderr, /at least 8 characters/);
    });
  });

  describe(`telemetrics token (${target.name})`, () => {
    test('creates a token printed once, lists it without the secret, revokes it by name', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      const env = { DATABASE_URL: db.url };
      const created = await runCli(['token', 'create', '--name', 'ci', '--role', 'viewer'], env);
      assert.equal(created.code, 0, created.stderr);
      const secret = created.stdout.trim();
      assert.match(secret, /^[A-Za-z0-9_-]{43}$/);
      const list = await runCli(['token', 'list'], env);
      assert.match(list.stdout, /^\d+\tci\tviewer\t\S+\tnever$/m);
      assert.ok(!list.stdout.includes(secret));
      const stored = await db.pool.query<{ token_hash: string }>('SELECT token_hash FROM api_tokens');
      assert.notEqual(stored.rows[0]?.token_hash, secret);
      assert.equal((await runCli(['token', 'revoke', 'ci'], env)).code, 0);
      const again = await runCli(['token', 'revoke', 'ci'], env);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /No token ci/);
    });
  });
}
