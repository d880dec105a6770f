// `npm test`: finds every test/**/*.test.ts, starts one throwaway embedded
// PostgreSQL for the run, and runs the files with node's test runner (through tsx).
// Fails when no test file is found or no test ran: node --test passes on zero tests.

import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pino } from 'pino';
import { startEmbeddedDatabase } from '../src/db/embedded.ts';

const root = join(import.meta.dirname, '..');
const filters = process.argv.slice(2);
const files = findTestFiles(join(root, 'test'))
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
if (files.length === 0) {
  process.stderr.write('run-tests: no test files found (test/**/*.test.ts); failing\n');
  process.exit(1);
}

const dataDir = mkdtempSync(join(tmpdir(), 'telemetrics-test-db-'));
const database = await startEmbeddedDatabase({ dataDir, logger: pino({ level: 'warn' }) });
const { host, user } = database.connection as { host: string; user: string };
const embeddedUrl = `postgresql://${user}@localhost/postgres?host=${encodeURIComponent(host)}`;
const tapFile = join(dataDir, 'results.tap');

const code = await new Promise<number>((resolve) => {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${tapFile}`, ...files],
    { cwd: root, stdio: 'inherit', env: { ...process.env, TELEMETRICS_TEST_EMBEDDED_URL: embeddedUrl } },
  );
  child.on('close', (c) => resolve(c ?? 1));
});

const tap = readFileSync(tapFile, 'utf8');
await database.stop();
rmSync(dataDir, { recursive: true, force: true });

const executed = Number(/^# tests (\d+)/m.exec(tap)?.[1] ?? 0);
if (executed === 0) {
  process.stderr.write('run-tests: the test runner executed no test; failing\n');
  process.exit(1);
}
process.exit(code);

function findTestFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return findTestFiles(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}
