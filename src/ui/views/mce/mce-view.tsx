// MCE (reference §8.9): machine-check reports of this year per week and classification,
// by classification, build and status, and the machines with most reports.

import { getMceStats, type MceStats } from '../../api-client.ts';
import { CategoryChart } from '../../charts/category-chart.tsx';
import { ShareList } from '../../charts/share-list.tsx';
import { Page } from '../../components/page.tsx';
import { Empty, ErrorNote, Loading } from '../../components/status.tsx';
import { formatCount } from '../../format.ts';
import type { Location } from '../../router.ts';
import { useApi } from '../../use-api.ts';
import { TopMachinesTable } from './top-machines-table.tsx';

const pad = (week: number) => String(week).padStart(2, '0');

export function MceView({ location }: { location: Location }) {
  const state = useApi('mce', (signal) => getMceStats({ top: '1000' }, signal));
  const data = state.data;
  const total = data?.by_classification.reduce((sum, c) => sum + c.count, 0) ?? 0;
  return (
    <Page title="MCE stats" docTitle="MCE Stats - CLR Telemetry">
      <p class="caption">MCE reports by week of the current year</p>
      {state.status === 'error' ? <ErrorNote error={state.error} what="MCE reports" onRetry={state.reload} /> : null}
      {state.status === 'loading' && !data ? <Loading /> : null}
      {data && total === 0 ? <Empty>No MCE reports{data.from ? ` since ${data.from.slice(0, 10)}` : ''}.</Empty> : null}
      {data && total > 0 ? <MceCharts data={data} total={total} location={location} /> : null}
    </Page>
  );
}

function MceCharts({ data, total, location }: { data: MceStats; total: number; location: Location }) {
  return (
    <>
      <p class="summary">
        {formatCount(total)} reports from {formatCount(data.machine_count)} machine{data.machine_count === 1 ? '' : 's'}
        {data.from ? ` since ${data.from.slice(0, 10)}` : ''}.
      </p>
      <div class="chart-grid">
        {data.weekly
          .filter((w) => w.weeks.length > 0)
          .map((w) => (
            <CategoryChart
              key={w.classification}
              title={w.classification}
              categories={w.weeks.map((x) => `Week ${pad(x.week)}`)}
              series={[{ label: 'Reports', values: w.weeks.map((x) => x.count) }]}
              xLabel="Week"
              yLabel="MCE count"
              height={220}
            />
          ))}
      </div>
      <div class="two-columns">
        <ShareList title="MCE reports by classification" labelHeading="Classification" entries={data.by_classification.map((c) => ({ label: c.classification, count: c.count }))} />
        <CategoryChart
          title="MCE reports by build"
          categories={data.by_build.map((b) => b.build)}
          series={[{ label: 'Reports', values: data.by_build.map((b) => b.count) }]}
          xLabel="Build"
          yLabel="MCE count"
          height={240}
        />
      </div>
      <CategoryChart
        title="MCE reports by status"
        categories={data.by_status.map((s) => s.status)}
        series={[{ label: 'Reports', values: data.by_status.map((s) => s.count) }]}
        xLabel="Last 32 bits of status code"
        yLabel="MCE count"
        height={240}
      />
      <TopMachinesTable machines={data.top_machines} machineCount={data.machine_count} location={location} />
    </>
  );
}
