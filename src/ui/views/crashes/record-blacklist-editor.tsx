// The per-record blacklist editor (reference §8.8): the crashing thread's frames as
// checkboxes (checked = blacklisted), the current guilty highlighted. "Apply" saves the
// changes and recomputes this record now; "Submit" saves and reprocesses every crash record.

import { useState } from 'preact/hooks';
import {
  addBlacklistEntry,
  applyBlacklistToRecord,
  getRecordFrames,
  listBlacklist,
  removeBlacklistEntry,
  requestReprocess,
  type RecordFrames,
} from '../../api-client.ts';
import { AdminRequired } from '../../components/admin-required.tsx';
import { Notice, type NoticeMessage } from '../../components/notice.tsx';
import { Page } from '../../components/page.tsx';
import { Empty, ErrorNote, Loading } from '../../components/status.tsx';
import { guiltyLabel } from '../../format.ts';
import { hrefOf } from '../../router.ts';
import { useSession } from '../../session.ts';
import { asApiError, useApi } from '../../use-api.ts';
import { ReprocessProgress } from './reprocess-progress.tsx';

const frameKey = (f: { function: string; module: string }) => JSON.stringify([f.function, f.module]);

export function RecordBlacklistEditor({ recordId, guiltyId }: { recordId: number; guiltyId: number | null }) {
  const { isAdmin } = useSession();
  const [generation, setGeneration] = useState(0);
  const state = useApi(`frames:${recordId}:${generation}`, (signal) => getRecordFrames(recordId, signal));
  const [notice, setNotice] = useState<NoticeMessage | null>(null);
  const [busy, setBusy] = useState(false);

  const save = async (form: HTMLFormElement, data: RecordFrames, mode: 'apply' | 'submit') => {
    const checked = new Set(new FormData(form).getAll('frames').map(String));
    setBusy(true);
    try {
      const entries = (await listBlacklist()).entries;
      for (const f of uniqueFrames(data)) {
        const key = frameKey(f);
        const listed = entries.find((e) => frameKey(e) === key);
        if (checked.has(key) && !listed) await addBlacklistEntry({ function: f.function, module: f.module });
        if (!checked.has(key) && listed) await removeBlacklistEntry(listed.id);
      }
      if (mode === 'apply') {
        const applied = await applyBlacklistToRecord(recordId);
        setNotice({
          tone: 'success',
          text: `Updated blacklist and reprocessed record. New guilty: ${applied.guilty ? guiltyLabel(applied.guilty) : 'none'}. If the new chosen guilty is correct, click "Submit".`,
        });
      } else {
        await requestReprocess(`blacklist edit from record ${recordId}`);
        setNotice({ tone: 'success', text: 'Updated guilty blacklist. Guilties will be recalculated in the background for all crash records.' });
      }
    } catch (err) {
      setNotice({ tone: 'danger', text: asApiError(err).message });
    }
    setBusy(false);
    setGeneration((g) => g + 1);
  };

  const data = state.data;
  const currentGuilty = data?.guilty ?? null;
  return (
    <Page title={`Blacklist editor: record ${recordId}`} docTitle="Guilty Blacklist - CLR Telemetry">
      <p class="warning-text">WARNING: Updating the guilty blacklist requires knowledge of how guilties should be processed.</p>
      <p>
        Selected frames are blacklisted: the guilty finder passes over them. Unselected frames are guilty candidates. <a href={hrefOf('/records', { record: recordId })}>Record details</a>
        {guiltyId ? (
          <>
            {' '}
            · <a href={`/crashes/guilty/${guiltyId}`}>guilty {guiltyId}</a>
          </>
        ) : null}
      </p>
      {isAdmin ? null : <AdminRequired what="Changing the guilty blacklist" />}
      <Notice message={notice} />
      {state.status === 'error' ? <ErrorNote error={state.error} what={`Frames of record ${recordId}`} onRetry={state.reload} /> : null}
      {state.status === 'loading' && !data ? <Loading /> : null}
      {data && data.frames.length === 0 ? <Empty>This record has no frames to choose from.</Empty> : null}
      {data && data.frames.length > 0 ? (
        <form
          class="frames-form"
          onSubmit={(e) => {
            e.preventDefault();
            const submitter = (e as SubmitEvent).submitter as HTMLButtonElement | null;
            void save(e.currentTarget as HTMLFormElement, data, submitter?.value === 'submit' ? 'submit' : 'apply');
          }}
        >
          <fieldset key={generation} disabled={!isAdmin}>
            <legend>Frames of the crashing thread</legend>
            {data.frames.map((f, i) => {
              const isGuilty = currentGuilty !== null && currentGuilty.function === f.function && currentGuilty.module === f.module;
              return (
                <label key={i} class={isGuilty ? 'checkbox guilty-frame' : 'checkbox'}>
                  <input type="checkbox" name="frames" value={frameKey(f)} defaultChecked={f.blacklisted} />
                  <span>
                    {f.function} [{f.module}]{isGuilty ? ' — current guilty' : ''}
                  </span>
                </label>
              );
            })}
          </fieldset>
          {isAdmin ? (
            <div class="form-actions">
              <button type="submit" name="mode" value="apply" disabled={busy}>
                Apply
              </button>
              <button type="submit" name="mode" value="submit" class="primary" disabled={busy}>
                Submit
              </button>
            </div>
          ) : null}
        </form>
      ) : null}
      <section>
        <h2>Reprocessing</h2>
        <ReprocessProgress refresh={generation} />
      </section>
    </Page>
  );
}

function uniqueFrames(data: RecordFrames) {
  const seen = new Set<string>();
  return data.frames.filter((f) => {
    const key = frameKey(f);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
