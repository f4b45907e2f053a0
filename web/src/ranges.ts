/** The time ranges the console offers, by the word in the page's address (?range=7d). */
export const RANGES = [
  { key: '24h', label: 'Last 24 hours', hours: 24 },
  { key: '7d', label: 'Last 7 days', hours: 7 * 24 },
  { key: '30d', label: 'Last 30 days', hours: 30 * 24 },
] as const;
export type RangeKey = (typeof RANGES)[number]['key'];

export const rangeOf = (query: URLSearchParams) => RANGES.find((r) => r.key === query.get('range')) ?? RANGES[0];

/** The API's from/to for a range ending now (to the minute, so a re-render asks for the same page). */
export function rangeQuery(hours: number): { from: string; to: string } {
  const to = new Date();
  to.setUTCSeconds(0, 0);
  to.setUTCMinutes(to.getUTCMinutes() + 1);
  const from = new Date(to.getTime() - hours * 3_600_000);
  return { from: from.toISOString(), to: to.toISOString() };
}

/** A time bound (seconds) in plain words: "5 seconds", "15 minutes", "4 hours", "3 days". */
export function duration(seconds: number): string {
  const [value, unit] =
    seconds < 60
      ? [seconds, 'second']
      : seconds < 3600
        ? [Math.round(seconds / 60), 'minute']
        : seconds < 86_400
          ? [Math.round(seconds / 3600), 'hour']
          : [Math.round(seconds / 86_400), 'day'];
  return `${value} ${unit}${value === 1 ? '' : 's'}`;
}
