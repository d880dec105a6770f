// CPU time of benchmark participants, from /proc: a process, and PostgreSQL's postmaster
// with its children (backends, WAL writer, checkpointer, autovacuum workers).

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** utime + stime (+ reaped children) of one process, in seconds; 0 once it has exited. */
export function processSeconds(pid: number, withChildren = false): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // fields[0] is field 3 (state); utime is field 14, stime 15, cutime 16, cstime 17.
    const ticks = Number(fields[11]) + Number(fields[12]) + (withChildren ? Number(fields[13]) + Number(fields[14]) : 0);
    return ticks / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** The postmaster, its reaped children and its live children, in seconds. */
export function postgresSeconds(postmaster: number): number {
  let total = processSeconds(postmaster, true);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.split(') ')[1]?.split(' ')[1]);
      if (ppid === postmaster) total += processSeconds(Number(entry));
    } catch {
      // gone between readdir and read
    }
  }
  return total;
}

/** The pid of the embedded PostgreSQL of a server data folder. */
export function embeddedPostmasterPid(dataDir: string): number {
  return Number(readFileSync(join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
}

/** A reader of the CPU seconds used so far by a server process and its embedded PostgreSQL. */
export function serverCpuSecondsReader(serverPid: number, dataDir: string): () => number {
  const postmaster = embeddedPostmasterPid(dataDir);
  return () => processSeconds(serverPid) + postgresSeconds(postmaster);
}

/** CPU microseconds per answered request of each named participant over one load run; `driver` is this process. */
export async function cpuPerRequest<T extends { ok2xx: number }>(
  participants: Readonly<Record<string, () => number>>,
  run: () => Promise<T>,
): Promise<{ result: T; microseconds: Record<string, number> }> {
  const read = (): Record<string, number> => {
    const usage = process.cpuUsage();
    return { ...Object.fromEntries(Object.entries(participants).map(([name, seconds]) => [name, seconds()])), driver: (usage.user + usage.system) / 1e6 };
  };
  const before = read();
  const result = await run();
  const after = read();
  const answered = Math.max(1, result.ok2xx);
  const microseconds = Object.fromEntries(Object.keys(after).map((name) => [name, (((after[name] ?? 0) - (before[name] ?? 0)) / answered) * 1e6]));
  return { result, microseconds };
}
