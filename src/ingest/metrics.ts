// Prometheus metrics of ingest, registered on the server's own registry (one per
// server instance, so tests can build many servers in one process).

import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type IngestOutcome = 'stored' | 'duplicate' | 'rejected' | 'quarantined' | 'unavailable';

export interface IngestMetrics {
  records: Counter<'outcome' | 'code' | 'reason'>;
  batchSize: Histogram;
  flushSeconds: Histogram;
  queueDepth: Gauge;
  queueBytes: Gauge;
}

export function createIngestMetrics(registry: Registry): IngestMetrics {
  return {
    records: new Counter({
      name: 'telemetrics_ingest_records_total',
      help: 'Records received, by outcome (stored, duplicate, rejected, quarantined, unavailable), error code and rejection reason',
      labelNames: ['outcome', 'code', 'reason'],
      registers: [registry],
    }),
    batchSize: new Histogram({
      name: 'telemetrics_ingest_batch_records',
      help: 'Records per group-commit batch',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
      registers: [registry],
    }),
    flushSeconds: new Histogram({
      name: 'telemetrics_ingest_flush_seconds',
      help: 'Duration of one batch insert, commit included',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    queueDepth: new Gauge({ name: 'telemetrics_ingest_queue_records', help: 'Records waiting for a commit', registers: [registry] }),
    queueBytes: new Gauge({ name: 'telemetrics_ingest_queue_bytes', help: 'Payload bytes waiting for a commit', registers: [registry] }),
  };
}

/** A bounded label for a rejection message: "Error parsing x, <python text>" keeps its prefix. */
export function rejectionReason(message: string): string {
  return message.startsWith('Error parsing ') ? message.split(',')[0] ?? message : message.slice(0, 80);
}
