import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { decodeFormatA } from '../../src/protocol/format-a.ts';
import type { FieldKey, RawFields } from '../../src/protocol/record.ts';
import {
  VALIDATION_MESSAGES as M,
  VALID_ARCHITECTURES,
  validateRecord,
  type ValidationOptions,
  type ValidationResult,
} from '../../src/protocol/rules.ts';
import {
  DEFAULT_TID,
  FORMAT_A_CAPTURE_RECORD,
  buildRecordUnderscoreNames,
  buildRecordV1,
  buildRecordV2,
  buildRecordV3,
  buildRecordV4,
  withoutHeader,
  type Headers,
} from './reference-records.ts';

const OPTIONS: ValidationOptions = { acceptedTids: [DEFAULT_TID] };

/** A valid version-4 record in canonical keys, like the client of wire-protocol §3.1 sends. */
function buildFields(overrides: { [K in FieldKey]?: string | undefined } = {}): RawFields {
  const fields: { [K in FieldKey]?: string | undefined } = {
    'record-format-version': '4',
    classification: 'org.example/acceptance/wire',
    severity: '3',
    'machine-id': '1ae3c7427824c00c97bcbcfd91c2a4e2',
    'creation-timestamp': '1795804383',
    arch: 'x86_64',
    'host-type': 'no_sv_file|no_pn_file|no_pvr_file',
    build: '"12"',
    'kernel-version': '6.18.44-fc-v669',
    'payload-format-version': '1',
    'system-name': 'debian',
    'board-name': 'no_bn_file|no_bv_file',
    'cpu-model': 'AMD EPYC',
    'bios-version': 'no_bv_file',
    'event-id': '0123456789abcdef0123456789abcdef',
    'x-telemetry-tid': DEFAULT_TID,
    payload: 'line one\nline "two"\n',
    ...overrides,
  };
  for (const key of Object.keys(fields) as FieldKey[]) if (fields[key] === undefined) delete fields[key];
  return fields;
}

function validate(overrides: Parameters<typeof buildFields>[0] = {}, options = OPTIONS): ValidationResult {
  return validateRecord(buildFields(overrides), options);
}

function validateHeaders(headers: Headers, body = 'test', options = OPTIONS): ValidationResult {
  return validateRecord(decodeFormatA(headers, Buffer.from(body)), options);
}

function assertRejected(result: ValidationResult, message: string, code = 'INGEST_FIELD_INVALID'): void {
  assert.equal(result.ok, false, `expected a rejection with ${JSON.stringify(message)}`);
  if (result.ok) return;
  assert.equal(result.message, message);
  assert.equal(result.code, code);
}

function assertAccepted(result: ValidationResult): Extract<ValidationResult, { ok: true }>['value'] {
  if (!result.ok) assert.fail(`expected acceptance, got ${result.code}: ${result.message}`);
  return result.value;
}

describe('validateRecord: a whole record', () => {
  test('stores every field of the wire-protocol §3.1 record with quotes removed from build', () => {
    assert.deepEqual(assertAccepted(validate()), FORMAT_A_CAPTURE_RECORD);
  });

  test('reports the failing field by its canonical header name', () => {
    const result = validate({ 'kernel-version': '5.4' });
    assert.equal(result.ok, false);
    if (!result.ok) assert.equal(result.field, 'Kernel-Version');
  });
});

describe('validateRecord: order of the checks (reference §4.4)', () => {
  // Each mutation breaks one step; applied together from step i onwards, step i must win.
  const steps: readonly [string, Parameters<typeof buildFields>[0], string][] = [
    ['1 TID', { 'x-telemetry-tid': 'other' }, M.tidMismatch],
    ['2 version', { 'record-format-version': '5' }, M.recordFormatVersionInvalid],
    ['4 severity', { severity: '5' }, M.severityInvalid],
    ['5 classification', { classification: 'a/b' }, M.classificationInvalid],
    ['6 machine id', { 'machine-id': 'x'.repeat(33) }, M.machineIdInvalid],
    ['7 timestamp', { 'creation-timestamp': '-1' }, M.timestampInvalid],
    ['9 arch', { arch: 'X86_64' }, M.architectureInvalid],
    ['10 host type', { 'host-type': 'h'.repeat(250) }, M.hostTypeInvalid],
    ['11 kernel', { 'kernel-version': '5.4' }, M.kernelVersionInvalid],
    ['12 board', { 'board-name': 'é' }, M.boardNameInvalid],
    ['12 cpu', { 'cpu-model': 'c'.repeat(200) }, M.cpuModelInvalid],
    ['12 bios', { 'bios-version': '\u0001' }, M.biosVersionInvalid],
    ['13 event id', { 'event-id': '0123456789ABCDEF0123456789ABCDEF' }, M.eventIdInvalid],
    ['15 build', { build: 'a b' }, M.buildInvalid],
    ['16 payload format version', { 'payload-format-version': '2147483647' }, M.payloadFormatVersionOutOfRange],
    ['NUL', { payload: 'a\u0000b' }, M.payloadNulByte],
  ];
  for (const [index, [name, , message]] of steps.entries()) {
    test(`answers the step ${name} message when it and every later step fail`, () => {
      const overrides = Object.assign({}, ...steps.slice(index).map(([, mutation]) => mutation));
      assertRejected(validate(overrides), message, index === 0 ? 'INGEST_TID_MISMATCH' : 'INGEST_FIELD_INVALID');
    });
  }

  test('checks required headers (step 3) after the version and before severity', () => {
    assertRejected(
      validate({ 'record-format-version': '4', 'event-id': undefined, severity: '9' }),
      'Record-Format-Version headers are invalid, Event-Id missing',
    );
    assertRejected(validate({ 'record-format-version': 'x', 'event-id': undefined }), M.recordFormatVersionInvalid);
  });

  test('checks NUL bytes in fields before the payload', () => {
    assertRejected(validate({ 'host-type': 'a\u0000', payload: '\u0000' }), 'Host-Type contains a NUL byte');
  });
});

describe('validateRecord: step 1, the TID', () => {
  test('answers INGEST_TID_MISMATCH when the TID is missing or different', () => {
    assertRejected(validate({ 'x-telemetry-tid': undefined }), M.tidMismatch, 'INGEST_TID_MISMATCH');
    assertRejected(validate({ 'x-telemetry-tid': `${DEFAULT_TID} ` }), M.tidMismatch, 'INGEST_TID_MISMATCH');
    assertRejected(validate({}, { acceptedTids: [] }), M.tidMismatch, 'INGEST_TID_MISMATCH');
  });

  test('accepts any TID of the accepted list', () => {
    assertAccepted(validate({ 'x-telemetry-tid': 'fleet-b' }, { acceptedTids: ['fleet-a', 'fleet-b'] }));
  });

  test('skips the TID check when acceptedTids is any', () => {
    assertAccepted(validate({ 'x-telemetry-tid': 'whatever' }, { acceptedTids: 'any' }));
  });

  test('still requires the TID header of a version-2 record when acceptedTids is any', () => {
    assertRejected(
      validateHeaders(withoutHeader(buildRecordV2(), 'X-Telemetry-Tid'), 'test', { acceptedTids: 'any' }),
      'Record-Format-Version headers are invalid, X-Telemetry-Tid missing',
    );
  });
});

describe('validateRecord: step 2, Record-Format-Version', () => {
  for (const value of [undefined, '', '0', '5', '40', 'a', ' 4', '4 ', '+4', '4.0', '-1', '\u00b2', '٤']) {
    test(`answers Record-Format-Version is invalid when it is ${JSON.stringify(value)}`, () => {
      assertRejected(validate({ 'record-format-version': value }), M.recordFormatVersionInvalid);
    });
  }

  test('issue §15.6: checks the version-4 required headers when the version is 04', () => {
    assertRejected(
      validate({ 'record-format-version': '04', 'event-id': undefined }),
      'Record-Format-Version headers are invalid, Event-Id missing',
    );
  });

  test('issue §15.6: stores a 04 record as version 4 with its v3 and v4 fields', () => {
    const record = assertAccepted(validate({ 'record-format-version': '04' }));
    assert.equal(record.recordVersion, 4);
    assert.equal(record.eventId, '0123456789abcdef0123456789abcdef');
    assert.equal(record.cpuModel, 'AMD EPYC');
  });
});

describe('validateRecord: step 3, required headers', () => {
  test('names the first missing header in the reference list order', () => {
    const fields: RawFields = { 'x-telemetry-tid': DEFAULT_TID, 'record-format-version': '1' };
    assertRejected(validateRecord(fields, OPTIONS), 'Record-Format-Version headers are invalid, Arch missing');
    assertRejected(
      validateRecord({ ...fields, arch: 'x86_64' }, OPTIONS),
      'Record-Format-Version headers are invalid, Build missing',
    );
  });

  test('uses the version 2, 3 and 4 lists in their order', () => {
    assertRejected(
      validate({ 'record-format-version': '2', 'payload-format-version': undefined, 'system-name': undefined }),
      'Record-Format-Version headers are invalid, Payload-Format-Version missing',
    );
    assertRejected(
      validate({ 'board-name': undefined, 'bios-version': undefined, 'cpu-model': undefined }),
      'Record-Format-Version headers are invalid, Board-Name missing',
    );
    assertRejected(
      validate({ 'bios-version': undefined, 'cpu-model': undefined }),
      'Record-Format-Version headers are invalid, Bios-Version missing',
    );
  });

  test('accepts present but empty values (presence only)', () => {
    const record = assertAccepted(validate({ 'machine-id': '', 'host-type': '', 'system-name': '' }));
    assert.equal(record.machineId, '');
    assert.equal(record.hostType, '');
    assert.equal(record.systemName, '');
  });
});

describe('validateRecord: reference fixtures (reference §14.1-14.4)', () => {
  test('accepts the v2 fixture with body hello and stores the echoed fields', () => {
    const record = assertAccepted(validateHeaders(buildRecordV2(), 'hello'));
    assert.equal(record.classification, 'a/b/c');
    assert.equal(record.severity, 2);
    assert.equal(record.kernelVersion, '3.16.4-123.generic');
    assert.equal(record.recordVersion, 2);
    assert.equal(record.machineId, '1234');
    assert.equal(record.hostType, 'LenovoT20');
    assert.equal(record.architecture, 'x86_64');
    assert.equal(record.build, '550');
    assert.equal(record.payload, 'hello');
    assert.equal(record.systemName, 'clear-linux-os');
    assert.equal(record.boardName, 'N/A');
    assert.equal(record.eventId, 'N/A');
  });

  const v2Missing: readonly [string, string][] = [
    ['severity', 'Record-Format-Version headers are invalid, Severity missing'],
    ['kernel_version', 'Record-Format-Version headers are invalid, Kernel-Version missing'],
    ['host_type', 'Record-Format-Version headers are invalid, Host-Type missing'],
    ['machine_id', 'Record-Format-Version headers are invalid, Machine-Id missing'],
    ['arch', 'Record-Format-Version headers are invalid, Arch missing'],
    ['build', 'Record-Format-Version headers are invalid, Build missing'],
    ['record_format_version', M.recordFormatVersionInvalid],
  ];
  for (const [header, message] of v2Missing) {
    test(`rejects the v2 fixture without ${header}`, () => {
      assertRejected(validateHeaders(withoutHeader(buildRecordV2(), header)), message);
    });
  }

  test('accepts the full v3 fixture with its v3 fields', () => {
    const record = assertAccepted(validateHeaders(buildRecordV3()));
    assert.equal(record.recordVersion, 3);
    assert.equal(record.boardName, 'D54250WYK|Intel Corporation');
    assert.equal(record.cpuModel, 'Intel(R) Core(TM) i5-4250U CPU @ 1.30GHz');
    assert.equal(record.biosVersion, 'WYLPT10H.86A.0041.2015.0720.1108');
    assert.equal(record.eventId, 'N/A');
  });

  test('rejects v2 headers labelled version 3', () => {
    assertRejected(
      validateHeaders({ ...buildRecordV2(), record_format_version: '3' }),
      'Record-Format-Version headers are invalid, Board-Name missing',
    );
  });

  for (const header of ['Cpu-Model', 'Board-Name', 'Bios-Version']) {
    test(`rejects the v3 fixture without ${header}`, () => {
      assertRejected(
        validateHeaders(withoutHeader(buildRecordV3(), header)),
        `Record-Format-Version headers are invalid, ${header} missing`,
      );
    });
  }

  test('accepts the full v4 fixture with its event id', () => {
    const record = assertAccepted(validateHeaders(buildRecordV4()));
    assert.equal(record.recordVersion, 4);
    assert.equal(record.eventId, '39cc109a1079df96376693ebc7a0f632');
  });

  test('rejects the v4 fixture without Event-Id', () => {
    assertRejected(
      validateHeaders(withoutHeader(buildRecordV4(), 'Event-Id')),
      'Record-Format-Version headers are invalid, Event-Id missing',
    );
  });

  test('accepts the underscore-names fixture with body test', () => {
    const record = assertAccepted(validateHeaders(buildRecordUnderscoreNames()));
    assert.equal(record.severity, 1);
    assert.equal(record.build, '17700');
    assert.equal(record.machineId, 'clr-linux-avj01');
    assert.equal(record.payload, 'test');
  });

  test('accepts the v3 fixture when the kernel version is 3.16.generic', () => {
    assert.equal(assertAccepted(validateHeaders({ ...buildRecordV3(), kernel_version: '3.16.generic' })).kernelVersion, '3.16.generic');
  });

  test('rejects the v1 fixture, which has no TID, like the reference', () => {
    assertRejected(validateHeaders(buildRecordV1()), M.tidMismatch, 'INGEST_TID_MISMATCH');
  });

  test('issue §15.5: stores a v1 record without System-Name as N/A with payload version 1', () => {
    const record = assertAccepted(validateHeaders(buildRecordV1(), 'test', { acceptedTids: 'any' }));
    assert.equal(record.recordVersion, 1);
    assert.equal(record.systemName, 'N/A');
    assert.equal(record.payloadVersion, 1);
    assert.equal(record.build, '550');
    assert.equal(record.boardName, 'N/A');
    assert.equal(record.eventId, 'N/A');
  });
});

describe('validateRecord: steps 4-7', () => {
  for (const value of ['0', '5', '', '1.0', '-1', ' 1', '+1', 'one']) {
    test(`answers severity value is out of range when severity is ${JSON.stringify(value)}`, () => {
      assertRejected(validate({ severity: value }), M.severityInvalid);
    });
  }

  test('accepts severities 1 to 4 and 04', () => {
    for (const [text, value] of [['1', 1], ['4', 4], ['04', 4]] as const) {
      assert.equal(assertAccepted(validate({ severity: text })).severity, value);
    }
  });

  test('answers Classification value is invalid unless there are exactly three parts', () => {
    assertRejected(validate({ classification: 'a/b' }), M.classificationInvalid);
    assertRejected(validate({ classification: 'a/b/c/d' }), M.classificationInvalid);
    assertRejected(validate({ classification: '' }), M.classificationInvalid);
  });

  test('accepts empty levels, spaces and any length in the classification', () => {
    assertAccepted(validate({ classification: '//' }));
    assertAccepted(validate({ classification: 'bad class/with space/ok' }));
    assertAccepted(validate({ classification: `${'x'.repeat(500)}/b/c` }));
  });

  test('answers Machine id value is invalid when the id is longer than 32', () => {
    assertRejected(validate({ 'machine-id': 'f'.repeat(33) }), M.machineIdInvalid);
  });

  test('accepts a machine id of 32 characters counted as code points', () => {
    assertAccepted(validate({ 'machine-id': 'f'.repeat(32) }));
    assertAccepted(validate({ 'machine-id': '\u{1F600}'.repeat(32) }));
    assertAccepted(validate({ 'machine-id': 'static id' }));
  });

  for (const value of ['', '-1', '1.5', '1e9', ' 1795804383', '0x10', '1'.repeat(16)]) {
    test(`answers timestamp is invalid when the timestamp is ${JSON.stringify(value)}`, () => {
      assertRejected(validate({ 'creation-timestamp': value }), M.timestampInvalid);
    });
  }

  test('stores timestamps of up to 15 digits as integers', () => {
    assert.equal(assertAccepted(validate({ 'creation-timestamp': '0' })).timestampClient, 0);
    assert.equal(assertAccepted(validate({ 'creation-timestamp': '9'.repeat(15) })).timestampClient, 999999999999999);
    assert.equal(assertAccepted(validate({ 'creation-timestamp': '0001' })).timestampClient, 1);
  });
});

describe('validateRecord: steps 9-11', () => {
  test('accepts each listed architecture', () => {
    assert.equal(VALID_ARCHITECTURES.length, 10);
    for (const arch of VALID_ARCHITECTURES) assert.equal(assertAccepted(validate({ arch })).architecture, arch);
  });

  for (const arch of ['X86_64', 'arm64', 'riscv64', 'unknown', '', 'x86_64 ']) {
    test(`answers architecture is invalid when arch is ${JSON.stringify(arch)}`, () => {
      assertRejected(validate({ arch }), M.architectureInvalid);
    });
  }

  test('answers host type is invalid from 250 characters and accepts 249', () => {
    assertRejected(validate({ 'host-type': 'h'.repeat(250) }), M.hostTypeInvalid);
    assertAccepted(validate({ 'host-type': 'h'.repeat(249) }));
  });

  for (const kernel of ['4.12.5-374.native', '3.16.generic', '5.4.', '6.18.44-fc-v669', '10.20.30.40']) {
    test(`accepts kernel version ${kernel}`, () => {
      assertAccepted(validate({ 'kernel-version': kernel }));
    });
  }

  for (const kernel of ['5.4', '5.4-rc1', '', 'a.b.c', '.1.2', '5..1', '5.x.1', ' 5.4.1', '5.4 .1']) {
    test(`answers kernel version is invalid when it is ${JSON.stringify(kernel)}`, () => {
      assertRejected(validate({ 'kernel-version': kernel }), M.kernelVersionInvalid);
    });
  }
});

describe('validateRecord: steps 12-13, version-3 and version-4 fields', () => {
  test('accepts v3 fields of 199 printable characters, tabs included', () => {
    assertAccepted(validate({ 'board-name': 'b'.repeat(199), 'cpu-model': 'a\tb', 'bios-version': '~!@#' }));
  });

  test('answers the field message when a v3 field has 200 characters', () => {
    assertRejected(validate({ 'board-name': 'b'.repeat(200) }), M.boardNameInvalid);
    assertRejected(validate({ 'cpu-model': 'c'.repeat(200) }), M.cpuModelInvalid);
    assertRejected(validate({ 'bios-version': 'v'.repeat(200) }), M.biosVersionInvalid);
  });

  test('answers the field message when a v3 field is not printable ASCII', () => {
    assertRejected(validate({ 'board-name': 'caf\u00e9' }), M.boardNameInvalid);
    assertRejected(validate({ 'cpu-model': 'x\u007f' }), M.cpuModelInvalid);
    assertRejected(validate({ 'bios-version': 'a\u0000' }), M.biosVersionInvalid);
  });

  test('checks board name, then cpu model, then BIOS version', () => {
    assertRejected(validate({ 'board-name': 'é', 'cpu-model': 'é', 'bios-version': 'é' }), M.boardNameInvalid);
    assertRejected(validate({ 'cpu-model': 'é', 'bios-version': 'é' }), M.cpuModelInvalid);
  });

  test('stores N/A for v3 fields below version 3 even when a v1.14.0 client sends them', () => {
    const record = assertAccepted(validateHeaders({ ...buildRecordV3(), record_format_version: '2', 'Cpu-Model': 'é' }));
    assert.equal(record.recordVersion, 2);
    assert.deepEqual([record.boardName, record.cpuModel, record.biosVersion, record.eventId], ['N/A', 'N/A', 'N/A', 'N/A']);
  });

  for (const eventId of ['', '0123456789abcdef0123456789abcde', '0123456789abcdef0123456789abcdef0', 'g'.repeat(32), 'A'.repeat(32)]) {
    test(`answers Event id is invalid when it is ${JSON.stringify(eventId)}`, () => {
      assertRejected(validate({ 'event-id': eventId }), M.eventIdInvalid);
    });
  }

  test('stores N/A as event id below version 4', () => {
    assert.equal(assertAccepted(validate({ 'record-format-version': '3', 'event-id': 'bad' })).eventId, 'N/A');
  });
});

describe('validateRecord: steps 14-15, system name and build', () => {
  test('removes double and single quotes from build and system name', () => {
    const record = assertAccepted(validate({ build: `"1'2"`, 'system-name': `"deb'ian"` }));
    assert.equal(record.build, '12');
    assert.equal(record.systemName, 'debian');
  });

  test('requires a digits-only build for clear-linux-os, after removing quotes from both', () => {
    assertAccepted(validate({ 'system-name': '"clear-linux-os"', build: '"31000"' }));
    assertRejected(validate({ 'system-name': 'clear-linux-os', build: '31000.1' }), M.clearLinuxBuildInvalid);
    assertRejected(validate({ 'system-name': 'clear-linux-os', build: '' }), M.clearLinuxBuildInvalid);
  });

  test('accepts letters, digits, dots, dashes and underscores in other builds', () => {
    assert.equal(assertAccepted(validate({ build: '1.2-3_rc.A' })).build, '1.2-3_rc.A');
  });

  for (const build of ['', '""', '12 ', '1/2', 'é', '12\n']) {
    test(`answers Build version has invalid characters when build is ${JSON.stringify(build)}`, () => {
      assertRejected(validate({ build }), M.buildInvalid);
    });
  }
});

describe('validateRecord: step 16, Payload-Format-Version', () => {
  const accepted: readonly [string, number][] = [
    ['1', 1], ['-5', -5], [' 7 ', 7], ['\t+8\n', 8], ['1_0', 10], ['007', 7],
    ['2147483646', 2147483646], ['-2147483648', -2147483648],
  ];
  for (const [text, value] of accepted) {
    test(`stores ${value} when the payload format version is ${JSON.stringify(text)}`, () => {
      assert.equal(assertAccepted(validate({ 'payload-format-version': text })).payloadVersion, value);
    });
  }

  for (const text of ['2147483647', '4294967295', '-2147483649', '9'.repeat(40)]) {
    test(`answers the range message when the payload format version is ${text.slice(0, 12)}`, () => {
      assertRejected(validate({ 'payload-format-version': text }), M.payloadFormatVersionOutOfRange);
    });
  }

  test('answers the Python int() explanation when the value is not an integer', () => {
    assertRejected(
      validate({ 'payload-format-version': 'x' }),
      "Error parsing payload_format_version, invalid literal for int() with base 10: 'x'",
    );
    assertRejected(
      validate({ 'payload-format-version': '' }),
      "Error parsing payload_format_version, invalid literal for int() with base 10: ''",
    );
    assertRejected(
      validate({ 'payload-format-version': '1__0' }),
      "Error parsing payload_format_version, invalid literal for int() with base 10: '1__0'",
    );
  });
});

describe('validateRecord: step 17 and the payload', () => {
  test('sets external only when X-CLR-External is exactly true', () => {
    assert.equal(assertAccepted(validate({ 'x-clr-external': 'true' })).external, true);
    for (const value of ['True', 'TRUE', '1', 'yes', ' true', undefined]) {
      assert.equal(assertAccepted(validate({ 'x-clr-external': value })).external, false);
    }
  });

  test('stores an empty payload when there is none', () => {
    assert.equal(assertAccepted(validate({ payload: undefined })).payload, '');
  });

  test('issue §15.5: answers payload contains a NUL byte instead of failing the insert', () => {
    const result = validate({ payload: 'crash\u0000dump\n' });
    assertRejected(result, M.payloadNulByte);
    if (!result.ok) assert.equal(result.field, 'payload');
  });

  for (const [key, header] of [
    ['classification', 'Classification'],
    ['machine-id', 'Machine-Id'],
    ['host-type', 'Host-Type'],
    ['kernel-version', 'Kernel-Version'],
    ['system-name', 'System-Name'],
  ] as const) {
    test(`answers ${header} contains a NUL byte when the stored ${key} has one`, () => {
      const value = key === 'classification' ? 'a/b/\u0000' : key === 'kernel-version' ? '5.4.\u0000' : 'a\u0000';
      assertRejected(validate({ [key]: value }), `${header} contains a NUL byte`);
    });
  }
});

/** What the records table needs: small integers in range, safe timestamps, no U+0000 in text. */
function assertStorable(record: Extract<ValidationResult, { ok: true }>['value']): void {
  assert.ok(record.severity >= 1 && record.severity <= 4);
  assert.ok(record.recordVersion >= 1 && record.recordVersion <= 4);
  assert.ok(Number.isSafeInteger(record.timestampClient) && record.timestampClient >= 0);
  assert.ok(Number.isInteger(record.payloadVersion));
  assert.ok(record.payloadVersion >= -2147483648 && record.payloadVersion < 2147483647);
  for (const value of Object.values(record)) {
    if (typeof value === 'string') assert.ok(!value.includes('\u0000'), 'a stored text holds U+0000');
  }
}

describe('validateRecord: any input', () => {
  test('never throws and answers ok or a known code for random fields', () => {
    const keys = Object.keys(buildFields()) as FieldKey[];
    const value = fc.oneof(fc.string(), fc.stringMatching(/^[0-9]{1,3}$/), fc.constantFrom('4', '1', '04', DEFAULT_TID, 'x86_64'));
    const arbitrary = fc.record(Object.fromEntries(keys.map((key) => [key, fc.option(value, { nil: undefined })])), {
      requiredKeys: [],
    });
    fc.assert(
      fc.property(arbitrary, fc.boolean(), (fields, anyTid) => {
        const result = validateRecord(fields as RawFields, anyTid ? { acceptedTids: 'any' } : OPTIONS);
        if (result.ok) return assertStorable(result.value);
        assert.ok(['INGEST_TID_MISMATCH', 'INGEST_FIELD_INVALID'].includes(result.code));
        assert.ok(result.message.length > 0);
      }),
      { numRuns: 2000 },
    );
  });

  test('never throws and returns only storable records when one field is random', () => {
    const keys = Object.keys(buildFields()) as FieldKey[];
    fc.assert(
      fc.property(fc.constantFrom(...keys), fc.string({ unit: 'binary' }), (key, value) => {
        const result = validate({ [key]: value });
        if (result.ok) assertStorable(result.value);
        else assert.ok(result.message.length > 0);
      }),
      { numRuns: 2000 },
    );
  });
});
