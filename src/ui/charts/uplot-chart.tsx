// One uPlot canvas sized to its container, with a hover tooltip built from text nodes
// only. Callers memoise `options` and `data`: a new object redraws the chart.

import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export type ChartOptions = Omit<uPlot.Options, 'width' | 'height'>;

export interface UPlotChartProps {
  options: ChartOptions;
  data: uPlot.AlignedData;
  /** what the chart shows, for screen readers */
  label: string;
  height?: number;
  /** the tooltip's title for a data index (the x label) */
  titleAt: (index: number) => string;
  /** the tooltip's value text for a series at a data index */
  valueAt?: (seriesIndex: number, index: number) => string;
}

export function UPlotChart({ options, data, label, height = 280, titleAt, valueAt }: UPlotChartProps) {
  const ref = useRef<HTMLDivElement>(null);
  const labels = useRef({ titleAt, valueAt });
  labels.current = { titleAt, valueAt };
  useEffect(() => {
    const element = ref.current;
    if (!element) return undefined;
    const tooltip = tooltipPlugin((i) => labels.current.titleAt(i), (s, i) => labels.current.valueAt?.(s, i));
    const plot = new uPlot({ ...options, plugins: [...(options.plugins ?? []), tooltip], width: Math.max(element.clientWidth, 200), height }, data, element);
    const observer = new ResizeObserver(() => {
      const width = Math.max(element.clientWidth, 200);
      if (width !== plot.width) plot.setSize({ width, height });
    });
    observer.observe(element);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [options, data, height]);
  return <div class="chart" ref={ref} role="img" aria-label={label} />;
}

function tooltipPlugin(titleAt: (index: number) => string, valueAt: (seriesIndex: number, index: number) => string | undefined): uPlot.Plugin {
  let box: HTMLDivElement | null = null;
  return {
    hooks: {
      init: (u) => {
        box = document.createElement('div');
        box.className = 'chart-tooltip';
        box.hidden = true;
        u.over.appendChild(box);
      },
      setCursor: (u) => {
        if (!box) return;
        const index = u.cursor.idx;
        const left = u.cursor.left ?? -1;
        if (index === null || index === undefined || left < 0) {
          box.hidden = true;
          return;
        }
        box.replaceChildren();
        const title = document.createElement('strong');
        title.textContent = titleAt(index);
        box.appendChild(title);
        u.series.forEach((s, si) => {
          if (si === 0 || s.show === false) return;
          const raw = u.data[si]?.[index];
          const text = valueAt(si, index) ?? (raw === null || raw === undefined ? '–' : String(raw));
          const line = document.createElement('div');
          const swatch = document.createElement('span');
          swatch.className = 'swatch';
          swatch.style.background = typeof s.stroke === 'string' ? s.stroke : typeof s.fill === 'string' ? s.fill : '#888';
          line.append(swatch, document.createTextNode(`${typeof s.label === 'string' ? s.label : ''}: ${text}`));
          box?.appendChild(line);
        });
        box.hidden = false;
        const top = u.cursor.top ?? 0;
        const flip = left > u.over.clientWidth / 2;
        box.style.left = flip ? '' : `${left + 12}px`;
        box.style.right = flip ? `${u.over.clientWidth - left + 12}px` : '';
        box.style.top = `${Math.max(0, top - 10)}px`;
      },
    },
  };
}
