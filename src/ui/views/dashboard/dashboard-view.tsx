// Dashboard (new in this server): records over time by classification, crash signatures
// trending per build, and the latest records; the time range is shared (`range=`).

import { getTimeseries, listRecords } from '../../api-client.ts';
import { TimeChart, type TimeSeriesLine } from '../../charts/time-chart.tsx';
import { Page } from '../../components/page.tsx';
import { Empty, ErrorNote, Loading } from '../../components/status.tsx';
import { TimeRangePicker } from '../../components/time-range-picker.tsx';
import { formatCount } from '../../format.ts';
import type { Location } from '../../router.ts';
import { readTimeRange, seriesFrom } from '../../time-range.ts';
import { useApi } from '../../use-api.ts';
import { RecordTable } from '../records/record-table.tsx';
import { SignatureTrends } from './signature-trends.tsx';

const LATEST_COUNT = 10;

export function DashboardView({ location }: { location: Location }) {
  const range = readTimeRange(location.query, '7d');
  const series = useApi(`timeseries:${range.key}`, (signal) =>
    getTimeseries({ group_by: 'classification', resolution: range.resolution, received_from: seriesFrom(range), series_limit: '8' }, signal),
  );
  const latest = useApi('latest', (signal) => listRecords({ received_from: '0' }, { limit: LATEST_COUNT }, signal));
  const data = series.data;
  const lines: TimeSeriesLine[] = data ? [...data.series.map((s) => ({ label: s.key, counts: s.counts, total: s.total })), ...(data.other ? [{ label: 'other', ...data.other, isOther: true }] : [])] : [];
  const total = lines.reduce((sum, l) => sum + l.total, 0);
  return (
    <Page title="Dashboard" docTitle="Dashboard - CLR Telemetry" actions={<TimeRangePicker location={location} value={range} />}>
      <section>
        <h2>Records over time by classification</h2>
        {series.status === 'error' ? <ErrorNote error={series.error} what="Records over time" onRetry={series.reload} /> : null}
        {series.status === 'loading' && !data ? <Loading /> : null}
        {data && total === 0 ? <Empty>No records received in this time range.</Empty> : null}
        {data && total > 0 ? (
          <>
            <p class="summary" data-total={total}>
              {formatCount(total)} records received ({range.label.toLowerCase()}, per {data.resolution}).
            </p>
            <TimeChart title="Records per classification" buckets={data.buckets} lines={lines} yLabel={`Records per ${data.resolution}`} />
          </>
        ) : null}
      </section>
      <section>
        <h2>Crash signatures trending per build</h2>
        <SignatureTrends />
      </section>
      <section>
        <div class="section-head">
          <h2>Latest records</h2>
          <a href="/records">All records →</a>
        </div>
        {latest.status === 'error' ? <ErrorNote error={latest.error} what="Latest records" onRetry={latest.reload} /> : null}
        {latest.status === 'loading' && !latest.data ? <Loading /> : null}
        {latest.data && latest.data.records.length === 0 ? <Empty>No records yet.</Empty> : null}
        {latest.data && latest.data.records.length > 0 ? <RecordTable records={latest.data.records} compact /> : null}
      </section>
    </Page>
  );
}
