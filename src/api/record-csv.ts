// Record rows as CSV text: RFC 4180 with every field (the default), or the reference's
// export format (reference §8.2): its header, Python str() values, every value quoted,
// then the whole row escaped like Python's `unicode-escape` codec. Pure.

import type { RecordRow } from '../db/queries/records-query.ts';

export const RFC4180_HEADER = [
  'id', 'received_at', 'timestamp_client', 'external', 'severity', 'classification', 'build', 'machine_id', 'host_type',
  'architecture', 'kernel_version', 'system_name', 'board_name', 'bios_version', 'cpu_model', 'event_id', 'record_version',
  'payload_version', 'payload',
].join(',');

export const REFERENCE_CSV_HEADER = 'id,external,server_timestamp,severity,classification,build,machine_id,payload';

/** One RFC 4180 line (CRLF-terminated). */
export function formatRfc4180Row(r: RecordRow): string {
  const fields = [
    String(r.id), isoFromEpochText(r.receivedEpoch), String(r.timestampClient), String(r.external), String(r.severity),
    q(r.classification), q(r.build), q(r.machineId), q(r.hostType), q(r.architecture), q(r.kernelVersion), q(r.systemName),
    q(r.boardName), q(r.biosVersion), q(r.cpuModel), q(r.eventId), String(r.recordVersion), String(r.payloadVersion), q(r.payload),
  ];
  return `${fields.join(',')}\r\n`;
}

/** One line of the reference export (LF-terminated). */
export function formatReferenceRow(r: RecordRow): string {
  const values = [String(r.id), r.external ? 'True' : 'False', r.receivedEpoch, String(r.severity), r.classification, r.build, r.machineId, r.payload];
  const row = values.map((v) => `"${v.replaceAll('"', '""')}"`).join(',');
  return `${escapeLikePythonUnicodeEscape(row)}\n`;
}

function q(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Python's `str.encode('unicode-escape')`, decoded as ASCII. */
export function escapeLikePythonUnicodeEscape(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (code >= 0x20 && code < 0x7f) out += ch === '\\' ? '\\\\' : ch;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (code < 0x100) out += `\\x${hex(code, 2)}`;
    else if (code < 0x10000) out += `\\u${hex(code, 4)}`;
    else out += `\\U${hex(code, 8)}`;
  }
  return out;
}

function hex(code: number, width: number): string {
  return code.toString(16).padStart(width, '0');
}

/** `1583452345.1234` → `2020-03-05T23:52:25.123400Z`, keeping the microseconds a Date would drop. */
export function isoFromEpochText(epoch: string): string {
  const [whole = '0', fraction = ''] = epoch.split('.');
  const seconds = Number(whole);
  return `${new Date(seconds * 1000).toISOString().slice(0, 19)}.${fraction.padEnd(6, '0').slice(0, 6)}Z`;
}
