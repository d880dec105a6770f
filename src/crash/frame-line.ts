// The reference frame line of reference-backend §9.2, matched without regex
// backtracking, so that a hostile line costs linear time. Pure; never throws.

/** One line matched by the reference frame regex `^(#\d+ )(.+)( - \[(.*)\](.*))$`. */
export interface FrameLineMatch {
  /** The digits after `#`, as text (group 1 without `#` and the space). */
  number: string;
  /** Group 2: the function, with `()` for user-space frames. */
  function: string;
  /** Group 4: the module inside the brackets. */
  module: string;
  /** Group 5: the rest after `]`, e.g. ` - src/parse.c:88`, often empty. */
  rest: string;
}

// Python's \d in a str pattern matches every Unicode decimal digit, not just 0-9.
const FRAME_PREFIX = /^#(\p{Nd}+) /u;
const MODULE_OPEN = ' - [';

/**
 * Matches `line` as the reference's Python regex would (greedy groups, `.`
 * matching anything but "\n", which a split line never holds).
 *
 * The greedy `(.+)` ends at the last ` - [` that still has a `]` after it, and
 * the greedy `(.*)\]` ends at the last `]` of the line.
 */
export function matchFrameLine(line: string): FrameLineMatch | null {
  const prefix = FRAME_PREFIX.exec(line);
  if (prefix === null) return null;
  const body = line.slice(prefix[0].length);
  const close = body.lastIndexOf(']');
  // `(.+)` needs one character, then ` - [` (4 characters) must end before the `]`
  if (close < 1 + MODULE_OPEN.length) return null;
  const open = body.lastIndexOf(MODULE_OPEN, close - MODULE_OPEN.length);
  if (open < 1) return null;
  return {
    number: prefix[1] ?? '',
    function: body.slice(0, open),
    module: body.slice(open + MODULE_OPEN.length, close),
    rest: body.slice(close + 1),
  };
}

/** The frame number as an integer, or null when it is not plain 0-9 digits of a safe size. */
export function readFrameNumber(digits: string): number | null {
  if (!/^[0-9]{1,15}$/.test(digits)) return null;
  return Number(digits);
}
