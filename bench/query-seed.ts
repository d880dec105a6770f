// Seeds a fleet's worth of records for the query benchmark with server-side SQL
// (INSERT … SELECT FROM generate_series, in chunks): 90 days of receive time, a fixed
// set of machines each with its own host type, architecture, system and source, ~50
// builds advancing over time, classifications in fleet-like proportions (heartbeats
// most, crashes with real backtraces a few %, MCE and thermal reports, others).

import type { Queryable } from '../src/db/pool.ts';

export interface QuerySeedOptions {
  records: number;
  /** the newest receive time; records spread over `days` before it */
  now: Date;
  days?: number;
  machines?: number;
  /** rows per INSERT statement */
  chunk?: number;
  onChunk?: (done: number) => void;
}

/**
 * Classification, severity and weight in ‰: heartbeats most, then journal and update
 * records, crashes ~3.5 %, MCE and thermal reports rare (no Clear Linux probe sent them).
 */
export const QUERY_SEED_CLASSES: ReadonlyArray<[string, number, number]> = [
  ['org.clearlinux/heartbeat/ping', 1, 550],
  ['org.clearlinux/journal/error', 2, 150],
  ['org.clearlinux/swupd-client/update', 1, 80],
  ['org.clearlinux/hello/world', 1, 60],
  ['org.clearlinux/bootchart/report', 1, 70],
  ['org.clearlinux/pstore/record', 2, 41],
  ['org.clearlinux/crash/clr', 3, 30],
  ['org.clearlinux/kernel/warning', 2, 10],
  ['org.clearlinux/kernel/bug', 4, 2],
  ['org.clearlinux/mce/corrected', 2, 3],
  ['org.clearlinux/mce/UCNA', 3, 1],
  ['org.clearlinux/mce/SRAO', 4, 1],
  ['org.clearlinux/mce/thermal', 2, 2],
];

const HOST_TYPES = [
  'Intel Corporation|NUC7i5BNH|J31169-310', 'Intel Corporation|NUC8i7BEH|J72992-307', 'Dell Inc.|XPS 13 9360|',
  'LENOVO|20HRCTO1WW|ThinkPad X1 Carbon 5th', 'QEMU|Standard PC (Q35 + ICH9, 2009)|pc-q35-7.2', 'Microsoft Corporation|Virtual Machine|7.0',
  'Amazon EC2|m5.large|', 'Google|Google Compute Engine|', 'Supermicro|X11SPi-TF|0123456789', 'HP|HP EliteDesk 800 G4 SFF|',
  'ASUS|ROG STRIX Z390-E GAMING|Rev 1.xx', 'Gigabyte Technology Co., Ltd.|B450 AORUS M|Default string', 'blank|blank|blank',
];

/** Payload templates per kind: the records pick one by hash, so payloads repeat but look real. */
export function buildPayloadTemplates(): { crash: string[]; kernel: string[]; mce: string[]; text: string[] } {
  const crash = Array.from({ length: 200 }, (_, i) => {
    const pid = 1000 + ((i * 7919) % 30000);
    let text = `Process: /usr/bin/prog${i % 60}\nPID: ${pid}\nSignal: ${i % 3 === 0 ? 6 : 11}\n\nBacktrace (TID ${pid}):\n`;
    if (i % 3 === 0) text += '#0 raise() - [libc.so.6]\n#1 abort() - [libc.so.6]\n';
    for (let f = 0; f < 4 + ((i * 11) % 24); f++) {
      const fn = (i * 31 + f * 7) % 400;
      const name = (i + f) % 3 === 1 ? `_ZN5media${`func_${fn}`.length}func_${fn}ERKSt6vectorIhSaIhEEm()` : `func_${fn}()`;
      const module = (i + f) % 4 === 0 ? 'libc.so.6' : `/usr/lib64/libmod${fn % 40}.so.1`;
      text += `#${f + 2} ${name} - [${module}]${f % 3 === 0 ? ` - src/mod/file${f}.c:${10 + ((i * 13 + f) % 900)}` : ''}\n`;
    }
    return text;
  });
  const kernel = Array.from({ length: 60 }, (_, i) => {
    let text = `Crash Report:\nReason: ${i % 10 < 9 ? `WARNING: CPU: ${i % 4} PID: ${i * 37} at drivers/dev${i % 30}/core.c:${100 + i}` : `BUG: unable to handle page fault for address: ${(i * 4096).toString(16)}`}`;
    text += `\nKernel Version : 6.1.${i % 20}-example #1\nTainted : G        W\nModules : snd_hda_intel i915 e1000e\nBacktrace :\n`;
    for (let f = 0; f < 5 + (i % 12); f++) text += `#${f + 1} ${(i + f) % 6 === 2 ? '? ' : ''}kfunc_${(i * 17 + f * 3) % 250}+0x${(16 + i + f).toString(16)}/0x${(256 + f).toString(16)} - [kernel]\n`;
    return text;
  });
  const mce = Array.from({ length: 40 }, (_, i) => `CPU ${i % 8} BANK ${i % 6}\nSTATUS 0x${(0x9c000000 + i * 7).toString(16).padStart(8, '0')}${(0x10080 + i * 977).toString(16).padStart(8, '0')} MCGSTATUS 0x0\nADDR 0x${(i * 65536).toString(16)}\nMISC 0x0\n`);
  const filler = 'lorem ipsum dolor sit amet, consectetur adipiscing elit 0123456789 ';
  const text = Array.from({ length: 50 }, (_, i) => `${filler.repeat(1 + (i % 12)).slice(0, 60 + ((i * 97) % 900))}\n`);
  return { crash, kernel, mce, text };
}

/** Inserts `records` rows through the records table (its triggers keep the rollups). */
export async function seedQueryRecords(db: Queryable, options: QuerySeedOptions): Promise<void> {
  const days = options.days ?? 90;
  const machines = options.machines ?? 30_000;
  const chunk = options.chunk ?? 250_000;
  const first = new Date(options.now.getTime() - (days + 1) * 86_400_000).toISOString().slice(0, 10);
  await db.query('SELECT ensure_record_partitions($1::date, $2::int)', [first, days + 3]);
  const templates = buildPayloadTemplates();
  const classes = QUERY_SEED_CLASSES;
  // Cumulative weights as a CASE over r = hash % 1000.
  let bound = 0;
  const bounds = classes.map(([, , w]) => (bound += w));
  const classCase = classes.map(([c], i) => `WHEN r < ${bounds[i]} THEN ${quote(c)}`).join(' ');
  const severityCase = classes.map(([, s], i) => `WHEN r < ${bounds[i]} THEN ${s}`).join(' ');
  // Templates in a table joined by (kind, index): subscripting a large array parameter
  // per row would deserialise the whole array every time.
  await db.query('CREATE TEMPORARY TABLE IF NOT EXISTS bench_payloads (kind text, i int, payload text, PRIMARY KEY (kind, i))');
  await db.query('TRUNCATE bench_payloads');
  for (const [kind, list] of Object.entries(templates)) {
    await db.query('INSERT INTO bench_payloads SELECT $1, i - 1, p FROM unnest($2::text[]) WITH ORDINALITY AS t(p, i)', [kind, list]);
  }
  const sizes = `(VALUES ('crash', ${templates.crash.length}), ('kernel', ${templates.kernel.length}), ('mce', ${templates.mce.length}), ('text', ${templates.text.length}), ('none', 1))`;
  for (let done = 0; done < options.records; done += chunk) {
    const n = Math.min(chunk, options.records - done);
    await db.query(
      `INSERT INTO records (received_at, machine_id, host_type, severity, classification, build, architecture, kernel_version,
         record_version, timestamp_client, payload_version, system_name, board_name, bios_version, cpu_model, event_id, external, payload)
       SELECT to_timestamp($1::float8 - s.age), md5('machine' || s.m), ($4::text[])[1 + s.m % ${HOST_TYPES.length}], s.severity::smallint, s.cls,
         CASE WHEN s.m % 10 < 7 THEN (31000 + 10 * least(47, floor((${days}::float8 * 86400 - s.age) / (${days}::float8 * 86400) * 45)::int + s.m % 3))::text
              WHEN s.m % 10 < 9 THEN (ARRAY['12', '12.5'])[1 + s.m % 2] ELSE (ARRAY['22.04', '24.04'])[1 + s.m % 2] END,
         CASE WHEN s.m % 20 = 0 THEN 'aarch64' ELSE 'x86_64' END, '6.1.' || (s.m % 40) || '-1.native', 4,
         floor($1::float8 - s.age - s.g % 600)::bigint, 1,
         CASE WHEN s.m % 10 < 7 THEN 'clear-linux-os' WHEN s.m % 10 < 9 THEN 'debian' ELSE 'ubuntu' END,
         'board ' || (s.m % 13), 'bios ' || (s.m % 17), 'cpu ' || (s.m % 11), md5(s.g::text), s.m % 10 < 3,
         coalesce(p.payload, '')
       FROM (
         SELECT x.*, z.n AS variants FROM (
           SELECT g, h, (h / 1000) % $5::bigint AS m, ((g * 7919 + h) % ($6::bigint * 1000)) / 1000.0 AS age,
             CASE ${classCase} ELSE 'org.clearlinux/hello/world' END AS cls, CASE ${severityCase} ELSE 1 END AS severity,
             CASE WHEN r < ${bounds[5]} AND r >= ${bounds[0]} THEN 'text' WHEN r < ${bounds[0]} THEN 'none'
                  WHEN r < ${bounds[6]} THEN 'crash' WHEN r < ${bounds[8]} THEN 'kernel' WHEN r < ${bounds[12]} THEN 'mce' ELSE 'text' END AS kind
           FROM (SELECT g, (g * 2654435761) % 4294967291 AS h, ((g * 2654435761) % 4294967291) % 1000 AS r
                 FROM generate_series($2::bigint, $3::bigint) AS g) y
         ) x JOIN ${sizes} AS z(kind, n) ON z.kind = x.kind
       ) s
       LEFT JOIN bench_payloads p ON p.kind = s.kind AND p.i = s.h % s.variants`,
      [options.now.getTime() / 1000, done + 1, done + n, HOST_TYPES, machines, days * 86_400],
    );
    options.onChunk?.(done + n);
  }
}

function quote(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/**
 * Bulk load for a fresh database: drops the secondary indexes of records and turns the
 * rollup triggers off while seeding, then rebuilds the indexes and fills the rollups in
 * one pass each (the migrations' backfills, rollups and mce_reports), which is many times faster than keeping
 * them up to date row by row. Nothing else may write meanwhile.
 */
export async function bulkSeedQueryRecords(db: Queryable, options: QuerySeedOptions & { onPhase?: (phase: string) => void }): Promise<void> {
  const indexes = await db.query<{ name: string; def: string }>(
    `SELECT indexname AS name, indexdef AS def FROM pg_indexes
     WHERE schemaname = current_schema() AND tablename = 'records' AND indexname <> 'records_pkey'`,
  );
  for (const index of indexes.rows) await db.query(`DROP INDEX ${quoteIdent(index.name)}`);
  await db.query('ALTER TABLE records DISABLE TRIGGER USER');
  try {
    await seedQueryRecords(db, options);
  } finally {
    await db.query('ALTER TABLE records ENABLE TRIGGER USER');
  }
  options.onPhase?.('indexes');
  await db.query('SET maintenance_work_mem = \'512MB\'');
  // pg_indexes shows a partitioned index as `ON ONLY records`, which would not cascade.
  for (const index of indexes.rows) await db.query(index.def.replace(/ ON ONLY /, ' ON '));
  options.onPhase?.('rollups');
  await db.query(`DO $$
    BEGIN
      DELETE FROM record_rollups_hourly; DELETE FROM record_rollups_daily; DELETE FROM record_host_rollups_daily;
      DELETE FROM record_machine_rollups; DELETE FROM record_rollup_deltas;
      INSERT INTO record_rollups_hourly (bucket, classification, build, severity, system_name, external, count)
      SELECT date_trunc('hour', received_at, 'UTC'), classification, build, severity, system_name, external, count(*) FROM records GROUP BY 1, 2, 3, 4, 5, 6;
      INSERT INTO record_rollups_daily (bucket, classification, build, severity, system_name, external, count)
      SELECT date_trunc('day', bucket, 'UTC'), classification, build, severity, system_name, external, sum(count) FROM record_rollups_hourly GROUP BY 1, 2, 3, 4, 5, 6;
      INSERT INTO record_host_rollups_daily (bucket, host_type, architecture, classification, external, count)
      SELECT date_trunc('day', received_at, 'UTC'), host_type, architecture, classification, external, count(*) FROM records GROUP BY 1, 2, 3, 4, 5;
      INSERT INTO record_machine_rollups (classification, system_name, build, machine_id, external, count, last_seen)
      SELECT classification, system_name, build, machine_id, external, count(*), max(timestamp_client) FROM records GROUP BY 1, 2, 3, 4, 5;
      PERFORM fill_record_population_histograms();
    END $$`);
  await db.query('SELECT refill_mce_reports()');
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
