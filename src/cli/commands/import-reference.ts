// `telemetrics import-reference --from URL`: copies a reference server's database
// (clearlinux/telemetrics-backend, any schema revision of reference-backend §6.6)
// into ours, with a progress display on stderr and a summary on stdout. Never
// writes to the reference database; a second run adds nothing.

import type { Command } from 'commander';
import { loadConfig } from '../../config/load.ts';
import type { Config } from '../../config/schema.ts';
import { analyseCrash } from '../../crash/analyse.ts';
import { describeTarget } from '../../db/pool.ts';
import { importReference, type DescribeCrash, type ImportProgress, type ImportSummary } from '../../db/reference-import/import-reference.ts';
import { openReferencePool } from '../../db/reference-import/reference-reads.ts';
import { describeReferenceSchema, detectReferenceSchema } from '../../db/reference-import/reference-schema.ts';
import { loadBlacklist } from '../../processing/crash-batch.ts';
import { withCommandDatabase } from '../command-database.ts';
import { addConfigOptions, configSourcesFromOptions } from '../config-options.ts';

const DEFAULT_BATCH_SIZE = 1000;
const PROGRESS_INTERVAL_MS = { tty: 200, log: 5_000 };

export function registerImportReferenceCommand(program: Command): void {
  addConfigOptions(
    program
      .command('import-reference')
      .description("copy a reference server's database (records, guilty, blacklist, each record's guilty) into ours; a second run adds nothing")
      .requiredOption('--from <url>', 'PostgreSQL URL of the reference database, e.g. postgresql://postgres@oldhost/telemetry (password: in the URL or $PGPASSWORD)')
      .option('--batch-size <n>', `records per transaction (default: ${DEFAULT_BATCH_SIZE})`),
  ).action(async (options: Record<string, unknown>) => {
    const config = loadConfig(configSourcesFromOptions(options));
    const batchSize = parseBatchSize(options.batchSize);
    await runImport(config, String(options.from), batchSize);
  });
}

async function runImport(config: Config, fromUrl: string, batchSize: number): Promise<void> {
  const reference = openReferencePool(fromUrl);
  try {
    let schema;
    try {
      schema = await detectReferenceSchema(reference);
    } catch (err) {
      if ((err as Error).name === 'ReferenceSchemaError') throw err;
      throw new Error(`cannot read the reference database at ${describeTarget(fromUrl)}: ${(err as Error).message}`, { cause: err });
    }
    process.stderr.write(`import-reference: reference schema ${describeReferenceSchema(schema)}\n`);
    await withCommandDatabase(config, { migrate: true }, async (db) => {
      const startedAt = Date.now();
      const progress = createProgressDisplay();
      const summary = await importReference({
        ours: db.pool,
        reference,
        schema,
        batchSize,
        onProgress: progress.update,
        createCrashDescriber: async () => createCrashDescriber(config, await loadBlacklist(db.pool)),
      });
      progress.finish();
      process.stdout.write(formatImportSummary(summary, describeReferenceSchema(schema), Date.now() - startedAt, config));
    });
  } finally {
    await reference.end();
  }
}

function createCrashDescriber(config: Config, blacklist: Awaited<ReturnType<typeof loadBlacklist>>): DescribeCrash {
  return (payload, classification) => {
    const a = analyseCrash(payload, classification, blacklist, { classes: config.crash.classes, frameCount: config.crash.signatureFrames });
    return { signature: a.signature ? { signature: a.signature.signature, frames: a.signature.frames } : null, program: a.process, signal: a.signal };
  };
}

function parseBatchSize(value: unknown): number {
  if (value === undefined) return DEFAULT_BATCH_SIZE;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 50_000) throw new Error(`--batch-size must be a whole number from 1 to 50000, not ${String(value)}`);
  return n;
}

/** One updating line on a terminal; otherwise a line every few seconds (logs stay short). */
function createProgressDisplay(): { update: (p: ImportProgress) => void; finish: () => void } {
  const tty = process.stderr.isTTY === true;
  const startedAt = Date.now();
  let last: ImportProgress | null = null;
  let shownAt = 0;
  const show = (p: ImportProgress) => {
    const percent = p.total > 0 ? Math.min(100, Math.floor((p.read / p.total) * 100)) : 100;
    const seconds = Math.max((Date.now() - startedAt) / 1000, 0.001);
    const line = `records: ${p.read}/${p.total} read (${percent}%), ${p.stored} imported, ${Math.round(p.read / seconds)}/s`;
    process.stderr.write(tty ? `\r\u001b[2K${line}` : `import-reference: ${line}\n`);
    shownAt = Date.now();
  };
  return {
    update(p) {
      last = p;
      if (Date.now() - shownAt >= (tty ? PROGRESS_INTERVAL_MS.tty : PROGRESS_INTERVAL_MS.log)) show(p);
    },
    finish() {
      if (last) show(last);
      if (tty) process.stderr.write('\n');
    },
  };
}

/** The closing summary on stdout. */
export function formatImportSummary(summary: ImportSummary, schema: string, durationMs: number, config: Pick<Config, 'retention'>): string {
  const { records: r, guilty: g, blacklist: b } = summary;
  const lines = [
    `imported from reference schema ${schema} in ${(durationMs / 1000).toFixed(1)} s:`,
    `  records:   ${r.read} read, ${r.stored} imported, ${r.alreadyImported} already imported, ${r.skipped} skipped`,
    `  crash records with the reference's guilty: ${r.withGuilty} imported with it`,
    `  guilty:    ${g.read} read, ${g.added} added, ${g.merged} merged (comment or hidden flag taken over), ${g.present} already present`,
    `  blacklist: ${b.read} read, ${b.added} added, ${b.present} already present`,
  ];
  if (r.oldest !== null) lines.push(`  receive days: ${r.oldest} .. ${r.newest} (${r.partitionsCreated} partitions created)`);
  if (g.commentsShortened > 0) lines.push(`  note: ${g.commentsShortened} guilty comments were cut to 80 characters`);
  for (const example of r.skipExamples) lines.push(`  skipped ${example}`);
  if (r.skipped > r.skipExamples.length) lines.push(`  ... and ${r.skipped - r.skipExamples.length} more skipped`);
  const { retention } = config;
  if (r.oldest !== null && retention.enabled && retention.maxDays > 0) {
    const cutoff = new Date(Date.now() - retention.maxDays * 86_400_000).toISOString().slice(0, 10);
    if (r.oldest < cutoff) {
      lines.push(
        `  WARNING: records received before ${cutoff} are older than retention.maxDays (${retention.maxDays}); ` +
          `the next daily purge deletes them. Raise retention.maxDays (0 keeps records forever) to keep the history.`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
