// Prometheus metrics of crash processing, registered on the server's registry.

import { Counter, type Registry } from 'prom-client';

/** Where an analysis came from: the scan of new records, the catch-up, a reprocess job, or "Apply". */
export type CrashAnalysisSource = 'new' | 'catch_up' | 'reprocess' | 'apply';

export interface CrashMetrics {
  analysed: Counter<'source' | 'outcome'>;
  passFailures: Counter;
}

export function createCrashMetrics(registry: Registry): CrashMetrics {
  return {
    analysed: new Counter({
      name: 'telemetrics_crash_records_analysed_total',
      help: 'Crash records analysed and committed, by source (new, catch_up, reprocess, apply) and outcome (guilty, no_guilty, failed)',
      labelNames: ['source', 'outcome'],
      registers: [registry],
    }),
    passFailures: new Counter({
      name: 'telemetrics_crash_processing_failures_total',
      help: 'Crash processing steps that failed (database errors) and were retried',
      registers: [registry],
    }),
  };
}
