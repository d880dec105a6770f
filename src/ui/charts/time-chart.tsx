// Lines over time (the dashboard's records by classification), one per series, with
// uPlot's time axis in the browser's zone, a legend, a tooltip and a totals table.

import { useMemo } from 'preact/hooks';
import type uPlot from 'uplot';
import { formatCount, formatLocalDateTime } from '../format.ts';
import { colourAt } from './palette.ts';

/** The summed tail of small series: a neutral grey that still reads as a line. */
const OTHER_LINE = '#9e9e9e';
import { UPlotChart } from './uplot-chart.tsx';

export interface TimeSeriesLine {
  label: string;
  counts: number[];
  total: number;
  /** the sum of the series beyond the limit */
  isOther?: boolean;
}

export function TimeChart({ title, buckets, lines, yLabel }: { title: string; buckets: number[]; lines: TimeSeriesLine[]; yLabel: string }) {
  const { options, data } = useMemo(() => {
    const options = {
      scales: { x: { time: true }, y: { range: (_u: uPlot, _min: number, max: number) => [0, Math.max(1, Math.ceil(max * 1.1))] as uPlot.Range.MinMax } },
      axes: [{}, { label: yLabel, values: (_u: uPlot, splits: number[]) => splits.map((v) => (Number.isInteger(v) ? formatCount(v) : '')) }],
      series: [
        {},
        ...lines.map((l, i) => ({ label: l.label, stroke: l.isOther ? OTHER_LINE : colourAt(i), width: 2, points: { show: buckets.length < 60 } }) satisfies uPlot.Series),
      ],
      legend: { show: true, live: false },
      cursor: { drag: { x: false, y: false } },
    } satisfies Omit<uPlot.Options, 'width' | 'height'>;
    return { options, data: [buckets, ...lines.map((l) => l.counts)] as uPlot.AlignedData };
  }, [buckets, lines, yLabel]);
  return (
    <figure class="chart-figure">
      <figcaption>{title}</figcaption>
      <UPlotChart options={options} data={data} label={`${title}: line chart of ${yLabel} over time`} titleAt={(i) => formatLocalDateTime(buckets[i] ?? Number.NaN)} />
      <details class="chart-data">
        <summary>Totals</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">Series</th>
              <th scope="col">Total</th>
            </tr>
          </thead>
          <tbody>
            {lines.map((l) => (
              <tr key={l.label}>
                <th scope="row">{l.label}</th>
                <td class="num">{formatCount(l.total)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
