// The error catalogue: every code a client can receive, defined once, with its
// status and what it means. Imports nothing, so any module may use it.

export interface ErrorCodeInfo {
  readonly status: number;
  readonly message: string;
  readonly fix: string;
}

export const ERROR_CODES = {
  INGEST_FIELD_INVALID: {
    status: 400,
    message: 'A record field is missing or invalid',
    fix: 'Check the field named in the message against the wire protocol; the client resends until it gets 201.',
  },
  INGEST_TID_MISMATCH: {
    status: 400,
    message: 'Telemetry ID mismatch',
    fix: 'Set the client tidheader= to the TID the server expects, or add it to the accepted TIDs.',
  },
  QUERY_PARAM_INVALID: {
    status: 400,
    message: 'A query parameter is invalid',
    fix: 'Correct the parameter named in the message.',
  },
  BODY_INVALID: {
    status: 400,
    message: 'The request body is invalid',
    fix: 'Send a body of the documented shape.',
  },
  AUTH_REQUIRED: {
    status: 401,
    message: 'Authentication required',
    fix: 'Log in (POST /api/auth/login) or send Authorization: Bearer <token>; docs/security.md.',
  },
  INVALID_CREDENTIALS: {
    status: 401,
    message: 'Invalid username or password',
    fix: 'Check the username and password; an admin can reset it with `telemetrics user passwd`.',
  },
  AUTH_FORBIDDEN: {
    status: 403,
    message: 'Admin role required',
    fix: 'Use an account or token with the admin role.',
  },
  CSRF_INVALID: {
    status: 403,
    message: 'Missing or invalid CSRF token',
    fix: 'Send the csrfToken of the session (from POST /api/auth/login or GET /api/auth/session) in X-CSRF-Token.',
  },
  CONFLICT: {
    status: 409,
    message: 'Already exists',
    fix: 'Choose another name, or remove the existing one first.',
  },
  NOT_FOUND: {
    status: 404,
    message: 'Not found',
    fix: 'Check the path; GET /api/openapi.json lists every route.',
  },
  METHOD_NOT_ALLOWED: {
    status: 405,
    message: 'Method not allowed',
    fix: 'Use a method the route accepts.',
  },
  PAYLOAD_TOO_LARGE: {
    status: 413,
    message: 'Request body too large',
    fix: 'Stay under the configured body limit (ingest.bodyLimit) or raise it.',
  },
  HEADERS_TOO_LARGE: {
    status: 431,
    message: 'Request headers too large',
    fix: 'Send fewer or shorter headers; Node.js accepts 16 KiB of headers.',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    message: 'Unsupported media type',
    fix: 'Send the Content-Type the route documents.',
  },
  HOST_MISSING: {
    status: 400,
    message: 'The Host header is required',
    fix: 'Send a Host header, as HTTP/1.1 requires (every HTTP client library does).',
  },
  EXPECTATION_FAILED: {
    status: 417,
    message: 'Only Expect: 100-continue is supported',
    fix: 'Send no Expect header, or Expect: 100-continue.',
  },
  LOGIN_THROTTLED: {
    status: 429,
    message: 'Too many failed logins; try again later',
    fix: 'Wait for the time given in Retry-After; failed logins are limited per account and per address.',
  },
  RATE_LIMITED: {
    status: 429,
    message: 'Too many requests',
    fix: 'Wait for the time given in Retry-After.',
  },
  INGEST_OVERLOADED: {
    status: 503,
    message: 'The server is busy; retry later',
    fix: 'The client retries by itself; raise ingest.queueMaxRecords or add collectors if it persists.',
  },
  DB_UNAVAILABLE: {
    status: 503,
    message: 'The database is unavailable; retry later',
    fix: 'Check that PostgreSQL is running and reachable; the server recovers by itself.',
  },
  INTERNAL: {
    status: 500,
    message: 'Internal server error',
    fix: 'A bug: report it with the request id from the log.',
  },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorDetail {
  field: string;
  message: string;
}

/** The one JSON body of every non-2xx answer. */
export interface ErrorBody {
  message: string;
  code: ErrorCode;
  details?: ErrorDetail[];
  requestId?: string;
}

/** An error that carries a catalogue code; thrown by handlers, turned into ErrorBody by the server. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: ErrorDetail[] | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(
    code: ErrorCode,
    message?: string,
    options: { details?: ErrorDetail[]; headers?: Record<string, string> } = {},
  ) {
    super(message ?? ERROR_CODES[code].message);
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.details = options.details;
    this.headers = options.headers;
  }
}

/** Result type of pure code (protocol/, crash/): they return failures instead of throwing. */
export type Result<T, C extends string = ErrorCode> =
  | { ok: true; value: T }
  | { ok: false; code: C; message: string };
