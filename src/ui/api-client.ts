// The UI's only way to the server: one typed function per public API endpoint
// (STYLE.md §1.7). Knows the error body {message, code}; never reaches past /api.
// Over 300 lines: one file on purpose, so that every call the UI makes is listed here.
// Its one piece of state is the session link (CSRF token, 401 handler): in memory only,
// never in localStorage, set by the session gate (session.ts) for the page's lifetime.

/** A non-2xx answer, with the server's error body (STYLE.md §4) when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ReadonlyArray<{ field: string; message: string }> = [],
    readonly requestId: string | null = null,
    /** seconds to wait before trying again (429/503 with Retry-After), or null */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The endpoint itself does not exist on this server (fastify's route-not-found answer). */
  get isMissingEndpoint(): boolean {
    return this.status === 404 && /^Route [A-Z]+ \S+ not found$/.test(this.message);
  }
}

type Params = Record<string, string | number | boolean | undefined | null>;

/** `/api/path?a=1` from the defined, non-empty parameters. */
export function apiUrl(path: string, params: Params = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    search.set(key, String(value));
  }
  const query = search.toString();
  return query === '' ? path : `${path}?${query}`;
}

/** How requests reach the signed-in session: its CSRF token and what to do when it is gone. */
export interface SessionLink {
  csrfToken(): string | null;
  /** a data call answered 401: the session ended (or never was) */
  onUnauthorized(error: ApiError): void;
  /** a state-changing call answered 403 CSRF_INVALID: the session was replaced (signed in elsewhere) */
  onCsrfRejected(error: ApiError): void;
}

let sessionLink: SessionLink | null = null;

/** Connects every later request to the session; returns the disconnect. */
export function connectSession(link: SessionLink): () => void {
  sessionLink = link;
  return () => {
    if (sessionLink === link) sessionLink = null;
  };
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

interface RequestOptions {
  signal?: AbortSignal | undefined;
  /** a 401 is this call's own answer (wrong password), not a lost session */
  ownsUnauthorized?: boolean;
}

async function request<T>(method: string, path: string, params: Params = {}, body?: unknown, options: RequestOptions = {}): Promise<T> {
  let response: Response;
  try {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const csrfToken = sessionLink?.csrfToken() ?? null;
    if (!SAFE_METHODS.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken;
    const init: RequestInit = { method, headers, credentials: 'same-origin' };
    if (options.signal) init.signal = options.signal;
    if (body !== undefined) init.body = JSON.stringify(body);
    response = await fetch(apiUrl(path, params), init);
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'NETWORK', 'The server could not be reached');
  }
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    parsed = null;
  }
  if (!response.ok) {
    const error = toApiError(response.status, parsed, parseRetryAfter(response.headers.get('Retry-After')));
    if (error.status === 401 && !options.ownsUnauthorized) sessionLink?.onUnauthorized(error);
    if (error.status === 403 && error.code === 'CSRF_INVALID') sessionLink?.onCsrfRejected(error);
    throw error;
  }
  return parsed as T;
}

/** Retry-After as seconds from now: delta-seconds or an HTTP date. */
function parseRetryAfter(value: string | null): number | null {
  if (value === null || value.trim() === '') return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

function toApiError(status: number, body: unknown, retryAfterSeconds: number | null = null): ApiError {
  if (body && typeof body === 'object') {
    const b = body as { message?: unknown; code?: unknown; details?: unknown; requestId?: unknown };
    const code = typeof b.code === 'string' ? b.code : `HTTP_${status}`;
    const message = explain(status, code, typeof b.message === 'string' ? b.message : `HTTP ${status}`, retryAfterSeconds);
    const details = Array.isArray(b.details)
      ? b.details.filter((d): d is { field: string; message: string } => !!d && typeof d.field === 'string' && typeof d.message === 'string')
      : [];
    return new ApiError(status, code, message, details, typeof b.requestId === 'string' ? b.requestId : null, retryAfterSeconds);
  }
  return new ApiError(status, `HTTP_${status}`, explain(status, `HTTP_${status}`, `The server answered HTTP ${status}`, retryAfterSeconds), [], null, retryAfterSeconds);
}

/** The server's message, said in the user's terms for the answers every view can meet. */
function explain(status: number, code: string, message: string, retryAfterSeconds: number | null): string {
  if (status === 403 && code === 'CSRF_INVALID') return 'Your session changed (signed in again elsewhere?). Try again.';
  if (status === 403) return `You need the admin role to do this (${message}).`;
  if (status === 429 && retryAfterSeconds !== null) return `${message}. Try again in ${formatWait(retryAfterSeconds)}.`;
  return message;
}

/** "45 seconds", "3 minutes" */
export function formatWait(seconds: number): string {
  if (seconds < 90) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minutes`;
}

const get = <T>(path: string, params?: Params, signal?: AbortSignal) => request<T>('GET', path, params, undefined, { signal });

// ---- auth (issue #9; /work/shared-auth-contract.md) ---------------------------

export interface SessionUser {
  username: string;
  role: 'admin' | 'viewer';
}

/** GET /api/auth/session: never 401; user null = anonymous. */
export interface AuthSession {
  user: SessionUser | null;
  publicRead: boolean;
  csrfToken: string | null;
}

export function getSession(signal?: AbortSignal) {
  return request<AuthSession>('GET', '/api/auth/session', {}, undefined, { signal, ownsUnauthorized: true });
}

/** 401 INVALID_CREDENTIALS for a wrong name or password, 429 LOGIN_THROTTLED with Retry-After. */
export function login(credentials: { username: string; password: string }) {
  return request<{ user: SessionUser; csrfToken: string }>('POST', '/api/auth/login', {}, credentials, { ownsUnauthorized: true });
}

export function logout() {
  return request<null>('POST', '/api/auth/logout', {}, undefined, { ownsUnauthorized: true });
}

// ---- records ---------------------------------------------------------------

/** A stored record, as GET /api/records gives it (reference §4.6 shape). */
export interface ApiRecord {
  arch: string;
  bios_version: string;
  board_name: string;
  build: string;
  classification: string;
  cpu_model: string;
  event_id: string;
  external: boolean;
  id: number;
  kernel_version: string;
  machine_id: string;
  machine_type: string;
  payload: string;
  payload_version: number;
  record_format_version: number;
  record_version: number;
  severity: number;
  system_name: string;
  ts_capture: string;
  ts_reception: string;
}

export interface GuiltyRef {
  id: number;
  function: string;
  module: string;
}

export interface ApiRecordDetail extends ApiRecord {
  processed: boolean | null;
  guilty: GuiltyRef | null;
  signature: string | null;
}

/** The shared record filter of list, aggregate and export endpoints (src/api/record-filter.ts). */
export interface RecordFilterParams {
  data_source?: string;
  machine_id?: string;
  classification?: string;
  severity?: string;
  system_name?: string;
  build?: string;
  payload?: string;
  not_payload?: string;
  created_from?: string;
  created_to?: string;
  received_from?: string;
  received_to?: string;
  host_type?: string;
  arch?: string;
}

export interface RecordPage {
  limit: number;
  before_id?: number;
  from_id?: number;
}

export function listRecords(filter: RecordFilterParams, page: RecordPage, signal?: AbortSignal) {
  return get<{ records: ApiRecord[] }>('/api/records', { ...filter, ...page }, signal);
}

export function getRecord(id: number, signal?: AbortSignal) {
  return get<ApiRecordDetail>(`/api/records/${encodeURIComponent(String(id))}`, {}, signal);
}

/** A link to the streamed export of every record matching the filter; `reference` is the reference's CSV dialect. */
export function recordsExportUrl(format: 'csv' | 'jsonl', filter: RecordFilterParams, csvDialect?: 'rfc4180' | 'reference'): string {
  return apiUrl(`/api/export/records.${format}`, { ...filter, format: format === 'csv' ? csvDialect : undefined });
}

// ---- stats -----------------------------------------------------------------

export function getBuildStats(params: RecordFilterParams & { build_pattern?: string }, signal?: AbortSignal) {
  return get<{ builds: { build: string; count: number }[] }>('/api/stats/builds', { ...params }, signal);
}

export function getClassificationStats(params: RecordFilterParams, signal?: AbortSignal) {
  return get<{ classifications: { classification: string; count: number }[] }>('/api/stats/classifications', { ...params }, signal);
}

export function getPlatformStats(params: RecordFilterParams, signal?: AbortSignal) {
  return get<{ platforms: { host_type: string; count: number }[] }>('/api/stats/platforms', { ...params }, signal);
}

export interface Timeseries {
  resolution: string;
  bucket_seconds: number;
  time: string;
  group_by: string;
  from: string;
  to: string;
  buckets: number[];
  series: { key: string; total: number; counts: number[] }[];
  other: { total: number; counts: number[] } | null;
}

export interface TimeseriesParams extends RecordFilterParams {
  resolution?: 'minute' | 'hour' | 'day';
  group_by?: 'none' | 'classification' | 'build' | 'severity' | 'system_name' | 'host_type';
  time?: 'received' | 'created';
  series_limit?: string;
}

export function getTimeseries(params: TimeseriesParams, signal?: AbortSignal) {
  return get<Timeseries>('/api/stats/timeseries', { ...params }, signal);
}

export interface Population {
  classification: string;
  system_name: string;
  windows: { key: string; title: string; days: number | null; builds: { build: string; internal: number; external: number }[] }[];
}

export function getPopulation(params: RecordFilterParams, signal?: AbortSignal) {
  return get<Population>('/api/stats/population', { ...params }, signal);
}

export interface MceStats {
  classifications: string[];
  from: string | null;
  weekly: { classification: string; weeks: { week: number; count: number }[] }[];
  by_classification: { classification: string; count: number }[];
  by_build: { build: string; count: number }[];
  by_status: { status: string; count: number }[];
  machine_count: number;
  top_machines: { machine_id: string; total: number; by_build: { build: string; count: number }[] }[];
}

export function getMceStats(params: RecordFilterParams & { top?: string }, signal?: AbortSignal) {
  return get<MceStats>('/api/stats/mce', { ...params }, signal);
}

export interface ThermalStats {
  classification: string;
  year_start: string;
  from: string;
  weeks: { week: number; count: number }[];
}

export function getThermalStats(params: RecordFilterParams, signal?: AbortSignal) {
  return get<ThermalStats>('/api/stats/thermal', { ...params }, signal);
}

// ---- crashes (issue #5; shapes documented in docs/ui.md) ---------------------

export interface BuildCount {
  build: string;
  count: number;
}

/** One row of the top crash guilties (reference §8.5): totals over the newest 8 builds, last 7 days, hidden excluded. */
export interface GuiltyTotals {
  id: number;
  function: string;
  module: string;
  comment: string | null;
  total: number;
  builds: BuildCount[];
}

export interface TopGuilties {
  /** the build columns, newest first */
  builds: string[];
  guilties: GuiltyTotals[];
}

export interface CrashPage {
  build?: string;
  offset?: number;
  limit?: number;
}

export function listTopGuilties(page: CrashPage, signal?: AbortSignal) {
  return get<TopGuilties>('/api/crashes/guilties', { ...page }, signal);
}

export interface SignatureTotals {
  signature: string;
  frames: string[];
  guilty: GuiltyRef | null;
  total: number;
  builds: BuildCount[];
}

export function listTopSignatures(page: CrashPage, signal?: AbortSignal) {
  return get<{ builds: string[]; signatures: SignatureTotals[] }>('/api/crashes/signatures', { ...page }, signal);
}

export interface GuiltyDetail {
  id: number;
  function: string;
  module: string;
  comment: string | null;
  hidden: boolean;
  machines: { build: string; machine_id: string; count: number }[];
}

export function getGuilty(id: number, signal?: AbortSignal) {
  return get<GuiltyDetail>(`/api/crashes/guilties/${id}`, {}, signal);
}

export interface BacktraceFrame {
  function: string;
  module: string;
  source: string | null;
  guilty: boolean;
}

export interface Backtrace {
  record_id: number;
  machine_id: string;
  build: string;
  program: string | null;
  signal: string | null;
  frames: BacktraceFrame[];
}

export function listGuiltyBacktraces(id: number, params: { machine_id?: string; build?: string }, signal?: AbortSignal) {
  return get<{ backtraces: Backtrace[] }>(`/api/crashes/guilties/${id}/backtraces`, { ...params }, signal);
}

export interface GuiltyRow {
  id: number;
  function: string;
  module: string;
  comment: string | null;
  hidden: boolean;
}

/** Comment (null or '' clears it; at most 80 characters) and/or hide or show again. */
export function updateGuilty(id: number, change: { comment?: string | null; hidden?: boolean }) {
  return request<GuiltyRow>('PATCH', `/api/crashes/guilties/${id}`, {}, change);
}

export function listHiddenGuilties(signal?: AbortSignal) {
  return get<{ guilties: GuiltyRow[] }>('/api/crashes/hidden-guilties', {}, signal);
}

export interface BlacklistEntry {
  id: number;
  function: string;
  module: string;
}

export interface ReprocessJob {
  id: number;
  reason: string;
  requests: number;
  requested_at: string;
  started_at: string | null;
  finished_at: string | null;
  total: number;
  done: number;
}

export interface BlacklistChange {
  entry: BlacklistEntry;
  changed: boolean;
  job: ReprocessJob | null;
}

export function listBlacklist(signal?: AbortSignal) {
  return get<{ entries: BlacklistEntry[] }>('/api/crashes/blacklist', {}, signal);
}

export function addBlacklistEntry(entry: { function: string; module: string }) {
  return request<BlacklistChange>('POST', '/api/crashes/blacklist', {}, entry);
}

export function removeBlacklistEntry(id: number) {
  return request<BlacklistChange>('DELETE', `/api/crashes/blacklist/${id}`);
}

export interface RecordFrames {
  record_id: number;
  guilty: GuiltyRef | null;
  /** the crashing thread's frames, without `_start` and `__libc_start_main` (reference §8.8) */
  frames: { function: string; module: string; blacklisted: boolean }[];
}

export function getRecordFrames(recordId: number, signal?: AbortSignal) {
  return get<RecordFrames>(`/api/crashes/records/${recordId}/frames`, {}, signal);
}

/** "Apply": recompute one record's guilty now with the current blacklist. */
export function applyBlacklistToRecord(recordId: number) {
  return request<{ record_id: number; guilty: GuiltyRow | null; signature: string | null }>('POST', `/api/crashes/records/${recordId}/apply`, {}, {});
}

/** "Submit" and "Reset": re-evaluate every crash record in the background. */
export function requestReprocess(reason: string) {
  return request<ReprocessJob>('POST', '/api/crashes/reprocess', {}, { reason });
}

export function listReprocessJobs(signal?: AbortSignal) {
  return get<{ jobs: ReprocessJob[] }>('/api/crashes/reprocess', {}, signal);
}

// ---- users and API tokens (admin; issue #9) -----------------------------------

export interface UserAccount {
  username: string;
  role: 'admin' | 'viewer';
  createdAt: string;
}

export function listUsers(signal?: AbortSignal) {
  return get<{ users: UserAccount[] }>('/api/auth/users', {}, signal);
}

/** 400 BODY_INVALID for a bad name or a short password, 409 CONFLICT when the name is taken. */
export function addUser(user: { username: string; role: 'admin' | 'viewer'; password: string }) {
  return request<UserAccount>('POST', '/api/auth/users', {}, user);
}

/** Also ends the user's sessions; 409 CONFLICT for the last admin. */
export function removeUser(username: string) {
  return request<null>('DELETE', `/api/auth/users/${encodeURIComponent(username)}`);
}

export interface ApiTokenInfo {
  id: number;
  name: string;
  role: 'admin' | 'viewer';
  createdAt: string;
  lastUsedAt: string | null;
}

export function listApiTokens(signal?: AbortSignal) {
  return get<{ tokens: ApiTokenInfo[] }>('/api/auth/tokens', {}, signal);
}

/** The secret is in this answer only: the server keeps a hash. */
export function createApiToken(token: { name: string; role: 'admin' | 'viewer' }) {
  return request<{ token: ApiTokenInfo; secret: string }>('POST', '/api/auth/tokens', {}, token);
}

export function revokeApiToken(id: number) {
  return request<null>('DELETE', `/api/auth/tokens/${id}`);
}
