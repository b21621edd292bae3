/** Sizes and durations as people write them in the routes file and the environment (`1mb`, `30s`). */

const BYTE_UNITS: Readonly<Record<string, number>> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };
const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Bytes in a size written as the body parsers read it (`1024`, `512kb`, `1.5mb`; 1 kb = 1024 bytes), or undefined. */
export function parseByteSize(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(text);
  if (match === null) return undefined;
  const unit = BYTE_UNITS[(match[2] ?? 'b').toLowerCase()] ?? 1;
  return Math.floor(Number(match[1]) * unit);
}

/** Milliseconds in a duration (`1500`, `1500ms`, `10s`, `2m`, `1h`), or undefined. */
export function parseDurationMs(text: string): number | undefined {
  const match = /^\s*(\d+)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (match === null) return undefined;
  return Number(match[1]) * (DURATION_UNITS[match[2] ?? 'ms'] ?? 1);
}
