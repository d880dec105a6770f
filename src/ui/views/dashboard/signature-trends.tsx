// The dashboard's top crash signatures with their counts per build (newest builds),
// from /api/crashes/signatures; a clear note while the server lacks that endpoint.

import { listTopSignatures } from '../../api-client.ts';
import { InlineBar } from '../../charts/inline-bar.tsx';
import { Empty, ErrorNote, Loading } from '../../components/status.tsx';
import { formatCount, guiltyLabel, truncate } from '../../format.ts';
import { useApi } from '../../use-api.ts';

const TOP = 5;

export function SignatureTrends() {
  const state = useApi('signatures:top', (signal) => listTopSignatures({ limit: TOP }, signal));
  if (state.status === 'error') return <ErrorNote error={state.error} what="Crash signatures" onRetry={state.reload} />;
  if (!state.data) return <Loading />;
  const { builds, signatures } = state.data;
  if (signatures.length === 0) return <Empty>No crashes in the last 7 days.</Empty>;
  const cellMax = signatures.reduce((max, s) => Math.max(max, ...s.builds.map((b) => b.count)), 0);
  return (
    <div class="table-scroll">
      <table class="bar-table">
        <thead>
          <tr>
            <th scope="col">Signature</th>
            {builds.map((b) => (
              <th scope="col" key={b}>
                <a href={`/crashes/build/${encodeURIComponent(b)}?group=signature`}>{b}</a>
              </th>
            ))}
            <th scope="col">Total</th>
          </tr>
        </thead>
        <tbody>
          {signatures.map((s) => (
            <tr key={s.signature}>
              <td title={s.frames.join('\n')}>
                {s.guilty ? <a href={`/crashes/guilty/${s.guilty.id}`}>{truncate(guiltyLabel(s.guilty), 40)}</a> : <span>{truncate(s.frames[0] ?? s.signature, 40)}</span>}
                <div class="muted small">
                  <code>{s.signature.slice(0, 12)}</code>
                </div>
              </td>
              {builds.map((b) => (
                <td key={b}>
                  <InlineBar value={s.builds.find((x) => x.build === b)?.count ?? 0} max={cellMax} />
                </td>
              ))}
              <td class="num">{formatCount(s.total)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
