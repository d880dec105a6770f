// Calendar arithmetic of the MCE and thermal views (reference §8.9, §8.10), in UTC
// where the reference used the server's local time. Pure.

const DAY_SECONDS = 86_400;

/** 1 January 00:00 UTC of the year of `now`, epoch seconds. */
export function startOfYear(now: Date): number {
  return Date.UTC(now.getUTCFullYear(), 0, 1) / 1000;
}

/**
 * Week 0 of the year in Python's `strptime(year + "000", "%Y%U%w")`: the Sunday on or
 * before 1 January, epoch seconds.
 */
export function startOfWeekZero(now: Date): number {
  const jan1 = startOfYear(now);
  const weekday = new Date(jan1 * 1000).getUTCDay(); // 0 = Sunday
  return jan1 - weekday * DAY_SECONDS;
}

/** The Sunday starting the current `%U` week, minus four weeks (the thermal view's window), epoch seconds. */
export function thermalWindowStart(now: Date): number {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) / 1000;
  return today - now.getUTCDay() * DAY_SECONDS - 28 * DAY_SECONDS;
}

export function isoFromSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}
