// scripts/deploy.sh refusals that happen before anything on the machine changes: safe
// to run anywhere. The full install is in deploy.test.ts.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, test } from 'node:test';

const SCRIPT = join(import.meta.dirname, '..', '..', 'scripts', 'deploy.sh');

function runDeployScript(args: string[]) {
  const result = spawnSync('bash', [SCRIPT, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH, LANG: 'C' }, timeout: 30_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('scripts/deploy.sh arguments', () => {
  test('passes bash -n', () => {
    const result = spawnSync('bash', ['-n', SCRIPT], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
  });

  test('prints the usage and exits 0 with -h', () => {
    const result = runDeployScript(['-h']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /Usage: deploy\.sh -H DOMAIN/);
    for (const action of ['install', 'deploy', 'migrate', 'resetdb', 'restart', 'status', 'uninstall']) assert.match(result.stdout, new RegExp(`\\b${action}\\b`));
  });

  test('exits 2 with the reference message and the usage when -H is missing', () => {
    const result = runDeployScript(['-a', 'install']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^ERROR: Missing required -H option\nUsage: deploy\.sh/);
  });

  test('exits 2 naming the valid actions when -a is unknown', () => {
    const result = runDeployScript(['-H', 'localhost', '-a', 'upgradepkgs']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /invalid argument for -a: upgradepkgs \(one of: install deploy migrate resetdb restart status uninstall\)/);
  });

  test('refuses a distribution other than debian and ubuntu before changing anything', () => {
    for (const distro of ['centos', 'clr', 'opensuse']) {
      const result = runDeployScript(['-H', 'localhost', '-a', 'install', '-d', distro]);
      assert.equal(result.code, 2, distro);
      assert.match(result.stderr, new RegExp(`distribution '${distro}' is not supported: deploy\\.sh supports debian and ubuntu only; nothing was changed`));
      assert.doesNotMatch(result.stdout, /installing|created|started/);
    }
  });

  test('refuses --drop-database without uninstall, and -t git without a repository', () => {
    assert.match(runDeployScript(['-H', 'localhost', '-a', 'install', '--drop-database']).stderr, /--drop-database goes with -a uninstall only/);
    assert.match(runDeployScript(['-H', 'localhost', '-a', 'deploy', '-t', 'git']).stderr, /-t git needs -r REPOSITORY/);
  });
});
