// The validated record filter shared by the list, aggregate and export queries, and
// the one function that turns it into a WHERE condition. Values always go into $n
// parameters; only fixed column names are written into the SQL text.

/** How a text column is matched: exactly, by a `a/` or `a/b/` prefix, or not at all (`*`). */
export type TextMatch = { kind: 'exact'; value: string } | { kind: 'prefix'; value: string } | { kind: 'any' };

/** A validated filter; every field optional, all present fields are ANDed. */
export interface RecordFilter {
  severity?: number;
  severityMin?: number;
  severityMax?: number;
  classification?: TextMatch;
  build?: string;
  machineId?: string;
  systemName?: TextMatch;
  architecture?: string;
  hostType?: string;
  /** true: external records only; false: internal only */
  external?: boolean;
  /** PostgreSQL POSIX regex the payload must match (`~`) */
  payloadRegex?: string;
  /** PostgreSQL POSIX regex the payload must not match (`!~`) */
  notPayloadRegex?: string;
  /** received_at > now() - window (the reference's created_in_days / created_in_sec) */
  receivedWithinSeconds?: number;
  /** received_at >= receivedFrom */
  receivedFrom?: Date;
  /** received_at < receivedTo */
  receivedTo?: Date;
  /** timestamp_client >= createdFrom (epoch seconds) */
  createdFrom?: bigint;
  /** timestamp_client < createdTo (epoch seconds) */
  createdTo?: bigint;
  /** timestamp_client > capturedAfter (the reference's ts_capture) */
  capturedAfter?: bigint;
  /** id >= fromId */
  fromId?: bigint;
  /** id < beforeId */
  beforeId?: bigint;
}

// Filter fields whose columns crash_analysis (migration 0031) and mce_reports (0032)
// copy from records under the same names.
const COPIED_COLUMN_FIELDS: ReadonlySet<keyof RecordFilter> = new Set<keyof RecordFilter>([
  'severity', 'severityMin', 'severityMax', 'classification', 'build', 'machineId', 'systemName', 'external',
  'receivedWithinSeconds', 'receivedFrom', 'receivedTo', 'createdFrom', 'createdTo', 'capturedAfter',
]);

/**
 * Whether the filter names only columns that crash_analysis and mce_reports copy from
 * records (no payload regex, host type, architecture or id), so that
 * buildRecordFilterSql applies to those tables as it does to records.
 */
export function isCopiedColumnFilter(filter: RecordFilter): boolean {
  return (Object.keys(filter) as Array<keyof RecordFilter>).every((key) => filter[key] === undefined || COPIED_COLUMN_FIELDS.has(key));
}

/**
 * The filter as a SQL condition over `records` (optionally aliased), appending its values
 * to `params` so that `$n` numbering continues from whatever the caller already pushed.
 * Returns `TRUE` for an empty filter.
 */
export function buildRecordFilterSql(filter: RecordFilter, params: unknown[], alias = ''): string {
  const col = (name: string) => (alias ? `${alias}.${name}` : name);
  const p = (value: unknown) => `$${params.push(value)}`;
  const conditions: string[] = [];

  if (filter.severity !== undefined) conditions.push(`${col('severity')} = ${p(filter.severity)}::smallint`);
  if (filter.severityMin !== undefined) conditions.push(`${col('severity')} >= ${p(filter.severityMin)}::smallint`);
  if (filter.severityMax !== undefined) conditions.push(`${col('severity')} <= ${p(filter.severityMax)}::smallint`);
  pushTextMatch(conditions, col('classification'), filter.classification, p);
  if (filter.build !== undefined) conditions.push(`${col('build')} = ${p(filter.build)}::text`);
  if (filter.machineId !== undefined) conditions.push(`${col('machine_id')} = ${p(filter.machineId)}::text`);
  pushTextMatch(conditions, col('system_name'), filter.systemName, p);
  if (filter.architecture !== undefined) conditions.push(`${col('architecture')} = ${p(filter.architecture)}::text`);
  if (filter.hostType !== undefined) conditions.push(`${col('host_type')} = ${p(filter.hostType)}::text`);
  if (filter.external !== undefined) conditions.push(`${col('external')} = ${p(filter.external)}::boolean`);
  if (filter.payloadRegex !== undefined) conditions.push(`${col('payload')} ~ ${p(filter.payloadRegex)}::text`);
  if (filter.notPayloadRegex !== undefined) conditions.push(`${col('payload')} !~ ${p(filter.notPayloadRegex)}::text`);
  if (filter.receivedWithinSeconds !== undefined) {
    conditions.push(`${col('received_at')} > now() - make_interval(secs => ${p(filter.receivedWithinSeconds)}::float8)`);
  }
  if (filter.receivedFrom !== undefined) conditions.push(`${col('received_at')} >= ${p(filter.receivedFrom)}::timestamptz`);
  if (filter.receivedTo !== undefined) conditions.push(`${col('received_at')} < ${p(filter.receivedTo)}::timestamptz`);
  if (filter.createdFrom !== undefined) conditions.push(`${col('timestamp_client')} >= ${p(String(filter.createdFrom))}::bigint`);
  if (filter.createdTo !== undefined) conditions.push(`${col('timestamp_client')} < ${p(String(filter.createdTo))}::bigint`);
  if (filter.capturedAfter !== undefined) conditions.push(`${col('timestamp_client')} > ${p(String(filter.capturedAfter))}::bigint`);
  if (filter.fromId !== undefined) conditions.push(`${col('id')} >= ${p(String(filter.fromId))}::bigint`);
  if (filter.beforeId !== undefined) conditions.push(`${col('id')} < ${p(String(filter.beforeId))}::bigint`);

  return conditions.length === 0 ? 'TRUE' : conditions.join(' AND ');
}

function pushTextMatch(conditions: string[], column: string, match: TextMatch | undefined, p: (value: unknown) => string): void {
  if (match === undefined || match.kind === 'any') return;
  if (match.kind === 'exact') {
    conditions.push(`${column} = ${p(match.value)}::text`);
    return;
  }
  // LIKE with the metacharacters escaped: a prefix range scan on the (column, id) index
  // under the C collation; a correct (if slower) filter under any other.
  conditions.push(`${column} LIKE ${p(`${escapeLike(match.value)}%`)}::text`);
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}
