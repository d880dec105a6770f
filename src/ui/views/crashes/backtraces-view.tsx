// Backtraces of a guilty (reference §8.7): at most 50 crash records with their program,
// signal and the crashing thread's frames, the guilty frame highlighted.

import { getGuilty, listGuiltyBacktraces, type BacktraceFrame, type GuiltyDetail } from '../../api-client.ts';
import { Page } from '../../components/page.tsx';
import { Empty, ErrorNote, Loading } from '../../components/status.tsx';
import { guiltyLabel } from '../../format.ts';
import { hrefOf, type Location } from '../../router.ts';
import { useSession } from '../../session.ts';
import { useApi } from '../../use-api.ts';

export function BacktracesView({ id, location }: { id: number; location: Location }) {
  const machineId = location.query.get('machine_id') ?? undefined;
  const build = location.query.get('build') ?? undefined;
  const { isAdmin } = useSession();
  const guilty = useApi(`guilty:${id}`, (signal) => getGuilty(id, signal));
  const state = useApi(`backtraces:${id}:${machineId}:${build}`, (signal) => listGuiltyBacktraces(id, { machine_id: machineId, build }, signal));
  const backtraces = state.data?.backtraces ?? [];
  return (
    <Page title="Backtraces">
      <p>
        Guilty <a href={`/crashes/guilty/${id}`}>{guilty.data ? guiltyLabel(guilty.data) : id}</a>
        {machineId ? (
          <>
            {' '}
            · machine <code>{machineId}</code>
          </>
        ) : null}
        {build ? <> · build {build}</> : null}
        {machineId || build ? (
          <>
            {' '}
            · <a href={`/crashes/guilty/${id}/backtraces`}>all machines and builds</a>
          </>
        ) : null}
      </p>
      {state.status === 'error' ? <ErrorNote error={state.error} what="Backtraces" onRetry={state.reload} /> : null}
      {state.status === 'loading' && !state.data ? <Loading /> : null}
      {state.data && backtraces.length === 0 ? <Empty>No backtraces for this guilty.</Empty> : null}
      {backtraces.length > 0 ? (
        <div class="table-scroll">
          <table class="backtraces-table">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Program</th>
                <th scope="col">Signal</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {backtraces.map((b, i) => (
                <tr key={b.record_id} data-record-id={b.record_id}>
                  <td>{i + 1}</td>
                  <td>{b.program ?? ''}</td>
                  <td>{b.signal ?? ''}</td>
                  <td>
                    <div class="backtrace-links">
                      <a href={hrefOf('/records', { record: b.record_id })}>Record details</a>{' '}
                      {isAdmin ? <a href={hrefOf(`/crashes/blacklist/record/${b.record_id}`, { guilty_id: id })}>Update blacklist</a> : null}
                    </div>
                    <ol class="frames" start={0}>
                      {b.frames.map((f, fi) => (
                        <li key={fi} class={isGuiltyFrame(f, guilty.data) ? 'frame guilty-frame' : 'frame'}>
                          #{fi} {f.function} - [{f.module}]{f.source ? ` - ${basename(f.source)}` : ''}
                          {isGuiltyFrame(f, guilty.data) ? <span class="visually-hidden"> (guilty frame)</span> : null}
                        </li>
                      ))}
                    </ol>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </Page>
  );
}

/** The API marks the guilty frame; the reference matched `"<function> - [<module>]"`. */
function isGuiltyFrame(frame: BacktraceFrame, guilty: GuiltyDetail | null): boolean {
  if (frame.guilty) return true;
  return guilty !== null && frame.function === guilty.function && frame.module === guilty.module;
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
