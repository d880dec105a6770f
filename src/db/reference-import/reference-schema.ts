// Recognises a reference server's database (clearlinux/telemetrics-backend) by its
// alembic revision and the columns it really has (reference-backend §6.6). Reads only.

import type { Queryable } from '../pool.ts';

/** Flat: one `records` table with text build and classification (2018-07 on). Normalised: ids into `build` and `classification`. */
export type ReferenceLayout = 'flat' | 'normalised';

export interface ReferenceRevision {
  revision: string;
  date: string;
  layout: ReferenceLayout;
  description: string;
}

/** reference-backend §6.6, oldest first. */
export const REFERENCE_REVISIONS: readonly ReferenceRevision[] = [
  { revision: '3230c615d6e0', date: '2017-08', layout: 'normalised', description: 'normalised schema' },
  { revision: '466cf2f35d67', date: '2017-09', layout: 'normalised', description: 'normalised schema with bios_version, board_name, cpu_model' },
  { revision: 'cb72058cf4e4', date: '2018-03', layout: 'normalised', description: 'normalised schema with event_id (v1.1.0)' },
  { revision: '18e790856b53', date: '2018-07', layout: 'flat', description: 'flat schema converted from the normalised one' },
  { revision: 'ac1c5921bf2f', date: '2020-02', layout: 'flat', description: 'flat schema (squashed migration)' },
];

export interface ReferenceSchema {
  /** The alembic_version row. */
  revision: string;
  /** Null for a revision not in REFERENCE_REVISIONS (the layout then comes from the columns). */
  known: ReferenceRevision | null;
  layout: ReferenceLayout;
  /** Column name → data type, per table that exists (records, guilty, guilty_blacklisted, build, classification). */
  columns: ReadonlyMap<string, ReadonlyMap<string, string>>;
}

export class ReferenceSchemaError extends Error {
  override name = 'ReferenceSchemaError';
}

const TABLES = ['records', 'guilty', 'guilty_blacklisted', 'build', 'classification'];
const REQUIRED: Record<ReferenceLayout, { records: string[]; tables: string[] }> = {
  flat: { records: ['id', 'timestamp_server', 'build', 'classification', 'payload'], tables: ['records'] },
  normalised: { records: ['id', 'tsp_server', 'build_id', 'classification_id'], tables: ['records', 'build', 'classification'] },
};

/** Reads the revision and the columns; throws ReferenceSchemaError when this is no reference database we can read. */
export async function detectReferenceSchema(db: Queryable): Promise<ReferenceSchema> {
  const columns = await readColumns(db);
  if (!columns.has('alembic_version')) {
    throw new ReferenceSchemaError(
      'not a telemetrics-backend database: it has no alembic_version table (give the URL of the reference server\'s database, usually named "telemetry" or "telemdb")',
    );
  }
  const revisions = await db.query<{ version_num: string }>('SELECT version_num FROM alembic_version');
  const revision = revisions.rows[0]?.version_num;
  if (revision === undefined) throw new ReferenceSchemaError('the alembic_version table is empty: the reference database was never migrated');

  const known = REFERENCE_REVISIONS.find((r) => r.revision === revision) ?? null;
  const records = columns.get('records') ?? new Map<string, string>();
  // A converted 2018 database keeps the normalised columns beside the flat ones: flat wins.
  const layout: ReferenceLayout | null = records.has('timestamp_server') ? 'flat' : records.has('tsp_server') ? 'normalised' : null;
  if (layout === null) {
    throw new ReferenceSchemaError(
      `revision ${revision}: the records table has neither timestamp_server (flat schema) nor tsp_server (normalised schema); ` +
        `supported revisions: ${REFERENCE_REVISIONS.map((r) => r.revision).join(', ')}`,
    );
  }
  const required = REQUIRED[layout];
  const missingTables = required.tables.filter((t) => !columns.has(t));
  const missingColumns = required.records.filter((c) => !records.has(c));
  if (missingTables.length > 0 || missingColumns.length > 0) {
    const what = [...missingTables.map((t) => `table ${t}`), ...missingColumns.map((c) => `records.${c}`)];
    throw new ReferenceSchemaError(`revision ${revision} (${layout} schema) lacks ${what.join(', ')}`);
  }
  return { revision, known, layout, columns };
}

/** The tables' columns in the current schema, by table. */
async function readColumns(db: Queryable): Promise<Map<string, Map<string, string>>> {
  const result = await db.query<{ table_name: string; column_name: string; data_type: string }>(
    `SELECT table_name, column_name, data_type FROM information_schema.columns
     WHERE table_schema = current_schema() AND table_name = ANY($1::text[])`,
    [[...TABLES, 'alembic_version']],
  );
  const byTable = new Map<string, Map<string, string>>();
  for (const row of result.rows) {
    let table = byTable.get(row.table_name);
    if (table === undefined) byTable.set(row.table_name, (table = new Map()));
    table.set(row.column_name, row.data_type);
  }
  return byTable;
}

/** How a schema is described in the summary: `18e790856b53 (2018-07, flat schema converted from the normalised one)`. */
export function describeReferenceSchema(schema: ReferenceSchema): string {
  return schema.known
    ? `${schema.revision} (${schema.known.date}, ${schema.known.description})`
    : `${schema.revision} (unknown revision; its columns are those of the ${schema.layout} schema)`;
}
