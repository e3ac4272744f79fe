/**
 * The few statistics the bench reports: medians (never single runs, the machine is shared and
 * noisy) and how far a value is from its target.
 */

/** The median of `values` (mean of the middle two for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** The value below which `q` (0–1) of `values` lie, nearest rank. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

/** `12.3 KB` with 1 KB = 1,000 bytes, the unit of the SPEC §8 budgets. */
export function kilobytes(bytes: number): string {
  return `${(bytes / 1000).toFixed(1)} KB`;
}

/** `+51 %` / `-3 %`: how far `value` is above (or below) `target`. */
export function percentOver(value: number, target: number): string {
  const percent = Math.round(((value - target) / target) * 100);
  return `${percent >= 0 ? '+' : ''}${percent} %`;
}

/** Microseconds with a precision that suits their size. */
export function microseconds(ms: number): string {
  const us = ms * 1000;
  return us >= 100 ? `${Math.round(us)} µs` : `${us.toFixed(1)} µs`;
}
