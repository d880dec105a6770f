// Shared by the crash route tests: JSON requests through inject, and waiting (bounded
// polling of GET /api/records/{id}) until the background processor analysed records.

import type { TestServer } from '../helpers/server.ts';
import { waitFor } from '../processing/crash-records.ts';

export interface JsonAnswer<T> {
  status: number;
  body: T & { code?: string; details?: unknown; message?: string };
}

export async function injectJson<T = Record<string, unknown>>(server: TestServer, method: string, url: string, body?: unknown): Promise<JsonAnswer<T>> {
  const res = await server.inject({ method: method as 'GET', url, ...(body === undefined ? {} : { payload: body as object }) });
  return { status: res.statusCode, body: res.json() };
}

/** Resolves once GET /api/records/{id} says processed for every id. */
export async function waitForProcessed(server: TestServer, ids: readonly number[], timeoutMs = 20_000): Promise<void> {
  await waitFor(
    `${ids.length} processed records`,
    async () => {
      for (const id of ids) {
        if ((await injectJson<{ processed: boolean | null }>(server, 'GET', `/api/records/${id}`)).body.processed !== true) return false;
      }
      return true;
    },
    timeoutMs,
  );
}

/** Resolves with the reprocess job once it finished. */
export async function waitForJob(server: TestServer, jobId: number, timeoutMs = 20_000): Promise<{ id: number; total: number; done: number; finished_at: string | null }> {
  return waitFor(
    `reprocess job ${jobId}`,
    async () => {
      const { jobs } = (await injectJson<{ jobs: { id: number; total: number; done: number; finished_at: string | null }[] }>(server, 'GET', '/api/crashes/reprocess')).body;
      const job = jobs.find((j) => j.id === jobId);
      return job?.finished_at ? job : false;
    },
    timeoutMs,
  );
}
