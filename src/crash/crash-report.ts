// Tells a kernel oops report from a user-space backtrace and gives the frames
// of the crashing thread, the part every crash view and signature uses. Pure.

import { parseBacktraceLines, type ParsedBacktrace } from './backtrace.ts';
import { parseOopsLines, type ParsedOops } from './oops.ts';
import { splitLines } from './split-lines.ts';

export type CrashReport =
  | { kind: 'user'; backtrace: ParsedBacktrace }
  | { kind: 'kernel'; oops: ParsedOops };

/** One frame of the crashing thread, user-space or kernel. */
export interface CrashFrame {
  index: number;
  function: string;
  module: string | null;
  source?: string;
  /** A kernel `? ` entry. */
  unreliable: boolean;
}

// wire-protocol §17.1: every oops and BERT report starts with this line
const KERNEL_REPORT_FIRST_LINE = 'Crash Report:';

export function parseCrashReport(payload: string): CrashReport {
  return parseCrashReportLines(splitLines(payload));
}

/** parseCrashReport on a payload already split with splitLines. */
export function parseCrashReportLines(lines: readonly string[]): CrashReport {
  if (isKernelReport(lines)) return { kind: 'kernel', oops: parseOopsLines(lines) };
  return { kind: 'user', backtrace: parseBacktraceLines(lines) };
}

/** The report is a kernel one when its first line is `Crash Report:`, whatever the classification. */
export function isKernelReport(lines: readonly string[]): boolean {
  return (lines[0] ?? '').trim() === KERNEL_REPORT_FIRST_LINE;
}

/** The frames of the crashing thread (the first thread of a user-space crash), in order. */
export function listCrashingFrames(report: CrashReport): CrashFrame[] {
  if (report.kind === 'kernel') {
    return report.oops.frames.map((frame) => ({
      index: frame.index,
      function: frame.function,
      module: frame.module,
      unreliable: frame.unreliable,
    }));
  }
  const crashing = report.backtrace.threads[0];
  if (crashing === undefined) return [];
  return crashing.frames.map((frame) => {
    const result: CrashFrame = {
      index: frame.index,
      function: frame.function,
      module: frame.module,
      unreliable: false,
    };
    if (frame.source !== undefined) result.source = frame.source;
    return result;
  });
}
