// The error body every non-2xx answer carries (STYLE.md §4), as a response schema.

import { Type } from 'typebox';
import { ERROR_CODES, type ErrorCode } from '../../errors.ts';

export const ErrorResponse = Type.Object(
  {
    message: Type.String({ description: 'Human-readable; the reference text on reference-compatible routes.' }),
    code: Type.Unsafe<ErrorCode>({ type: 'string', enum: Object.keys(ERROR_CODES), description: 'Stable error code (docs/errors.md).' }),
    details: Type.Optional(
      Type.Array(Type.Object({ field: Type.String({ description: 'The parameter at fault.' }), message: Type.String() }), {
        description: 'Validation problems, one per invalid parameter.',
      }),
    ),
    requestId: Type.Optional(Type.String({ description: 'Also in the X-Request-Id header and the log line.' })),
  },
  { description: 'Error' },
);

/** Error responses of a route that reads the database with query parameters. */
export const QUERY_ERROR_RESPONSES = {
  400: { ...ErrorResponse, description: 'A query parameter is invalid (code QUERY_PARAM_INVALID; details name it).' },
  429: { ...ErrorResponse, description: 'Too many API queries are waiting for the database (code RATE_LIMITED; Retry-After).' },
  503: { ...ErrorResponse, description: 'The database is unavailable or the query hit its statement timeout (code DB_UNAVAILABLE; Retry-After).' },
};
