// Guilty blacklist administration (reference §8.8): the menu, adding and removing
// filters (by id: reference §15 item 14), hidden guilties, and the reset, each with the
// reference's messages and the reprocessing progress.

import { useState } from 'preact/hooks';
import { addBlacklistEntry, listBlacklist, listHiddenGuilties, removeBlacklistEntry, requestReprocess, updateGuilty } from '../../api-client.ts';
import { AdminRequired } from '../../components/admin-required.tsx';
import { Notice, type NoticeMessage } from '../../components/notice.tsx';
import { Page } from '../../components/page.tsx';
import { Empty, ErrorNote, Loading } from '../../components/status.tsx';
import { useSession } from '../../session.ts';
import { asApiError, useApi } from '../../use-api.ts';
import { ReprocessProgress } from './reprocess-progress.tsx';

type AdminPage = 'admin' | 'admin-add' | 'admin-remove' | 'admin-hidden' | 'admin-reset';

const pair = (e: { function: string; module: string }) => `${e.function} [${e.module}]`;

export function BlacklistAdmin({ page }: { page: AdminPage }) {
  const { isAdmin } = useSession();
  const [notice, setNotice] = useState<NoticeMessage | null>(null);
  const [refresh, setRefresh] = useState(0);
  const run = async (action: () => Promise<NoticeMessage>) => {
    try {
      setNotice(await action());
    } catch (err) {
      setNotice({ tone: 'danger', text: asApiError(err).message });
    }
    setRefresh((n) => n + 1);
  };
  if (!isAdmin) return <BlacklistReadOnly />;
  return (
    <Page title="Guilty blacklist" docTitle="Guilty Blacklist - CLR Telemetry">
      <nav class="sub-nav" aria-label="Blacklist pages">
        <a href="/crashes/blacklist/add" aria-current={page === 'admin-add' ? 'page' : undefined}>
          Add new guilty filters
        </a>
        <a href="/crashes/blacklist/remove" aria-current={page === 'admin-remove' ? 'page' : undefined}>
          Remove guilty filters
        </a>
        <a href="/crashes/blacklist/hidden" aria-current={page === 'admin-hidden' ? 'page' : undefined}>
          Manage hidden guilties
        </a>
        <a href="/crashes/blacklist/reset" aria-current={page === 'admin-reset' ? 'page' : undefined}>
          Reset guilties
        </a>
      </nav>
      <p class="warning-text">WARNING: Updating the guilty blacklist requires knowledge of how guilties should be processed.</p>
      <Notice message={notice} />
      {page === 'admin-add' ? <AddFilter run={run} refresh={refresh} /> : null}
      {page === 'admin-remove' ? <RemoveFilters run={run} refresh={refresh} /> : null}
      {page === 'admin-hidden' ? <HiddenGuilties run={run} refresh={refresh} /> : null}
      {page === 'admin-reset' ? <ResetGuilties run={run} /> : null}
      {page === 'admin' ? (
        <p>
          Blacklisted frames are passed over when the guilty frame of a crash is chosen. To blacklist frames of a particular crash, open its backtraces and follow "Update
          blacklist".
        </p>
      ) : null}
      <section>
        <h2>Reprocessing</h2>
        <ReprocessProgress refresh={refresh} />
      </section>
    </Page>
  );
}

/** Viewers and anonymous readers: the filters and the reprocessing, without the controls. */
function BlacklistReadOnly() {
  return (
    <Page title="Guilty blacklist" docTitle="Guilty Blacklist - CLR Telemetry">
      <AdminRequired what="Changing the guilty blacklist, hiding guilties or resetting them" />
      <CurrentFilters refresh={0} />
      <section>
        <h2>Reprocessing</h2>
        <ReprocessProgress refresh={0} />
      </section>
    </Page>
  );
}

type Run = (action: () => Promise<NoticeMessage>) => Promise<void>;

function AddFilter({ run, refresh }: { run: Run; refresh: number }) {
  const submit = (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const entry = { function: String(data.get('function') ?? '').trim(), module: String(data.get('module') ?? '').trim() };
    void run(async () => {
      const change = await addBlacklistEntry(entry);
      if (!change.changed) return { tone: 'warning', text: `Filter already exists for "${pair(entry)}". Try again.` };
      form.reset();
      return { tone: 'success', text: `Added guilty filter for "${pair(change.entry)}"` };
    });
  };
  return (
    <section>
      <h2>Add a guilty filter</h2>
      <form class="filter-form" onSubmit={submit}>
        <label>
          <span>Function</span>
          <input name="function" required autoComplete="off" spellcheck={false} />
        </label>
        <label>
          <span>Module</span>
          <input name="module" autoComplete="off" spellcheck={false} />
        </label>
        <div class="form-actions">
          <button type="submit" class="primary">
            Add filter
          </button>
        </div>
      </form>
      <CurrentFilters refresh={refresh} />
    </section>
  );
}

function CurrentFilters({ refresh, onRemove }: { refresh: number; onRemove?: (entry: { id: number; function: string; module: string }) => void }) {
  const state = useApi(`blacklist:${refresh}`, (signal) => listBlacklist(signal));
  if (state.status === 'error') return <ErrorNote error={state.error} what="Blacklist" onRetry={state.reload} />;
  if (!state.data) return <Loading />;
  if (state.data.entries.length === 0) return <Empty>No filters found!</Empty>;
  return (
    <table class="plain-table blacklist-table">
      <caption>Current filters</caption>
      <thead>
        <tr>
          <th scope="col">Function</th>
          <th scope="col">Module</th>
          {onRemove ? (
            <th scope="col">
              <span class="visually-hidden">Action</span>
            </th>
          ) : null}
        </tr>
      </thead>
      <tbody>
        {state.data.entries.map((e) => (
          <tr key={e.id}>
            <td>
              <code>{e.function}</code>
            </td>
            <td>
              <code>{e.module}</code>
            </td>
            {onRemove ? (
              <td>
                <button type="button" class="danger" onClick={() => onRemove(e)} aria-label={`Remove filter ${pair(e)}`}>
                  Remove
                </button>
              </td>
            ) : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function RemoveFilters({ run, refresh }: { run: Run; refresh: number }) {
  return (
    <section>
      <h2>Remove guilty filters</h2>
      <CurrentFilters
        refresh={refresh}
        onRemove={(entry) =>
          void run(async () => {
            const change = await removeBlacklistEntry(entry.id);
            return { tone: 'success', text: `Removed guilty filter "${pair(change.entry)}"` };
          })
        }
      />
    </section>
  );
}

function HiddenGuilties({ run, refresh }: { run: Run; refresh: number }) {
  const state = useApi(`hidden:${refresh}`, (signal) => listHiddenGuilties(signal));
  return (
    <section>
      <h2>Hidden guilties</h2>
      {state.status === 'error' ? <ErrorNote error={state.error} what="Hidden guilties" onRetry={state.reload} /> : null}
      {state.status === 'loading' && !state.data ? <Loading /> : null}
      {state.data && state.data.guilties.length === 0 ? <Empty>No hidden guilties found!</Empty> : null}
      {state.data && state.data.guilties.length > 0 ? (
        <table class="plain-table">
          <tbody>
            {state.data.guilties.map((g) => (
              <tr key={g.id}>
                <td>
                  <a href={`/crashes/guilty/${g.id}`}>{pair(g)}</a>
                </td>
                <td>
                  <button
                    type="button"
                    onClick={() =>
                      void run(async () => {
                        await updateGuilty(g.id, { hidden: false });
                        return { tone: 'success', text: `Guilty "${pair(g)}" is no longer hidden` };
                      })
                    }
                  >
                    Show again
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

function ResetGuilties({ run }: { run: Run }) {
  return (
    <section>
      <h2>Reset guilties</h2>
      <p>Re-evaluates the guilty frame and signature of every crash record against the current blacklist, in the background.</p>
      <button
        type="button"
        class="danger"
        onClick={() =>
          void run(async () => {
            await requestReprocess('reset');
            return { tone: 'success', text: 'Successfully triggered a guilty reset. Guilties will be recalculated in the background.' };
          })
        }
      >
        Reset
      </button>
    </section>
  );
}
