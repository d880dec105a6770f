// Schemas of the aggregate routes under /api/stats: their query parameters (the shared
// record filter plus each route's own) and their answers.

import { Type, type Static } from 'typebox';
import { RECORD_FILTER_PROPERTIES } from '../record-filter.ts';

const count = Type.Integer({ minimum: 0 });
const optional = (description: string, example?: string) =>
  Type.Optional(Type.String(example === undefined ? { description } : { description, example }));

export const StatsQuery = Type.Object(RECORD_FILTER_PROPERTIES, { additionalProperties: true });
export type StatsQuery = Static<typeof StatsQuery>;

export const BuildsQuery = Type.Object(
  {
    ...RECORD_FILTER_PROPERTIES,
    build_pattern: optional('Only builds matching this PostgreSQL regex; `^[0-9]+$` gives the reference view. Default: every build.', '^[0-9]+$'),
  },
  { additionalProperties: true },
);
export type BuildsQuery = Static<typeof BuildsQuery>;

export const BuildsResponse = Type.Object(
  { builds: Type.Array(Type.Object({ build: Type.String(), count })) },
  { description: 'Records per build: numeric builds first in integer order, then the others by text.' },
);

export const ClassificationsResponse = Type.Object(
  { classifications: Type.Array(Type.Object({ classification: Type.String(), count })) },
  { description: 'Records per classification, most first.' },
);

export const PlatformsResponse = Type.Object(
  { platforms: Type.Array(Type.Object({ host_type: Type.String(), count })) },
  { description: 'Records per host type (platform), most first.' },
);

export const TimeseriesQuery = Type.Object(
  {
    ...RECORD_FILTER_PROPERTIES,
    resolution: optional('Bucket size: `minute`, `hour` (default) or `day`. At most 2000 buckets per answer.', 'hour'),
    group_by: optional('`none` (default), `classification`, `build`, `severity`, `system_name` or `host_type`.', 'classification'),
    time: optional('`received` (default): buckets and range on receive time (received_from/received_to); `created`: on client time (created_from/created_to).'),
    series_limit: optional('Largest series kept by name, 1 to 100 (default 10); the rest are summed in `other`.'),
  },
  { additionalProperties: true },
);
export type TimeseriesQuery = Static<typeof TimeseriesQuery>;

const series = Type.Object({ key: Type.String(), total: count, counts: Type.Array(count) });
export const TimeseriesResponse = Type.Object(
  {
    resolution: Type.String(),
    bucket_seconds: Type.Integer(),
    time: Type.String(),
    group_by: Type.String(),
    from: Type.String({ description: 'Start of the range (inclusive), ISO 8601.' }),
    to: Type.String({ description: 'End of the range (exclusive), ISO 8601.' }),
    buckets: Type.Array(Type.Integer(), { description: 'Bucket starts, epoch seconds (UTC-aligned); counts arrays are parallel to it.' }),
    series: Type.Array(series, { description: 'Largest first.' }),
    other: Type.Union([Type.Object({ total: count, counts: Type.Array(count) }), Type.Null()], { description: 'The sum of the series beyond series_limit, or null.' }),
  },
  { description: 'Record counts per time bucket (zero-filled), per group.' },
);

export const PopulationResponse = Type.Object(
  {
    classification: Type.String({ description: 'The classification restriction applied (`*`: none).' }),
    system_name: Type.String({ description: 'The system name restriction applied (`*`: none).' }),
    windows: Type.Array(
      Type.Object({
        key: Type.String({ description: 'Overall, TwoWeeks, OneWeek, ThreeDay or OneDay.' }),
        title: Type.String(),
        days: Type.Union([Type.Integer(), Type.Null()], { description: 'Client-time window in days; null for Overall.' }),
        builds: Type.Array(Type.Object({ build: Type.String(), internal: count, external: count })),
      }),
    ),
  },
  { description: 'Distinct machines per build over five client-time windows (builds without machines left out).' },
);

export const MceQuery = Type.Object(
  { ...RECORD_FILTER_PROPERTIES, top: optional('Machines listed in top_machines, 1 to 1000 (default 100).') },
  { additionalProperties: true },
);
export type MceQuery = Static<typeof MceQuery>;

export const MceResponse = Type.Object(
  {
    classifications: Type.Array(Type.String()),
    from: Type.Union([Type.String(), Type.Null()], { description: 'Earliest client time counted (ISO 8601); default 1 January of this year (UTC).' }),
    weekly: Type.Array(Type.Object({ classification: Type.String(), weeks: Type.Array(Type.Object({ week: Type.Integer(), count })) }), {
      description: 'Per classification, counts per `%U` week of the client time (Sunday-based, 0 to 53, UTC).',
    }),
    by_classification: Type.Array(Type.Object({ classification: Type.String(), count })),
    by_build: Type.Array(Type.Object({ build: Type.String(), count })),
    by_status: Type.Array(Type.Object({ status: Type.String({ description: 'Last 32 bits of the status code, 8 hex digits.' }), count })),
    machine_count: count,
    top_machines: Type.Array(Type.Object({ machine_id: Type.String(), total: count, by_build: Type.Array(Type.Object({ build: Type.String(), count })) })),
  },
  { description: 'Machine-check reports (reference §8.9).' },
);

export const ThermalResponse = Type.Object(
  {
    classification: Type.String(),
    year_start: Type.String({ description: 'Week 0 starts here: the Sunday on or before 1 January (UTC).' }),
    from: Type.String({ description: 'Earliest client time counted: default the Sunday four weeks before this week.' }),
    weeks: Type.Array(Type.Object({ week: Type.Integer(), count }), { description: 'Newest week first.' }),
  },
  { description: 'Thermal reports per week (reference §8.10).' },
);
