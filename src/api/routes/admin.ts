// Privacy administration: delete every record of one machine id, and what derives
// from it, on request (the `telemetrics forget` command over HTTP).

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { forgetMachine } from '../../db/queries/forget.ts';
import { AppError } from '../../errors.ts';
import { toQueryError, type QueryContext } from '../query-runner.ts';
import { ErrorResponse, QUERY_ERROR_RESPONSES } from '../schemas/errors.ts';

const MACHINE_ID_MAX_LENGTH = 32; // reference §4.4 step 6

const ForgetParams = Type.Object({ machine_id: Type.String() });
const ForgetResponse = Type.Object({
  machine_id: Type.String(),
  deleted: Type.Object({
    records: Type.Integer(),
    crashAnalyses: Type.Integer(),
    fingerprints: Type.Integer(),
    quarantinedRequests: Type.Integer(),
  }),
});

export function registerAdminRoutes(parent: FastifyInstance, context: QueryContext): void {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  app.delete('/machines/:machine_id/records', {
    schema: {
      tags: ['admin'],
      summary: 'Forget a machine: delete every record of this machine id and what derives from it',
      params: ForgetParams,
      response: { 200: ForgetResponse, 400: ErrorResponse, 503: QUERY_ERROR_RESPONSES[503] },
    },
    handler: async (request) => {
      const machineId = request.params.machine_id;
      if (machineId.length > MACHINE_ID_MAX_LENGTH || machineId.includes('\u0000')) {
        throw new AppError('QUERY_PARAM_INVALID', 'Machine id value is invalid', { details: [{ field: 'machine_id', message: 'at most 32 characters, no NUL' }] });
      }
      const deleted = await forgetMachine(context.pool, machineId).catch((err: unknown) => Promise.reject(toQueryError(err, [], context.statementTimeoutMs)));
      request.log.info({ machineId, deleted }, 'machine forgotten on request');
      return { machine_id: machineId, deleted };
    },
  });
}
