// Answers requests Node's HTTP parser rejects before fastify sees them (oversized
// header blocks, malformed request lines) with a JSON body instead of a bare status.

import type { Socket } from 'node:net';

export function answerClientError(err: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request';
  const body = JSON.stringify({
    message: tooLarge ? 'Request headers too large' : 'Malformed HTTP request',
    code: tooLarge ? 'HEADERS_TOO_LARGE' : 'BODY_INVALID',
  });
  socket.end(`HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
