// The e2e suite's bulk files: each good and bad line sits at the line number reported for it. (The trade
// generator itself is tested with it, in tests/load/test/trade-mix.test.ts.)
import {
  badCsvLines,
  badNdjsonLines,
  buildUniverse,
  planTradeMix,
  toCsv,
  toNdjson,
  TradeFactory,
  type MixUniverse,
  type TradeMix,
} from './trade-mix';

const NOW = new Date('2025-06-04T12:00:00Z'); // a Wednesday
const COUNTS = { single: 200, batch: 1000, ndjson: 300, csv: 300 };

function plan(universe: MixUniverse, seed: number): TradeMix {
  return planTradeMix(new TradeFactory(universe, seed), { seed, counts: COUNTS });
}

describe('trade mix bulk files', () => {
  const universe = buildUniverse('T1', NOW);

  it('when bulk files are written, then each good and bad line sits at the line number reported for it', () => {
    const mix = plan(universe, 9);
    const ndjson = toNdjson(mix.ndjson, badNdjsonLines(universe));
    const ndLines = ndjson.body.trimEnd().split('\n');
    expect(ndLines).toHaveLength(mix.ndjson.length + badNdjsonLines(universe).length);
    mix.ndjson.forEach((t, i) =>
      expect(JSON.parse(ndLines[(ndjson.tradeLines[i] ?? 0) - 1] ?? '')).toEqual(t.request),
    );
    expect(ndjson.badLines.map((n) => ndLines[n - 1])).toEqual(badNdjsonLines(universe).map((b) => b.text));

    const csv = toCsv(mix.csv, badCsvLines(universe));
    const csvLines = csv.body.trimEnd().split('\n');
    expect(csvLines[0]).toBe('accountId,symbol,side,quantity,price,currency,tradeTime,clientTradeId');
    mix.csv.forEach((t, i) => {
      const [accountId, symbol, , quantity] = (csvLines[(csv.tradeLines[i] ?? 0) - 1] ?? '').split(',');
      expect({ accountId, symbol, quantity: Number(quantity) }).toEqual({
        accountId: t.request.accountId,
        symbol: t.request.symbol,
        quantity: t.request.quantity,
      });
    });
    expect(csv.badLines.map((n) => csvLines[n - 1])).toEqual(badCsvLines(universe).map((b) => b.text));
    // Bad lines are spread among the trades, not bunched at the end.
    expect(Math.min(...csv.badLines)).toBeLessThan(csvLines.length / 2);
  });
});
