import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { databaseTargets } from '../../helpers/database.ts';
import { ADMIN_TOKEN_HEADERS, startTestServer, type TestServer } from '../../helpers/server.ts';
import { insertGeneratedRecords, insertSeedRecords } from '../seed-records.ts';

const TOTAL = 100_000;

/** An RFC 4180 parser (CRLF or LF line ends, quoted fields with doubled quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
      if (c === '\r') i++;
      row.push(field);
      rows.push(row);
      (row = []), (field = '');
    } else field += c;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

interface DbRow {
  [column: string]: string;
}

// Every column as PostgreSQL prints it: the expectation does not come from our code.
const EXPECTED_COLUMNS = `r.id::text AS id, to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS received_at,
  timestamp_client::text, external::text, severity::text, classification, build, machine_id, host_type, architecture,
  kernel_version, system_name, board_name, bios_version, cpu_model, event_id, record_version::text, payload_version::text, payload`;

for (const target of databaseTargets()) {
  describe(`GET /api/export/records.csv and .jsonl with ${TOTAL} records (${target.name})`, () => {
    let server: TestServer;
    let expected: DbRow[];
    before(async () => {
      server = await startTestServer(target);
      await insertGeneratedRecords(server.db.pool, TOTAL);
      expected = (await server.db.pool.query<DbRow>(`SELECT ${EXPECTED_COLUMNS} FROM records r ORDER BY r.id DESC`)).rows;
    });
    after(() => server.close());

    test('streams every record as RFC 4180 CSV, newest first, each row equal to the database', async () => {
      const res = await fetch(`${server.baseUrl}/api/export/records.csv`, { headers: ADMIN_TOKEN_HEADERS });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'text/csv; charset=utf-8');
      assert.match(res.headers.get('content-disposition') ?? '', /^attachment; filename="records-\d{8}T\d{6}Z\.csv"$/);
      assert.equal(res.headers.get('transfer-encoding'), 'chunked');
      const rows = parseCsv(await res.text());
      const header = rows.shift();
      assert.deepEqual(header, Object.keys(expected[0] ?? {}));
      assert.equal(rows.length, TOTAL);
      for (let i = 0; i < TOTAL; i++) {
        const want = Object.values(expected[i] ?? {});
        if (rows[i]?.join('\u0001') !== want.join('\u0001')) assert.deepEqual(rows[i], want, `row ${i}`);
      }
    });

    test('streams every record as JSON Lines in the /api/records shape', async () => {
      const res = await fetch(`${server.baseUrl}/api/export/records.jsonl`, { headers: ADMIN_TOKEN_HEADERS });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'application/x-ndjson; charset=utf-8');
      const lines = (await res.text()).split('\n');
      assert.equal(lines.pop(), '');
      assert.equal(lines.length, TOTAL);
      for (let i = 0; i < TOTAL; i++) {
        const got = JSON.parse(lines[i] ?? '') as Record<string, unknown>;
        const want = expected[i] as DbRow;
        const same = got.id === Number(want.id) && got.payload === want.payload && got.build === want.build && got.bios_version === want.bios_version
          && got.external === (want.external === 'true') && got.machine_id === want.machine_id && got.classification === want.classification;
        assert.ok(same, `line ${i}: ${lines[i]}`);
      }
      const { records: [first] } = (await (await fetch(`${server.baseUrl}/api/records?limit=1`, { headers: ADMIN_TOKEN_HEADERS })).json()) as { records: unknown[] };
      assert.deepEqual(JSON.parse(lines[0] ?? ''), first);
    });

    test('keeps serving after a client abandons an export midway', async () => {
      const controller = new AbortController();
      const res = await fetch(`${server.baseUrl}/api/export/records.jsonl`, { signal: controller.signal, headers: ADMIN_TOKEN_HEADERS });
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      const first = await reader.read();
      assert.ok((first.value?.length ?? 0) > 0);
      controller.abort();
      await reader.read().catch(() => undefined);
      const next = await fetch(`${server.baseUrl}/api/records?limit=1`, { headers: ADMIN_TOKEN_HEADERS });
      assert.equal(next.status, 200);
    });

    test('exports only the filtered records', async () => {
      const res = await fetch(`${server.baseUrl}/api/export/records.csv?severity=2&classification=org.clearlinux/crash/*`, { headers: ADMIN_TOKEN_HEADERS });
      const rows = parseCsv(await res.text()).slice(1);
      const want = expected.filter((r) => r.severity === '2' && r.classification?.startsWith('org.clearlinux/crash/'));
      assert.ok(want.length > 1000);
      assert.deepEqual(rows.map((r) => r[0]), want.map((r) => r.id));
    });
  });

  describe(`GET /api/export/records.csv format=reference and errors (${target.name})`, () => {
    let server: TestServer;
    let ids: number[];
    before(async () => {
      server = await startTestServer(target);
      ids = await insertSeedRecords(server.db.pool, [
        { severity: 1, build: '100', machineId: 'm1', external: true, payload: 'say "hi"\nback\\slash\té ✓ 😀\x7f' },
        { severity: 3, build: '200', machineId: 'm2', receivedAt: new Date(Date.now() - 45 * 86_400_000), payload: 'old, "quoted"' },
      ]);
    });
    after(() => server.close());

    test('writes the reference header and escaping, with no default window', async () => {
      const res = await server.inject({ url: '/api/export/records.csv?format=reference' });
      assert.equal(res.statusCode, 200);
      const epochs = (await server.db.pool.query<{ e: string }>('SELECT trim_scale(extract(epoch FROM received_at)::numeric(20,6))::text AS e FROM records ORDER BY id DESC')).rows.map((r) => r.e);
      assert.equal(
        res.body,
        'id,external,server_timestamp,severity,classification,build,machine_id,payload\n' +
          `"${ids[1]}","False","${epochs[0]}","3","org.clearlinux/hello/world","200","m2","old, ""quoted"""\n` +
          `"${ids[0]}","True","${epochs[1]}","1","org.clearlinux/hello/world","100","m1","say ""hi""\\nback\\\\slash\\t\\xe9 \\u2713 \\U0001f600\\x7f"\n`,
      );
    });

    test('answers 400 naming format for an unknown format', async () => {
      const res = await server.inject({ url: '/api/export/records.csv?format=excel' });
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().details[0].field, 'format');
    });

    test('answers 400 before streaming when a filter is invalid', async () => {
      for (const url of ['/api/export/records.csv?payload=(', '/api/export/records.jsonl?severity=9']) {
        const res = await server.inject({ url });
        assert.equal(res.statusCode, 400, url);
        assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
        assert.equal(res.headers['content-disposition'], undefined);
      }
    });

    test('answers only the header for an empty result', async () => {
      const res = await server.inject({ url: '/api/export/records.csv?machine_id=nobody' });
      assert.equal(res.body.split('\r\n').length, 2);
      const jsonl = await server.inject({ url: '/api/export/records.jsonl?machine_id=nobody' });
      assert.equal(jsonl.body, '');
    });
  });
}
