import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { databaseTargets } from '../../helpers/database.ts';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { insertGeneratedRecords } from '../seed-records.ts';

const TOTAL = 10_000;

for (const target of databaseTargets()) {
  describe(`GET /api/records paging with before_id (${target.name})`, () => {
    let server: TestServer;
    let allIds: number[];
    before(async () => {
      server = await startTestServer(target);
      await insertGeneratedRecords(server.db.pool, TOTAL);
      const result = await server.db.pool.query<{ id: number }>('SELECT id::float8 AS id FROM records ORDER BY id DESC');
      allIds = result.rows.map((r) => r.id);
    });
    after(() => server.close());

    /** Follows the Link headers from `first` to the end; returns every id seen, in order. */
    async function walk(first: string): Promise<{ ids: number[]; pages: number }> {
      const ids: number[] = [];
      let url: string | undefined = first;
      let pages = 0;
      while (url) {
        const res: { statusCode: number; json: () => { records: { id: number }[] }; headers: Record<string, unknown> } = await server.inject({ url });
        assert.equal(res.statusCode, 200);
        ids.push(...res.json().records.map((r) => r.id));
        pages++;
        const link = res.headers.link;
        url = typeof link === 'string' ? /^<([^>]+)>; rel="next"$/.exec(link)?.[1] : undefined;
        assert.ok(pages <= TOTAL + 1, 'paging does not end');
      }
      return { ids, pages };
    }

    test(`walks ${TOTAL} records in pages of 1000 without gaps or repeats`, async () => {
      const { ids, pages } = await walk('/api/records?limit=1000');
      assert.equal(ids.length, TOTAL);
      assert.equal(new Set(ids).size, TOTAL);
      assert.deepEqual(ids, allIds);
      assert.equal(pages, 11); // ten full pages, then an empty one ends the walk
    });

    test('walks a filtered set in pages of an uneven size', async () => {
      const expected = (await server.db.pool.query<{ id: number }>("SELECT id::float8 AS id FROM records WHERE classification LIKE 'org.clearlinux/crash/%' AND external ORDER BY id DESC")).rows.map((r) => r.id);
      const { ids } = await walk('/api/records?limit=333&classification=org.clearlinux/crash/*&data_source=external');
      assert.ok(expected.length > 1000);
      assert.deepEqual(ids, expected);
    });
  });
}
