// What crash processing stores for one record: guilty, signature, program and
// signal, from the same pure parts as crash/analyse.ts but without the display
// frames, whose C++ demangling costs ten times the rest on C++ crashes.
// A test checks that both agree on every field stored.

import type { Blacklist } from '../crash/blacklist.ts';
import { listCrashingFrames, parseCrashReportLines } from '../crash/crash-report.ts';
import { findGuiltyInLines, isBacktraceClass, type Guilty } from '../crash/guilty.ts';
import { computeSignatureFromFrames, type CrashSignature } from '../crash/signature.ts';
import { splitLines } from '../crash/split-lines.ts';

export interface CrashOutcomeOptions {
  classes: readonly string[];
  signatureFrames: number;
}

export interface AnalysedCrash {
  guilty: Guilty | null;
  signature: CrashSignature | null;
  /** User-space `Process:` line. */
  process: string | null;
  /** User-space `Signal:` line. */
  signal: number | null;
}

/** analyseCrash reduced to what crash_analysis stores. Pure; never throws on input. */
export function analyseCrashOutcome(payload: string, classification: string, blacklist: Blacklist, options: CrashOutcomeOptions): AnalysedCrash {
  const lines = splitLines(payload);
  const report = parseCrashReportLines(lines);
  // reference-backend §10.1 step 1: only backtrace classes are processed
  const backtraceClass = isBacktraceClass(classification, options.classes);
  return {
    guilty: backtraceClass ? findGuiltyInLines(lines, blacklist) : null,
    signature: backtraceClass ? computeSignatureFromFrames(listCrashingFrames(report), blacklist, { frameCount: options.signatureFrames }) : null,
    process: report.kind === 'user' ? report.backtrace.process : null,
    signal: report.kind === 'user' ? report.backtrace.signal : null,
  };
}
