import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/load.ts';
import { DEFAULT_TID } from '../../src/config/schema.ts';

describe('loadConfig', () => {
  test('returns the documented defaults when nothing is set', () => {
    const config = loadConfig({ env: {} });
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.port, 8080);
    assert.equal(config.databaseUrl, null);
    assert.equal(config.dataDir, './data');
    assert.equal(config.tid, DEFAULT_TID);
    assert.equal(config.logLevel, 'info');
    assert.equal(config.ingest.bodyLimit, 1024 * 1024);
    assert.equal(config.ingest.invalidRecordPolicy, 'reject');
    assert.deepEqual(config.acceptedTids, []);
  });

  test('reads the API statement timeout and concurrency cap, and refuses values out of range', () => {
    const defaults = loadConfig({ env: {} });
    assert.deepEqual(defaults.api, { statementTimeoutMs: 30_000, maxConcurrentQueries: 8 });
    const config = loadConfig({ env: { TELEMETRICS_API_STATEMENT_TIMEOUT_MS: '5000' }, flags: { 'api.maxConcurrentQueries': '3' } });
    assert.deepEqual(config.api, { statementTimeoutMs: 5000, maxConcurrentQueries: 3 });
    assert.throws(() => loadConfig({ env: { TELEMETRICS_API_MAX_CONCURRENT_QUERIES: '0', TELEMETRICS_API_STATEMENT_TIMEOUT_MS: 'soon' } }), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /api\.maxConcurrentQueries/);
      assert.match(err.message, /api\.statementTimeoutMs/);
      return true;
    });
  });

  test('takes flags over environment over config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ port: 7000, host: '10.0.0.1', dataDir: '/srv/file', ingest: { bodyLimit: 65536 } }));
    const config = loadConfig({
      configFile: file,
      env: { TELEMETRICS_PORT: '7001', TELEMETRICS_DATA_DIR: '/srv/env' },
      flags: { port: '7002' },
    });
    assert.equal(config.port, 7002);
    assert.equal(config.dataDir, '/srv/env');
    assert.equal(config.host, '10.0.0.1');
    assert.equal(config.ingest.bodyLimit, 65536);
  });

  test('reads the stable environment spellings', () => {
    const config = loadConfig({
      env: { TELEMETRICS_HOST: '127.0.0.1', TELEMETRICS_PORT: '9', DATABASE_URL: 'postgres://u:p@db:5432/t', TELEMETRICS_DATA_DIR: '/d' },
    });
    assert.deepEqual([config.host, config.port, config.databaseUrl, config.dataDir], ['127.0.0.1', 9, 'postgres://u:p@db:5432/t', '/d']);
  });

  test('lists every problem at once, naming each bad key and its source', () => {
    assert.throws(
      () => loadConfig({ env: { TELEMETRICS_PORT: 'eighty', DATABASE_URL: 'mysql://x', TELEMETRICS_LOG_LEVEL: 'loud' } }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.problems.length, 3);
        assert.match(err.problems[0] ?? '', /^port \(TELEMETRICS_PORT\): must be a whole number/);
        assert.match(err.problems[1] ?? '', /^databaseUrl \(DATABASE_URL\): must be a postgres/);
        assert.match(err.problems[2] ?? '', /^logLevel \(TELEMETRICS_LOG_LEVEL\): must be one of/);
        return true;
      },
    );
  });

  test('rejects unknown keys and unreadable files in the config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ prot: 1 }));
    assert.throws(() => loadConfig({ configFile: file, env: {} }), /prot \(config file .*\): unknown key/);
    assert.throws(() => loadConfig({ configFile: join(dir, 'missing.json'), env: {} }), /cannot be read \(ENOENT\)/);
    writeFileSync(file, '{not json');
    assert.throws(() => loadConfig({ configFile: file, env: {} }), /not valid JSON/);
  });

  test('splits the accepted TID list', () => {
    assert.deepEqual(loadConfig({ env: { TELEMETRICS_ACCEPTED_TIDS: ' a, b ,,*' } }).acceptedTids, ['a', 'b', '*']);
  });

  test('returns a frozen object', () => {
    const config = loadConfig({ env: {} });
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.ingest));
  });
});

describe('loadConfig: retention keys', () => {
  test('defaults to the reference retention: 35 days, hello/world after 1 day, daily at 04:30', () => {
    const { retention } = loadConfig({ env: {} });
    assert.deepEqual(retention, { enabled: true, maxDays: 35, rules: [{ field: 'classification', value: 'org.clearlinux/hello/world', days: 1 }], time: '04:30' });
  });

  test('reads the rules as a list or in the reference form from the config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ retention: { enabled: false, rules: [{ field: 'severity', value: 1, days: 5 }, { field: 'classification', value: 'org.clearlinux/mce/*', days: 0 }] } }));
    const config = loadConfig({ configFile: file, env: {} });
    assert.equal(config.retention.enabled, false);
    assert.deepEqual(config.retention.rules, [{ field: 'severity', value: '1', days: 5 }, { field: 'classification', value: 'org.clearlinux/mce/*', days: 0 }]);
    writeFileSync(file, JSON.stringify({ retention: { rules: { severity: { 1: 5, 4: 0 }, classification: { 'org.clearlinux/hello/world': 1 } } } }));
    assert.deepEqual(loadConfig({ configFile: file, env: {} }).retention.rules, [
      { field: 'severity', value: '1', days: 5 },
      { field: 'severity', value: '4', days: 0 },
      { field: 'classification', value: 'org.clearlinux/hello/world', days: 1 },
    ]);
  });

  test('reads the rules as a JSON string from the environment, and booleans and times', () => {
    const config = loadConfig({ env: { TELEMETRICS_RETENTION_RULES: '[{"field":"machine_id","value":"abc","days":0}]', TELEMETRICS_RETENTION_ENABLED: 'FALSE', TELEMETRICS_RETENTION_TIME: '23:05' } });
    assert.deepEqual(config.retention.rules, [{ field: 'machine_id', value: 'abc', days: 0 }]);
    assert.equal(config.retention.enabled, false);
    assert.equal(config.retention.time, '23:05');
    assert.deepEqual(loadConfig({ env: { TELEMETRICS_RETENTION_RULES: '[]' } }).retention.rules, []);
  });

  test('names every bad retention value', () => {
    assert.throws(
      () =>
        loadConfig({
          env: { TELEMETRICS_RETENTION_RULES: '[{"field":"severity","value":"x","days":1}]', TELEMETRICS_RETENTION_ENABLED: 'maybe', TELEMETRICS_RETENTION_TIME: '4:30' },
        }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.deepEqual(err.problems, [
          'retention.enabled (TELEMETRICS_RETENTION_ENABLED): must be true or false',
          'retention.rules (TELEMETRICS_RETENTION_RULES): rule 1: a severity value must be a whole number',
          'retention.time (TELEMETRICS_RETENTION_TIME): must be HH:MM from 00:00 to 23:59',
        ]);
        return true;
      },
    );
    assert.throws(() => loadConfig({ env: { TELEMETRICS_RETENTION_RULES: '[{' } }), /retention\.rules \(TELEMETRICS_RETENTION_RULES\): not valid JSON/);
    assert.throws(() => loadConfig({ env: { TELEMETRICS_RETENTION_RULES: '[{"field":"severity","value":"1","days":-1}]' } }), /rule 1: days must be a whole number from 0 to 36500/);
  });
});
