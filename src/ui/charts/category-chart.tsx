// Bars over categories (builds, weeks, statuses) with uPlot: one series, or several
// stacked. Axes, legend, tooltip, and the numbers again in a table for reading and tests.

import { useMemo } from 'preact/hooks';
import uPlot from 'uplot';
import { formatCount } from '../format.ts';
import { colourAt } from './palette.ts';
import { UPlotChart } from './uplot-chart.tsx';

export interface CategorySeries {
  label: string;
  values: number[];
  colour?: string;
}

export interface CategoryChartProps {
  title: string;
  categories: string[];
  series: CategorySeries[];
  xLabel: string;
  yLabel: string;
  /** stack the series (population's internal + external) instead of drawing them side by side */
  stacked?: boolean;
  height?: number;
  /** caption of the data table's first column */
  categoryHeading?: string;
}

export function CategoryChart({ title, categories, series, xLabel, yLabel, stacked = false, height, categoryHeading }: CategoryChartProps) {
  const { options, data } = useMemo(() => buildChart(categories, series, xLabel, yLabel, stacked), [categories, series, xLabel, yLabel, stacked]);
  const totals = categories.map((_, i) => series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  return (
    <figure class="chart-figure">
      <figcaption>{title}</figcaption>
      <UPlotChart
        options={options}
        data={data}
        label={`${title}: bar chart of ${yLabel} per ${xLabel}`}
        height={height}
        titleAt={(i) => `${xLabel}: ${categories[i] ?? ''}`}
        valueAt={(si, i) => formatCount(series[stacked ? series.length - si : si - 1]?.values[i] ?? 0)}
      />
      <details class="chart-data">
        <summary>Data table</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">{categoryHeading ?? xLabel}</th>
              {series.map((s) => (
                <th scope="col" key={s.label}>
                  {s.label}
                </th>
              ))}
              {series.length > 1 ? <th scope="col">Total</th> : null}
            </tr>
          </thead>
          <tbody>
            {categories.map((c, i) => (
              <tr key={c}>
                <th scope="row">{c}</th>
                {series.map((s) => (
                  <td key={s.label} class="num">
                    {formatCount(s.values[i] ?? 0)}
                  </td>
                ))}
                {series.length > 1 ? <td class="num">{formatCount(totals[i] ?? 0)}</td> : null}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

function buildChart(categories: string[], series: CategorySeries[], xLabel: string, yLabel: string, stacked: boolean) {
  const n = categories.length;
  const xs = categories.map((_, i) => i);
  const groups = stacked ? 1 : series.length;
  const barWidth = Math.min(0.8 / groups, 0.8);
  // Stacked: draw cumulative sums, largest first, so each lower part paints over the one above.
  const drawn = stacked ? cumulative(series).reverse() : series;
  const uSeries: uPlot.Series[] = [
    {},
    ...drawn.map((s, i) => {
      const colour = s.colour ?? colourAt(stacked ? drawn.length - 1 - i : i);
      const offset = stacked || groups === 1 ? 0 : (i - (groups - 1) / 2) * barWidth;
      return {
        label: s.label,
        stroke: colour,
        fill: colour,
        width: 0,
        points: { show: false },
        paths: offsetBars(barWidth, offset),
      } satisfies uPlot.Series;
    }),
  ];
  const maxLabels = 24;
  const step = Math.max(1, Math.ceil(n / maxLabels));
  const options = {
    scales: { x: { time: false, range: [-0.5, Math.max(n - 0.5, 0.5)] as uPlot.Range.MinMax }, y: { range: (_u: uPlot, _min: number, max: number) => [0, niceMax(max)] as uPlot.Range.MinMax } },
    axes: [
      {
        label: xLabel,
        splits: () => xs.filter((i) => i % step === 0),
        values: (_u: uPlot, splits: number[]) => splits.map((i) => shorten(categories[i] ?? '')),
        rotate: 0,
        gap: 4,
      },
      { label: yLabel, values: (_u: uPlot, splits: number[]) => splits.map((v) => (Number.isInteger(v) ? formatCount(v) : '')) },
    ],
    series: uSeries,
    legend: { show: series.length > 1, live: false },
    cursor: { points: { show: false }, drag: { x: false, y: false } },
  } satisfies Omit<uPlot.Options, 'width' | 'height'>;
  const data = [xs, ...drawn.map((s) => s.values)] as uPlot.AlignedData;
  return { options, data };
}

function cumulative(series: CategorySeries[]): CategorySeries[] {
  const sums: number[] = [];
  return series.map((s) => ({ ...s, values: s.values.map((v, i) => (sums[i] = (sums[i] ?? 0) + v)) }));
}

function niceMax(max: number): number {
  if (!Number.isFinite(max) || max <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  const scaled = max / magnitude;
  const nice = scaled <= 1 ? 1 : scaled <= 2 ? 2 : scaled <= 5 ? 5 : 10;
  return nice * magnitude;
}

function shorten(label: string): string {
  return label.length > 14 ? `${label.slice(0, 13)}…` : label;
}

/** uPlot bars of `width` (in x units) centred at x + offset. */
function offsetBars(width: number, offset: number): uPlot.Series.PathBuilder {
  return (u, seriesIdx, idx0, idx1) => {
    const xs = u.data[0];
    const ys = u.data[seriesIdx] as (number | null | undefined)[];
    const path = new Path2D();
    const y0 = u.valToPos(0, 'y', true);
    for (let i = idx0; i <= idx1; i++) {
      const y = ys[i];
      const x = xs[i];
      if (y === null || y === undefined || y === 0 || x === undefined) continue;
      const left = u.valToPos(x + offset - width / 2, 'x', true);
      const right = u.valToPos(x + offset + width / 2, 'x', true);
      const top = u.valToPos(y, 'y', true);
      path.rect(left, top, Math.max(right - left, 1), y0 - top);
    }
    return { stroke: path, fill: path };
  };
}
