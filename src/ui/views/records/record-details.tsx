// The record details panel (reference §8.1, rows in the reference's order) with links
// that filter the records by machine, build, severity and classification.

import { useEffect, useRef } from 'preact/hooks';
import { getRecord } from '../../api-client.ts';
import { ErrorNote, Loading } from '../../components/status.tsx';
import { formatLocalDateTime, parseApiTimestamp, severityLabel } from '../../format.ts';
import { hrefOf } from '../../router.ts';
import { useApi } from '../../use-api.ts';

const orNa = (value: string) => (value === '' ? 'N/A' : value);

export function RecordDetails({ id, onClose }: { id: number; onClose: () => void }) {
  const state = useApi(`record:${id}`, (signal) => getRecord(id, signal));
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [id]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  const r = state.status === 'ok' ? state.data : null;
  return (
    <aside class="details-panel" aria-labelledby="record-details-title">
      <div class="details-head">
        <h2 id="record-details-title" tabIndex={-1} ref={heading}>
          Record {id}
        </h2>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      {state.status === 'loading' ? <Loading /> : null}
      {state.status === 'error' ? <ErrorNote error={state.error} what={`Record ${id}`} onRetry={state.reload} /> : null}
      {r ? (
        <>
          <dl class="details-list">
            <dt>Record Id</dt>
            <dd>{r.id}</dd>
            <dt>Machine Id</dt>
            <dd>
              <a href={hrefOf('/records', { machine_id: r.machine_id })}>{r.machine_id}</a>
            </dd>
            <dt>Machine Type</dt>
            <dd>{r.machine_type}</dd>
            <dt>Operating System</dt>
            <dd>{r.system_name}</dd>
            <dt>Kernel Version</dt>
            <dd>{r.kernel_version}</dd>
            <dt>Architecture</dt>
            <dd>{r.arch}</dd>
            <dt>Board Name</dt>
            <dd>{orNa(r.board_name)}</dd>
            <dt>BIOS Version</dt>
            <dd>{orNa(r.bios_version)}</dd>
            <dt>CPU Model</dt>
            <dd>{orNa(r.cpu_model)}</dd>
            <dt>Record Time</dt>
            <dd>{formatLocalDateTime(parseApiTimestamp(r.ts_capture))}</dd>
            <dt>Server Time</dt>
            <dd>{formatLocalDateTime(parseApiTimestamp(r.ts_reception))}</dd>
            <dt>Build</dt>
            <dd>
              <a href={hrefOf('/records', { build: r.build })}>{r.build}</a>
            </dd>
            <dt>Severity</dt>
            <dd>
              <a href={hrefOf('/records', { severity: r.severity })}>
                {r.severity} ({severityLabel(r.severity).text})
              </a>
            </dd>
            <dt>Classification</dt>
            <dd>
              <a href={hrefOf('/records', { classification: r.classification })}>{r.classification}</a>
            </dd>
            <dt>Guilty Id</dt>
            <dd>
              {r.guilty ? (
                <>
                  <a href={`/crashes/guilty/${r.guilty.id}`}>{r.guilty.id}</a> <span class="muted">({r.guilty.function} - [{r.guilty.module}])</span>
                </>
              ) : (
                'N/A'
              )}
            </dd>
            <dt>Crash signature</dt>
            <dd>{r.signature ? <code>{r.signature}</code> : 'N/A'}</dd>
            <dt>Payload Version</dt>
            <dd>{r.payload_version}</dd>
            <dt>External</dt>
            <dd>{r.external ? 'True' : 'False'}</dd>
            <dt>Event Id</dt>
            <dd>
              <code>{r.event_id}</code>
            </dd>
          </dl>
          {r.processed !== null ? (
            <p>
              <a href={hrefOf(`/crashes/blacklist/record/${r.id}`, { guilty_id: r.guilty?.id })}>Update blacklist from this record's frames</a>
            </p>
          ) : null}
          <h3>Payload</h3>
          <pre class="payload">{r.payload}</pre>
        </>
      ) : null}
    </aside>
  );
}
