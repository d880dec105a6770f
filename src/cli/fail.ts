// How every command reports a failure: one clear line on stderr and an exit status
// (2 for bad configuration or usage, 1 for everything else), never a stack trace.

import { ConfigError } from '../config/load.ts';

export function exitWithError(err: unknown): never {
  if (err instanceof ConfigError) {
    process.stderr.write(`telemetrics: invalid configuration:\n${err.problems.map((p) => `  - ${p}`).join('\n')}\n`);
    process.exit(2);
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`telemetrics: ${message.split('\n')[0]}\n`);
  if (process.env.TELEMETRICS_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  process.exit(1);
}
