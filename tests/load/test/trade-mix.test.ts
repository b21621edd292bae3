// The trade generator shared by the e2e suite, the k6 scenarios and the benchmark: deterministic, exact
// counts and shares per scenario, keys unique (also across sibling streams), every request well-formed for
// the contracts' schemas, and every expected outcome what the real rule set decides.
import { TradeSubmitted, isOnTickGrid } from '@tradeflow/contracts';
import { generateSeed } from '@tradeflow/reference-data/seed';
// The pure rule set and the intake schema themselves (not exported by their packages), so the plan is checked
// against the real rules and the real request schema.
import { TradeRequest } from '../../../services/trades/src/domain/trade-request';
import { DEFAULT_VALIDATION_SETTINGS, validateTrade } from '../../../services/validation/src/domain';
import {
  buildUniverse,
  CHANNELS,
  mixBlock,
  MixStream,
  planTradeMix,
  SCENARIOS,
  TradeFactory,
  type MixUniverse,
  type PlannedTrade,
  type Scenario,
  type TradeMix,
} from '../lib/trade-mix.ts';

const NOW = new Date('2025-06-04T12:00:00Z'); // a Wednesday
const COUNTS = { single: 200, batch: 1000, ndjson: 300, csv: 300 };

function plan(universe: MixUniverse, seed: number): TradeMix {
  return planTradeMix(new TradeFactory(universe, seed), { seed, counts: COUNTS });
}

function countBy(trades: readonly PlannedTrade[]): Map<Scenario, number> {
  const counts = new Map<Scenario, number>();
  for (const t of trades) counts.set(t.scenario, (counts.get(t.scenario) ?? 0) + 1);
  return counts;
}

describe('trade mix', () => {
  const universe = buildUniverse('T1', NOW);

  it('when built for a run, then the created ids carry the run id and trades happen on the last weekday and Saturday', () => {
    expect(universe.sessionDate).toBe('2025-06-03');
    expect(universe.closedDate).toBe('2025-05-31');
    for (const a of universe.create.accounts) expect(a.accountId).toMatch(/^E2ET1-/);
    for (const i of universe.create.instruments) expect(i.symbol).toMatch(/^ET1/);
    expect(universe.create.prices.map((p) => p.symbol)).toEqual(
      universe.create.instruments.map((i) => i.symbol),
    );
    expect(universe.instruments.map((i) => i.symbol)).not.toContain(universe.unknownSymbol);
  });

  it('when planned twice with one seed, then the mixes are equal, and another seed gives another mix', () => {
    expect(plan(universe, 7)).toEqual(plan(universe, 7));
    expect(plan(universe, 8)).not.toEqual(plan(universe, 7));
  });

  it('when planned, then every channel has its count and every scenario, and no two trades share a key', () => {
    const mix = plan(universe, 42);
    const keys = new Set<string>();
    for (const channel of CHANNELS) {
      expect(mix[channel]).toHaveLength(COUNTS[channel]);
      expect(new Set(mix[channel].map((t) => t.scenario))).toEqual(new Set(SCENARIOS));
      for (const t of mix[channel]) keys.add(t.key);
    }
    expect(keys.size).toBe(Object.values(COUNTS).reduce((a, b) => a + b, 0));
    const valid = CHANNELS.flatMap((c) => mix[c]).filter((t) => t.scenario === 'valid');
    expect(valid.length).toBeGreaterThan(0.65 * keys.size);
  });

  it('when a valid trade is planned, then it is in session, on its tick and lot, within limits and the collar', () => {
    const factory = new TradeFactory(universe, 3);
    for (let i = 0; i < 2000; i++) {
      const { request, expected } = factory.make('valid');
      const instrument = universe.instruments.find((x) => x.symbol === request.symbol);
      const account = universe.accounts.find((a) => a.accountId === request.accountId);
      if (instrument === undefined || account === undefined) throw new Error(`unknown ${request.symbol}`);
      expect(expected).toEqual({ status: 'VALIDATED', ruleIds: [] });
      const hour = new Date(request.tradeTime).getUTCHours();
      expect(request.tradeTime.slice(0, 10)).toBe(universe.sessionDate);
      expect(hour >= 15 && hour < 19).toBe(true);
      const ticks = request.price / instrument.tickSize;
      expect(Math.abs(ticks - Math.round(ticks))).toBeLessThan(1e-6);
      expect(request.quantity % instrument.lotSize).toBe(0);
      expect(request.quantity).toBeLessThanOrEqual(account.limits.maxQuantity);
      expect(request.quantity * request.price).toBeLessThanOrEqual(account.limits.maxNotionalPerTrade);
      expect(Math.abs(request.price / instrument.referencePrice - 1)).toBeLessThanOrEqual(0.0301);
      expect(account.permittedMarkets).toContain(instrument.market);
    }
  });

  it('when an invalid scenario is planned, then its trade breaks exactly the rule it is named after', () => {
    const factory = new TradeFactory(universe, 5);
    const find = (symbol: string) => universe.instruments.find((i) => i.symbol === symbol);
    const quantity = factory.make('max-quantity');
    const account = universe.accounts.find((a) => a.accountId === quantity.request.accountId);
    expect(quantity.request.quantity).toBeGreaterThan(account?.limits.maxQuantity ?? Infinity);
    const notional = factory.make('max-notional-per-trade');
    const limited = universe.accounts.find((a) => a.accountId === notional.request.accountId);
    expect(notional.request.quantity * notional.request.price).toBeGreaterThan(
      limited?.limits.maxNotionalPerTrade ?? Infinity,
    );
    const offTick = factory.make('off-tick');
    const tick = find(offTick.request.symbol)?.tickSize ?? 1;
    const ticks = offTick.request.price / tick;
    expect(Math.abs(ticks - Math.round(ticks))).toBeGreaterThan(0.1);
    const collar = factory.make('price-collar');
    const reference = find(collar.request.symbol)?.referencePrice ?? 0;
    expect(Math.abs(collar.request.price / reference - 1)).toBeGreaterThan(0.07);
    const closed = factory.make('outside-hours');
    expect(new Date(closed.request.tradeTime).getUTCDay()).toBe(6);
    expect(find(factory.make('unknown-instrument').request.symbol)).toBeUndefined();
    const lot = factory.make('lot-size');
    expect(lot.request.quantity % (find(lot.request.symbol)?.lotSize ?? 1)).not.toBe(0);
    expect(factory.make('off-tick').expected).toEqual({
      status: 'REFUSED',
      ruleIds: ['TICK_SIZE'],
      field: '/price',
    });
    const nobody = factory.make('unknown-account').request.accountId;
    expect(universe.create.accounts.map((a) => a.accountId)).not.toContain(nobody);
    expect(factory.make('collar-and-hours').expected).toEqual({
      status: 'REJECTED',
      ruleIds: ['OUTSIDE_TRADING_HOURS', 'PRICE_COLLAR'],
    });
  });

  it('when the rule set judges every planned trade against the seed and the run data, then it decides what the plan expects', () => {
    const seed = generateSeed({ seed: 1, now: NOW });
    const mix = plan(universe, 11);
    const trades = CHANNELS.flatMap((c) => mix[c]);
    const instruments = [...seed.instruments, ...universe.create.instruments];
    const prices = [...seed.prices, ...universe.create.prices];
    const accounts = [...seed.accounts, ...universe.create.accounts];
    const judge = (planned: PlannedTrade) => {
      const trade: TradeSubmitted = {
        ...planned.request,
        tradeId: planned.key,
        receivedAt: NOW.toISOString(),
        channel: 'single',
        version: 1,
      };
      const instrument = instruments.find((i) => i.symbol === trade.symbol);
      const outcome = validateTrade({
        trade,
        reference: {
          instrument,
          market: seed.markets.find((m) => m.code === instrument?.market),
          price: prices.find((p) => p.symbol === trade.symbol),
          account: accounts.find((a) => a.accountId === trade.accountId),
          restricted: seed.restricted.find((r) => r.symbol === trade.symbol),
        },
        now: NOW,
        settings: DEFAULT_VALIDATION_SETTINGS,
        dailyNotionalBefore: 0,
      });
      return { status: outcome.status, ruleIds: outcome.failures.map((f) => f.ruleId).sort() };
    };
    // A trade the intake refuses would still be rejected by the rule set, for the rules its plan names.
    const verdict = ({ expected }: PlannedTrade) => ({
      status: expected.status === 'REFUSED' ? 'REJECTED' : expected.status,
      ruleIds: expected.ruleIds,
    });
    const wrong = trades
      .map((t) => ({ scenario: t.scenario, request: t.request, expected: verdict(t), actual: judge(t) }))
      .filter((t) => JSON.stringify(t.expected) !== JSON.stringify(t.actual));
    expect(wrong.slice(0, 5)).toEqual([]);

    // Daily totals never decide an outcome: DEMO-1's valid trades stay under its daily limit together.
    const demo = trades.filter((t) => t.request.accountId === 'DEMO-1' && t.expected.status === 'VALIDATED');
    const demoAccount = seed.accounts.find((a) => a.accountId === 'DEMO-1');
    const demoTotal = demo.reduce((sum, t) => sum + t.request.quantity * t.request.price, 0);
    expect(demoTotal).toBeLessThan(demoAccount?.limits.maxNotionalPerDay ?? 0);
  });

  it('when every planned trade is read with the intake and contract schemas, then all parse and only the off-tick ones leave the tick grid', () => {
    const mix = plan(universe, 13);
    for (const t of CHANNELS.flatMap((c) => mix[c])) {
      expect(TradeRequest.safeParse(t.request).error).toBeUndefined();
      // The event carries the request's fields but for the client's own id, which stays with trades.
      const { clientTradeId: _, ...fields } = t.request;
      const submitted = {
        ...fields,
        tradeId: t.key,
        receivedAt: NOW.toISOString(),
        channel: 'single',
        version: 1,
      };
      expect(TradeSubmitted.safeParse(submitted).error).toBeUndefined();
      const tick = universe.instruments.find((i) => i.symbol === t.request.symbol)?.tickSize;
      if (tick !== undefined) expect(isOnTickGrid(t.request.price, tick)).toBe(t.scenario !== 'off-tick');
    }
  });
});

describe('mix stream', () => {
  const universe = buildUniverse('T2', NOW);

  it('when a block is made for a share, then it holds every invalid scenario once and valid trades for the rest', () => {
    const block = mixBlock(0.025);
    expect(block).toHaveLength(40);
    expect(countBy(block.map((scenario) => ({ scenario }) as PlannedTrade))).toEqual(
      new Map(SCENARIOS.map((s) => [s, s === 'valid' ? 40 - (SCENARIOS.length - 1) : 1])),
    );
    expect(mixBlock(0)).toEqual(['valid']);
    expect(() => mixBlock(0.2)).toThrow(RangeError);
  });

  it('when whole blocks are drawn, then each scenario has exactly its share, and one seed gives one sequence', () => {
    const draw = (seed: number) => {
      const stream = new MixStream(new TradeFactory(universe, seed), { seed, invalidShare: 0.01 });
      return Array.from({ length: 1000 }, () => stream.next());
    };
    const trades = draw(21);
    const counts = countBy(trades);
    for (const scenario of SCENARIOS) expect(counts.get(scenario)).toBe(scenario === 'valid' ? 880 : 10);
    expect(draw(21)).toEqual(trades);
    expect(draw(22).map((t) => t.scenario)).not.toEqual(trades.map((t) => t.scenario));
  });

  it('when sibling streams make trades at once, then no two trades of any of them share a key or a client trade id', () => {
    const count = 7;
    const trades = Array.from({ length: count }, (_, index) => {
      const stream = new MixStream(new TradeFactory(universe, 5, { stream: { index, count } }), { seed: 5 });
      return Array.from({ length: 400 }, () => stream.next());
    }).flat();
    expect(new Set(trades.map((t) => t.key)).size).toBe(trades.length);
    expect(new Set(trades.map((t) => t.request.clientTradeId)).size).toBe(trades.length);
  });

  it('when sibling streams trade on DEMO-1, then their valid trades stay under its daily limit together', () => {
    const count = 4;
    const demoTotal = Array.from({ length: count }, (_, index) => {
      const factory = new TradeFactory(universe, 9, { stream: { index, count } });
      return Array.from({ length: 20_000 }, () => factory.make('valid'));
    })
      .flat()
      .filter((t) => t.request.accountId === 'DEMO-1')
      .reduce((sum, t) => sum + t.request.quantity * t.request.price, 0);
    expect(demoTotal).toBeGreaterThan(0);
    expect(demoTotal).toBeLessThan(10_000_000 / 2);
  });

  it('when the demo account is turned off, then no trade goes to DEMO-1 and the mix keeps its shares', () => {
    const stream = new MixStream(new TradeFactory(universe, 4, { demoAccount: false }), { seed: 4 });
    const trades = Array.from({ length: 4000 }, () => stream.next());
    expect(trades.filter((t) => t.request.accountId === 'DEMO-1')).toEqual([]);
    expect(countBy(trades).get('valid')).toBe(2800);
  });

  it('when a stream is out of range, then the factory refuses it', () => {
    expect(() => new TradeFactory(universe, 1, { stream: { index: 3, count: 3 } })).toThrow(RangeError);
    expect(() => new TradeFactory(universe, 1, { stream: { index: 0, count: 0 } })).toThrow(RangeError);
  });
});
