// The collector routes: POST /, /v2/collector and /v3/collector take either wire
// format; GET and HEAD redirect to the UI; other methods get 405.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config/schema.ts';
import { insertQuarantinedRecord } from '../db/queries/quarantined-records.ts';
import type { Pool } from '../db/pool.ts';
import { AppError, type ErrorBody } from '../errors.ts';
import { formatRecordResponse } from '../protocol/record-response.ts';
import type { ValidationOptions } from '../protocol/rules.ts';
import type { BatchWriter } from './batch-writer.ts';
import { decodeRequest, ORIGINAL_CONTENT_TYPE, type DecodeOutcome } from './decode-request.ts';
import { isDatabaseUnavailable } from './database-errors.ts';
import { rejectionReason, type IngestMetrics } from './metrics.ts';

export const INGEST_PATHS = ['/', '/v2/collector', '/v3/collector'] as const;
const UI_PATH = '/';

export interface IngestRouteDeps {
  config: Config;
  pool: Pool;
  writer: BatchWriter;
  metrics: IngestMetrics;
}

export function registerIngestRoutes(app: FastifyInstance, deps: IngestRouteDeps): void {
  const validation = validationOptions(deps.config);
  const handler = (request: FastifyRequest, reply: FastifyReply) => ingest(request, reply, deps, validation);
  for (const url of INGEST_PATHS) {
    app.post(url, handler);
    if (url !== '/') {
      // reference §4.1: GET on the collector redirects to the UI
      app.get(url, async (_request, reply) => reply.redirect(UI_PATH, 302));
    }
    app.route({
      method: ['PUT', 'DELETE', 'PATCH', 'OPTIONS'],
      url,
      handler: async () => {
        throw new AppError('METHOD_NOT_ALLOWED', `Method not allowed on ${url}: POST a record, or GET the UI`);
      },
    });
  }
}

function clientContentType(request: FastifyRequest): string | undefined {
  const value = request.headers[ORIGINAL_CONTENT_TYPE];
  return Array.isArray(value) ? value[0] : value;
}

function validationOptions(config: Config): ValidationOptions {
  if (config.acceptedTids.includes('*')) return { acceptedTids: 'any' };
  return { acceptedTids: [config.tid, ...config.acceptedTids] };
}

async function ingest(request: FastifyRequest, reply: FastifyReply, deps: IngestRouteDeps, validation: ValidationOptions) {
  const receivedAt = new Date();
  const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  const decoded = decodeRequest(request.headers, clientContentType(request), body, validation);
  if (!decoded.ok) return handleInvalid(request, reply, deps, decoded, body);
  const { id } = await deps.writer.submit(decoded.record, receivedAt);
  return reply.code(201).send(formatRecordResponse({ ...decoded.record, id, receivedAt }));
}

async function handleInvalid(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: IngestRouteDeps,
  invalid: Extract<DecodeOutcome, { ok: false }>,
  body: Buffer,
) {
  const reason = rejectionReason(invalid.message);
  if (deps.config.ingest.invalidRecordPolicy === 'quarantine') {
    let id: number;
    try {
      id = await insertQuarantinedRecord(deps.pool, {
        code: invalid.code,
        message: invalid.message,
        path: request.url,
        remoteAddr: request.ip,
        headers: { ...request.headers, 'content-type': clientContentType(request) },
        body,
      });
    } catch (err) {
      if (isDatabaseUnavailable(err)) {
        deps.metrics.records.inc({ outcome: 'unavailable', code: 'DB_UNAVAILABLE', reason: '' });
        throw new AppError('DB_UNAVAILABLE', undefined, { headers: { 'Retry-After': '10' } });
      }
      throw err;
    }
    deps.metrics.records.inc({ outcome: 'quarantined', code: invalid.code, reason });
    // 201 so the client stops resending a record that can never pass (wire-protocol §8.1).
    return reply.code(201).send({ message: `Record quarantined: ${invalid.message}`, code: invalid.code, quarantined: true, quarantineId: id });
  }
  deps.metrics.records.inc({ outcome: 'rejected', code: invalid.code, reason });
  const errorBody: ErrorBody = { message: invalid.message, code: invalid.code, requestId: request.id };
  if (invalid.field) errorBody.details = [{ field: invalid.field, message: invalid.message }];
  return reply.code(400).send(errorBody);
}
