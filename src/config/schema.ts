// Every configuration key, once: its type, default, environment variable, flag and
// documentation. load.ts reads sources through this table; docs/configuration.md
// must list every key (a test checks it).

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const INVALID_RECORD_POLICIES = ['reject', 'quarantine'] as const;
const MAX_RETENTION_DAYS = 36_500;
export const DEFAULT_TID = '6907c830-eed9-4ce9-81ae-76daf8d88f0f';
/** reference-backend §9.1 BACKTRACE_CLASSES (config/ imports nothing: crash/guilty.ts holds the same list). */
export const DEFAULT_CRASH_CLASSES: readonly string[] = [
  'org.clearlinux/crash/clr',
  'org.clearlinux/kernel/bug',
  'org.clearlinux/kernel/stackoverflow',
  'org.clearlinux/kernel/warning',
];

export const SECURE_COOKIE_MODES = ['auto', 'always', 'never'] as const;
export type SecureCookieMode = (typeof SECURE_COOKIE_MODES)[number];

export const RETENTION_FIELDS = ['severity', 'classification', 'machine_id'] as const;

export type LogLevel = (typeof LOG_LEVELS)[number];
export type RetentionField = (typeof RETENTION_FIELDS)[number];

/** A filtered retention entry (reference-backend §11.2): records whose field matches are kept `days`; 0 keeps them forever. */
export interface RetentionRule {
  field: RetentionField;
  /** Exact value; for classification `*` matches any text. */
  value: string;
  days: number;
}
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
  crash: {
    /** Classifications that get a guilty and a signature; empty turns crash processing off. */
    classes: string[];
    signatureFrames: number;
    batchSize: number;
    pollIntervalMs: number;
    catchUpIntervalMs: number;
  };
  api: {
    /** Longest run of one API query before it is cancelled (503, or 400 naming a regex). */
    statementTimeoutMs: number;
    /** API queries running at once; capped at the pool size minus the two kept for ingest and jobs. */
    maxConcurrentQueries: number;
  };
  shutdownTimeoutMs: number;
  /** Proxy addresses (or CIDRs) whose X-Forwarded-For is believed; empty: none. */
  trustProxy: string[];
  auth: {
    /** Anonymous read-only access to the UI data and the query API. */
    publicRead: boolean;
    /** Accepted as an admin Bearer token when set. */
    adminToken: string | null;
    /** Password of the `admin` created on first start; null generates one and logs it once. */
    initialAdminPassword: string | null;
    sessionTtlHours: number;
    /** /metrics open to anyone (true) or to viewers and admins only. */
    metricsPublic: boolean;
    /** Query API requests per minute per user, token or anonymous address; 0 turns the limit off. */
    queryRateLimit: number;
    secureCookies: SecureCookieMode;
  };
  retention: {
    enabled: boolean;
    maxDays: number;
    rules: RetentionRule[];
    /** HH:MM, server local time */
    time: string;
  };
}

type KeyType =
  | { kind: 'string'; allowEmpty?: boolean; pattern?: { regex: RegExp; hint: string } }
  | { kind: 'bool' }
  /** A file value as is, or an env/flag string parsed as JSON, then checked by `validate`. */
  | { kind: 'json'; validate: (value: unknown) => { ok: true; value: unknown } | { ok: false; message: string } }
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
  default: string | number | boolean | string[] | readonly RetentionRule[] | null;
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
  { path: 'crash.classes', env: 'TELEMETRICS_CRASH_CLASSES', flag: '--crash-classes', type: { kind: 'list' }, default: [...DEFAULT_CRASH_CLASSES], doc: 'Comma-separated classifications whose records get a guilty and a signature (exact match); default the reference\'s four backtrace classes. Every system_name is processed, not only `clear-linux-os`.' },
  { path: 'crash.signatureFrames', env: 'TELEMETRICS_CRASH_SIGNATURE_FRAMES', flag: '--crash-signature-frames', type: { kind: 'int', min: 1, max: 64 }, default: 5, doc: 'Top frames of the crashing thread (blacklisted and unknown ones skipped) that make a crash signature.' },
  { path: 'crash.batchSize', env: 'TELEMETRICS_CRASH_BATCH_SIZE', flag: '--crash-batch-size', type: { kind: 'int', min: 1, max: 10_000 }, default: 500, doc: 'Crash records analysed per transaction by the background processor.' },
  { path: 'crash.pollIntervalMs', env: 'TELEMETRICS_CRASH_POLL_INTERVAL_MS', flag: '--crash-poll-interval-ms', type: { kind: 'int', min: 10, max: 600_000 }, default: 1000, doc: 'Longest wait of the crash processor between looks for new crash records and reprocess jobs (a stored crash record wakes it at once).' },
  { path: 'crash.catchUpIntervalMs', env: 'TELEMETRICS_CRASH_CATCH_UP_INTERVAL_MS', flag: '--crash-catch-up-interval-ms', type: { kind: 'int', min: 100, max: 86_400_000 }, default: 60_000, doc: 'Time between catch-up sweeps for crash records that committed after the scan passed their id.' },
  { path: 'api.statementTimeoutMs', env: 'TELEMETRICS_API_STATEMENT_TIMEOUT_MS', flag: '--api-statement-timeout-ms', type: { kind: 'int', min: 1, max: 3_600_000 }, default: 30_000, doc: 'Longest run of one API query; past it the query is cancelled and answered 503 `DB_UNAVAILABLE` (400 naming the regex parameter when the filter has one).' },
  { path: 'api.maxConcurrentQueries', env: 'TELEMETRICS_API_MAX_CONCURRENT_QUERIES', flag: '--api-max-concurrent-queries', type: { kind: 'int', min: 1, max: 1000 }, default: 8, doc: 'API queries running at once; more wait in line (200 at most, then 429 `RATE_LIMITED`). Capped at the database pool size (10) minus 2, which stay free for ingest and the background jobs.' },
  { path: 'retention.enabled', env: 'TELEMETRICS_RETENTION_ENABLED', flag: '--retention-enabled', type: { kind: 'bool' }, default: true, doc: 'Run the daily purge of expired records (`telemetrics purge` works either way).' },
  { path: 'retention.maxDays', env: 'TELEMETRICS_RETENTION_MAX_DAYS', flag: '--retention-max-days', type: { kind: 'int', min: 0, max: MAX_RETENTION_DAYS }, default: 35, doc: 'Days a record matching no retention rule is kept (by receive time); 0 keeps it forever.' },
  { path: 'retention.rules', env: 'TELEMETRICS_RETENTION_RULES', flag: '--retention-rules', type: { kind: 'json', validate: parseRetentionRules }, default: [{ field: 'classification', value: 'org.clearlinux/hello/world', days: 1 }], doc: 'Filtered retention: a JSON list of `{"field", "value", "days"}` with field `severity`, `classification` or `machine_id`; `*` in a classification matches any text; days 0 keeps matching records forever. The reference\'s `{"severity": {"1": 5}}` form is accepted too.' },
  { path: 'retention.time', env: 'TELEMETRICS_RETENTION_TIME', flag: '--retention-time', type: { kind: 'string', pattern: { regex: /^([01]\d|2[0-3]):[0-5]\d$/, hint: 'HH:MM from 00:00 to 23:59' } }, default: '04:30', doc: 'Time of the daily purge, HH:MM in server local time.' },
  { path: 'trustProxy', env: 'TELEMETRICS_TRUST_PROXY', flag: '--trust-proxy', type: { kind: 'list' }, default: [], doc: 'Comma-separated addresses or CIDRs of reverse proxies (e.g. `127.0.0.1`) whose X-Forwarded-For gives the client address; empty trusts none.' },
  { path: 'auth.publicRead', env: 'TELEMETRICS_PUBLIC_READ', flag: '--public-read', type: { kind: 'bool' }, default: false, doc: 'Let anyone read the UI data and the query API without logging in (read-only: every change still needs an admin).' },
  { path: 'auth.adminToken', env: 'TELEMETRICS_ADMIN_TOKEN', flag: '--admin-token', type: { kind: 'string', pattern: { regex: /^[\x21-\x7e]{16,512}$/, hint: '16 to 512 printable ASCII characters without spaces' } }, default: null, doc: 'A secret accepted as an admin API token (`Authorization: Bearer <secret>`), e.g. for deploy scripts. Unset: none.' },
  { path: 'auth.initialAdminPassword', env: 'TELEMETRICS_ADMIN_PASSWORD', flag: '--initial-admin-password', type: { kind: 'string', pattern: { regex: /^.{8,1024}$/s, hint: '8 to 1024 characters' } }, default: null, doc: 'Password of the `admin` account created on first start when no user exists (prefer the environment variable to the flag). Unset: a random password is generated and logged once.' },
  { path: 'auth.sessionTtlHours', env: 'TELEMETRICS_SESSION_TTL_HOURS', flag: '--session-ttl-hours', type: { kind: 'int', min: 1, max: 24 * 90 }, default: 12, doc: 'Hours a login session lasts before the user must log in again.' },
  { path: 'auth.metricsPublic', env: 'TELEMETRICS_METRICS_PUBLIC', flag: '--metrics-public', type: { kind: 'bool' }, default: true, doc: 'Serve /metrics to anyone (for Prometheus); false requires a viewer or admin (session or token).' },
  { path: 'auth.queryRateLimit', env: 'TELEMETRICS_QUERY_RATE_LIMIT', flag: '--query-rate-limit', type: { kind: 'int', min: 0, max: 1_000_000 }, default: 600, doc: 'Query API requests per minute per user, token or anonymous address before 429 `RATE_LIMITED`; 0 turns the limit off.' },
  { path: 'auth.secureCookies', env: 'TELEMETRICS_SECURE_COOKIES', flag: '--secure-cookies', type: { kind: 'enum', values: SECURE_COOKIE_MODES }, default: 'auto', doc: '`auto`: mark the session cookie Secure when the request came over https (directly, or per X-Forwarded-Proto from a trusted proxy); `always` or `never` force it.' },
  { path: 'shutdownTimeoutMs', env: 'TELEMETRICS_SHUTDOWN_TIMEOUT_MS', flag: '--shutdown-timeout-ms', type: { kind: 'int', min: 0, max: 600_000 }, default: 30_000, doc: 'Longest wait for in-flight requests on SIGTERM before exiting anyway.' },
];

/** Checks a retention rule list: ours (list of {field, value, days}) or the reference's {field: {value: days}}. */
export function parseRetentionRules(value: unknown): { ok: true; value: RetentionRule[] } | { ok: false; message: string } {
  const entries: Array<[unknown, unknown, unknown]> = [];
  if (Array.isArray(value)) {
    for (const item of value) {
      const o = (item !== null && typeof item === 'object' ? item : {}) as Record<string, unknown>;
      entries.push([o.field, o.value, o.days]);
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [field, byValue] of Object.entries(value)) {
      if (byValue === null || typeof byValue !== 'object' || Array.isArray(byValue)) return { ok: false, message: `${field} must map values to days` };
      for (const [v, days] of Object.entries(byValue)) entries.push([field, v, days]);
    }
  } else {
    return { ok: false, message: 'must be a JSON list of {"field", "value", "days"}' };
  }
  const rules: RetentionRule[] = [];
  for (const [i, [field, raw, days]] of entries.entries()) {
    const at = `rule ${i + 1}`;
    if (!RETENTION_FIELDS.includes(field as RetentionField)) return { ok: false, message: `${at}: field must be one of ${RETENTION_FIELDS.join(', ')}` };
    const text = typeof raw === 'number' ? String(raw) : raw;
    if (typeof text !== 'string' || text === '') return { ok: false, message: `${at}: value must be a non-empty string` };
    if (field === 'severity' && !/^\d{1,4}$/.test(text)) return { ok: false, message: `${at}: a severity value must be a whole number` };
    if (typeof days !== 'number' || !Number.isInteger(days) || days < 0 || days > MAX_RETENTION_DAYS) {
      return { ok: false, message: `${at}: days must be a whole number from 0 to ${MAX_RETENTION_DAYS}` };
    }
    rules.push({ field: field as RetentionField, value: text, days });
  }
  return { ok: true, value: rules };
}

/** The environment variable naming an optional JSON config file (also `--config`). */
export const CONFIG_FILE_ENV = 'TELEMETRICS_CONFIG';
