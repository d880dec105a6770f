// A crash signature beyond the reference: a stable hash of the normalised top
// frames of the crashing thread, so that the same crash groups together across
// machines, PIDs and load addresses. Pure; never throws.

import { createHash } from 'node:crypto';
import type { Blacklist } from './blacklist.ts';
import { listCrashingFrames, parseCrashReport, type CrashFrame } from './crash-report.ts';

export interface CrashSignature {
  /** Hex SHA-1 of the normalised frames (40 characters). */
  signature: string;
  /** The normalised frames that made the signature, `function - [module]`, for display. */
  frames: string[];
}

export interface SignatureOptions {
  /** How many usable frames from the top make the signature (default 5, at most 64). */
  frameCount?: number;
}

export const DEFAULT_SIGNATURE_FRAME_COUNT = 5;
// The client unwinds at most 64 frames per thread (wire-protocol §16.1).
const MAX_SIGNATURE_FRAME_COUNT = 64;
// Part of the hashed text: bump it when normalisation changes, so old and new never collide.
const SIGNATURE_VERSION = 'v1';

const UNKNOWN_FUNCTION = '???';
const NO_SYMBOLS = '(no symbols)';
const UNRELIABLE_PREFIX = '? ';
// `+0x4e/0x90` offsets of kernel symbols and any other hex address
const OFFSET = /\+0x[0-9a-f]+(?:\/0x[0-9a-f]+)?/gi;
const ADDRESS = /\b0x[0-9a-f]+\b/gi;
// GCC clone suffixes (`foo.isra.0`, `foo.cold`) differ between builds of the same code
const CLONE_SUFFIX = /\.(?:isra|constprop|part|cold|lto_priv|localalias)(?:\.[0-9]+)*/g;
const SPACES = /\s+/g;

export function computeSignature(
  payload: string,
  blacklist: Blacklist,
  options: SignatureOptions = {},
): CrashSignature | null {
  return computeSignatureFromFrames(listCrashingFrames(parseCrashReport(payload)), blacklist, options);
}

/** computeSignature on the crashing thread's frames, as listCrashingFrames gives them. */
export function computeSignatureFromFrames(
  frames: readonly CrashFrame[],
  blacklist: Blacklist,
  options: SignatureOptions = {},
): CrashSignature | null {
  const wanted = readFrameCount(options.frameCount);
  const normalised: string[] = [];
  for (const frame of frames) {
    if (normalised.length >= wanted) break;
    if (frame.module === null || isUnknownFrame(frame.function)) continue;
    if (blacklist.has(frame.function, frame.module)) continue;
    const text = normaliseFrame(frame.function, frame.module);
    if (text !== null) normalised.push(text);
  }
  if (normalised.length === 0) return null;
  const signature = createHash('sha1')
    .update(`${SIGNATURE_VERSION}\n${normalised.join('\n')}`)
    .digest('hex');
  return { signature, frames: normalised };
}

/**
 * `example_dev_init+0x4e/0x90`, `/usr/bin/exampled` → `example_dev_init - [exampled]`;
 * null when nothing is left.
 */
export function normaliseFrame(functionName: string, moduleName: string): string | null {
  const name = functionName
    .replace(OFFSET, '')
    .replace(ADDRESS, '')
    .replace(CLONE_SUFFIX, '')
    .replace(SPACES, ' ')
    .trim();
  if (name === '') return null;
  return `${name} - [${basename(moduleName)}]`;
}

function isUnknownFrame(functionName: string): boolean {
  return (
    functionName === UNKNOWN_FUNCTION ||
    functionName === NO_SYMBOLS ||
    functionName.startsWith(UNRELIABLE_PREFIX)
  );
}

function basename(path: string): string {
  const trimmed = path.trim();
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

function readFrameCount(frameCount: number | undefined): number {
  if (frameCount === undefined || !Number.isFinite(frameCount)) return DEFAULT_SIGNATURE_FRAME_COUNT;
  return Math.min(MAX_SIGNATURE_FRAME_COUNT, Math.max(1, Math.floor(frameCount)));
}
