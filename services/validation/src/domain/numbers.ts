/**
 * Float-safe comparisons and readable number formats for rule reasons.
 * Prices and notionals are binary floats; a limit hit exactly (3 × 0.1 against 0.3) must not fail.
 */

const RELATIVE_TOLERANCE = 1e-9;

/** True when `value` is above `limit` by more than float noise. */
export function exceeds(value: number, limit: number): boolean {
  return value - limit > RELATIVE_TOLERANCE * Math.max(1, Math.abs(limit));
}

const formatters = new Map<string, Intl.NumberFormat>();

function numberFormat(minFraction: number, maxFraction: number): Intl.NumberFormat {
  const key = `${minFraction}:${maxFraction}`;
  let format = formatters.get(key);
  if (format === undefined) {
    format = new Intl.NumberFormat('en-US', {
      minimumFractionDigits: minFraction,
      maximumFractionDigits: maxFraction,
    });
    formatters.set(key, format);
  }
  return format;
}

/** A price as people write it: grouped, at least two decimals, more when the price has them (1,234.5 → "1,234.50"). */
export function formatPrice(price: number): string {
  return numberFormat(2, 8).format(price);
}

/** An amount of money with two decimals (1250000 → "1,250,000.00"). */
export function formatAmount(amount: number): string {
  return numberFormat(2, 2).format(amount);
}

/** A whole count, grouped (12000 → "12,000"). */
export function formatCount(count: number): string {
  return numberFormat(0, 0).format(count);
}

/** A percentage with at most `maxFraction` decimals and no trailing zeros (7.94 → "7.9"). */
export function formatPercent(percent: number, maxFraction = 1): string {
  return numberFormat(0, maxFraction).format(percent);
}

/** A duration in its two largest units ("2 h 5 min", "45 s", "3 d"); below a second, in ms. */
export function formatDuration(ms: number): string {
  const units: Array<[string, number]> = [
    ['d', 86_400],
    ['h', 3_600],
    ['min', 60],
    ['s', 1],
  ];
  let rest = Math.floor(ms / 1000);
  const first = units.findIndex(([, size]) => rest >= size);
  if (first === -1) return `${Math.max(0, Math.round(ms))} ms`;
  const parts: string[] = [];
  for (const [name, size] of units.slice(first, first + 2)) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0) parts.push(`${count} ${name}`);
  }
  return parts.join(' ');
}
