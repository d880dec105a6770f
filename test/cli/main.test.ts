import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runCli } from '../helpers/cli.ts';

describe('telemetrics command', () => {
  test('lists its commands in --help', async () => {
    const result = await runCli(['--help']);
    assert.equal(result.code, 0);
    for (const command of ['serve', 'migrate', 'resetdb', 'user', 'token', 'version']) assert.match(result.stdout, new RegExp(`^\\s+${command}\\b`, 'm'));
  });

  test('documents the stable flags in serve --help', async () => {
    const result = await runCli(['serve', '--help']);
    assert.equal(result.code, 0);
    for (const flag of ['--host', '--port', '--database-url', '--data-dir', '--config', '--public-read', '--admin-token']) assert.ok(result.stdout.includes(flag), flag);
  });

  test('lists the user and token subcommands in their --help', async () => {
    const user = await runCli(['user', '--help']);
    for (const command of ['add', 'remove', 'passwd', 'list']) assert.match(user.stdout, new RegExp(`^\\s+${command}\\b`, 'm'));
    const token = await runCli(['token', '--help']);
    for (const command of ['create', 'revoke', 'list']) assert.match(token.stdout, new RegExp(`^\\s+${command}\\b`, 'm'));
  });

  test('prints the version', async () => {
    const result = await runCli(['version']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^telemetrics-server \d+\.\d+\.\d+\n$/);
  });

  test('exits 1 with one clear line when the database URL is unreachable', async () => {
    const result = await runCli(['serve'], { DATABASE_URL: 'postgresql://nobody:secret@127.0.0.1:1/none' });
    assert.equal(result.code, 1);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.match(result.stderr, /^telemetrics: cannot connect to the database at postgresql:\/\/nobody:\*\*\*@127\.0\.0\.1:1\/none/);
    assert.doesNotMatch(result.stderr, /secret|    at /);
  });

  test('exits 2 naming every bad key when the configuration is invalid', async () => {
    const result = await runCli(['serve', '--port', 'x'], { TELEMETRICS_LOG_LEVEL: 'chatty' });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /port \(--port\): must be a whole number/);
    assert.match(result.stderr, /logLevel \(TELEMETRICS_LOG_LEVEL\): must be one of/);
  });

  test('refuses resetdb without --yes when there is no terminal to ask', async () => {
    const result = await runCli(['resetdb'], { DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/none' });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /pass --yes/);
  });
});
