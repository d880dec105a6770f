// Every configuration key, once: its type, default, environment variable, flag and
// documentation. load.ts reads sources through this table; docs/configuration.md
// must list every key (a test checks it).

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const INVALID_RECORD_POLICIES = ['reject', 'quarantine'] as const;
export const DEFAULT_TID = '6907c830-eed9-4ce9-81ae-76daf8d88f0f';

export type LogLevel = (typeof LOG_LEVELS)[number];
export type InvalidRecordPolicy = (typeof INVALID_RECORD_POLICIES)[number];

/** The validated, frozen configuration passed down to every part. */
export interface Config {
  host: string;
  port: number;
  databaseUrl: string | null;
  dataDir: string;
  logLevel: LogLevel;
  tid: string;
  /** Extra TIDs accepted besides `tid`; ['*'] accepts any TID. */
  acceptedTids: string[];
  ingest: {
    bodyLimit: number;
    invalidRecordPolicy: InvalidRecordPolicy;
    queueMaxRecords: number;
    queueMaxBytes: number;
    duplicateWindowHours: number;
  };
  shutdownTimeoutMs: number;
}

type KeyType =
  | { kind: 'string'; allowEmpty?: boolean }
  | { kind: 'int'; min: number; max: number }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'list' }
  | { kind: 'url' };

export interface ConfigKey {
  /** Dotted path in the Config object and the config file. */
  path: string;
  env: string;
  flag: string;
  type: KeyType;
  default: string | number | string[] | null;
  doc: string;
}

export const CONFIG_KEYS: readonly ConfigKey[] = [
  { path: 'host', env: 'TELEMETRICS_HOST', flag: '--host', type: { kind: 'string' }, default: '0.0.0.0', doc: 'Address the HTTP server listens on.' },
  { path: 'port', env: 'TELEMETRICS_PORT', flag: '--port', type: { kind: 'int', min: 0, max: 65535 }, default: 8080, doc: 'TCP port of the HTTP server (0 picks a free port).' },
  { path: 'databaseUrl', env: 'DATABASE_URL', flag: '--database-url', type: { kind: 'url' }, default: null, doc: 'PostgreSQL (13 or newer) connection URL. Unset: run the embedded PostgreSQL under the data folder.' },
  { path: 'dataDir', env: 'TELEMETRICS_DATA_DIR', flag: '--data-dir', type: { kind: 'string' }, default: './data', doc: 'Folder of the embedded database (unused with a database URL).' },
  { path: 'logLevel', env: 'TELEMETRICS_LOG_LEVEL', flag: '--log-level', type: { kind: 'enum', values: LOG_LEVELS }, default: 'info', doc: 'Log level of the JSON logs on standard output.' },
  { path: 'tid', env: 'TELEMETRICS_TID', flag: '--tid', type: { kind: 'string' }, default: DEFAULT_TID, doc: 'Telemetry ID (X-Telemetry-TID) the clients must send.' },
  { path: 'acceptedTids', env: 'TELEMETRICS_ACCEPTED_TIDS', flag: '--accepted-tids', type: { kind: 'list' }, default: [], doc: 'Comma-separated extra TIDs to accept besides `tid`; `*` accepts any TID.' },
  { path: 'ingest.bodyLimit', env: 'TELEMETRICS_INGEST_BODY_LIMIT', flag: '--ingest-body-limit', type: { kind: 'int', min: 8192, max: 100 * 1024 * 1024 }, default: 1024 * 1024, doc: 'Largest accepted ingest request body in bytes; larger ones get 413.' },
  { path: 'ingest.invalidRecordPolicy', env: 'TELEMETRICS_INVALID_RECORD_POLICY', flag: '--invalid-record-policy', type: { kind: 'enum', values: INVALID_RECORD_POLICIES }, default: 'reject', doc: '`reject`: answer invalid records 400 like the reference. `quarantine`: keep them with the reason and answer 201, so clients stop resending.' },
  { path: 'ingest.queueMaxRecords', env: 'TELEMETRICS_INGEST_QUEUE_MAX_RECORDS', flag: '--ingest-queue-max-records', type: { kind: 'int', min: 1, max: 10_000_000 }, default: 20_000, doc: 'Records waiting for a database commit before ingest answers 503.' },
  { path: 'ingest.queueMaxBytes', env: 'TELEMETRICS_INGEST_QUEUE_MAX_BYTES', flag: '--ingest-queue-max-bytes', type: { kind: 'int', min: 65_536, max: 4 * 1024 * 1024 * 1024 }, default: 128 * 1024 * 1024, doc: 'Payload bytes waiting for a database commit before ingest answers 503.' },
  { path: 'ingest.duplicateWindowHours', env: 'TELEMETRICS_DUPLICATE_WINDOW_HOURS', flag: '--duplicate-window-hours', type: { kind: 'int', min: 0, max: 24 * 30 }, default: 48, doc: 'A record identical to one received within this many hours is stored once (client retries); 0 turns it off.' },
  { path: 'shutdownTimeoutMs', env: 'TELEMETRICS_SHUTDOWN_TIMEOUT_MS', flag: '--shutdown-timeout-ms', type: { kind: 'int', min: 0, max: 600_000 }, default: 30_000, doc: 'Longest wait for in-flight requests on SIGTERM before exiting anyway.' },
];

/** The environment variable naming an optional JSON config file (also `--config`). */
export const CONFIG_FILE_ENV = 'TELEMETRICS_CONFIG';
