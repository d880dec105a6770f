// Turns retention rules into a SQL condition on records, with $n parameters: the
// one place where the rules' matching semantics (reference-backend §11.2) meet SQL.
// Values are always parameters; column names come from the fixed field list.

import type { RetentionRule } from '../../config/schema.ts';

/** Which records a purge statement touches, besides its receive-time range. All parts must hold. */
export interface RetentionFilter {
  /** Matches at least one of these rules (an empty list matches nothing; absent: no restriction). */
  anyOf?: readonly RetentionRule[];
  /** Matches none of these rules. */
  noneOf?: readonly RetentionRule[];
  /** Is not (matching the rule and received before `before`) for any entry: what earlier steps delete. */
  notExpiredBy?: ReadonlyArray<{ rule: RetentionRule; before: Date }>;
}

/** The condition text; pushes its parameters onto `values` (numbered after what is there). */
export function buildRetentionCondition(filter: RetentionFilter, values: unknown[]): string {
  const parts: string[] = [];
  if (filter.anyOf) parts.push(anyOf(filter.anyOf, values));
  if (filter.noneOf?.length) parts.push(`NOT ${anyOf(filter.noneOf, values)}`);
  for (const { rule, before } of filter.notExpiredBy ?? []) {
    const match = ruleCondition(rule, values);
    values.push(before);
    parts.push(`NOT (${match} AND received_at < $${values.length})`);
  }
  return parts.length ? parts.join(' AND ') : 'true';
}

function anyOf(rules: readonly RetentionRule[], values: unknown[]): string {
  if (rules.length === 0) return 'false';
  return `(${rules.map((r) => ruleCondition(r, values)).join(' OR ')})`;
}

function ruleCondition(rule: RetentionRule, values: unknown[]): string {
  switch (rule.field) {
    case 'severity':
      values.push(rule.value);
      return `severity = $${values.length}::smallint`;
    case 'machine_id':
      values.push(rule.value);
      return `machine_id = $${values.length}`;
    case 'classification':
      // reference §11.2: `*` becomes LIKE's `%`; we escape LIKE's own metacharacters so
      // that `_` and `%` in a classification match only themselves.
      if (!rule.value.includes('*')) {
        values.push(rule.value);
        return `classification = $${values.length}`;
      }
      values.push(rule.value.replace(/[\\%_]/g, '\\$&').replaceAll('*', '%'));
      return `classification LIKE $${values.length}`;
  }
}
