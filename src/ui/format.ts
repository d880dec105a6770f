// Display rules of the reference UI (reference §7.2): time since, local date-time,
// severity labels, shortened classifications and ids. Pure; text only, never HTML.

const UNITS: ReadonlyArray<[string, number]> = [
  ['month', 30 * 86_400],
  ['day', 86_400],
  ['hour', 3_600],
  ['minute', 60],
  ['second', 1],
];

/** Only the largest non-zero unit: `3 days`, `1 hour`; `just now` when zero (reference timesince). */
export function formatTimeSince(epochSeconds: number, nowSeconds = Date.now() / 1000): string {
  const delta = Math.max(0, Math.floor(nowSeconds - epochSeconds));
  for (const [name, size] of UNITS) {
    const n = Math.floor(delta / size);
    if (n > 0) return `${n} ${name}${n === 1 ? '' : 's'}`;
  }
  return 'just now';
}

/** Epoch seconds of the API's `YYYY-MM-DD HH:MM:SS UTC` timestamps; NaN when unreadable. */
export function parseApiTimestamp(value: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})/.exec(value);
  if (!match) return Number.NaN;
  const [, y, mo, d, h, mi, s] = match.map(Number) as number[];
  return Date.UTC(y as number, (mo as number) - 1, d, h, mi, s) / 1000;
}

const DATE_TIME = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  day: '2-digit',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});

/** `Tue, 05 Mar 2024 12:00:00` in the browser's time zone (reference local_datetime_since). */
export function formatLocalDateTime(epochSeconds: number): string {
  return Number.isFinite(epochSeconds) ? DATE_TIME.format(new Date(epochSeconds * 1000)) : '';
}

export interface SeverityLabel {
  text: string;
  tone: 'default' | 'info' | 'warning' | 'danger';
}

/** 2 → med (info), 3 → high (warning), 4 → crit (danger), else low (reference §7.2). */
export function severityLabel(severity: number): SeverityLabel {
  if (severity === 2) return { text: 'med', tone: 'info' };
  if (severity === 3) return { text: 'high', tone: 'warning' };
  if (severity === 4) return { text: 'crit', tone: 'danger' };
  return { text: 'low', tone: 'default' };
}

/** The records table drops the `org.clearlinux/` prefix (reference §7.2). */
export function shortClassification(classification: string): string {
  return classification.startsWith('org.clearlinux/') ? classification.slice('org.clearlinux/'.length) : classification;
}

/** `text` cut to `max` characters with an ellipsis. */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

const NUMBER = new Intl.NumberFormat('en-US');

export function formatCount(n: number): string {
  return NUMBER.format(n);
}

/** `"<function> - [<module>]"`, the reference's guilty label. */
export function guiltyLabel(g: { function: string; module: string }): string {
  return `${g.function} - [${g.module}]`;
}

/** Compares builds as the reference orders them: integers numerically, then the rest as text. */
export function compareBuilds(a: string, b: string): number {
  const na = /^[0-9]+$/.test(a) ? Number(a) : Number.NaN;
  const nb = /^[0-9]+$/.test(b) ? Number(b) : Number.NaN;
  if (!Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
  if (!Number.isNaN(na)) return -1;
  if (!Number.isNaN(nb)) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
