// Top crashes (reference §8.5): crash guilties (or signatures, `group=signature`) of the
// last 7 days over the newest builds, with totals and per-build bars; /crashes/overall
// and /crashes/build/<build> show one count column. Pages of 10 with "Load more".

import { useEffect, useState } from 'preact/hooks';
import { listTopGuilties, listTopSignatures, type ApiError, type BuildCount } from '../../api-client.ts';
import { InlineBar } from '../../charts/inline-bar.tsx';
import { Page } from '../../components/page.tsx';
import { Empty, ErrorNote, Loading } from '../../components/status.tsx';
import { guiltyLabel, truncate } from '../../format.ts';
import { hrefOf, navigate, type Location } from '../../router.ts';
import { asApiError } from '../../use-api.ts';
import { useSession } from '../../session.ts';
import { CommentDialog } from './comment-dialog.tsx';
import { buildPath, guiltyPath, type CrashRoute } from './crash-routes.ts';

const PAGE_SIZE = 10;

/** One row of either grouping. */
interface CrashRow {
  key: string;
  label: string;
  title: string;
  href: string | null;
  total: number;
  builds: BuildCount[];
  comment: string | null;
  guilty: { id: number; function: string; module: string; comment: string | null } | null;
}

interface ListState {
  rows: CrashRow[];
  builds: string[];
  loading: boolean;
  error: ApiError | null;
  more: boolean;
}

type TopRoute = Extract<CrashRoute, { kind: 'top' | 'overall' | 'build' }>;

export function TopCrashesView({ route, location }: { route: TopRoute; location: Location }) {
  const group = location.query.get('group') === 'signature' ? 'signature' : 'guilty';
  const build = route.kind === 'build' ? route.build : undefined;
  const [state, setState] = useState<ListState>({ rows: [], builds: [], loading: true, error: null, more: false });
  const [editing, setEditing] = useState<CrashRow['guilty']>(null);
  const [generation, setGeneration] = useState(0);

  const load = async (offset: number, signal?: AbortSignal) => {
    const page = { build, offset, limit: PAGE_SIZE };
    if (group === 'signature') {
      const answer = await listTopSignatures(page, signal);
      return {
        builds: answer.builds,
        rows: answer.signatures.map<CrashRow>((s) => ({
          key: s.signature,
          label: s.guilty ? guiltyLabel(s.guilty) : (s.frames[0] ?? s.signature),
          title: s.frames.join('\n'),
          href: s.guilty ? guiltyPath(s.guilty.id) : null,
          total: s.total,
          builds: s.builds,
          comment: null,
          guilty: null,
        })),
      };
    }
    const answer = await listTopGuilties(page, signal);
    return {
      builds: answer.builds,
      rows: answer.guilties.map<CrashRow>((g) => ({
        key: String(g.id),
        label: guiltyLabel(g),
        title: guiltyLabel(g),
        href: guiltyPath(g.id),
        total: g.total,
        builds: g.builds,
        comment: g.comment,
        guilty: g,
      })),
    };
  };

  useEffect(() => {
    const controller = new AbortController();
    setState({ rows: [], builds: [], loading: true, error: null, more: false });
    load(0, controller.signal).then(
      (page) => setState({ ...page, loading: false, error: null, more: page.rows.length === PAGE_SIZE }),
      (err: unknown) => !controller.signal.aborted && setState({ rows: [], builds: [], loading: false, error: asApiError(err), more: false }),
    );
    return () => controller.abort();
  }, [route.kind, build, group, generation]);

  const loadMore = async () => {
    setState((s) => ({ ...s, loading: true }));
    try {
      const page = await load(state.rows.length);
      setState((s) => ({
        rows: [...s.rows, ...page.rows.filter((r) => !s.rows.some((x) => x.key === r.key))],
        builds: [...new Set([...s.builds, ...page.builds])],
        loading: false,
        error: null,
        more: page.rows.length === PAGE_SIZE,
      }));
    } catch (err) {
      setState((s) => ({ ...s, loading: false, error: asApiError(err) }));
    }
  };

  const { isAdmin } = useSession();
  const perBuild = route.kind === 'top';
  const title = route.kind === 'build' ? `Top Crashes (${route.build})` : route.kind === 'overall' ? 'Top Crashes (overall)' : 'Crash Stats';
  const maxTotal = state.rows.reduce((m, r) => Math.max(m, r.total), 0);
  const buildMax = new Map(state.builds.map((b) => [b, state.rows.reduce((m, r) => Math.max(m, r.builds.find((x) => x.build === b)?.count ?? 0), 0)]));
  const groupLink = (g: string) => hrefOf(location.path, { group: g === 'guilty' ? undefined : g });
  return (
    <Page
      title={title}
      actions={
        <label>
          <span>Group by</span>
          <select onChange={(e) => navigate(groupLink((e.currentTarget as HTMLSelectElement).value))}>
            <option value="guilty" selected={group === 'guilty'}>
              Guilty frame
            </option>
            <option value="signature" selected={group === 'signature'}>
              Crash signature
            </option>
          </select>
        </label>
      }
    >
      {state.error ? <ErrorNote error={state.error} what={group === 'signature' ? 'Top crash signatures' : 'Top crash guilties'} onRetry={() => setGeneration((g) => g + 1)} /> : null}
      {state.loading && state.rows.length === 0 ? <Loading /> : null}
      {!state.loading && !state.error && state.rows.length === 0 ? <Empty>No guilties data to display.</Empty> : null}
      {state.rows.length > 0 ? (
        <div class="table-scroll">
          <table class="bar-table crash-table">
            <caption>
              Top crashes in the last 7 days{perBuild ? ', with frequency per build' : route.kind === 'build' ? ` of build ${route.build}` : ', all builds together'}
            </caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">{group === 'signature' ? 'Signature' : 'Guilty'}</th>
                <th scope="col">{perBuild ? <a href="/crashes/overall">Total</a> : 'Total'}</th>
                {perBuild
                  ? state.builds.map((b) => (
                      <th scope="col" key={b}>
                        <a href={hrefOf(buildPath(b), { group: group === 'signature' ? group : undefined })}>{b}</a>
                      </th>
                    ))
                  : null}
                {group === 'guilty' ? <th scope="col">Comment</th> : null}
              </tr>
            </thead>
            <tbody>
              {state.rows.map((r, i) => (
                <tr key={r.key} data-key={r.key}>
                  <td>{i + 1}</td>
                  <td class="guilty-cell" title={r.title}>
                    {r.href ? <a href={r.href}>{truncate(r.label, 30)}</a> : <span>{truncate(r.label, 30)}</span>}
                    {r.guilty && isAdmin ? (
                      <button type="button" class="icon-button" aria-label={`Comment or hide ${r.label}`} onClick={() => setEditing(r.guilty)}>
                        …
                      </button>
                    ) : null}
                  </td>
                  <td class="total-cell" data-total={r.total}>
                    <InlineBar value={r.total} max={maxTotal} />
                  </td>
                  {perBuild
                    ? state.builds.map((b) => (
                        <td key={b}>
                          <InlineBar value={r.builds.find((x) => x.build === b)?.count ?? 0} max={buildMax.get(b) ?? 0} showValue={false} />
                        </td>
                      ))
                    : null}
                  {group === 'guilty' ? <td title={r.comment ?? ''}>{truncate(r.comment ?? '', 30)}</td> : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {state.more ? (
        <button type="button" class="load-more" onClick={() => void loadMore()} disabled={state.loading}>
          {state.loading ? 'Loading…' : 'Load more…'}
        </button>
      ) : null}
      {editing ? (
        <CommentDialog
          guilty={editing}
          onClose={(changed) => {
            setEditing(null);
            if (changed) setGeneration((g) => g + 1);
          }}
        />
      ) : null}
    </Page>
  );
}
