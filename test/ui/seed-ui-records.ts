// Records of every kind for the browser tests, posted through the real collector (format A
// on /v2/collector, format B on /v3/collector): heartbeats, crashes, kernel warnings, MCE,
// thermal, other OSes, fillers for paging, and payloads with markup that must stay inert.

import { randomBytes } from 'node:crypto';
import { DEFAULT_TID } from '../protocol/reference-records.ts';

export const XSS_PAYLOADS = ['<script>window.__xss=1</script>', '<img src=x onerror="window.__xss=1">'] as const;
export const XSS_HOST_TYPE = '<img src=x onerror="window.__xss=2">|x|y';

const CRASH_PAYLOAD = (program: string, fn: string) => `Process: /usr/bin/${program}
PID: 4242
Signal: 11

Backtrace (TID 4242):
#0 ${fn}() - [/usr/bin/${program}] - src/parse.c:88
#1 handle_request() - [/usr/bin/${program}]
#2 ??? - [libexample.so.2]
#3 __libc_start_main() - [libc.so.6]
`;

const KERNEL_PAYLOAD = `Crash Report:
Reason: WARNING: CPU: 1 PID: 311 at drivers/example/example_core.c:214 example_dev_init+0x4e/0x90 [example]
Kernel Version : 5.10.0-example #1
Tainted : G        W
Modules : example snd_hda_intel i915 e1000e
Backtrace :
#1 example_dev_init - [kernel]
#2 example_probe - [kernel]
#3 ? kmem_cache_alloc - [kernel]
#4 really_probe - [kernel]
`;

export interface SeedSpec {
  classification: string;
  severity: number;
  machineId: string;
  build: string;
  systemName?: string;
  hostType?: string;
  external?: boolean;
  payload: string;
  /** seconds before now on the client clock */
  ageSeconds?: number;
  /** post as format B (JSON on /v3/collector) */
  formatB?: boolean;
}

/** The standard set: about 110 records. */
export function buildSeedSpecs(): SeedSpec[] {
  const specs: SeedSpec[] = [];
  const builds = ['31000', '31010', '31020'];
  // Fillers first, so that the newest page shows the other kinds.
  for (let i = 0; i < 80; i++) {
    specs.push({ classification: 'org.clearlinux/swupd/check', severity: 1, machineId: `filler-${i % 10}`, build: '31020', payload: `filler record ${i}\n`, ageSeconds: 1_000 + i });
  }
  for (let i = 0; i < 12; i++) {
    specs.push({ classification: 'org.clearlinux/heartbeat/ping', severity: 1, machineId: `hb-machine-${i % 6}`, build: builds[i % 3] as string, external: i % 2 === 0, payload: 'hello\n', ageSeconds: i * 95_000 });
  }
  for (let i = 0; i < 6; i++) {
    specs.push({
      classification: 'org.clearlinux/crash/clr',
      severity: 4,
      machineId: `crash-machine-${i % 3}`,
      build: i < 4 ? '31020' : '31010',
      payload: CRASH_PAYLOAD(i % 2 === 0 ? 'exampled' : 'otherd', i % 2 === 0 ? 'parse_item' : 'render_frame'),
      ageSeconds: 600 + i,
    });
  }
  for (let i = 0; i < 2; i++) {
    specs.push({ classification: 'org.clearlinux/kernel/warning', severity: 3, machineId: 'kernel-machine', build: '31020', payload: KERNEL_PAYLOAD, ageSeconds: 700 + i });
  }
  const mce = ['org.clearlinux/mce/corrected', 'org.clearlinux/mce/corrected', 'org.clearlinux/mce/corrected', 'org.clearlinux/mce/UCNA'];
  mce.forEach((classification, i) => {
    specs.push({
      classification,
      severity: 3,
      machineId: `mce-machine-${i % 2}`,
      build: i < 2 ? '31010' : '31020',
      payload: `CPU 0 BANK 5 STATUS 9c000000000${i}0090 MCGSTATUS 0\n`,
      ageSeconds: 300 + i,
    });
  });
  for (let i = 0; i < 3; i++) {
    specs.push({ classification: 'org.clearlinux/mce/thermal', severity: 2, machineId: 'thermal-machine', build: '31020', payload: 'CPU 1 temperature above threshold\n', ageSeconds: 200 + i });
  }
  for (let i = 0; i < 3; i++) {
    specs.push({ classification: 'org.example/apt/update', severity: 2, machineId: `debian-${i}`, build: '12', systemName: 'debian', payload: `upgraded ${i} packages\n`, formatB: true, ageSeconds: 100 + i });
  }
  specs.push({ classification: 'org.clearlinux/hello/world', severity: 2, machineId: 'xss-machine', build: '31020', hostType: XSS_HOST_TYPE, payload: XSS_PAYLOADS[0], ageSeconds: 50 });
  specs.push({ classification: 'org.clearlinux/hello/world', severity: 2, machineId: 'xss-machine', build: '31020', payload: XSS_PAYLOADS[1], ageSeconds: 49 });
  return specs;
}

/** Posts one record through the collector; returns its id. */
export async function postRecord(baseUrl: string, spec: SeedSpec): Promise<number> {
  const created = String(Math.floor(Date.now() / 1000) - (spec.ageSeconds ?? 0));
  const fields = {
    record_format_version: '4',
    classification: spec.classification,
    severity: String(spec.severity),
    machine_id: spec.machineId,
    creation_timestamp: created,
    arch: 'x86_64',
    host_type: spec.hostType ?? `vendor|product-${spec.machineId.length % 3}|1`,
    build: spec.build,
    kernel_version: '6.1.0-1.native',
    payload_format_version: '1',
    system_name: spec.systemName ?? 'clear-linux-os',
    board_name: 'board|vendor',
    cpu_model: 'Example CPU',
    bios_version: 'bios-1',
    event_id: randomBytes(16).toString('hex'),
  };
  const headers: Record<string, string> = { 'X-Telemetry-TID': DEFAULT_TID };
  if (spec.external) headers['X-CLR-External'] = 'true';
  let response: Response;
  if (spec.formatB) {
    response = await fetch(`${baseUrl}/v3/collector`, {
      method: 'POST',
      headers: { ...headers, 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...fields, payload: spec.payload }),
    });
  } else {
    const formatA: Record<string, string> = { ...headers, 'Content-Type': 'application/text' };
    for (const [key, value] of Object.entries(fields)) formatA[key.replace(/_/g, '-')] = value;
    response = await fetch(`${baseUrl}/v2/collector`, { method: 'POST', headers: formatA, body: spec.payload });
  }
  const body = (await response.json()) as { id?: number; message?: string };
  if (response.status !== 201 || typeof body.id !== 'number') throw new Error(`seed: collector answered ${response.status}: ${JSON.stringify(body)}`);
  return body.id;
}

/** Posts the specs, ten at a time, in order (so ids follow the list order within each group). */
export async function seedRecords(baseUrl: string, specs: readonly SeedSpec[] = buildSeedSpecs()): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < specs.length; i += 10) {
    ids.push(...(await Promise.all(specs.slice(i, i + 10).map((s) => postRecord(baseUrl, s)))));
  }
  return ids;
}
