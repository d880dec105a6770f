// Parser of the user-space crash payload of crashprobe (wire-protocol §16) into
// header fields and threads. Pure; never throws: garbage gives empty fields.

import { matchFrameLine, readFrameNumber } from './frame-line.ts';
import { splitLines } from './split-lines.ts';

export interface BacktraceFrame {
  /** The number after `#` (from 0 in each thread); the frame's position when unreadable. */
  index: number;
  /** As sent: `parse_item()`, `???`, `(no symbols)`, or the text of a cut-off line. */
  function: string;
  /** Soname or absolute path; null when the line names no module (`(no symbols)`, cut off). */
  module: string | null;
  /** Source information such as `src/parse.c:88`, when sent. */
  source?: string;
  /** The line as received, without its line break. */
  raw: string;
}

export interface BacktraceThread {
  /** From `Backtrace (TID n):`; null for frames that come before any such line. */
  tid: number | null;
  frames: BacktraceFrame[];
}

export interface ParsedBacktrace {
  process: string | null;
  pid: number | null;
  /** Absent from the payload when the probe did not know the signal. */
  signal: number | null;
  /** The `Error: <reason>` line of org.clearlinux/crash/error payloads. */
  error: string | null;
  /** The payload says `Too many frames. Backtrace truncated.` */
  truncated: boolean;
  /** In payload order: the crashing thread first. */
  threads: BacktraceThread[];
}

// reference-backend §9.2; a split line holds no "\n", so `.` here equals Python's `.`
const PROCESS_LINE = /^Process: (.*)$/s;
const PID_LINE = /^PID: ([0-9]+)$/;
const SIGNAL_LINE = /^Signal: ([0-9]+)$/;
const THREAD_LINE = /^Backtrace \(TID ([0-9]+)\):$/;
const ERROR_LINE = /^Error: (.*)$/s;
const TRUNCATED_LINE = 'Too many frames. Backtrace truncated.';
// A frame line the reference regex does not match: `#3 (no symbols)` or a cut-off line.
const OTHER_FRAME_LINE = /^#([0-9]+) (.*)$/s;
const NO_SYMBOLS = '(no symbols)';
const SOURCE_SEPARATOR = ' - ';

export function parseBacktrace(payload: string): ParsedBacktrace {
  return parseBacktraceLines(splitLines(payload));
}

/** parseBacktrace on a payload already split with splitLines. */
export function parseBacktraceLines(lines: readonly string[]): ParsedBacktrace {
  const result: ParsedBacktrace = {
    process: null,
    pid: null,
    signal: null,
    error: null,
    truncated: false,
    threads: [],
  };
  let thread: BacktraceThread | null = null;

  for (const line of lines) {
    if (line === TRUNCATED_LINE) {
      result.truncated = true;
      continue;
    }
    const threadHeader = THREAD_LINE.exec(line);
    if (threadHeader !== null) {
      thread = { tid: readSafeInteger(threadHeader[1]), frames: [] };
      result.threads.push(thread);
      continue;
    }
    const frame = readFrame(line, thread?.frames.length ?? 0);
    if (frame !== null) {
      if (thread === null) {
        thread = { tid: null, frames: [] };
        result.threads.push(thread);
      }
      thread.frames.push(frame);
      continue;
    }
    // Header fields live above the first thread; the first occurrence wins.
    if (thread === null) readHeaderLine(line, result);
  }
  return result;
}

function readHeaderLine(line: string, result: ParsedBacktrace): void {
  let match: RegExpExecArray | null;
  if (result.process === null && (match = PROCESS_LINE.exec(line)) !== null) {
    result.process = match[1] ?? '';
  } else if (result.pid === null && (match = PID_LINE.exec(line)) !== null) {
    result.pid = readSafeInteger(match[1]);
  } else if (result.signal === null && (match = SIGNAL_LINE.exec(line)) !== null) {
    result.signal = readSafeInteger(match[1]);
  } else if (result.error === null && (match = ERROR_LINE.exec(line)) !== null) {
    result.error = match[1] ?? '';
  }
}

function readFrame(line: string, position: number): BacktraceFrame | null {
  const reference = matchFrameLine(line);
  if (reference !== null) {
    const frame: BacktraceFrame = {
      index: readFrameNumber(reference.number) ?? position,
      function: reference.function,
      module: reference.module,
      raw: line,
    };
    const source = readSource(reference.rest);
    if (source !== null) frame.source = source;
    return frame;
  }
  const other = OTHER_FRAME_LINE.exec(line);
  if (other === null) return null;
  const text = other[2] ?? '';
  const frame: BacktraceFrame = {
    index: readFrameNumber(other[1] ?? '') ?? position,
    function: text,
    module: null,
    raw: line,
  };
  if (text.startsWith(NO_SYMBOLS)) {
    frame.function = NO_SYMBOLS;
    const source = readSource(text.slice(NO_SYMBOLS.length));
    if (source !== null) frame.source = source;
  }
  return frame;
}

/** ` - src/parse.c:88` → `src/parse.c:88`; empty → null. */
function readSource(rest: string): string | null {
  const source = rest.startsWith(SOURCE_SEPARATOR) ? rest.slice(SOURCE_SEPARATOR.length) : rest;
  const trimmed = source.trim();
  return trimmed === '' ? null : trimmed;
}

function readSafeInteger(digits: string | undefined): number | null {
  if (digits === undefined) return null;
  const value = Number(digits);
  return Number.isSafeInteger(value) ? value : null;
}
