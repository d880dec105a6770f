// Hostile values on every parameter of every API route: quotes, backslashes, SQL,
// regex bombs on a long payload, huge numbers, unicode, NUL, broken percent-encoding.
// Every answer is a 200 or a 400 naming the parameter; never a 5xx.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { RECORD_FILTER_PROPERTIES } from '../../src/api/record-filter.ts';
import { databaseTargets } from '../helpers/database.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { insertSeedRecords } from './seed-records.ts';

const HOSTILE = [
  "'", '"', '\\', "\\'", "'; DROP TABLE records; --", "' OR '1'='1", '%', '_', '*', '%_%', '/*', 'a/*/*',
  '(a+)+$', '(a|aa)+$', '^(a+)+b', '(.*a){20}', '[', '(', ')', '[[:alpha:]', '\\x00', '\\', '$1', '::text',
  '9'.repeat(400), '9223372036854775808', '-1', '-0', '1e309', '1.5', 'NaN', 'Infinity', '0x10', '１２', '²',
  '😀', 'ünïcödé', '\u202e', '\u0000', 'a\u0000b', '\n', '\r\n', ' ', '', '\t1', '1 ', '+1', 'null', 'true',
  '[]', '{}', 'a'.repeat(5000), '2024-02-30', '1970-01-01T00:00:00+99:99',
];
/** Raw query-string tails that are not valid percent-encoding or UTF-8. */
const RAW = ['%FF', '%C3%28', '%ED%A0%80', '%', '%%', '%0', '%00', '%E2%82'];

const SHARED = Object.keys(RECORD_FILTER_PROPERTIES);
const ROUTES: { path: string; own: string[]; shared: 'all' | 'some' }[] = [
  { path: '/api/records', own: ['limit'], shared: 'all' },
  { path: '/api/machines/m1/records', own: ['limit'], shared: 'some' },
  { path: '/api/stats/builds', own: ['build_pattern'], shared: 'all' },
  { path: '/api/stats/classifications', own: [], shared: 'some' },
  { path: '/api/stats/platforms', own: [], shared: 'some' },
  { path: '/api/stats/timeseries', own: ['resolution', 'group_by', 'time', 'series_limit'], shared: 'some' },
  { path: '/api/stats/population', own: [], shared: 'some' },
  { path: '/api/stats/mce', own: ['top'], shared: 'some' },
  { path: '/api/stats/thermal', own: [], shared: 'some' },
  { path: '/api/export/records.csv', own: ['format'], shared: 'all' },
  { path: '/api/export/records.jsonl', own: [], shared: 'some' },
];
/** The values most likely to break SQL or PostgreSQL, tried on the shared parameters of every route. */
const SOME = ["'; DROP TABLE records; --", '\\', '(a+)+$', '[', '9'.repeat(400), '\u0000', '😀', '%', '*', ''];

interface Answer {
  url: string;
  status: number;
  body: string;
}

for (const target of databaseTargets()) {
  describe(`API injection suite (${target.name})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(target, { 'auth.queryRateLimit': '0' }); // thousands of requests a minute, by design
      await insertSeedRecords(server.db.pool, [
        { machineId: 'm1', payload: `${'a'.repeat(100_000)}!` },
        { machineId: 'm1', payload: 'ünïcödé 😀 "quoted" \\ back' },
        { machineId: "m'2", build: "1'2", classification: 'org.clearlinux/mce/corrected', payload: 'STATUS 0x1234567812345678 MCGSTATUS' },
        { classification: 'org.clearlinux/mce/thermal', payload: '' },
      ]);
    });
    after(() => server.close());

    async function fetchAll(urls: string[]): Promise<Answer[]> {
      const answers: Answer[] = [];
      let next = 0;
      const worker = async () => {
        while (next < urls.length) {
          const url = urls[next++] as string;
          const res = await server.inject({ url });
          answers.push({ url, status: res.statusCode, body: res.statusCode === 200 ? '' : res.body });
        }
      };
      await Promise.all(Array.from({ length: 6 }, worker));
      return answers;
    }

    function assertStatuses(answers: Answer[], allowed: number[]): void {
      const failures = answers.filter((a) => !allowed.includes(a.status)).map((a) => `${a.status} ${a.url.slice(0, 120)}: ${a.body.slice(0, 200)}`);
      assert.deepEqual(failures, [], `${failures.length} of ${answers.length} requests failed`);
    }

    for (const route of ROUTES) {
      test(`answers 200 or 400 naming the parameter on ${route.path}`, async () => {
        const params = [...(route.shared === 'all' ? SHARED : []), ...route.own];
        const urls = params.flatMap((p) => HOSTILE.map((v) => `${route.path}?${p}=${encodeURIComponent(v)}`));
        if (route.shared === 'some') urls.push(...SHARED.flatMap((p) => SOME.map((v) => `${route.path}?${p}=${encodeURIComponent(v)}`)));
        urls.push(...[...SHARED, ...route.own].flatMap((p) => RAW.map((raw) => `${route.path}?${p}=${raw}`)));
        const answers = await fetchAll(urls);
        assertStatuses(answers, [200, 400]);
        for (const a of answers.filter((x) => x.status === 400)) {
          const body = JSON.parse(a.body) as { code?: string; details?: { field: string }[] };
          assert.equal(body.code, 'QUERY_PARAM_INVALID', a.url);
          const param = /\?([^=]+)=/.exec(a.url)?.[1];
          assert.ok(body.details?.some((d) => d.field === param), `${a.url}: ${a.body}`);
        }
      });
    }

    // 414: fastify's router refuses path parameters over routerOptions.maxParamLength (500).
    test('answers 200, 400, 404 or 414 for hostile path values', async () => {
      const values = [...HOSTILE.filter((v) => v !== ''), ...SOME].map(encodeURIComponent);
      const answers = await fetchAll([...values.map((v) => `/api/records/${v}`), ...values.map((v) => `/api/machines/${v}/records`)]);
      assertStatuses(answers, [200, 400, 404, 414]);
    });

    test('runs regex bombs on a 100 kB payload without a 5xx', async () => {
      const bombs = ['(a+)+$', '(a|aa)+$', '(a*)*b', '^(a|a?)+$', '(.*){1,32000}[bc]'];
      const answers = await fetchAll(bombs.flatMap((b) => [`/api/records?payload=${encodeURIComponent(b)}`, `/api/records?not_payload=${encodeURIComponent(b)}`]));
      assertStatuses(answers, [200, 400]);
    });

    test('leaves the records table intact', async () => {
      const count = await server.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM records');
      assert.equal(count.rows[0]?.n, 4);
    });
  });
}
