// The guilty blacklist: (function, module) pairs that the guilty finder passes
// over (reference-backend §9.4 step 2.1). Immutable once built; pure.

/** One blacklist entry, as stored in the guilty_blacklisted table. */
export interface BlacklistEntry {
  function: string;
  module: string;
}

/** A set of (function, module) pairs compared exactly, as the reference's tuple set. */
export class Blacklist {
  // function → modules; a two-level map keeps pairs unambiguous whatever they contain
  readonly #modulesByFunction = new Map<string, Set<string>>();
  #size = 0;

  constructor(entries: Iterable<BlacklistEntry> = []) {
    for (const entry of entries) {
      let modules = this.#modulesByFunction.get(entry.function);
      if (modules === undefined) {
        modules = new Set<string>();
        this.#modulesByFunction.set(entry.function, modules);
      }
      if (!modules.has(entry.module)) {
        modules.add(entry.module);
        this.#size += 1;
      }
    }
  }

  /** True when exactly this (function, module) pair is blacklisted. */
  has(functionName: string, moduleName: string): boolean {
    return this.#modulesByFunction.get(functionName)?.has(moduleName) ?? false;
  }

  /** Number of distinct pairs. */
  get size(): number {
    return this.#size;
  }

  /** The distinct pairs, in insertion order. */
  *entries(): IterableIterator<BlacklistEntry> {
    for (const [functionName, modules] of this.#modulesByFunction) {
      for (const moduleName of modules) yield { function: functionName, module: moduleName };
    }
  }
}
