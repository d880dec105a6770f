// A horizontal bar inside a table cell, scaled to `max`, its count in a tooltip and in
// text for screen readers (the reference's SVG bars in crash and MCE tables).

import { formatCount } from '../format.ts';

export function InlineBar({ value, max, showValue = true }: { value: number; max: number; showValue?: boolean }) {
  if (value <= 0) return <span class="inline-bar-empty" />;
  const width = max > 0 ? Math.max(2, (100 * value) / max) : 0;
  return (
    <span class="inline-bar" title={formatCount(value)}>
      <span class="inline-bar-fill" style={{ width: `${width}%` }} />
      <span class={showValue ? 'inline-bar-value' : 'visually-hidden'}>{formatCount(value)}</span>
    </span>
  );
}
