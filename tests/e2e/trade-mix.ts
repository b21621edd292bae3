/**
 * The end-to-end suite's trade mix: the generator itself lives once in tests/load/lib/trade-mix.ts (shared
 * with the k6 scenarios and the benchmark, and pure so k6 can run it); this file re-exports it and adds what
 * only the e2e suite needs: bulk files in NDJSON and CSV, with the bad lines the intake must refuse.
 */
import { DEMO_SYMBOL_APPLE } from '@tradeflow/reference-data/seed';
import { CSV_OPTIONAL_COLUMNS, CSV_REQUIRED_COLUMNS } from '@tradeflow/trades';
import type { MixUniverse, PlannedTrade, TradeRequest } from '../load/lib/trade-mix.ts';

export * from '../load/lib/trade-mix.ts';

/** A bulk file's line that the intake must refuse, and why. */
export interface BadLine {
  text: string;
  reason: string;
}

/** The CSV header of a bulk upload: every column the trades service reads, in its documented order. */
export const CSV_COLUMNS: readonly (keyof TradeRequest)[] = [
  ...CSV_REQUIRED_COLUMNS,
  ...CSV_OPTIONAL_COLUMNS,
];

/** Lines an NDJSON upload must refuse, each for its own reason. */
export function badNdjsonLines(universe: MixUniverse): BadLine[] {
  const good = JSON.stringify({
    accountId: universe.accounts[0]?.accountId,
    symbol: DEMO_SYMBOL_APPLE,
    side: 'BUY',
    quantity: 1,
    price: 190,
    currency: 'USD',
    tradeTime: `${universe.sessionDate}T15:00:00Z`,
  });
  const patch = (change: Record<string, unknown>): string =>
    JSON.stringify({ ...JSON.parse(good), ...change });
  return [
    { text: '{"accountId": "E2E-BROKEN", "symbol": ', reason: 'malformed JSON' },
    { text: patch({ side: 'HOLD' }), reason: 'side is not BUY or SELL' },
    { text: patch({ quantity: 'ten' }), reason: 'quantity is a string' },
    { text: patch({ quantity: -5 }), reason: 'negative quantity' },
    { text: patch({ price: 0 }), reason: 'zero price' },
    { text: patch({ tradeTime: 'yesterday' }), reason: 'not an ISO-8601 time' },
    { text: patch({ venue: 'XNAS' }), reason: 'unknown field' },
    { text: '[1, 2, 3]', reason: 'not an object' },
  ];
}

/** Lines a CSV upload must refuse, each for its own reason. */
export function badCsvLines(universe: MixUniverse): BadLine[] {
  const account = universe.accounts[0]?.accountId ?? 'E2E-X';
  const time = `${universe.sessionDate}T15:00:00Z`;
  return [
    { text: `${account},AAPL,BUY,1,190.00,USD`, reason: 'missing columns' },
    { text: `${account},AAPL,HOLD,1,190.00,USD,${time},`, reason: 'side is not BUY or SELL' },
    { text: `${account},AAPL,BUY,ten,190.00,USD,${time},`, reason: 'quantity is not a number' },
    { text: `${account},AAPL,BUY,1.5,190.00,USD,${time},`, reason: 'fractional quantity' },
    { text: `${account},AAPL,BUY,1,-190.00,USD,${time},`, reason: 'negative price' },
    { text: `${account},aapl!,BUY,1,190.00,USD,${time},`, reason: 'malformed symbol' },
    { text: `${account},AAPL,BUY,1,190.00,USD,not-a-time,`, reason: 'not an ISO-8601 time' },
  ];
}

/** A bulk file and where its lines are (1-based line numbers, the header counting as line 1 in CSV). */
export interface BulkFile {
  body: string;
  /** Line number of each good trade, in the order given. */
  tradeLines: number[];
  /** Line numbers of the bad lines. */
  badLines: number[];
}

/** Interleaves the bad lines evenly among the trades. */
function interleave(
  trades: string[],
  bad: string[],
): { lines: string[]; tradeAt: number[]; badAt: number[] } {
  const lines: string[] = [];
  const tradeAt: number[] = [];
  const badAt: number[] = [];
  const every = Math.max(1, Math.floor(trades.length / (bad.length + 1)));
  let b = 0;
  trades.forEach((line, i) => {
    if (i > 0 && i % every === 0 && b < bad.length) {
      badAt.push(lines.length);
      lines.push(bad[b++] ?? '');
    }
    tradeAt.push(lines.length);
    lines.push(line);
  });
  while (b < bad.length) {
    badAt.push(lines.length);
    lines.push(bad[b++] ?? '');
  }
  return { lines, tradeAt, badAt };
}

/** An NDJSON upload of the trades with the bad lines among them. */
export function toNdjson(trades: readonly PlannedTrade[], bad: readonly BadLine[]): BulkFile {
  const { lines, tradeAt, badAt } = interleave(
    trades.map((t) => JSON.stringify(t.request)),
    bad.map((b) => b.text),
  );
  return {
    body: `${lines.join('\n')}\n`,
    tradeLines: tradeAt.map((i) => i + 1),
    badLines: badAt.map((i) => i + 1),
  };
}

/** A CSV upload (header row first) of the trades with the bad lines among them. */
export function toCsv(trades: readonly PlannedTrade[], bad: readonly BadLine[]): BulkFile {
  const row = (t: TradeRequest): string => CSV_COLUMNS.map((column) => t[column] ?? '').join(',');
  const { lines, tradeAt, badAt } = interleave(
    trades.map((t) => row(t.request)),
    bad.map((b) => b.text),
  );
  return {
    body: `${[CSV_COLUMNS.join(','), ...lines].join('\n')}\n`,
    tradeLines: tradeAt.map((i) => i + 2),
    badLines: badAt.map((i) => i + 2),
  };
}
