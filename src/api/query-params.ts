// Small parsers for single query parameters and the one way to reject one:
// 400 QUERY_PARAM_INVALID whose details name the parameter.

import { AppError, type ErrorDetail } from '../errors.ts';

export const POSTGRES_BIGINT_MAX = 9_223_372_036_854_775_807n;
/** Longest accepted value of a parameter the reference sets no limit for. */
export const PARAM_MAX_LENGTH = 1024;

/** A rejected parameter: `message` is the human (reference) text, `detail` says what is expected. */
export class ParamProblem {
  constructor(
    readonly param: string,
    readonly message: string,
    readonly detail: string,
  ) {}
}

/** The one error for invalid parameters: first problem's message on top, every problem in details. */
export function invalidParams(problems: readonly ParamProblem[]): AppError {
  const details: ErrorDetail[] = problems.map((p) => ({ field: p.param, message: p.detail }));
  return new AppError('QUERY_PARAM_INVALID', problems[0]?.message, { details });
}

export function invalidParam(param: string, message: string, detail: string): AppError {
  return invalidParams([new ParamProblem(param, message, detail)]);
}

/** ASCII digits only, like the reference's `str.isdigit()` checks (no sign, no spaces). */
export function parseDigits(value: string): bigint | null {
  return /^[0-9]+$/.test(value) ? BigInt(value) : null;
}

/** A value of `choices`, or the default when absent; throws the parameter's 400 otherwise. */
export function parseChoice<T extends string>(value: string | undefined, param: string, choices: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw invalidParam(param, `${param} value is invalid`, `must be one of ${choices.join(', ')}`);
}

/** A whole number in [min, max], or the default when absent. */
export function parseIntegerParam(value: string | undefined, param: string, range: { min: number; max: number; fallback: number; message?: string }): number {
  if (value === undefined) return range.fallback;
  const digits = parseDigits(value);
  if (digits === null || digits < BigInt(range.min) || digits > BigInt(range.max)) {
    throw invalidParam(param, range.message ?? `${param} value is invalid`, `must be an integer from ${range.min} to ${range.max}`);
  }
  return Number(digits);
}

/** A string parameter with a length cap and no NUL (PostgreSQL text cannot hold one). */
export function parseTextParam(value: string | undefined, param: string, message: string, maxLength = PARAM_MAX_LENGTH): string | undefined {
  if (value === undefined) return undefined;
  const problem = checkText(value, maxLength);
  if (problem) throw invalidParam(param, message, problem);
  return value;
}

/** Why a text value is unusable, or null. Lengths count code points, like Python's len(). */
export function checkText(value: string, maxLength: number): string | null {
  if (value.includes('\u0000')) return 'must not contain a NUL character';
  if (countCodePoints(value) > maxLength) return `must be at most ${maxLength} characters`;
  return null;
}

export function countCodePoints(value: string): number {
  let n = 0;
  for (const _ of value) n++;
  return n;
}
