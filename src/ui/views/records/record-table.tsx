// The records table (reference §8.1 columns): source, machine id, age, severity,
// classification, OS, payload, and a button opening the details panel.

import type { ApiRecord } from '../../api-client.ts';
import { formatLocalDateTime, formatTimeSince, parseApiTimestamp, severityLabel, shortClassification, truncate } from '../../format.ts';

export function RecordTable({ records, fresh, onOpen, compact = false }: { records: ApiRecord[]; fresh?: ReadonlySet<number>; onOpen?: (id: number) => void; compact?: boolean }) {
  const now = Date.now() / 1000;
  return (
    <div class="table-scroll">
      <table class="records-table">
        <thead>
          <tr>
            <th scope="col">Source</th>
            <th scope="col">Machine ID</th>
            <th scope="col">Age</th>
            <th scope="col">Severity</th>
            <th scope="col">Classification</th>
            {compact ? null : <th scope="col">OS</th>}
            <th scope="col">Payload</th>
            {onOpen ? (
              <th scope="col">
                <span class="visually-hidden">Details</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {records.map((r) => {
            const received = parseApiTimestamp(r.ts_reception);
            const severity = severityLabel(r.severity);
            return (
              <tr key={r.id} data-record-id={r.id} class={fresh?.has(r.id) ? 'row-new' : undefined}>
                <td class={r.external ? 'source-external' : 'source-internal'}>{r.external ? 'external' : 'internal'}</td>
                <td title={r.machine_id}>
                  <code>{truncate(r.machine_id, 12)}</code>
                </td>
                <td title={formatLocalDateTime(received)}>{formatTimeSince(received, now)}</td>
                <td>
                  <span class={`badge badge-${severity.tone}`}>{severity.text}</span>
                </td>
                <td title={r.classification}>{shortClassification(r.classification)}</td>
                {compact ? null : <td>{r.system_name}</td>}
                <td class="payload-cell" title={truncate(r.payload, 300)}>
                  {truncate(r.payload.replace(/\s+/g, ' ').trim(), compact ? 40 : 60)}
                </td>
                {onOpen ? (
                  <td>
                    <button type="button" class="icon-button" onClick={() => onOpen(r.id)} aria-label={`Details of record ${r.id}`}>
                      …
                    </button>
                  </td>
                ) : null}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
