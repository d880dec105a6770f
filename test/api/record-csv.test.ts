import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RecordRow } from '../../src/db/queries/records-query.ts';
import { escapeLikePythonUnicodeEscape, formatReferenceRow, formatRfc4180Row, isoFromEpochText } from '../../src/api/record-csv.ts';

function row(overrides: Partial<RecordRow> = {}): RecordRow {
  return {
    id: 7, receivedAt: new Date(1583452345123), receivedEpoch: '1583452345.123456', machineId: 'm1', hostType: 'h', severity: 2,
    classification: 'a/b/c', build: '100', architecture: 'x86_64', kernelVersion: '5.0', recordVersion: 4, timestampClient: 1583452000,
    payloadVersion: 1, systemName: 'clear-linux-os', boardName: 'b', biosVersion: 'bi', cpuModel: 'c', eventId: 'e', external: true,
    payload: 'p', ...overrides,
  };
}

describe('escapeLikePythonUnicodeEscape', () => {
  test("matches Python's str.encode('unicode-escape') for controls, backslashes and non-ASCII", () => {
    // expected output produced by CPython 3.11
    const input = '"1","True","x","a\\b\n\r\t\x01\x7f\xe9\u2713\u{1f600} \'q\'"';
    assert.equal(escapeLikePythonUnicodeEscape(input), '"1","True","x","a\\\\b\\n\\r\\t\\x01\\x7f\\xe9\\u2713\\U0001f600 \'q\'"');
  });
});

describe('formatReferenceRow', () => {
  test('quotes every value, doubles quotes, writes Python booleans and the raw epoch, escapes the whole row', () => {
    const line = formatReferenceRow(row({ payload: 'say "hi"\nnext', external: false }));
    assert.equal(line, '"7","False","1583452345.123456","2","a/b/c","100","m1","say ""hi""\\nnext"\n');
  });
});

describe('formatRfc4180Row', () => {
  test('quotes only fields with commas, quotes or line breaks and ends with CRLF', () => {
    const line = formatRfc4180Row(row({ payload: 'a,"b"\r\nc', boardName: 'plain' }));
    assert.equal(line, '7,2020-03-05T23:52:25.123456Z,1583452000,true,2,a/b/c,100,m1,h,x86_64,5.0,clear-linux-os,plain,bi,c,e,4,1,"a,""b""\r\nc"\r\n');
  });
});

describe('isoFromEpochText', () => {
  test('keeps microseconds and pads short fractions', () => {
    assert.equal(isoFromEpochText('1583452345.1234'), '2020-03-05T23:52:25.123400Z');
    assert.equal(isoFromEpochText('1583452345'), '2020-03-05T23:52:25.000000Z');
  });
});
