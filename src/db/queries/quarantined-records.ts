// SQL of quarantined_records: invalid requests kept under the `quarantine` policy.

import type { Queryable } from '../pool.ts';

export interface QuarantinedRequest {
  code: string;
  message: string;
  path: string;
  remoteAddr: string | null;
  headers: Record<string, unknown>;
  body: Buffer;
}

export async function insertQuarantinedRecord(db: Queryable, q: QuarantinedRequest): Promise<number> {
  const result = await db.query<{ id: number }>(
    `INSERT INTO quarantined_records (code, message, path, remote_addr, headers, body)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id::float8 AS id`,
    // jsonb cannot hold U+0000: header values never do (Node refuses them), but be safe.
    [q.code, q.message, q.path, q.remoteAddr, JSON.stringify(q.headers).replaceAll('\\u0000', '\\ufffd'), q.body],
  );
  return result.rows[0]?.id ?? 0;
}
