// Stats (reference §8.4): records per classification and per platform (host type),
// most first, with the reference palette, over the shared time range.

import { getClassificationStats, getPlatformStats } from '../../api-client.ts';
import { ShareList } from '../../charts/share-list.tsx';
import { Page } from '../../components/page.tsx';
import { Empty, ErrorNote, Loading } from '../../components/status.tsx';
import { TimeRangePicker } from '../../components/time-range-picker.tsx';
import { type Location } from '../../router.ts';
import { readTimeRange, receivedFrom } from '../../time-range.ts';
import { useApi } from '../../use-api.ts';

export function StatsView({ location }: { location: Location }) {
  const range = readTimeRange(location.query, 'all');
  const from = receivedFrom(range);
  const classes = useApi(`classes:${range.key}`, (signal) => getClassificationStats({ received_from: from }, signal));
  const platforms = useApi(`platforms:${range.key}`, (signal) => getPlatformStats({ received_from: from }, signal));
  return (
    <Page title="General Stats" actions={<TimeRangePicker location={location} value={range} />}>
      <div class="two-columns">
        <section>
          {classes.status === 'error' ? <ErrorNote error={classes.error} what="Records per classification" onRetry={classes.reload} /> : null}
          {classes.status === 'loading' && !classes.data ? <Loading /> : null}
          {classes.data && classes.data.classifications.length === 0 ? <Empty>No records in this time range.</Empty> : null}
          {classes.data && classes.data.classifications.length > 0 ? (
            <ShareList
              title="Records per Classification"
              labelHeading="Classification"
              entries={classes.data.classifications.map((c) => ({ label: c.classification, count: c.count }))}
            />
          ) : null}
        </section>
        <section>
          {platforms.status === 'error' ? <ErrorNote error={platforms.error} what="Records per platform" onRetry={platforms.reload} /> : null}
          {platforms.status === 'loading' && !platforms.data ? <Loading /> : null}
          {platforms.data && platforms.data.platforms.length === 0 ? <Empty>No records in this time range.</Empty> : null}
          {platforms.data && platforms.data.platforms.length > 0 ? (
            <ShareList title="Records per Platform" labelHeading="Platform" entries={platforms.data.platforms.map((p) => ({ label: p.host_type, count: p.count }))} />
          ) : null}
        </section>
      </div>
    </Page>
  );
}
