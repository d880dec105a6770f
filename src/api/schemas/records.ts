// Schemas of the record routes: the record JSON (the collector's 201 body, reference
// §4.6), the list and detail answers, and their query and path parameters.

import { Type, type Static } from 'typebox';
import { RECORD_FILTER_PROPERTIES } from '../record-filter.ts';

/** Keys in the order formatRecordResponse writes them (alphabetical, like the reference). */
export const RecordResponse = Type.Object(
  {
    arch: Type.String(),
    bios_version: Type.String(),
    board_name: Type.String(),
    build: Type.String(),
    classification: Type.String(),
    cpu_model: Type.String(),
    event_id: Type.String(),
    external: Type.Boolean(),
    id: Type.Integer(),
    kernel_version: Type.String(),
    machine_id: Type.String(),
    machine_type: Type.String({ description: 'The host type (v1.1.0 name).' }),
    payload: Type.String(),
    payload_version: Type.Integer(),
    record_format_version: Type.Integer(),
    record_version: Type.Integer(),
    severity: Type.Integer(),
    system_name: Type.String(),
    ts_capture: Type.String({ description: 'Client creation time, `YYYY-MM-DD HH:MM:SS UTC`.' }),
    ts_reception: Type.String({ description: 'Server receive time, `YYYY-MM-DD HH:MM:SS UTC`.' }),
  },
  { description: 'A stored record, in the shape of the collector answer.' },
);

export const RecordsListResponse = Type.Object(
  { records: Type.Array(RecordResponse) },
  {
    description: 'Matching records, newest (highest id) first.',
    headers: { Link: { type: 'string', description: 'When the page is full: `<URL with before_id=LAST_ID>; rel="next"`, the next page.' } },
  },
);

export const GuiltyRef = Type.Object({ id: Type.Integer(), function: Type.String(), module: Type.String() });

export const RecordDetailResponse = Type.Object(
  {
    ...RecordResponse.properties,
    processed: Type.Union([Type.Boolean(), Type.Null()], { description: 'true once crash analysis ran; null when there is no analysis.' }),
    guilty: Type.Union([GuiltyRef, Type.Null()], { description: 'The guilty frame of a crash record, or null.' }),
    signature: Type.Union([Type.String(), Type.Null()], { description: 'The crash signature, or null.' }),
  },
  { description: 'A record with its crash analysis.' },
);

export const RECORD_LIMIT_MAX = 1000;

export const RecordsQuery = Type.Object(
  {
    ...RECORD_FILTER_PROPERTIES,
    limit: Type.Optional(Type.String({ description: `Most records to return, 0 to ${RECORD_LIMIT_MAX} (default ${RECORD_LIMIT_MAX}).`, example: '50' })),
  },
  { additionalProperties: true },
);
export type RecordsQuery = Static<typeof RecordsQuery>;

export const RecordIdParams = Type.Object({ id: Type.String({ description: 'Record id.' }) });
export const MachineParams = Type.Object({ machine_id: Type.String({ description: 'Machine id, at most 32 characters.' }) });
