// The time-range picker shared by the views that take a range: it writes `range=`
// into the URL, keeping the view's other parameters.

import { hrefOf, navigate, queryObject, type Location } from '../router.ts';
import { TIME_RANGES, type TimeRange } from '../time-range.ts';

export function TimeRangePicker({ location, value }: { location: Location; value: TimeRange }) {
  return (
    <label class="range-picker">
      <span>Time range</span>
      <select
        value={value.key}
        onChange={(e) => navigate(hrefOf(location.path, { ...queryObject(location.query), range: (e.currentTarget as HTMLSelectElement).value }))}
      >
        {TIME_RANGES.map((r) => (
          <option key={r.key} value={r.key}>
            {r.label}
          </option>
        ))}
      </select>
    </label>
  );
}
