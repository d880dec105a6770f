// Requests that Node's HTTP server would answer by itself with a bare status and no
// body get the JSON error body of every other answer: an HTTP/1.1 request without a
// Host header (400, RFC 9112 §3.2) and an Expect other than 100-continue (417).

import type { FastifyInstance } from 'fastify';
import { AppError, ERROR_CODES } from './errors.ts';

/** Passed to http.createServer: the Host check moves into a hook that answers JSON. */
export const HTTP_SERVER_OPTIONS = { requireHostHeader: false } as const;

export function registerHttpEdgeAnswers(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    if (request.raw.httpVersion === '1.1' && request.headers.host === undefined) {
      throw new AppError('HOST_MISSING');
    }
  });
  // Node emits this instead of routing the request; without a listener it answers a bare 417.
  app.server.on('checkExpectation', (_request, response) => {
    const body = JSON.stringify({ message: ERROR_CODES.EXPECTATION_FAILED.message, code: 'EXPECTATION_FAILED' });
    response.writeHead(417, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), Connection: 'close' });
    response.end(body);
  });
}
