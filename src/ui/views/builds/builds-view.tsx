// Builds (reference §8.3): "Records per Build" as bars, in build order, over the shared
// time range. Non-numeric builds are shown too unless `numeric=1` (reference §8.13).

import { getBuildStats } from '../../api-client.ts';
import { CategoryChart } from '../../charts/category-chart.tsx';
import { Page } from '../../components/page.tsx';
import { Empty, ErrorNote, Loading } from '../../components/status.tsx';
import { TimeRangePicker } from '../../components/time-range-picker.tsx';
import { formatCount } from '../../format.ts';
import { hrefOf, navigate, queryObject, type Location } from '../../router.ts';
import { readTimeRange, receivedFrom } from '../../time-range.ts';
import { useApi } from '../../use-api.ts';

export function BuildsView({ location }: { location: Location }) {
  const range = readTimeRange(location.query, 'all');
  const numeric = location.query.get('numeric') === '1';
  const state = useApi(`builds:${range.key}:${numeric}`, (signal) =>
    getBuildStats({ received_from: receivedFrom(range), build_pattern: numeric ? '^[0-9]+$' : undefined }, signal),
  );
  const builds = state.data?.builds ?? [];
  const total = builds.reduce((sum, b) => sum + b.count, 0);
  return (
    <Page
      title="Records per Build"
      docTitle="Build Stats - CLR Telemetry"
      actions={
        <>
          <TimeRangePicker location={location} value={range} />
          <label class="switch">
            <input
              type="checkbox"
              checked={numeric}
              onChange={(e) => navigate(hrefOf('/builds', { ...queryObject(location.query), numeric: (e.currentTarget as HTMLInputElement).checked ? '1' : undefined }))}
            />
            <span>Numeric builds only</span>
          </label>
        </>
      }
    >
      {state.status === 'error' ? <ErrorNote error={state.error} what="Records per build" onRetry={state.reload} /> : null}
      {state.status === 'loading' && !state.data ? <Loading /> : null}
      {state.data && builds.length === 0 ? <Empty>No records in this time range.</Empty> : null}
      {builds.length > 0 ? (
        <>
          <p class="summary">
            {formatCount(total)} records in {builds.length} build{builds.length === 1 ? '' : 's'} ({range.label.toLowerCase()}).
          </p>
          <CategoryChart
            title="Records per Build"
            categories={builds.map((b) => b.build)}
            series={[{ label: 'Records', values: builds.map((b) => b.count) }]}
            xLabel="Build"
            yLabel="Records"
            height={340}
          />
        </>
      ) : null}
    </Page>
  );
}
