// The reference's pie charts as a bar list: colour swatch (reference palette), label,
// a bar scaled to the largest entry, count and share; the full label in a tooltip.

import { formatCount } from '../format.ts';
import { colourAt } from './palette.ts';

export interface ShareEntry {
  label: string;
  count: number;
}

export function ShareList({ title, entries, labelHeading }: { title: string; entries: ShareEntry[]; labelHeading: string }) {
  const total = entries.reduce((sum, e) => sum + e.count, 0);
  const max = entries.reduce((m, e) => Math.max(m, e.count), 0);
  return (
    <figure class="chart-figure share-list">
      <figcaption>{title}</figcaption>
      <table>
        <thead>
          <tr>
            <th scope="col">{labelHeading}</th>
            <th scope="col" class="bar-col">
              <span class="visually-hidden">Share</span>
            </th>
            <th scope="col" class="num">
              Records
            </th>
            <th scope="col" class="num">
              %
            </th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e, i) => {
            const share = total > 0 ? (100 * e.count) / total : 0;
            return (
              <tr key={e.label} title={`${e.label}: ${formatCount(e.count)} (${share.toFixed(1)}%)`}>
                <th scope="row">
                  <span class="share-name">
                    <span class="swatch" style={{ background: colourAt(i) }} />
                    <span class="share-label">{e.label === '' ? '(empty)' : e.label}</span>
                  </span>
                </th>
                <td class="bar-col">
                  <span class="hbar" style={{ width: `${max > 0 ? (100 * e.count) / max : 0}%`, background: colourAt(i) }} />
                </td>
                <td class="num">{formatCount(e.count)}</td>
                <td class="num">{share.toFixed(1)}</td>
              </tr>
            );
          })}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">Total</th>
            <td />
            <td class="num">{formatCount(total)}</td>
            <td class="num">100</td>
          </tr>
        </tfoot>
      </table>
    </figure>
  );
}
