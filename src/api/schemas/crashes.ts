// Schemas of the crash routes under /api/crashes (reference §8.5–§8.8; shapes fixed by
// docs/ui.md "Crash endpoints the UI expects"): query, path, body and answers.

import { Type, type Static } from 'typebox';
import { RECORD_FILTER_PROPERTIES } from '../record-filter.ts';

const count = Type.Integer({ minimum: 0 });
const optional = (description: string, example?: string) =>
  Type.Optional(Type.String(example === undefined ? { description } : { description, example }));

/** Default and largest page of the top lists. */
export const TOP_CRASHES_LIMIT_DEFAULT = 10;
export const TOP_CRASHES_LIMIT_MAX = 1000;
/** reference §8.5 step 5: the 8 highest builds. */
export const BUILD_COUNT_DEFAULT = 8;
export const BUILD_COUNT_MAX = 100;
/** reference §8.5 step 6: the last 7 days of client time. */
export const TOP_CRASHES_WINDOW_DAYS = 7;
/** reference §8.7: at most 50 backtraces. */
export const BACKTRACES_MAX = 50;

export const TopCrashesQuery = Type.Object(
  {
    ...RECORD_FILTER_PROPERTIES,
    offset: optional('Rows to skip (paging), 0 or more; default 0.', '10'),
    limit: optional(`Rows per page, 1 to ${TOP_CRASHES_LIMIT_MAX}; default ${TOP_CRASHES_LIMIT_DEFAULT}.`, '10'),
    build_count: optional(`How many newest builds are counted and shown as columns, 1 to ${BUILD_COUNT_MAX}; default ${BUILD_COUNT_DEFAULT} (reference).`, '8'),
    build_pattern: optional('Only builds matching this PostgreSQL regex; `^[0-9][0-9]+$` gives the reference view. Default: every build.', '^[0-9][0-9]+$'),
  },
  { additionalProperties: true },
);
export type TopCrashesQuery = Static<typeof TopCrashesQuery>;

const buildCounts = Type.Array(Type.Object({ build: Type.String(), count }), { description: 'Counts per build column with records, newest build first.' });
const buildColumns = Type.Array(Type.String(), { description: 'The build columns, newest first: the chosen builds with any count in the window.' });
const GuiltyRef = Type.Object({ id: Type.Integer(), function: Type.String(), module: Type.String() });

export const TopGuiltiesResponse = Type.Object(
  {
    builds: buildColumns,
    guilties: Type.Array(
      Type.Object({
        id: Type.Integer(),
        function: Type.String(),
        module: Type.String(),
        comment: Type.Union([Type.String(), Type.Null()]),
        total: count,
        builds: buildCounts,
      }),
    ),
  },
  { description: 'Top crash guilties by total, then id.' },
);

export const TopSignaturesResponse = Type.Object(
  {
    builds: buildColumns,
    signatures: Type.Array(
      Type.Object({
        signature: Type.String(),
        frames: Type.Array(Type.String(), { description: 'The normalised frames the signature hashes.' }),
        guilty: Type.Union([GuiltyRef, Type.Null()], { description: 'The most frequent guilty of its records, or null.' }),
        total: count,
        builds: buildCounts,
      }),
    ),
  },
  { description: 'Top crash signatures by total, then signature.' },
);

export const GuiltyIdParams = Type.Object({ id: Type.String({ description: 'Guilty id.' }) });
export type GuiltyIdParams = Static<typeof GuiltyIdParams>;
export const EntryIdParams = Type.Object({ id: Type.String({ description: 'Blacklist entry id.' }) });
export type EntryIdParams = Static<typeof EntryIdParams>;
export const CrashRecordIdParams = Type.Object({ id: Type.String({ description: 'Record id of a crash record.' }) });
export type CrashRecordIdParams = Static<typeof CrashRecordIdParams>;

export const GuiltyDetailQuery = Type.Object(
  {
    ...RECORD_FILTER_PROPERTIES,
    build_pattern: optional('Only builds matching this PostgreSQL regex; `^[0-9][0-9]+$` gives the reference view. Default: every build.'),
  },
  { additionalProperties: true },
);
export type GuiltyDetailQuery = Static<typeof GuiltyDetailQuery>;

export const GuiltyRow = Type.Object({
  id: Type.Integer(),
  function: Type.String(),
  module: Type.String(),
  comment: Type.Union([Type.String(), Type.Null()]),
  hidden: Type.Boolean(),
});

export const GuiltyDetailResponse = Type.Object(
  {
    ...GuiltyRow.properties,
    machines: Type.Array(Type.Object({ build: Type.String(), machine_id: Type.String(), count }), {
      description: 'Crash records per build and machine: builds newest first, then by count.',
    }),
  },
  { description: 'A guilty with its machine mappings (reference §8.6).' },
);

export const BacktracesQuery = Type.Object(
  {
    ...RECORD_FILTER_PROPERTIES,
    limit: optional(`Backtraces, 1 to ${BACKTRACES_MAX}; default ${BACKTRACES_MAX} (reference).`),
  },
  { additionalProperties: true },
);
export type BacktracesQuery = Static<typeof BacktracesQuery>;

export const BacktracesResponse = Type.Object(
  {
    backtraces: Type.Array(
      Type.Object({
        record_id: Type.Integer(),
        machine_id: Type.String(),
        build: Type.String(),
        program: Type.Union([Type.String(), Type.Null()], { description: 'The `Process:` line (user-space crashes).' }),
        signal: Type.Union([Type.String(), Type.Null()], { description: 'The `Signal:` number (user-space crashes).' }),
        frames: Type.Array(
          Type.Object({
            function: Type.String({ description: 'As sent.' }),
            display_function: Type.String({ description: 'C++ names demangled, for reading.' }),
            module: Type.String({ description: 'Empty when the line names none.' }),
            source: Type.Union([Type.String(), Type.Null()]),
            guilty: Type.Boolean({ description: 'Same (function, module) as the guilty.' }),
          }),
          { description: "The crashing thread's frames." },
        ),
      }),
    ),
  },
  { description: 'The newest crash records of a guilty, parsed (reference §8.7).' },
);

export const GuiltyChangeBody = Type.Object(
  {
    comment: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'At most 80 characters; `""` or null clears it.' })),
    hidden: Type.Optional(Type.Boolean({ description: 'true hides the guilty from the top lists; false shows it again.' })),
  },
  { additionalProperties: false },
);
export type GuiltyChangeBody = Static<typeof GuiltyChangeBody>;

export const HiddenGuiltiesResponse = Type.Object({ guilties: Type.Array(GuiltyRow) }, { description: 'Hidden guilties, by function and module.' });

export const BlacklistEntry = Type.Object({ id: Type.Integer(), function: Type.String(), module: Type.String() });
export const BlacklistResponse = Type.Object({ entries: Type.Array(BlacklistEntry) }, { description: 'The guilty blacklist, by function and module.' });

export const BlacklistEntryBody = Type.Object(
  {
    function: Type.String({ description: 'Function as in the frame line, e.g. `abort()`; not empty.' }),
    module: Type.String({ description: 'Module as in the frame line, e.g. `libc.so.6`.' }),
  },
  { additionalProperties: false },
);
export type BlacklistEntryBody = Static<typeof BlacklistEntryBody>;

export const ReprocessJob = Type.Object(
  {
    id: Type.Integer(),
    reason: Type.String(),
    requests: Type.Integer({ description: 'How many requests this job answers (requests join a waiting job).' }),
    requested_at: Type.String({ description: 'ISO 8601.' }),
    started_at: Type.Union([Type.String(), Type.Null()]),
    finished_at: Type.Union([Type.String(), Type.Null()]),
    total: count,
    done: count,
  },
  { description: 'A background re-evaluation of every crash record; progress is done of total.' },
);

export const BlacklistChangeResponse = Type.Object(
  { entry: BlacklistEntry, changed: Type.Boolean(), job: Type.Union([ReprocessJob, Type.Null()], { description: 'The queued reprocess job; null when nothing changed.' }) },
  { description: 'The entry, whether the blacklist changed, and the reprocess job it queued.' },
);

export const ReprocessBody = Type.Object(
  { reason: Type.Optional(Type.String({ description: 'Why; shown in the job list. Default `reset`.', maxLength: 1000 })) },
  { additionalProperties: false },
);
export type ReprocessBody = Static<typeof ReprocessBody>;

export const ReprocessJobsResponse = Type.Object({ jobs: Type.Array(ReprocessJob) }, { description: 'The latest 20 reprocess jobs, newest first.' });

export const RecordFramesResponse = Type.Object(
  {
    record_id: Type.Integer(),
    guilty: Type.Union([GuiltyRef, Type.Null()]),
    frames: Type.Array(Type.Object({ function: Type.String(), module: Type.String(), blacklisted: Type.Boolean() }), {
      description: "The crashing thread's frames that name a module, without `_start` and `__libc_start_main` (reference §8.8).",
    }),
  },
  { description: 'The frames of a crash record for the per-record blacklist editor.' },
);

export const AppliedRecordResponse = Type.Object(
  { record_id: Type.Integer(), guilty: Type.Union([GuiltyRow, Type.Null()]), signature: Type.Union([Type.String(), Type.Null()]) },
  { description: "The record's guilty and signature, recomputed now with the current blacklist." },
);
