// The content hash that recognises a client's retry: every stored field and the
// payload (not the TID, which comes from the sending daemon's current config).

import { hash } from 'node:crypto';
import type { TelemetryRecord } from '../protocol/record.ts';

const SEPARATOR = '\u0000'; // never inside a field: validation rejects NUL bytes

export function computeFingerprint(r: TelemetryRecord): Buffer {
  const text = [
    r.recordVersion, r.classification, r.severity, r.machineId, r.timestampClient, r.architecture, r.hostType,
    r.build, r.kernelVersion, r.payloadVersion, r.systemName, r.boardName, r.cpuModel, r.biosVersion, r.eventId,
    r.external, r.payload,
  ].join(SEPARATOR);
  // The one-shot hash: no Hash object per record.
  return hash('sha256', text, 'buffer');
}
