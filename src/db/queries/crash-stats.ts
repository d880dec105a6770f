// Reads of the crash views (reference §8.5–§8.7): top guilties or signatures per build,
// a guilty's machines per build, and the records behind a guilty for its backtraces.
// Read-only; values always in $n. When the filter names only columns crash_analysis
// copies from the record (migration 0031), the lists read crash_analysis alone; otherwise
// (payload regexes, host type, architecture, ids) they join records, with the same answers.
//
// "Newest builds" (reference §8.5 step 5, generalised per §8.13): when every candidate
// build is a plain integer, by integer value; otherwise by each build's latest client
// time (timestamp_client), then by text. Computed over all time, before the time window.

import type { Queryable } from '../pool.ts';
import { buildRecordFilterSql, isCopiedColumnFilter, type RecordFilter } from './record-filter.ts';

/** What the top lists count, and over which builds and client-time window. */
export interface TopCrashesQuery {
  /** Applied to the records (without time window: the window is below). */
  filter: RecordFilter;
  /** Only builds matching this PostgreSQL regex; undefined for every build. */
  buildPattern?: string;
  /** How many newest builds are columns. */
  buildCount: number;
  /** timestamp_client >= windowFrom (epoch seconds), when set. */
  windowFrom?: bigint;
  /** timestamp_client < windowTo (epoch seconds), when set. */
  windowTo?: bigint;
  offset: number;
  limit: number;
}

export type CrashGrouping = 'guilty' | 'signature';

export interface BuildCountRow {
  build: string;
  count: number;
}

export interface TopGuiltyRow {
  id: number;
  function: string;
  module: string;
  comment: string | null;
  total: number;
  builds: BuildCountRow[];
}

export interface TopSignatureRow {
  signature: string;
  frames: string[];
  guilty: { id: number; function: string; module: string } | null;
  total: number;
  builds: BuildCountRow[];
}

// The CTEs shared by the build columns and the rows: candidates (crash records with their
// group key), the ranked builds, the chosen newest builds and the windowed counts.
function buildTopCrashesCte(query: TopCrashesQuery, grouping: CrashGrouping, params: unknown[]): string {
  if (isCopiedColumnFilter(query.filter)) return buildAnalysisTopCrashesCte(query, grouping, params);
  const p = (value: unknown) => `$${params.push(value)}`;
  const where = buildRecordFilterSql(query.filter, params, 'r');
  const pattern = query.buildPattern === undefined ? 'TRUE' : `r.build ~ ${p(query.buildPattern)}::text`;
  const join = shownGuiltyJoin(grouping);
  const key = groupKey(grouping);
  const from = query.windowFrom === undefined ? 'TRUE' : `c.timestamp_client >= ${p(String(query.windowFrom))}::bigint`;
  const to = query.windowTo === undefined ? 'TRUE' : `c.timestamp_client < ${p(String(query.windowTo))}::bigint`;
  return `WITH candidates AS (
    SELECT ${key} AS key, a.guilty_id, r.build, r.timestamp_client
    FROM crash_analysis a
    JOIN records r ON r.id = a.record_id AND r.received_at = a.received_at
    ${join} AND ${where} AND ${pattern}
  ),
  build_stats AS (
    SELECT build, max(timestamp_client) AS latest, build ~ '^[0-9]{1,30}$' AS numeric FROM candidates GROUP BY build
  ),
  ${CHOSEN_CTE},
  counts AS (
    SELECT c.key, c.build, o.rank, count(*)::int AS count
    FROM candidates c JOIN chosen o ON o.build = c.build AND o.rank <= ${p(query.buildCount)}
    WHERE ${from} AND ${to}
    GROUP BY c.key, c.build, o.rank
  ),
  totals AS (SELECT key, sum(count)::int AS total FROM counts GROUP BY key)`;
}

// The same CTEs over crash_analysis alone, without reading every candidate: the distinct
// builds by a skip scan of the (build, timestamp_client) index, each build's newest
// matching row by a backward scan of it, then the chosen builds' rows in the window.
// `candidates` is the signature's rows, read per signature of the page.
function buildAnalysisTopCrashesCte(query: TopCrashesQuery, grouping: CrashGrouping, params: unknown[]): string {
  const p = (value: unknown) => `$${params.push(value)}`;
  const where = buildRecordFilterSql(query.filter, params, 'a');
  const pattern = query.buildPattern === undefined ? 'TRUE' : `b.build ~ ${p(query.buildPattern)}::text`;
  const rowPattern = query.buildPattern === undefined ? 'TRUE' : `a.build ~ ${p(query.buildPattern)}::text`;
  const join = shownGuiltyJoin(grouping);
  const from = query.windowFrom === undefined ? 'TRUE' : `a.timestamp_client >= ${p(String(query.windowFrom))}::bigint`;
  const to = query.windowTo === undefined ? 'TRUE' : `a.timestamp_client < ${p(String(query.windowTo))}::bigint`;
  return `WITH RECURSIVE builds AS (
    SELECT min(build) AS build FROM crash_analysis
    UNION ALL
    SELECT (SELECT min(x.build) FROM crash_analysis x WHERE x.build > b.build) FROM builds b WHERE b.build IS NOT NULL
  ),
  build_stats AS (
    SELECT b.build, l.latest, b.build ~ '^[0-9]{1,30}$' AS numeric
    FROM builds b CROSS JOIN LATERAL (
      SELECT a.timestamp_client AS latest FROM crash_analysis a
      ${join} AND a.build = b.build AND ${where}
      ORDER BY a.timestamp_client DESC LIMIT 1
    ) l
    WHERE b.build IS NOT NULL AND ${pattern}
  ),
  ${CHOSEN_CTE},
  counts AS (
    SELECT ${groupKey(grouping)} AS key, a.build, o.rank, count(*)::int AS count
    FROM chosen o JOIN crash_analysis a ON a.build = o.build
    ${join} AND o.rank <= ${p(query.buildCount)} AND ${from} AND ${to} AND ${where}
    GROUP BY 1, a.build, o.rank
  ),
  totals AS (SELECT key, sum(count)::int AS total FROM counts GROUP BY key),
  candidates AS (
    SELECT a.signature AS key, a.guilty_id FROM crash_analysis a
    ${join} AND ${where} AND ${rowPattern}
  )`;
}

const CHOSEN_CTE = `all_numeric AS (SELECT coalesce(bool_and(numeric), false) AS yes FROM build_stats),
  chosen AS (
    SELECT b.build, row_number() OVER (
      ORDER BY CASE WHEN n.yes THEN b.build::numeric END DESC NULLS LAST, b.latest DESC, b.build DESC
    ) AS rank
    FROM build_stats b CROSS JOIN all_numeric n
  )`;

// Crash analyses (alias a) of shown guilties; for signatures also those without guilty. Ends in WHERE.
function shownGuiltyJoin(grouping: CrashGrouping): string {
  return grouping === 'guilty'
    ? 'JOIN guilty g ON g.id = a.guilty_id WHERE NOT g.hide'
    : 'LEFT JOIN guilty g ON g.id = a.guilty_id WHERE a.signature IS NOT NULL AND (g.id IS NULL OR NOT g.hide)';
}

function groupKey(grouping: CrashGrouping): string {
  return grouping === 'guilty' ? 'a.guilty_id::text' : 'a.signature';
}

/** The build columns of a top list: the chosen builds with any count in the window, newest first. */
export async function listTopCrashBuilds(db: Queryable, query: TopCrashesQuery, grouping: CrashGrouping): Promise<string[]> {
  const params: unknown[] = [];
  const cte = buildTopCrashesCte(query, grouping, params);
  const result = await db.query<{ build: string }>(`${cte} SELECT build FROM counts GROUP BY build, rank ORDER BY rank`, params);
  return result.rows.map((r) => r.build);
}

/** Top guilties (reference §8.5): hidden ones excluded, by total over the chosen builds, then id. */
export async function listTopGuilties(db: Queryable, query: TopCrashesQuery): Promise<TopGuiltyRow[]> {
  const params: unknown[] = [];
  const cte = buildTopCrashesCte(query, 'guilty', params);
  const offset = `$${params.push(query.offset)}`;
  const limit = `$${params.push(query.limit)}`;
  const result = await db.query<TopGuiltyRow>(
    `${cte}
    SELECT g.id, g.function, g.module, g.comment, t.total,
      (SELECT json_agg(json_build_object('build', c.build, 'count', c.count) ORDER BY c.rank) FROM counts c WHERE c.key = t.key) AS builds
    FROM totals t JOIN guilty g ON g.id = t.key::integer
    ORDER BY t.total DESC, g.id
    OFFSET ${offset} LIMIT ${limit}`,
    params,
  );
  return result.rows;
}

/** Top crash signatures with their frames and most frequent guilty, by total, then signature. */
export async function listTopSignatures(db: Queryable, query: TopCrashesQuery): Promise<TopSignatureRow[]> {
  const params: unknown[] = [];
  const cte = buildTopCrashesCte(query, 'signature', params);
  const offset = `$${params.push(query.offset)}`;
  const limit = `$${params.push(query.limit)}`;
  const result = await db.query<TopSignatureRow>(
    `${cte},
    page AS (SELECT key, total FROM totals ORDER BY total DESC, key OFFSET ${offset} LIMIT ${limit})
    SELECT t.key AS signature, coalesce(s.frames, '{}'::text[]) AS frames, t.total,
      (SELECT json_agg(json_build_object('build', c.build, 'count', c.count) ORDER BY c.rank) FROM counts c WHERE c.key = t.key) AS builds,
      (SELECT json_build_object('id', g.id, 'function', g.function, 'module', g.module)
         FROM candidates x JOIN guilty g ON g.id = x.guilty_id
         WHERE x.key = t.key GROUP BY g.id ORDER BY count(*) DESC, g.id LIMIT 1) AS guilty
    FROM page t LEFT JOIN crash_signatures s ON s.signature = t.key
    ORDER BY t.total DESC, t.key`,
    params,
  );
  return result.rows;
}

export interface GuiltyMachineRow {
  build: string;
  machineId: string;
  count: number;
}

/**
 * A guilty's crash records per build and machine (reference §8.6), builds newest first
 * (rule at the top of this file), then by count.
 */
export async function listGuiltyMachines(db: Queryable, guiltyId: number, filter: RecordFilter, buildPattern: string | undefined): Promise<GuiltyMachineRow[]> {
  const params: unknown[] = [guiltyId];
  // crash_analysis alone when it holds the filter's columns (index on guilty_id, build, machine_id).
  const alias = isCopiedColumnFilter(filter) ? 'a' : 'r';
  const source = alias === 'a' ? 'crash_analysis a' : 'crash_analysis a JOIN records r ON r.id = a.record_id AND r.received_at = a.received_at';
  const where = buildRecordFilterSql(filter, params, alias);
  const pattern = buildPattern === undefined ? 'TRUE' : `${alias}.build ~ $${params.push(buildPattern)}::text`;
  const result = await db.query<GuiltyMachineRow>(
    `WITH rows AS (
       SELECT ${alias}.build, ${alias}.machine_id, count(*)::int AS count, max(${alias}.timestamp_client) AS latest
       FROM ${source}
       WHERE a.guilty_id = $1 AND ${where} AND ${pattern}
       GROUP BY 1, 2
     ),
     builds AS (SELECT build, max(latest) AS latest, build ~ '^[0-9]{1,30}$' AS numeric FROM rows GROUP BY build),
     all_numeric AS (SELECT coalesce(bool_and(numeric), false) AS yes FROM builds),
     ranked AS (
       SELECT b.build, row_number() OVER (ORDER BY CASE WHEN n.yes THEN b.build::numeric END DESC NULLS LAST, b.latest DESC, b.build DESC) AS rank
       FROM builds b CROSS JOIN all_numeric n
     )
     SELECT x.build, x.machine_id AS "machineId", x.count
     FROM rows x JOIN ranked k ON k.build = x.build
     ORDER BY k.rank, x.count DESC, x.machine_id`,
    params,
  );
  return result.rows;
}

export interface GuiltyRecordRow {
  recordId: number;
  machineId: string;
  build: string;
  classification: string;
  payload: string;
  program: string | null;
  signal: number | null;
}

/** The newest `limit` records whose guilty is `guiltyId` (reference §8.7 backtraces). */
export async function listGuiltyRecords(db: Queryable, guiltyId: number, filter: RecordFilter, limit: number): Promise<GuiltyRecordRow[]> {
  const params: unknown[] = [guiltyId];
  const where = buildRecordFilterSql(filter, params, 'r');
  const result = await db.query<GuiltyRecordRow>(
    `SELECT r.id::float8 AS "recordId", r.machine_id AS "machineId", r.build, r.classification, r.payload, a.program, a.signal
     FROM crash_analysis a JOIN records r ON r.id = a.record_id AND r.received_at = a.received_at
     WHERE a.guilty_id = $1 AND ${where}
     ORDER BY a.record_id DESC
     LIMIT $${params.push(limit)}`,
    params,
  );
  return result.rows;
}
