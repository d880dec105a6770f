// The Top MCE table (reference §8.9): machines by total reports with per-build bars
// scaled to the largest machine×build cell; 10 rows by default (`rows=` in the URL).

import type { MceStats } from '../../api-client.ts';
import { InlineBar } from '../../charts/inline-bar.tsx';
import { compareBuilds, formatCount, truncate } from '../../format.ts';
import { hrefOf, navigate, queryObject, type Location } from '../../router.ts';

const ROW_CHOICES = [10, 25, 50, 100, 250, 1000];

export function TopMachinesTable({ machines, machineCount, location }: { machines: MceStats['top_machines']; machineCount: number; location: Location }) {
  // 10, then larger steps up to the first one that shows every machine.
  const options = ROW_CHOICES.filter((_, i) => i === 0 || (ROW_CHOICES[i - 1] ?? 0) < machines.length);
  const requested = Number(location.query.get('rows') ?? '10');
  const rows = options.includes(requested) ? requested : 10;
  const builds = [...new Set(machines.flatMap((m) => m.by_build.map((b) => b.build)))].sort(compareBuilds);
  const cellMax = machines.reduce((max, m) => Math.max(max, ...m.by_build.map((b) => b.count)), 0);
  const shown = machines.slice(0, rows);
  return (
    <section class="top-machines">
      <div class="section-head">
        <h2>Top MCE machines</h2>
        <label>
          <span>Rows</span>
          <select onChange={(e) => navigate(hrefOf(location.path, { ...queryObject(location.query), rows: (e.currentTarget as HTMLSelectElement).value }), { replace: true })}>
            {options.map((n) => (
              <option key={n} value={n} selected={n === rows}>
                {n}
              </option>
            ))}
          </select>
        </label>
      </div>
      <p class="muted">
        Showing {shown.length} of {formatCount(machineCount)} machines.
      </p>
      <div class="table-scroll">
        <table class="bar-table">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Machine ID</th>
              {builds.map((b) => (
                <th scope="col" key={b}>
                  {b}
                </th>
              ))}
              <th scope="col">Total</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((m, i) => (
              <tr key={m.machine_id}>
                <td>{i + 1}</td>
                <td title={m.machine_id}>
                  <a href={hrefOf('/records', { machine_id: m.machine_id, classification: 'org.clearlinux/mce/*' })}>
                    <code>{truncate(m.machine_id, 16)}</code>
                  </a>
                </td>
                {builds.map((b) => (
                  <td key={b}>
                    <InlineBar value={m.by_build.find((x) => x.build === b)?.count ?? 0} max={cellMax} />
                  </td>
                ))}
                <td class="num">{formatCount(m.total)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
