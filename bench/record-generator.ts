// Realistic format-A requests for benchmarks: varying machine ids, event ids and
// classifications in fleet-like proportions, payloads from 200 B to 8 KB.

import { randomBytes } from 'node:crypto';

const CLASSIFICATIONS: Array<[string, number, number]> = [
  // classification, severity, weight
  ['org.clearlinux/heartbeat/ping', 1, 40],
  ['org.clearlinux/hello/world', 1, 10],
  ['org.clearlinux/journal/error', 2, 20],
  ['org.clearlinux/crash/clr', 3, 15],
  ['org.clearlinux/kernel/warning', 2, 8],
  ['org.clearlinux/kernel/bug', 4, 4],
  ['org.clearlinux/crash/unknown', 2, 3],
];
const TOTAL_WEIGHT = CLASSIFICATIONS.reduce((s, c) => s + c[2], 0);
const MACHINES = Array.from({ length: 2000 }, () => randomBytes(16).toString('hex'));
// [build as os-release spells it, system_name]
const SYSTEMS: Array<[string, string]> = [
  ['31000', 'clear-linux-os'], ['31010', 'clear-linux-os'], ['31020', 'clear-linux-os'], ['40120', 'clear-linux-os'],
  ['"12"', 'debian'], ['"22.04"', 'ubuntu'],
];
const TID = '6907c830-eed9-4ce9-81ae-76daf8d88f0f';
const FILLER = 'abcdefghijklmnopqrstuvwxyz0123456789 ';

export interface GeneratedRequest {
  headers: Record<string, string>;
  body: Buffer;
}

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)] as T;
}

function pickClassification(): [string, number] {
  let r = Math.random() * TOTAL_WEIGHT;
  for (const [c, s, w] of CLASSIFICATIONS) {
    if ((r -= w) < 0) return [c, s];
  }
  return ['org.clearlinux/hello/world', 1];
}

function crashPayload(size: number): string {
  let text = `Process: /usr/bin/exampled\nPID: ${1000 + Math.floor(Math.random() * 30000)}\nSignal: 11\n\nBacktrace (TID 4242):\n`;
  for (let i = 0; text.length < size && i < 64; i++) {
    text += `#${i} function_${Math.floor(Math.random() * 50)}() - [/usr/lib64/libexample${i % 7}.so.2] - src/file${i}.c:${10 + i}\n`;
  }
  return text;
}

function textPayload(size: number): string {
  let out = '';
  while (out.length < size) out += FILLER;
  return `${out.slice(0, size)}\n`;
}

const POOL_SIZE = 4096;
let pool: GeneratedRequest[] | null = null;
let counter = 0;

/**
 * A request from a pre-generated pool with a fresh event_id, so that generating
 * load costs the driver almost nothing and no two requests are identical.
 */
export function nextFormatARequest(): GeneratedRequest {
  pool ??= Array.from({ length: POOL_SIZE }, generateFormatARequest);
  const base = pool[counter % POOL_SIZE] as GeneratedRequest;
  counter++;
  return { headers: { ...base.headers, event_id: counter.toString(16).padStart(32, '0') }, body: base.body };
}

/** One request as telemprobd/telempostd v2.3 would send it (format A, underscore header names). */
export function generateFormatARequest(): GeneratedRequest {
  const [classification, severity] = pickClassification();
  const size = 200 + Math.floor(Math.random() ** 2 * 7800); // mostly small, up to 8 KB
  const [build, systemName] = pick(SYSTEMS);
  const payload = classification.includes('crash') || classification.includes('kernel') ? crashPayload(size) : textPayload(size);
  return {
    headers: {
      record_format_version: '4',
      classification,
      severity: String(severity),
      machine_id: pick(MACHINES),
      creation_timestamp: String(Math.floor(Date.now() / 1000) - Math.floor(Math.random() * 3600)),
      arch: 'x86_64',
      host_type: 'Intel Corporation|NUC7i5BNH|J31169-310',
      build,
      kernel_version: '6.1.0-18-amd64',
      payload_format_version: '1',
      system_name: systemName,
      board_name: 'NUC7i5BNB|Intel Corporation',
      cpu_model: 'Intel(R) Core(TM) i5-7260U CPU @ 2.20GHz',
      bios_version: 'BNKBL357.86A.0062.2018.0222.1644',
      event_id: randomBytes(16).toString('hex'),
      'X-Telemetry-TID': TID,
      'Content-Type': 'application/text',
    },
    body: Buffer.from(payload),
  };
}
