// A bounded HTTP load loop over loopback: `concurrency` workers post generated
// requests for `durationMs`, either over keep-alive connections or opening a new
// connection per request (what telemetrics-client does). Records latencies.

import http from 'node:http';
import type { GeneratedRequest } from './record-generator.ts';

export interface LoadResult {
  requests: number;
  ok2xx: number;
  non2xx: number;
  errors: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  statusCounts: Record<string, number>;
}

export interface LoadOptions {
  port: number;
  path: string;
  concurrency: number;
  durationMs: number;
  keepAlive: boolean;
  maxRequests?: number;
  /** Paces the workers to this many requests per second in total (open schedule); unset: as fast as they can. */
  ratePerSecond?: number;
  /** Once durationMs has passed, keep the load running until this resolves (bounded by 4 × durationMs). */
  holdUntil?: () => Promise<unknown>;
  generate: () => GeneratedRequest;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const agent = options.keepAlive ? new http.Agent({ keepAlive: true, maxSockets: options.concurrency }) : false;
  const latencies: number[] = [];
  const statusCounts: Record<string, number> = {};
  let requests = 0;
  let errors = 0;
  const maxRequests = options.maxRequests ?? 5_000_000;
  const started = performance.now();
  let deadline = started + (options.holdUntil ? 4 * options.durationMs : options.durationMs);
  if (options.holdUntil) {
    const hold = options.holdUntil;
    setTimeout(() => {
      void hold().finally(() => (deadline = Math.min(deadline, performance.now())));
    }, options.durationMs);
  }

  const postOne = (req: GeneratedRequest) =>
    new Promise<number>((resolve) => {
      const r = http.request(
        { host: '127.0.0.1', port: options.port, path: options.path, method: 'POST', agent, headers: { ...req.headers, 'Content-Length': String(req.body.length) } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      r.setTimeout(15_000, () => r.destroy(new Error('timeout')));
      r.on('error', () => resolve(-1));
      r.end(req.body);
    });

  const interval = options.ratePerSecond ? 1000 / options.ratePerSecond : 0;
  let scheduled = 0;
  const worker = async () => {
    while (performance.now() < deadline && requests < maxRequests) {
      if (interval > 0) {
        const slot = started + scheduled++ * interval;
        const wait = slot - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        if (performance.now() >= deadline) break;
      }
      requests++;
      const req = options.generate();
      const t0 = performance.now();
      const status = await postOne(req);
      latencies.push(performance.now() - t0);
      if (status === -1) errors++;
      statusCounts[String(status)] = (statusCounts[String(status)] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  if (agent) agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
  const ok2xx = Object.entries(statusCounts).reduce((s, [k, v]) => (k.startsWith('2') ? s + v : s), 0);
  return {
    requests,
    ok2xx,
    non2xx: requests - ok2xx - errors,
    errors,
    requestsPerSecond: requests / elapsed,
    p50Ms: pct(0.5),
    p99Ms: pct(0.99),
    statusCounts,
  };
}
