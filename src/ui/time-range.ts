// The shared time range (`range=` in the URL): what the picker offers and the
// receive-time bounds and time-series resolution each choice means.

export const TIME_RANGES = [
  { key: '1h', label: 'Last hour', seconds: 3_600, resolution: 'minute' },
  { key: '24h', label: 'Last 24 hours', seconds: 86_400, resolution: 'hour' },
  { key: '7d', label: 'Last 7 days', seconds: 7 * 86_400, resolution: 'hour' },
  { key: '30d', label: 'Last 30 days', seconds: 30 * 86_400, resolution: 'hour' },
  { key: '90d', label: 'Last 90 days', seconds: 90 * 86_400, resolution: 'day' },
  { key: '1y', label: 'Last year', seconds: 365 * 86_400, resolution: 'day' },
  { key: 'all', label: 'All time', seconds: null, resolution: 'day' },
] as const;

export type TimeRangeKey = (typeof TIME_RANGES)[number]['key'];
export type TimeRange = (typeof TIME_RANGES)[number];

/** The range named in the URL, or the view's default. */
export function readTimeRange(query: URLSearchParams, fallback: TimeRangeKey): TimeRange {
  const key = query.get('range');
  return TIME_RANGES.find((r) => r.key === key) ?? (TIME_RANGES.find((r) => r.key === fallback) as TimeRange);
}

/** Longest span a day-resolution series may cover (the API's bucket limit). */
const MAX_DAY_BUCKETS = 2000;

/** `received_from` (epoch seconds) for the API, or undefined for all time. */
export function receivedFrom(range: TimeRange, nowSeconds = Date.now() / 1000): string | undefined {
  return range.seconds === null ? undefined : String(Math.floor(nowSeconds - range.seconds));
}

/** The same, bounded for a time series, which needs a finite range. */
export function seriesFrom(range: TimeRange, nowSeconds = Date.now() / 1000): string {
  const span = range.seconds ?? (MAX_DAY_BUCKETS - 1) * 86_400;
  return String(Math.floor(nowSeconds - span));
}
