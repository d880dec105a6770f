// The reference purge rules (reference-backend §11.2) as data: which steps a purge
// runs, each step's cutoff, and when a whole day of records is past every
// retention. Pure: no SQL, no clock (the caller passes `now`).

import type { RetentionRule } from '../config/schema.ts';

export const DAY_MS = 86_400_000;

export interface PurgeStep {
  /** What the logs and `telemetrics purge` print, e.g. `classification test/discard/* after 1 day`. */
  label: string;
  /** `rule`: records matching `rule`; `unfiltered`: records matching no rule at all. */
  kind: 'rule' | 'unfiltered';
  rule: RetentionRule | null;
  days: number;
  /** Records received before this instant are expired by this step. */
  cutoff: Date;
  /** Rule steps run before this one: a record they delete is theirs, not counted again here. */
  earlier: ReadonlyArray<{ rule: RetentionRule; cutoff: Date }>;
}

export interface PurgePlan {
  steps: PurgeStep[];
  /** Every rule, days-0 ones included: the unfiltered step skips records matching any. */
  rules: RetentionRule[];
  /** The days-0 ("keep forever") rules. */
  keepForever: RetentionRule[];
  /** The rules with days other than 0. */
  expiring: RetentionRule[];
  /**
   * A record received before this instant is expired unless it is kept forever; a day
   * wholly before it can be dropped in one step. null when unmatched records are kept
   * forever (maxDays 0), so no day is ever wholly expired.
   */
  dropBefore: Date | null;
}

/**
 * The steps of one purge at `now`: one per rule with days other than 0, in the
 * configured order, then the unfiltered maximum age unless it is 0 (reference §11.2).
 */
export function planPurge(rules: readonly RetentionRule[], maxDays: number, now: Date): PurgePlan {
  const cutoffOf = (days: number) => new Date(now.getTime() - days * DAY_MS);
  const expiring = rules.filter((r) => r.days !== 0);
  const steps: PurgeStep[] = expiring.map((rule, i) => ({
    label: `${rule.field} ${rule.value} after ${plural(rule.days)}`,
    kind: 'rule',
    rule,
    days: rule.days,
    cutoff: cutoffOf(rule.days),
    earlier: expiring.slice(0, i).map((r) => ({ rule: r, cutoff: cutoffOf(r.days) })),
  }));
  if (maxDays !== 0) {
    steps.push({ label: `unfiltered after ${plural(maxDays)}`, kind: 'unfiltered', rule: null, days: maxDays, cutoff: cutoffOf(maxDays), earlier: [] });
  }
  const longest = Math.max(maxDays, ...expiring.map((r) => r.days));
  return {
    steps,
    rules: [...rules],
    keepForever: rules.filter((r) => r.days === 0),
    expiring,
    dropBefore: maxDays === 0 ? null : cutoffOf(longest),
  };
}

/** The record's fields the rules look at. */
export interface RetainedRecord {
  severity: number;
  classification: string;
  machineId: string;
  receivedAt: Date;
}

/** Whether the rule's field matches the record; a classification `*` matches any text, nothing else is special. */
export function matchesRule(record: RetainedRecord, rule: RetentionRule): boolean {
  switch (rule.field) {
    case 'severity':
      return record.severity === Number(rule.value);
    case 'machine_id':
      return record.machineId === rule.value;
    case 'classification': {
      const pattern = rule.value.split('*').map(escapeRegExp).join('.*');
      return new RegExp(`^${pattern}$`, 's').test(record.classification);
    }
  }
}

/**
 * Whether a purge at `now` deletes the record: any matching rule with days other
 * than 0 has expired, or it matches no rule and is older than maxDays (not 0).
 * The reference semantics in one function; the SQL must agree with it.
 */
export function isRecordExpired(record: RetainedRecord, rules: readonly RetentionRule[], maxDays: number, now: Date): boolean {
  const age = now.getTime() - record.receivedAt.getTime();
  const matching = rules.filter((r) => matchesRule(record, r));
  if (matching.some((r) => r.days !== 0 && age > r.days * DAY_MS)) return true;
  return matching.length === 0 && maxDays !== 0 && age > maxDays * DAY_MS;
}

function plural(days: number): string {
  return days === 1 ? '1 day' : `${days} days`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
