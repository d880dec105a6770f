// The baseline of the ingest bench: a node:http server that reads the body and
// answers 201 with a small JSON body, doing nothing else. Run as its own process.

import http from 'node:http';

const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(201, { 'Content-Type': 'application/json' });
    res.end('{"id":1}');
  });
});
server.keepAliveTimeout = 72_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
