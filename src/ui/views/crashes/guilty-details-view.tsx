// Guilty details (reference §8.6): the guilty frame, its comment and hidden flag, and
// which machines hit it, one table per build (newest first).

import { useState } from 'preact/hooks';
import { getGuilty, updateGuilty, type GuiltyDetail } from '../../api-client.ts';
import { InlineBar } from '../../charts/inline-bar.tsx';
import { Notice, type NoticeMessage } from '../../components/notice.tsx';
import { Page } from '../../components/page.tsx';
import { Empty, ErrorNote, Loading } from '../../components/status.tsx';
import { compareBuilds, guiltyLabel } from '../../format.ts';
import { hrefOf } from '../../router.ts';
import { asApiError, useApi } from '../../use-api.ts';
import { useSession } from '../../session.ts';
import { CommentDialog } from './comment-dialog.tsx';

export function GuiltyDetailsView({ id }: { id: number }) {
  const state = useApi(`guilty:${id}`, (signal) => getGuilty(id, signal));
  const { isAdmin } = useSession();
  const [editing, setEditing] = useState(false);
  const [notice, setNotice] = useState<NoticeMessage | null>(null);
  const g = state.data;
  const unhide = async (guilty: GuiltyDetail) => {
    try {
      await updateGuilty(guilty.id, { hidden: false });
      setNotice({ tone: 'success', text: `Guilty "${guilty.function} [${guilty.module}]" is no longer hidden` });
      state.reload();
    } catch (err) {
      setNotice({ tone: 'danger', text: asApiError(err).message });
    }
  };
  return (
    <Page title="Guilty Details">
      <Notice message={notice} />
      {state.status === 'error' ? <ErrorNote error={state.error} what={`Guilty ${id}`} onRetry={state.reload} /> : null}
      {state.status === 'loading' && !g ? <Loading /> : null}
      {g ? (
        <>
          <dl class="details-list">
            <dt>Guilty Id</dt>
            <dd>{g.id}</dd>
            <dt>Function</dt>
            <dd>
              <code>{g.function}</code>
            </dd>
            <dt>Module</dt>
            <dd>
              <code>{g.module}</code>
            </dd>
            <dt>Hidden?</dt>
            <dd>{g.hidden ? 'Yes' : 'No'}</dd>
            <dt>Comment</dt>
            <dd>{g.comment ?? ''}</dd>
            <dt>Backtraces</dt>
            <dd>
              <a href={`/crashes/guilty/${g.id}/backtraces`}>view</a>
            </dd>
          </dl>
          {isAdmin ? (
            <div class="form-actions">
              <button type="button" onClick={() => setEditing(true)}>
                Comment or hide…
              </button>
              {g.hidden ? (
                <button type="button" onClick={() => void unhide(g)}>
                  Show again in top lists
                </button>
              ) : null}
            </div>
          ) : null}
          <MachineMappings guilty={g} />
          {editing ? (
            <CommentDialog
              guilty={g}
              onClose={(changed) => {
                setEditing(false);
                if (changed) state.reload();
              }}
            />
          ) : null}
        </>
      ) : null}
    </Page>
  );
}

function MachineMappings({ guilty }: { guilty: GuiltyDetail }) {
  const builds = [...new Set(guilty.machines.map((m) => m.build))].sort((a, b) => compareBuilds(b, a));
  return (
    <section>
      <h2>Machine ID mappings</h2>
      {builds.length === 0 ? <Empty>No Machine ID mappings found for this guilty.</Empty> : null}
      {builds.map((build) => {
        const rows = guilty.machines.filter((m) => m.build === build).sort((a, b) => b.count - a.count);
        const max = rows.reduce((m, r) => Math.max(m, r.count), 0);
        return (
          <div class="table-scroll" key={build}>
            <table class="bar-table">
              <caption>
                Build {build} — {guiltyLabel(guilty)}
              </caption>
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">Machine ID</th>
                  <th scope="col">Event Time Series</th>
                  <th scope="col">Backtraces</th>
                  <th scope="col">Total</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r, i) => (
                  <tr key={r.machine_id}>
                    <td>{i + 1}</td>
                    <td>
                      <code>{r.machine_id}</code>
                    </td>
                    <td>
                      <a href={hrefOf('/records', { machine_id: r.machine_id })}>records</a>
                    </td>
                    <td>
                      <a href={hrefOf(`/crashes/guilty/${guilty.id}/backtraces`, { machine_id: r.machine_id, build })}>backtraces</a>
                    </td>
                    <td>
                      <InlineBar value={r.count} max={max} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        );
      })}
    </section>
  );
}
