/** Small helpers for the one-line summaries the reliability tests print. */

export function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

/** The largest value, rounded; `empty` when there is none. */
export function maxOf(values: readonly number[], empty = 0): number {
  return values.length === 0 ? empty : Math.round(Math.max(...values));
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** `+250 ms` / `-1200 ms`: a time relative to some moment. */
export function relativeMs(ms: number): string {
  if (!Number.isFinite(ms)) return "none";
  return `${ms >= 0 ? "+" : ""}${Math.round(ms)} ms`;
}
