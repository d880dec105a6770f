// Turns every error — ours (AppError), fastify's (body too large, bad media type,
// schema validation) or a bug — into the one JSON error body of STYLE.md §4.

import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isDatabaseConnectionError } from './db/connection-errors.ts';
import { AppError, ERROR_CODES, type ErrorBody, type ErrorCode } from './errors.ts';

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BODY_INVALID',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'BODY_INVALID',
  FST_ERR_CTP_INVALID_JSON_BODY: 'BODY_INVALID',
};

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'BODY_INVALID',
  401: 'AUTH_REQUIRED',
  403: 'AUTH_FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
};

/** Builds the error body and status for any thrown value. */
export function toErrorResponse(error: unknown, requestId: string): { status: number; body: ErrorBody; headers: Record<string, string> } {
  if (error instanceof AppError) {
    const body: ErrorBody = { message: error.message, code: error.code, requestId };
    if (error.details) body.details = error.details;
    return { status: error.status, body, headers: error.headers ?? {} };
  }
  const fastifyError = error as Partial<FastifyError>;
  if (fastifyError.validation) {
    const code: ErrorCode = fastifyError.validationContext === 'body' ? 'BODY_INVALID' : 'QUERY_PARAM_INVALID';
    const details = fastifyError.validation.map((v) => ({
      field: String(v.instancePath || (v.params as { missingProperty?: string } | undefined)?.missingProperty || fastifyError.validationContext || ''),
      message: v.message ?? 'is invalid',
    }));
    return { status: 400, body: { message: fastifyError.message ?? ERROR_CODES[code].message, code, details, requestId }, headers: {} };
  }
  const mapped = (fastifyError.code && FASTIFY_CODES[fastifyError.code]) || (fastifyError.statusCode && STATUS_CODES[fastifyError.statusCode]);
  if (mapped) {
    return { status: ERROR_CODES[mapped].status, body: { message: fastifyError.message ?? ERROR_CODES[mapped].message, code: mapped, requestId }, headers: {} };
  }
  // Any route's database work (a login, a token lookup, an admin write) when PostgreSQL is away.
  if (isDatabaseConnectionError(error)) {
    return { status: 503, body: { message: ERROR_CODES.DB_UNAVAILABLE.message, code: 'DB_UNAVAILABLE', requestId }, headers: { 'Retry-After': '10' } };
  }
  return { status: 500, body: { message: ERROR_CODES.INTERNAL.message, code: 'INTERNAL', requestId }, headers: {} };
}

export function registerErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body, headers } = toErrorResponse(error, request.id);
    if (status >= 500 && !(error instanceof AppError)) request.log.error({ err: error }, 'unhandled error');
    void reply.code(status).headers(headers).send(body);
  });
  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    const body: ErrorBody = { message: `Route ${request.method} ${request.url.split('?')[0]} not found`, code: 'NOT_FOUND', requestId: request.id };
    void reply.code(404).send(body);
  });
}
