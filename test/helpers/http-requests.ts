// Sends requests to a listening test server over real sockets: node:http for requests
// whose headers we choose exactly, node:net for byte-exact ones Node's client refuses.

import { request, type Agent, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';

/** The real client gives up after 10 s (wire-protocol §2); so do we. */
export const CLIENT_TIMEOUT_MS = 10_000;

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
  /** The body parsed as JSON; throws when it is not JSON. */
  json<T = Record<string, unknown>>(): T;
}

export interface RequestOptions {
  method?: string;
  path?: string;
  /** Sent exactly as given (an array becomes repeated header lines); nothing is added but Host and Connection. */
  headers?: Record<string, string | string[]>;
  body?: string | Uint8Array;
  /** false (the default) opens a new connection per request, as the real client does. */
  agent?: Agent | false;
  timeoutMs?: number;
}

/** Sends one request; Content-Length is set from the body unless the headers name one. */
export function sendRequest(baseUrl: string, options: RequestOptions = {}): Promise<HttpAnswer> {
  const url = new URL(options.path ?? '/', baseUrl);
  const body = typeof options.body === 'string' ? Buffer.from(options.body) : options.body;
  const headers: Record<string, string | string[]> = { ...options.headers };
  const hasLength = Object.keys(headers).some((name) => name.toLowerCase() === 'content-length');
  if (body !== undefined && !hasLength) headers['Content-Length'] = String(body.byteLength);
  const timeoutMs = options.timeoutMs ?? CLIENT_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, method: options.method ?? 'POST', headers, agent: options.agent ?? false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => resolve(toAnswer(res.statusCode ?? 0, res.headers, Buffer.concat(chunks))));
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${req.method} ${url.pathname}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

export interface RawAnswer {
  /** 0 when the server closed the connection without answering */
  status: number;
  /** lowercased names; repeated headers joined with ", " */
  headers: Record<string, string>;
  body: Buffer;
  text: string;
  json<T = Record<string, unknown>>(): T;
}

/**
 * Writes bytes (or a sequence of chunks, stopping early once the server answers) on a new
 * connection and reads one answer: up to Content-Length, or to the close. The connection is
 * not half-closed: Node's server drops a request whose client shut its side before the answer.
 */
export function sendRawRequest(port: number, data: Uint8Array | Iterable<Uint8Array>, timeoutMs = CLIENT_TIMEOUT_MS): Promise<RawAnswer> {
  const chunks = data instanceof Uint8Array ? [data] : data;
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(parseRawAnswer(received));
    };
    const timer = setTimeout(() => finish(new Error(`no complete answer within ${timeoutMs} ms; got ${JSON.stringify(received.toString('latin1'))}`)), timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (isCompleteAnswer(received)) finish();
    });
    socket.on('end', () => finish());
    socket.on('close', () => finish());
    // The server may close while we still write (an oversized request): what it answered counts.
    socket.on('error', (err: NodeJS.ErrnoException) => (received.length > 0 || err.code === 'EPIPE' || err.code === 'ECONNRESET' ? finish() : finish(err)));
    socket.once('connect', async () => {
      for (const chunk of chunks) {
        if (done || received.length > 0 || socket.destroyed) return;
        if (!socket.write(chunk)) await new Promise((r) => socket.once('drain', r).once('close', r));
      }
    });
  });
}

/** Drops interim 1xx answers (100 Continue) in front of the final one. */
function withoutInterim(bytes: Buffer): Buffer {
  let rest = bytes;
  while (/^HTTP\/1\.[01] 1\d\d /.test(rest.subarray(0, 13).toString('latin1'))) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) break;
    rest = rest.subarray(end + 4);
  }
  return rest;
}

function isCompleteAnswer(received: Buffer): boolean {
  const bytes = withoutInterim(received);
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0) return false;
  const head = bytes.subarray(0, end).toString('latin1');
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (length) return bytes.length >= end + 4 + Number(length[1]);
  return /\r\ntransfer-encoding:\s*chunked/i.test(head) && decodeChunked(bytes.subarray(end + 4)) !== null;
}

/** The body of a complete chunked answer, or null while chunks are missing. */
function decodeChunked(bytes: Buffer): Buffer | null {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = bytes.indexOf('\r\n', at);
    if (lineEnd < 0) return null;
    const size = Number.parseInt(bytes.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isInteger(size) || bytes.length < lineEnd + 2 + size + 2) return null;
    if (size === 0) return Buffer.concat(parts);
    parts.push(bytes.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

function parseRawAnswer(received: Buffer): RawAnswer {
  const bytes = withoutInterim(received);
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0) return toAnswer<Record<string, string>>(0, {}, Buffer.alloc(0));
  const [statusLine = '', ...lines] = bytes.subarray(0, end).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  let body = bytes.subarray(end + 4);
  if (headers['content-length'] !== undefined) body = body.subarray(0, Number(headers['content-length']));
  else if (headers['transfer-encoding'] === 'chunked') body = decodeChunked(body) ?? body;
  return toAnswer(Number(statusLine.split(' ')[1] ?? 0), headers, body);
}

function toAnswer<H>(status: number, headers: H, body: Buffer): { status: number; headers: H; body: Buffer; text: string; json<T = Record<string, unknown>>(): T } {
  const text = body.toString('utf8');
  return { status, headers, body, text, json: <T>() => JSON.parse(text) as T };
}
