// The records view's URL parameters (the reference's names, §8.1) and how they map to
// the API's shared record filter. Pure.

import type { RecordFilterParams } from '../../api-client.ts';

/** Filter parameters of the records view, in the order the form shows them. */
export const RECORD_FILTER_KEYS = [
  'data_source',
  'machine_id',
  'classification',
  'severity',
  'system_name',
  'build',
  'payload',
  'not_payload',
  'from_date',
  'to_date',
] as const;

export type RecordFilterKey = (typeof RECORD_FILTER_KEYS)[number];
export type RecordsViewFilter = Partial<Record<RecordFilterKey, string>>;

/** reference §8.1: RECORDS_PER_PAGE */
export const RECORDS_PER_PAGE = 50;

export function readRecordsFilter(query: URLSearchParams): RecordsViewFilter {
  const filter: RecordsViewFilter = {};
  for (const key of RECORD_FILTER_KEYS) {
    const value = query.get(key);
    if (value !== null && value !== '') filter[key] = value;
  }
  return filter;
}

/**
 * The API filter: dates (YYYY-MM-DD, client time, "to" day excluded as in the reference) become
 * created_from/created_to; everything else passes through under its own name.
 */
export function toApiFilter(filter: RecordsViewFilter): RecordFilterParams {
  const { from_date, to_date, ...rest } = filter;
  const api: RecordFilterParams = { ...rest };
  if (from_date) api.created_from = from_date;
  if (to_date) api.created_to = to_date;
  return api;
}

/** The list's filter: without a date, all records (the API's own default is the last 30 days). */
export function toListFilter(filter: RecordsViewFilter): RecordFilterParams {
  const api = toApiFilter(filter);
  if (!api.created_from && !api.created_to) api.received_from = '0';
  return api;
}

/**
 * Choice list of classifications (reference `class_strings`): for every A/B/C, the
 * wildcards A/* and A/B/* and the value itself, sorted.
 */
export function classificationChoices(classifications: readonly string[]): string[] {
  const choices = new Set<string>();
  for (const c of classifications) {
    const parts = c.split('/');
    if (parts.length >= 3) {
      choices.add(`${parts[0]}/*`);
      choices.add(`${parts[0]}/${parts[1]}/*`);
    }
    choices.add(c);
  }
  return [...choices].sort();
}
