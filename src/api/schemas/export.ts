// Query parameters of the export routes: the shared record filter, plus the CSV dialect.

import { Type, type Static } from 'typebox';
import { RECORD_FILTER_PROPERTIES } from '../record-filter.ts';

export const CsvExportQuery = Type.Object(
  {
    ...RECORD_FILTER_PROPERTIES,
    format: Type.Optional(
      Type.String({
        description:
          '`rfc4180` (default): every field, CRLF lines, quotes only where needed. `reference`: the reference export (header `id,external,server_timestamp,severity,classification,build,machine_id,payload`, every value quoted, rows escaped like Python unicode-escape).',
        example: 'reference',
      }),
    ),
  },
  { additionalProperties: true },
);
export type CsvExportQuery = Static<typeof CsvExportQuery>;

export const JsonlExportQuery = Type.Object(RECORD_FILTER_PROPERTIES, { additionalProperties: true });

export const CsvBody = Type.String({ description: 'CSV, streamed.' });
export const JsonlBody = Type.String({ description: 'One record (the GET /api/records shape) per line, streamed.' });
