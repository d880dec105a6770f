// The records view (reference §8.1): the newest 50 records matching the URL's filters,
// "Load more" (before_id cursor), live mode polling for newer ones (from_id), the details
// panel (`record=` in the URL) and exports of the current filter.

import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, listRecords, recordsExportUrl, type ApiRecord } from '../../api-client.ts';
import { Page } from '../../components/page.tsx';
import { Empty, ErrorNote, Loading } from '../../components/status.tsx';
import { hrefOf, navigate, queryObject, type Location } from '../../router.ts';
import { asApiError } from '../../use-api.ts';
import { RecordDetails } from './record-details.tsx';
import { RecordFilterForm } from './record-filter-form.tsx';
import { RecordTable } from './record-table.tsx';
import { readRecordsFilter, RECORDS_PER_PAGE, toApiFilter, toListFilter, type RecordsViewFilter } from './records-query.ts';

/** reference §8.1: the stream switch refreshes every 5 s */
const LIVE_INTERVAL_MS = 5_000;

interface ListState {
  records: ApiRecord[];
  loading: boolean;
  loadingMore: boolean;
  error: ApiError | null;
  /** the last page was full: older records may exist */
  more: boolean;
  fresh: Set<number>;
}

const INITIAL: ListState = { records: [], loading: true, loadingMore: false, error: null, more: false, fresh: new Set() };

export function RecordsView({ location }: { location: Location }) {
  const filter = readRecordsFilter(location.query);
  const filterKey = JSON.stringify(filter);
  const live = location.query.get('live') === '1';
  const openId = Number(location.query.get('record') ?? '');
  const [state, setState] = useState<ListState>(INITIAL);
  const stateRef = useRef(state);
  stateRef.current = state;

  // First page whenever the filter changes.
  useEffect(() => {
    const controller = new AbortController();
    setState({ ...INITIAL });
    listRecords(toListFilter(filter), { limit: RECORDS_PER_PAGE }, controller.signal).then(
      ({ records }) => setState({ ...INITIAL, loading: false, records, more: records.length === RECORDS_PER_PAGE }),
      (err: unknown) => !controller.signal.aborted && setState({ ...INITIAL, loading: false, error: asApiError(err) }),
    );
    return () => controller.abort();
  }, [filterKey]);

  // Live mode: ask for records above the newest shown, prepend them.
  useEffect(() => {
    if (!live) return undefined;
    let stopped = false;
    let controller: AbortController | null = null;
    const poll = async () => {
      const current = stateRef.current;
      if (current.loading || document.hidden) return;
      const newest = current.records[0]?.id ?? 0;
      controller = new AbortController();
      try {
        const { records } = await listRecords(toListFilter(filter), { limit: RECORDS_PER_PAGE, from_id: newest + 1 }, controller.signal);
        if (stopped || records.length === 0) return;
        setState((s) => {
          // A full page means a gap to the rows shown: start over from the newest page.
          const merged = records.length === RECORDS_PER_PAGE ? records : [...records, ...s.records.filter((r) => r.id < (records[records.length - 1]?.id ?? 0))];
          return { ...s, records: merged, error: null, fresh: new Set(records.map((r) => r.id)), more: records.length === RECORDS_PER_PAGE ? true : s.more };
        });
      } catch (err) {
        if (!stopped && !(err instanceof DOMException)) setState((s) => ({ ...s, error: asApiError(err) }));
      }
    };
    const timer = window.setInterval(() => void poll(), LIVE_INTERVAL_MS);
    return () => {
      stopped = true;
      window.clearInterval(timer);
      controller?.abort();
    };
  }, [live, filterKey]);

  const loadMore = async () => {
    const last = state.records[state.records.length - 1];
    if (!last) return;
    setState((s) => ({ ...s, loadingMore: true }));
    try {
      const { records } = await listRecords(toListFilter(filter), { limit: RECORDS_PER_PAGE, before_id: last.id });
      setState((s) => ({ ...s, loadingMore: false, error: null, records: [...s.records, ...records.filter((r) => r.id < last.id)], more: records.length === RECORDS_PER_PAGE }));
    } catch (err) {
      setState((s) => ({ ...s, loadingMore: false, error: asApiError(err) }));
    }
  };

  const setParams = (params: Record<string, string | undefined>, replace = false) =>
    navigate(hrefOf('/records', { ...queryObject(location.query), ...params }), { replace });
  const applyFilter = (next: RecordsViewFilter) => navigate(hrefOf('/records', { ...next, live: live ? '1' : undefined }));
  const closeDetails = useCallback(() => setParams({ record: undefined }), [location]);

  const exportFilter = toApiFilter(filter);
  return (
    <Page
      title="Records"
      docTitle="CLR Telemetry"
      actions={
        <>
          <label class="switch">
            <input type="checkbox" checked={live} onChange={(e) => setParams({ live: (e.currentTarget as HTMLInputElement).checked ? '1' : undefined }, true)} />
            <span>Stream new records</span>
          </label>
          <span class="export-links">
            Export:{' '}
            <a href={recordsExportUrl('csv', exportFilter)} download>
              CSV
            </a>{' '}
            <a href={recordsExportUrl('csv', exportFilter, 'reference')} download>
              CSV (reference)
            </a>{' '}
            <a href={recordsExportUrl('jsonl', exportFilter)} download>
              JSON Lines
            </a>
          </span>
        </>
      }
    >
      <RecordFilterForm filter={filter} onApply={applyFilter} />
      {live ? (
        <p class="live-note" role="status">
          Live: checking for new records every {LIVE_INTERVAL_MS / 1000} s.
        </p>
      ) : null}
      <div class={Number.isInteger(openId) && openId > 0 ? 'records-layout with-details' : 'records-layout'}>
        <div class="records-main">
          {state.error ? <ErrorNote error={state.error} what="Records" /> : null}
          {state.loading ? <Loading label="Loading records…" /> : null}
          {!state.loading && !state.error && state.records.length === 0 ? <Empty>No records match these filters.</Empty> : null}
          {state.records.length > 0 ? (
            <>
              <p class="muted" aria-live="polite">
                Showing {state.records.length} record{state.records.length === 1 ? '' : 's'}, newest first.
              </p>
              <RecordTable records={state.records} fresh={state.fresh} onOpen={(id) => setParams({ record: String(id) })} />
              {state.more ? (
                <button type="button" class="load-more" onClick={() => void loadMore()} disabled={state.loadingMore}>
                  {state.loadingMore ? 'Loading…' : 'Load more…'}
                </button>
              ) : (
                <p class="muted">No older records.</p>
              )}
            </>
          ) : null}
        </div>
        {Number.isInteger(openId) && openId > 0 ? <RecordDetails id={openId} onClose={closeDetails} /> : null}
      </div>
    </Page>
  );
}
