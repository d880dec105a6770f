// One pass over a crash payload for the background processor and the crash
// views: guilty, signature and display frames from a single split. Pure.

import type { Blacklist } from './blacklist.ts';
import { listCrashingFrames, parseCrashReportLines, type CrashFrame } from './crash-report.ts';
import { demangle } from './demangle.ts';
import { findGuiltyInLines, isBacktraceClass, type Guilty } from './guilty.ts';
import { computeSignatureFromFrames, type CrashSignature, type SignatureOptions } from './signature.ts';
import { splitLines } from './split-lines.ts';

/** A frame of the crashing thread as the backtraces view shows it (reference-backend §8.7). */
export interface DisplayFrame {
  index: number;
  /** As sent: the key for the guilty and the blacklist. */
  function: string;
  /** The function with C++ names demangled, for reading only. */
  displayFunction: string;
  module: string | null;
  /** Source information as sent, e.g. `src/parse.c:88`. */
  source: string | null;
  /** Its basename (`parse.c:88`), which the reference shows after the frame. */
  sourceBasename: string | null;
  /** A kernel `? ` entry. */
  unreliable: boolean;
  /** Same (function, module) as the guilty: the view highlights it. */
  guilty: boolean;
}

export interface CrashAnalysis {
  kind: 'user' | 'kernel';
  /** The classification is a backtrace class; otherwise guilty and signature are null. */
  backtraceClass: boolean;
  guilty: Guilty | null;
  signature: CrashSignature | null;
  frames: DisplayFrame[];
  /** User-space `Process:` line. */
  process: string | null;
  /** User-space `Signal:` line. */
  signal: number | null;
  /** Kernel `Reason:` line. */
  reason: string | null;
}

export interface AnalyseOptions extends SignatureOptions {
  /** The classes that get a guilty and a signature (default BACKTRACE_CLASSES). */
  classes?: readonly string[];
}

export function analyseCrash(
  payload: string,
  classification: string,
  blacklist: Blacklist,
  options: AnalyseOptions = {},
): CrashAnalysis {
  const lines = splitLines(payload);
  const report = parseCrashReportLines(lines);
  const crashingFrames = listCrashingFrames(report);
  const backtraceClass = isBacktraceClass(classification, options.classes);
  // reference-backend §10.1 step 1: only backtrace classes are processed
  const guilty = backtraceClass ? findGuiltyInLines(lines, blacklist) : null;
  const signature = backtraceClass ? computeSignatureFromFrames(crashingFrames, blacklist, options) : null;
  return {
    kind: report.kind,
    backtraceClass,
    guilty,
    signature,
    frames: crashingFrames.map((frame) => toDisplayFrame(frame, guilty)),
    process: report.kind === 'user' ? report.backtrace.process : null,
    signal: report.kind === 'user' ? report.backtrace.signal : null,
    reason: report.kind === 'kernel' ? report.oops.reason : null,
  };
}

function toDisplayFrame(frame: CrashFrame, guilty: Guilty | null): DisplayFrame {
  const source = frame.source ?? null;
  return {
    index: frame.index,
    function: frame.function,
    displayFunction: demangle(frame.function),
    module: frame.module,
    source,
    sourceBasename: source === null ? null : source.slice(source.lastIndexOf('/') + 1),
    unreliable: frame.unreliable,
    guilty: guilty !== null && guilty.function === frame.function && guilty.module === frame.module,
  };
}
