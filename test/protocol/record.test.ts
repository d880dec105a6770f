import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { normaliseHeaderName } from '../../src/protocol/headers.ts';
import { EXTERNAL_FIELD_KEY, RECORD_FIELD_KEYS, TID_FIELD_KEY } from '../../src/protocol/record.ts';

describe('RECORD_FIELD_KEYS', () => {
  test('lists the 15 fields of wire-protocol §5 in their order, normalised', () => {
    const wireNames = [
      'record_format_version', 'classification', 'severity', 'machine_id', 'creation_timestamp', 'arch',
      'host_type', 'build', 'kernel_version', 'payload_format_version', 'system_name', 'board_name',
      'cpu_model', 'bios_version', 'event_id',
    ];
    assert.deepEqual([...RECORD_FIELD_KEYS], wireNames.map(normaliseHeaderName));
  });

  test('names the TID and external keys as their normalised headers', () => {
    assert.equal(TID_FIELD_KEY, normaliseHeaderName('X-Telemetry-TID'));
    assert.equal(EXTERNAL_FIELD_KEY, normaliseHeaderName('X-CLR-External'));
  });
});
