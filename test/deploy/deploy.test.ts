// scripts/deploy.sh on this machine for real: install from the working tree, a
// format-A record through nginx, status, restart, migrate, TLS, a second install, a
// broken deploy rolled back, uninstall keeping then dropping the database. It installs
// packages and creates a user, /opt, /etc and nginx files, so it runs only as root with
// TELEMETRICS_DEPLOY_TEST=1 (.ci/run does that after npm test), and it puts back what it changed.

import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync, closeSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { createPool } from '../../src/db/pool.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const SCRIPT = join(ROOT, 'scripts', 'deploy.sh');
const FIXTURE = readFileSync(join(ROOT, 'test', 'fixtures', 'format-a-v4-wire.http'));
const FIXTURE_MACHINE_ID = '1ae3c7427824c00c97bcbcfd91c2a4e2';
const CONFIG_FILE = '/etc/telemetrics-server/config.json';
const SERVER_PORT = '18931';
/** Written to the config by the install (TELEMETRICS_ADMIN_TOKEN): /api needs a credential. */
const DEPLOY_ADMIN_TOKEN = 'deploy-test-admin-token-4f1c9e';
const HAS_OPENSSL = spawnSync('openssl', ['version']).status === 0;

const skipReason = whySkip();

function whySkip(): string | false {
  if (process.env.TELEMETRICS_DEPLOY_TEST !== '1') {
    return 'changes the machine (packages, a user, /opt, /etc, nginx): set TELEMETRICS_DEPLOY_TEST=1 as root; .ci/run does after npm test';
  }
  if (process.getuid?.() !== 0) return 'TELEMETRICS_DEPLOY_TEST=1 but not root: deploy.sh must run as root';
  if (existsSync('/opt/telemetrics-server') || existsSync(CONFIG_FILE) || spawnSync('id', ['-u', 'telemetrics']).status === 0) {
    return 'telemetrics-server is already installed on this machine; the test would remove it';
  }
  return false;
}

interface Run {
  code: number | null;
  output: string;
}

/** Runs deploy.sh with its output in a file: daemons it starts must not hold a pipe of ours open. */
function runDeploy(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'deploy-test-'));
  const file = join(dir, 'output');
  const fd = openSync(file, 'w');
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [SCRIPT, '-H', 'localhost', ...args], {
      stdio: ['ignore', fd, fd],
      env: { PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8', ...env },
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      closeSync(fd);
      const output = readFileSync(file, 'utf8');
      rmSync(dir, { recursive: true, force: true });
      resolve({ code, output });
    });
  });
}

function expectSuccess(run: Run, what: string): void {
  assert.equal(run.code, 0, `${what} failed:\n${run.output}`);
}

/** Sends bytes as they are (the captured request) and resolves with the raw answer. */
function sendRaw(port: number, bytes: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.setTimeout(15_000, () => socket.destroy(new Error('no answer within 15 s')));
    socket.on('data', (chunk) => {
      answer += chunk.toString('utf8');
      const head = answer.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(answer);
      if (head >= 0 && length && Buffer.byteLength(answer.slice(head + 4)) >= Number(length[1])) socket.end();
    });
    socket.on('end', () => resolve(answer));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
    socket.write(bytes);
  });
}

function fetchText(url: string, host = 'localhost', headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const getter = url.startsWith('https:') ? httpsGet : httpGet;
  return new Promise((resolve, reject) => {
    const req = getter(url, { headers: { Host: host, ...headers }, rejectUnauthorized: false, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url}`)));
    req.on('error', reject);
  });
}

function databaseUrl(): string {
  return (JSON.parse(readFileSync(CONFIG_FILE, 'utf8')) as { databaseUrl: string }).databaseUrl;
}

async function findFixtureRecords(): Promise<Array<Record<string, unknown>>> {
  const pool = createPool(databaseUrl(), { max: 1 });
  try {
    const result = await pool.query('SELECT machine_id, host_type, board_name, bios_version, cpu_model, event_id, build FROM records WHERE machine_id = $1', [FIXTURE_MACHINE_ID]);
    return result.rows;
  } finally {
    await pool.end();
  }
}

function psqlAsPostgres(sql: string): string {
  return execFileSync('runuser', ['-u', 'postgres', '--', 'psql', '-X', '-At', '-d', 'postgres', '-c', sql], { cwd: '/', encoding: 'utf8' }).trim();
}

function isInstalled(pkg: string): boolean {
  return spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' }).stdout.includes('install ok installed');
}

function clusterOnline(): boolean {
  const result = spawnSync('pg_lsclusters', ['--no-header'], { encoding: 'utf8' });
  return result.status === 0 && /\bonline\b/.test(result.stdout.split('\n')[0] ?? '');
}

function nginxMasterPid(): number | null {
  try {
    const pid = Number(readFileSync('/run/nginx.pid', 'utf8').trim());
    process.kill(pid, 0);
    return pid;
  } catch {
    return null;
  }
}

/** A tarball of the working tree whose server fails at start (its migrations still work): for the rollback. */
function buildBrokenTarball(dir: string): string {
  const tree = join(dir, 'tree');
  execFileSync('bash', ['-c', `mkdir -p "${tree}" && tar -C "${ROOT}" --exclude=./node_modules --exclude=./.git --exclude=./data --exclude=./dist --exclude=./.scratch --exclude=./.tmp-dev --exclude=./test-output -cf - . | tar -C "${tree}" -xf -`]);
  const serve = join(tree, 'src', 'cli', 'commands', 'serve.ts');
  const text = readFileSync(serve, 'utf8');
  const marker = 'export async function serve(config: Config): Promise<void> {';
  assert.ok(text.includes(marker), 'serve.ts still has the function the rollback test breaks');
  writeFileSync(serve, text.replace(marker, `${marker}\n  throw new Error('broken release for the rollback test');`));
  const tarball = join(dir, 'broken.tar.gz');
  execFileSync('tar', ['-C', dir, '-czf', tarball, 'tree']);
  return tarball;
}

describe('scripts/deploy.sh on this machine', { skip: skipReason }, () => {
  test('installs, serves format-A records through nginx, restarts, migrates, re-installs, rolls back and uninstalls', { timeout: 30 * 60_000 }, async (t) => {
    const before = { nginx: isInstalled('nginx'), nginxCommon: isInstalled('nginx-common'), nginxRunning: nginxMasterPid() !== null, postgres: clusterOnline() };
    const work = mkdtempSync(join(tmpdir(), 'deploy-test-work-'));
    t.after(async () => {
      if (existsSync('/opt/telemetrics-server') || existsSync('/etc/telemetrics-server/config.json') || spawnSync('id', ['-u', 'telemetrics']).status === 0) {
        await runDeploy(['-a', 'uninstall', '--drop-database', '--yes']);
      }
      rmSync('/etc/telemetrics-server', { recursive: true, force: true });
      if (!before.nginxRunning && nginxMasterPid() !== null) spawnSync('nginx', ['-s', 'quit']);
      if (!before.nginx) {
        const purge = ['nginx', ...(before.nginxCommon ? [] : ['nginx-common'])];
        spawnSync('apt-get', ['purge', '-y', '-qq', ...purge], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
      }
      if (!before.postgres && clusterOnline()) {
        const [version, cluster] = (spawnSync('pg_lsclusters', ['--no-header'], { encoding: 'utf8' }).stdout.split('\n')[0] ?? '').trim().split(/\s+/);
        if (version && cluster) spawnSync('pg_ctlcluster', [version, cluster, 'stop']);
      }
      rmSync(work, { recursive: true, force: true });
    });

    await t.test('install from the working tree, without questions', async () => {
      const run = await runDeploy(['-a', 'install', '-d', 'debian', '-p', SERVER_PORT, '--yes'], { TELEMETRICS_ADMIN_TOKEN: DEPLOY_ADMIN_TOKEN });
      expectSuccess(run, 'install');
      assert.match(run.output, /deploy\.sh -a install done in \d+ s:/);
      assert.match(run.output, /created service user telemetrics/);
      assert.match(run.output, /created database telemetrics \(owner telemetrics\)/);
      assert.match(run.output, /staged release [\d.]+-\d{8}T\d{6}Z from folder .* with production dependencies only/);
      assert.match(run.output, /nginx answers http:\/\/localhost\/readyz with 200/);
      assert.match(run.output, /server=http:\/\/localhost\/v2\/collector/);
      const config = statSync(CONFIG_FILE);
      assert.equal(config.mode & 0o777, 0o600);
      assert.equal(config.uid, Number(execFileSync('id', ['-u', 'telemetrics'], { encoding: 'utf8' })));
      assert.match(databaseUrl(), /^postgresql:\/\/telemetrics:[0-9a-f]{48}@127\.0\.0\.1:\d+\/telemetrics$/);
      const site = readFileSync('/etc/nginx/sites-enabled/telemetrics-server', 'utf8');
      for (const line of ['underscores_in_headers on;', 'client_max_body_size', 'X-Forwarded-For $proxy_add_x_forwarded_for', 'X-Real-IP $remote_addr', `server 127.0.0.1:${SERVER_PORT};`]) {
        assert.ok(site.includes(line), `nginx site has ${line}`);
      }
      assert.doesNotMatch(site, /listen 443/);
      assert.equal(existsSync('/opt/telemetrics-server/current/node_modules/typescript'), false, 'no dev dependencies in the release');
    });

    await t.test('a captured format-A request with underscore header names gets 201 through nginx on port 80', async (st) => {
      const answer = await sendRaw(80, FIXTURE);
      assert.match(answer, /^HTTP\/1\.1 201 /, answer);
      assert.deepEqual(await findFixtureRecords(), [
        { machine_id: FIXTURE_MACHINE_ID, host_type: 'no_sv_file|no_pn_file|no_pvr_file', board_name: 'no_bn_file|no_bv_file', bios_version: 'no_bv_file', cpu_model: 'AMD EPYC', event_id: '0123456789abcdef0123456789abcdef', build: '12' },
      ]);
      const anonymous = await fetchText(`http://127.0.0.1/api/records?machine_id=${FIXTURE_MACHINE_ID}`);
      assert.ok([401, 404].includes(anonymous.status), `anonymous /api: ${anonymous.status} ${anonymous.body}`);
      const api = await fetchText(`http://127.0.0.1/api/records?machine_id=${FIXTURE_MACHINE_ID}`, 'localhost', { Authorization: `Bearer ${DEPLOY_ADMIN_TOKEN}` });
      if (api.status === 404 && /Route GET/.test(api.body)) {
        st.diagnostic('GET /api/records does not exist in this tree: record checked in the database only');
      } else {
        assert.equal(api.status, 200, api.body);
        assert.ok(api.body.includes(FIXTURE_MACHINE_ID), api.body);
      }
    });

    await t.test('status reports the service, readiness through nginx and the versions', async () => {
      const run = await runDeploy(['-a', 'status']);
      expectSuccess(run, 'status');
      assert.match(run.output, /readyz: +200 /);
      assert.match(run.output, /via nginx: +200 /);
      assert.match(run.output, /schema: +\d+ migrations applied/);
      assert.match(run.output, /healthy: the server is ready, directly and through nginx/);
    });

    await t.test('restart brings the server back; migrate has nothing to apply', async () => {
      const restart = await runDeploy(['-a', 'restart']);
      expectSuccess(restart, 'restart');
      assert.match(restart.output, /restarted the server/);
      assert.equal((await fetchText('http://127.0.0.1/readyz')).status, 200);
      const migrate = await runDeploy(['-a', 'migrate']);
      expectSuccess(migrate, 'migrate');
      assert.match(migrate.output, /nothing to apply/);
    });

    await t.test('restart adds TLS on port 443 once a certificate is in /etc/telemetrics-server/tls', { skip: !HAS_OPENSSL && 'no openssl to make a certificate' }, async () => {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost',
        '-keyout', '/etc/telemetrics-server/tls/key.pem', '-out', '/etc/telemetrics-server/tls/cert.pem'], { stdio: 'ignore' });
      const run = await runDeploy(['-a', 'restart']);
      expectSuccess(run, 'restart with a certificate');
      assert.match(run.output, /https:\/\/localhost\/ on port 443/);
      assert.deepEqual(await fetchText('https://127.0.0.1/readyz'), { status: 200, body: '{"status":"ready","database":"ok","migrations":"current"}' });
    });

    await t.test('a second install changes nothing that matters: same password, same data', async () => {
      const url = databaseUrl();
      const run = await runDeploy(['-a', 'install', '-d', 'debian', '--yes']);
      expectSuccess(run, 'second install');
      assert.match(run.output, /kept database telemetrics and its data/);
      assert.match(run.output, /service user telemetrics exists/);
      assert.equal(databaseUrl(), url);
      assert.equal((await findFixtureRecords()).length, 1);
      if (HAS_OPENSSL) assert.equal((await fetchText('https://127.0.0.1/readyz')).status, 200, 'TLS stays on');
    });

    await t.test('a deploy whose server does not become ready is rolled back', async () => {
      const running = readlinkSync('/opt/telemetrics-server/current');
      const run = await runDeploy(['-a', 'deploy', '-t', 'tarball', '-s', buildBrokenTarball(work)], { TELEMETRICS_DEPLOY_READY_TIMEOUT: '20' });
      assert.equal(run.code, 1, run.output);
      assert.match(run.output, /ROLLED BACK: release \S+ did not become ready/);
      assert.match(run.output, /deploy of release \S+ failed: it did not become ready/);
      assert.equal(readlinkSync('/opt/telemetrics-server/current'), running);
      assert.equal((await fetchText('http://127.0.0.1/readyz')).status, 200);
    });

    await t.test('uninstall removes what install created and keeps the database', async () => {
      const run = await runDeploy(['-a', 'uninstall']);
      expectSuccess(run, 'uninstall');
      assert.match(run.output, /KEPT database telemetrics and role telemetrics/);
      assert.match(run.output, HAS_OPENSSL ? /removed \/etc\/telemetrics-server except \/etc\/telemetrics-server\/tls \(your certificate is kept\)/ : /removed \/etc\/telemetrics-server \(config and database password\)/);
      for (const path of ['/opt/telemetrics-server', CONFIG_FILE, '/var/lib/telemetrics-server', '/usr/local/bin/telemetrics', '/etc/nginx/sites-enabled/telemetrics-server', '/etc/systemd/system/telemetrics-server.service']) {
        assert.equal(existsSync(path), false, `${path} removed`);
      }
      assert.notEqual(spawnSync('id', ['-u', 'telemetrics']).status, 0, 'user removed');
      assert.equal(psqlAsPostgres("SELECT count(*) FROM pg_database WHERE datname = 'telemetrics'"), '1');
      assert.notEqual((await fetchText('http://127.0.0.1/readyz').catch(() => ({ status: 0, body: '' }))).status, 200, 'port 80 no longer reaches the server');
    });

    await t.test('installing again finds the kept records', async () => {
      expectSuccess(await runDeploy(['-a', 'install', '-d', 'debian', '-p', SERVER_PORT, '--yes']), 'install after uninstall');
      assert.equal((await findFixtureRecords()).length, 1);
    });

    await t.test('uninstall --drop-database drops the database and its role', async () => {
      const run = await runDeploy(['-a', 'uninstall', '--drop-database'], { TELEMETRICS_DEPLOY_YES: '1' });
      expectSuccess(run, 'uninstall --drop-database');
      assert.match(run.output, /dropped database telemetrics: its data is gone/);
      assert.equal(psqlAsPostgres("SELECT count(*) FROM pg_database WHERE datname = 'telemetrics'"), '0');
      assert.equal(psqlAsPostgres("SELECT count(*) FROM pg_roles WHERE rolname = 'telemetrics'"), '0');
      assert.equal(existsSync('/opt/telemetrics-server'), false);
    });
  });
});
