/** Digits after the decimal point of a number as JavaScript prints it (`0.005` → 3, `1e-7` → 7). */
export function decimalPlaces(value: number): number {
  const text = String(value);
  const exponent = /e-(\d+)$/.exec(text);
  if (exponent) {
    const mantissa = text.slice(0, text.indexOf('e'));
    return Number(exponent[1]) + (mantissa.split('.')[1]?.length ?? 0);
  }
  return text.split('.')[1]?.length ?? 0;
}

/**
 * True when `price` is a whole number of ticks. Done in scaled integers, because `190.01 % 0.01` is
 * not 0 in binary floating point; a price with more decimals than the tick is off the grid.
 */
export function isOnTickGrid(price: number, tickSize: number): boolean {
  if (!(price > 0) || !(tickSize > 0) || !Number.isFinite(price) || !Number.isFinite(tickSize)) return false;
  const tickDecimals = decimalPlaces(tickSize);
  if (decimalPlaces(price) > tickDecimals) return false;
  const scale = 10 ** tickDecimals;
  const ticks = Math.round(tickSize * scale);
  const scaled = Math.round(price * scale);
  return Number.isSafeInteger(scaled) && scaled % ticks === 0;
}

/** `price` rounded to the nearest tick, printed without binary noise (`snapToTick(190.004, 0.01)` → 190). */
export function snapToTick(price: number, tickSize: number): number {
  const decimals = decimalPlaces(tickSize);
  const ticks = Math.max(1, Math.round(price / tickSize));
  return Number((ticks * tickSize).toFixed(decimals));
}
