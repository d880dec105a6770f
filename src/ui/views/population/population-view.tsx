// Population (reference §8.11): distinct machines per build, internal and external
// stacked, over five client-time spans; a span without data is not drawn.

import { getPopulation } from '../../api-client.ts';
import { CategoryChart } from '../../charts/category-chart.tsx';
import { Page } from '../../components/page.tsx';
import { ErrorNote, Loading } from '../../components/status.tsx';
import { useApi } from '../../use-api.ts';

export function PopulationView() {
  const state = useApi('population', (signal) => getPopulation({}, signal));
  const data = state.data;
  return (
    <Page title="Population Stats">
      {state.status === 'error' ? <ErrorNote error={state.error} what="Population" onRetry={state.reload} /> : null}
      {state.status === 'loading' && !data ? <Loading /> : null}
      {data ? (
        <>
          <p class="muted">
            Distinct machines sending <code>{data.classification}</code> from <code>{data.system_name}</code>, by client time. Machine ids rotate every 3 days, so longer spans
            count some machines more than once.
          </p>
          {data.windows.every((w) => w.builds.length === 0) ? <p class="status status-empty">No heartbeats in any span.</p> : null}
          {data.windows.map((w) =>
            w.builds.length === 0 ? (
              <p key={w.key} class="muted" data-window={w.key}>
                Machines per Build ( {w.title} ): no data.
              </p>
            ) : (
              <div key={w.key} data-window={w.key}>
                <CategoryChart
                  title={`Machines per Build ( ${w.title} )`}
                  categories={w.builds.map((b) => b.build)}
                  series={[
                    { label: 'Internal', values: w.builds.map((b) => b.internal) },
                    { label: 'External', values: w.builds.map((b) => b.external) },
                  ]}
                  stacked
                  xLabel="Build"
                  yLabel="Machines"
                  height={240}
                />
              </div>
            ),
          )}
        </>
      ) : null}
    </Page>
  );
}
