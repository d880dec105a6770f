// Reads the byte-exact HTTP request captures of test/fixtures/*.http into headers and body,
// either with a small parser or through Node's own HTTP server (what the collector will see).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { connect, type AddressInfo } from 'node:net';

export interface HttpFixture {
  readonly method: string;
  readonly path: string;
  /** names lowercased like Node's; a repeated header becomes an array */
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer;
}

const FIXTURES_DIR = new URL('../fixtures/', import.meta.url);

/** The raw bytes of a fixture file. */
export function readFixtureBytes(name: string): Buffer {
  return readFileSync(new URL(name, FIXTURES_DIR));
}

/** Parses a fixture: CRLF header lines, blank line, body of exactly Content-Length bytes. */
export function readHttpFixture(name: string): HttpFixture {
  const raw = readFixtureBytes(name);
  const end = raw.indexOf('\r\n\r\n');
  assert.ok(end > 0, `${name}: no end of headers`);
  const [requestLine = '', ...lines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const [method = '', path = ''] = requestLine.split(' ');
  const headers: Record<string, string | string[]> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    assert.ok(colon > 0, `${name}: bad header line ${JSON.stringify(line)}`);
    const key = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    const previous = headers[key];
    headers[key] = previous === undefined ? value : [...[previous].flat(), value];
  }
  const body = raw.subarray(end + 4);
  assert.equal(String(body.length), headers['content-length'], `${name}: Content-Length differs from the body`);
  return { method, path, headers, body };
}

/** Sends the fixture's bytes to a real Node HTTP server on port 0 and returns what it parsed. */
export async function parseWithNodeHttp(
  name: string,
): Promise<{ headers: IncomingHttpHeaders; body: Buffer }> {
  const raw = readFixtureBytes(name);
  const server = createServer();
  const received = new Promise<{ headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('error', reject);
      req.on('end', () => {
        res.writeHead(204, { connection: 'close' }).end();
        resolve({ headers: req.headers, body: Buffer.concat(chunks) });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const socket = connect(port, '127.0.0.1', () => socket.end(raw));
    socket.on('error', () => undefined); // the server's answer and close are not under test
    socket.resume();
    return await received;
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
