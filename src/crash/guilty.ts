// The reference guilty algorithm (reference-backend §9.4), step by step, and
// the classes it runs on (§9.1). Pure; never throws.

import type { Blacklist } from './blacklist.ts';
import { matchFrameLine } from './frame-line.ts';
import { splitLines } from './split-lines.ts';

/** The (function, module) pair that a crash is blamed on; the key of the guilty table. */
export interface Guilty {
  function: string;
  module: string;
}

/** reference-backend §9.1: the classes processed for guilties. */
export const BACKTRACE_CLASSES: readonly string[] = Object.freeze([
  'org.clearlinux/crash/clr',
  'org.clearlinux/kernel/bug',
  'org.clearlinux/kernel/stackoverflow',
  'org.clearlinux/kernel/warning',
]);

/** True when records of this classification get a guilty (exact, case-sensitive match). */
export function isBacktraceClass(
  classification: string,
  classes: readonly string[] = BACKTRACE_CLASSES,
): boolean {
  return classes.includes(classification);
}

const UNKNOWN_FUNCTION = '???';
const UNRELIABLE_PREFIX = '? ';

/** The guilty frame of a crash payload, or null when it has none. */
export function findGuilty(payload: string, blacklist: Blacklist): Guilty | null {
  return findGuiltyInLines(splitLines(payload), blacklist);
}

/** findGuilty on a payload already split with splitLines. */
export function findGuiltyInLines(lines: readonly string[], blacklist: Blacklist): Guilty | null {
  let inBacktrace = false;
  let prevFrame: Guilty | null = null;
  let firstUnknown: Guilty | null = null;
  let foundUnknown = false;

  // §9.4 step 1: "Iterate over the lines, skipping the first line."
  for (let i = 1; i < lines.length; i++) {
    const match = matchFrameLine(lines[i] ?? '');
    if (match === null) {
      // step 3: "A line that does not match the frame regex, after in_backtrace
      // was set, ends the crashing thread: stop scanning."
      if (inBacktrace) break;
      continue;
    }
    // step 2: "For each line that matches the frame regex, set in_backtrace and take (func, mod)"
    inBacktrace = true;
    const frame: Guilty = { function: match.function, module: match.module };
    const func = frame.function;

    // step 2.1: "If (func, mod) is blacklisted: remember it as prev_frame and continue."
    if (blacklist.has(func, frame.module)) {
      prevFrame = frame;
      continue;
    }
    // step 2.2: "Else, if func is ??? or func starts with `? `, and no unknown frame
    // has been seen yet: remember it as first_unknown and as prev_frame, set found_unknown"
    if ((func === UNKNOWN_FUNCTION || func.startsWith(UNRELIABLE_PREFIX)) && !foundUnknown) {
      foundUnknown = true;
      firstUnknown = frame;
      prevFrame = frame;
      continue;
    }
    // step 2.3: "Else, if func is ??? (a later unknown frame): remember it as prev_frame
    // and continue." A later `? x` frame is not skipped here: it falls through to 2.4.
    if (func === UNKNOWN_FUNCTION) {
      prevFrame = frame;
      continue;
    }
    // step 2.4: "Else: the guilty is (func, mod); stop."
    return frame;
  }

  // step 4.1: "if found_unknown: the guilty is first_unknown"
  if (foundUnknown && firstUnknown !== null) return firstUnknown;
  // step 4.2: "else if prev_frame is set: the guilty is prev_frame" (the last, blacklisted, frame)
  if (prevFrame !== null) return prevFrame;
  // step 4.3: "else: no guilty; the record is left without one."
  return null;
}
