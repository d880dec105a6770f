// The reference test suite's header fixtures (reference §14.1), as the header maps a
// client would send, spelled as the reference tests spell them (a mix of `_` and `-`).

import type { TelemetryRecord } from '../../src/protocol/record.ts';

export const DEFAULT_TID = '6907c830-eed9-4ce9-81ae-76daf8d88f0f';

export type Headers = Record<string, string>;

export function buildRecordV1(): Headers {
  return {
    arch: 'x86_64',
    build: '550',
    creation_timestamp: '1483232401',
    classification: 'a/b/c',
    host_type: 'LenovoT20',
    kernel_version: '3.16.4-123.generic',
    machine_id: '1234',
    severity: '2',
    record_format_version: '1',
  };
}

export function buildRecordV2(): Headers {
  return {
    ...buildRecordV1(),
    record_format_version: '2',
    'X-Telemetry-Tid': DEFAULT_TID,
    'System-Name': 'clear-linux-os',
    'Payload-Format-Version': '1',
  };
}

export function buildRecordV3(): Headers {
  return {
    ...buildRecordV2(),
    record_format_version: '3',
    'Board-Name': 'D54250WYK|Intel Corporation',
    'Cpu-Model': 'Intel(R) Core(TM) i5-4250U CPU @ 1.30GHz',
    'Bios-Version': 'WYLPT10H.86A.0041.2015.0720.1108',
  };
}

export function buildRecordV4(): Headers {
  return { ...buildRecordV3(), record_format_version: '4', 'Event-Id': '39cc109a1079df96376693ebc7a0f632' };
}

export function buildRecordUnderscoreNames(): Headers {
  return {
    'X-Telemetry-Tid': DEFAULT_TID,
    record_format_version: '2',
    severity: '1',
    classification: 'org.clearlinux/hello/world',
    machine_id: 'clr-linux-avj01',
    creation_timestamp: '1505235249',
    arch: 'x86_64',
    host_type: 'blank|blank|blank',
    kernel_version: '4.12.5-374.native',
    system_name: 'clear-linux-os',
    build: '17700',
    payload_format_version: '1',
    board_name: 'D54250WYK|Intel Corporation',
    cpu_model: 'Intel(R) Core(TM) i5-4250U CPU @ 1.30GHz',
    bios_version: 'WYLPT10H.86A.0041.2015.0720.1108',
  };
}

/** A copy of `headers` without `name`. */
export function withoutHeader(headers: Headers, name: string): Headers {
  const copy = { ...headers };
  delete copy[name];
  return copy;
}

/** The record of the format A capture (wire-protocol §3.1) as validated and stored. */
export const FORMAT_A_CAPTURE_RECORD: TelemetryRecord = {
  machineId: '1ae3c7427824c00c97bcbcfd91c2a4e2',
  hostType: 'no_sv_file|no_pn_file|no_pvr_file',
  severity: 3,
  classification: 'org.example/acceptance/wire',
  build: '12',
  architecture: 'x86_64',
  kernelVersion: '6.18.44-fc-v669',
  recordVersion: 4,
  timestampClient: 1795804383,
  payloadVersion: 1,
  systemName: 'debian',
  boardName: 'no_bn_file|no_bv_file',
  biosVersion: 'no_bv_file',
  cpuModel: 'AMD EPYC',
  eventId: '0123456789abcdef0123456789abcdef',
  external: false,
  payload: 'line one\nline "two"\n',
};

/** The same record from the format B capture (wire-protocol §4.1): another machine, cpu_model cut at its space. */
export const FORMAT_B_CAPTURE_RECORD: TelemetryRecord = {
  ...FORMAT_A_CAPTURE_RECORD,
  machineId: 'dd8f72bae8f7d240fc580766a1852393',
  timestampClient: 1795804380,
  cpuModel: 'AMD',
};

