// `telemetrics purge`: runs the retention purge now with the configured rules and
// prints what each rule deleted; `--dry-run` prints what would go and deletes nothing.

import type { Command } from 'commander';
import { loadConfig } from '../../config/load.ts';
import { runManualPurge } from '../../processing/retention-job.ts';
import type { PurgeReport } from '../../processing/retention-purge.ts';
import { withCommandDatabase } from '../command-database.ts';
import { addConfigOptions, configSourcesFromOptions } from '../config-options.ts';

export function registerPurgeCommand(program: Command): void {
  addConfigOptions(
    program
      .command('purge')
      .description('delete expired records now, by the retention rules (the daily purge, run by hand)')
      .option('--dry-run', 'print what each rule would delete; delete nothing'),
  ).action(async (options: Record<string, unknown>) => {
    const config = loadConfig(configSourcesFromOptions(options));
    await withCommandDatabase(config, { migrate: true }, async (db, logger) => {
      const report = await runManualPurge(db.pool, { retention: config.retention, now: new Date(), dryRun: options.dryRun === true, logger });
      process.stdout.write(formatPurgeReport(report));
    });
  });
}

/** One line per step, then the total: what `telemetrics purge` prints. */
export function formatPurgeReport(report: PurgeReport): string {
  const verb = report.dryRun ? 'would delete' : 'deleted';
  const lines = [`${report.dryRun ? 'dry run: nothing deleted; ' : ''}purge at ${report.now}`];
  for (const step of report.steps) {
    const derived = report.dryRun ? '' : ` (+ ${step.crashAnalyses} crash analyses, ${step.fingerprints} fingerprints)`;
    const days = step.partitions?.length ? `; partitions ${step.partitions.join(', ')}` : '';
    lines.push(`  ${step.label}: ${verb} ${step.records} records${derived}${days}`);
  }
  lines.push(`total: ${verb} ${report.records} records in ${(report.durationMs / 1000).toFixed(1)} s`);
  return `${lines.join('\n')}\n`;
}
