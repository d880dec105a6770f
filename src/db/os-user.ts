// The unprivileged OS user that runs the embedded PostgreSQL when the server is
// started as root (PostgreSQL refuses to run as root). Created when missing.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const POSTGRES_USER = 'postgres';

export interface OsUser {
  name: string;
  uid: number;
  gid: number;
}

export async function ensurePostgresUser(): Promise<OsUser> {
  const existing = await lookupUser(POSTGRES_USER);
  if (existing) return existing;
  await execFileAsync('useradd', ['--system', '--user-group', '--home-dir', '/nonexistent', '--no-create-home', '--shell', '/usr/sbin/nologin', POSTGRES_USER]);
  const created = await lookupUser(POSTGRES_USER);
  if (!created) throw new Error(`could not create the OS user ${POSTGRES_USER}`);
  return created;
}

async function lookupUser(name: string): Promise<OsUser | null> {
  try {
    const [uid, gid] = await Promise.all([
      execFileAsync('id', ['-u', name]).then((r) => Number.parseInt(r.stdout, 10)),
      execFileAsync('id', ['-g', name]).then((r) => Number.parseInt(r.stdout, 10)),
    ]);
    return { name, uid, gid };
  } catch {
    return null;
  }
}
