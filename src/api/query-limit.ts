// Caps how many API queries use the shared connection pool at once, so that slow
// aggregates or exports never take the connections ingest needs. Waiters queue in
// order; past the queue's length a request is answered 429 at once.

import { AppError } from '../errors.ts';

export class QueryLimit {
  #running = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(
    readonly maxRunning: number,
    readonly maxWaiting: number,
  ) {}

  /** Runs `work` when a slot is free; throws RATE_LIMITED when too many already wait. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#running >= this.maxRunning) {
      if (this.#waiting.length >= this.maxWaiting) {
        throw new AppError('RATE_LIMITED', 'Too many API queries are running; retry shortly', { headers: { 'Retry-After': '1' } });
      }
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#running++;
    }
    try {
      return await work();
    } finally {
      const next = this.#waiting.shift();
      if (next) next(); // the slot passes to the next waiter
      else this.#running--;
    }
  }
}

/**
 * At most `maxRunning` queries at once (api.maxConcurrentQueries), and never more than
 * leave `reserved` connections of a pool of `poolMax` to everything but the API.
 */
export function createQueryLimit(poolMax: number, maxRunning = Number.POSITIVE_INFINITY, reserved = 2, maxWaiting = 200): QueryLimit {
  return new QueryLimit(Math.max(1, Math.min(maxRunning, poolMax - reserved)), maxWaiting);
}
