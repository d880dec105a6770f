// Thermal (reference §8.10): thermal reports per week of the current year, newest week
// first, over the last four weeks.

import { getThermalStats } from '../../api-client.ts';
import { CategoryChart } from '../../charts/category-chart.tsx';
import { Page } from '../../components/page.tsx';
import { Empty, ErrorNote, Loading } from '../../components/status.tsx';
import { formatCount } from '../../format.ts';
import { useApi } from '../../use-api.ts';

export function ThermalView() {
  const state = useApi('thermal', (signal) => getThermalStats({}, signal));
  const data = state.data;
  const total = data?.weeks.reduce((sum, w) => sum + w.count, 0) ?? 0;
  return (
    <Page title="Thermal stats" docTitle="Thermal Stats - CLR Telemetry">
      <p class="caption">Thermal reports by week of the current year</p>
      {state.status === 'error' ? <ErrorNote error={state.error} what="Thermal reports" onRetry={state.reload} /> : null}
      {state.status === 'loading' && !data ? <Loading /> : null}
      {data && data.weeks.length === 0 ? <Empty>No thermal reports since {data.from.slice(0, 10)}.</Empty> : null}
      {data && data.weeks.length > 0 ? (
        <>
          <p class="summary">
            {formatCount(total)} <code>{data.classification}</code> reports since {data.from.slice(0, 10)}.
          </p>
          <CategoryChart
            title="Thermal records"
            categories={data.weeks.map((w) => `Week: ${w.week}`)}
            series={[{ label: data.classification, values: data.weeks.map((w) => w.count) }]}
            xLabel="Week"
            yLabel="Reports"
          />
        </>
      ) : null}
    </Page>
  );
}
