// Parser of the kernel oops report of klogscanner and pstoreprobe
// (wire-protocol §17), BERT reports included. Pure; never throws.

import { matchFrameLine, readFrameNumber } from './frame-line.ts';
import { splitLines } from './split-lines.ts';

export interface OopsFrame {
  /** The number after `#` (frames are numbered from 1); the frame's position when unreadable. */
  index: number;
  /** As sent, `? ` marker included: `example_dev_init`, `? kmem_cache_alloc`. */
  function: string;
  /** Always `kernel` in client output; null for a cut-off line. */
  module: string | null;
  /** The kernel marked the stack entry unreliable (`? ` before the function). */
  unreliable: boolean;
  raw: string;
}

export interface OopsRegister {
  name: string;
  /** `Zero`, `Non-zero`, or the hex value when the sender opted out of privacy filters. */
  value: string;
}

export interface ParsedOops {
  /** First line of the oops, without log level and timestamp. */
  reason: string | null;
  kernelVersion: string | null;
  /** Taint flags as sent (trailing spaces removed), or `Not tainted`. */
  tainted: string | null;
  /** Modules linked in, one per word. */
  modules: string[];
  registers: OopsRegister[];
  frames: OopsFrame[];
  /** A BERT report (`Reason: BERT: …`): hardware error lines, no frames. */
  bert: boolean;
  /** The `[Hardware Error]` lines, as sent. */
  hardwareErrors: string[];
}

const REASON_LINE = /^Reason: (.*)$/s;
const KERNEL_VERSION_LINE = /^Kernel Version : (.*)$/s;
const TAINTED_LINE = /^Tainted : (.*)$/s;
const MODULES_LINE = /^Modules : (.*)$/s;
const REGISTER_LINE = /^Register ([^\s:]+): (.*)$/s;
const OTHER_FRAME_LINE = /^#([0-9]+) (.*)$/s;
const HARDWARE_ERROR_PREFIX = '[Hardware Error]';
const BERT_REASON_PREFIX = 'BERT:';
// wire-protocol §17.1: the kernel's marker for an unreliable stack entry
const UNRELIABLE_PREFIX = '? ';

export function parseOops(payload: string): ParsedOops {
  return parseOopsLines(splitLines(payload));
}

/** parseOops on a payload already split with splitLines. */
export function parseOopsLines(lines: readonly string[]): ParsedOops {
  const result: ParsedOops = {
    reason: null,
    kernelVersion: null,
    tainted: null,
    modules: [],
    registers: [],
    frames: [],
    bert: false,
    hardwareErrors: [],
  };
  let modulesSeen = false;

  for (const line of lines) {
    const frame = readFrame(line, result.frames.length + 1);
    if (frame !== null) {
      result.frames.push(frame);
      continue;
    }
    if (line.startsWith(HARDWARE_ERROR_PREFIX)) {
      result.hardwareErrors.push(line);
      continue;
    }
    let match: RegExpExecArray | null;
    if ((match = REGISTER_LINE.exec(line)) !== null) {
      result.registers.push({ name: match[1] ?? '', value: (match[2] ?? '').trim() });
    } else if (result.reason === null && (match = REASON_LINE.exec(line)) !== null) {
      result.reason = match[1] ?? '';
      result.bert = result.reason.startsWith(BERT_REASON_PREFIX);
    } else if (result.kernelVersion === null && (match = KERNEL_VERSION_LINE.exec(line)) !== null) {
      result.kernelVersion = (match[1] ?? '').trim();
    } else if (result.tainted === null && (match = TAINTED_LINE.exec(line)) !== null) {
      result.tainted = (match[1] ?? '').trimEnd();
    } else if (!modulesSeen && (match = MODULES_LINE.exec(line)) !== null) {
      modulesSeen = true;
      result.modules = (match[1] ?? '').split(/\s+/).filter((word) => word !== '');
    }
  }
  return result;
}

function readFrame(line: string, position: number): OopsFrame | null {
  const reference = matchFrameLine(line);
  if (reference !== null) {
    return {
      index: readFrameNumber(reference.number) ?? position,
      function: reference.function,
      module: reference.module,
      unreliable: reference.function.startsWith(UNRELIABLE_PREFIX),
      raw: line,
    };
  }
  const other = OTHER_FRAME_LINE.exec(line);
  if (other === null) return null;
  const text = other[2] ?? '';
  return {
    index: readFrameNumber(other[1] ?? '') ?? position,
    function: text,
    module: null,
    unreliable: text.startsWith(UNRELIABLE_PREFIX),
    raw: line,
  };
}
