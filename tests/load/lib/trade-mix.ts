/**
 * THE trade generator: trade mixes whose outcomes are known before they are submitted. The end-to-end suite
 * submits them and checks every trade's final status and failed rule ids; the k6 scenarios (tests/load) and
 * the benchmark (scripts/bench) send the same trades as realistic traffic.
 *
 * Pure TypeScript on purpose: no Node and no k6 imports, runtime imports only by relative `.ts` paths, so
 * Node (Jest, the benchmark) and k6 (which transpiles each `.ts` file it loads, and resolves nothing but
 * exact paths) run the same file, and a bundler can inline it. Deterministic: a seed gives the same trades.
 *
 * A mix is built on a `MixUniverse`: the seed's demo fixtures (DEMO-1, AAPL, MSFT, IBM, RSTR, HALT) plus a few
 * accounts and instruments made for the run (their ids carry the run id), with limits chosen so that exactly
 * the intended rules fail. Three things keep outcomes independent of processing order:
 *  - every trade of an account has its own (symbol, quantity), so no two trades are probable duplicates;
 *  - the run's accounts have daily limits no mix reaches, and DEMO-1 gets trades only up to half of its own;
 *  - trade times fall inside the US session (15:00-19:00 UTC is 10:00-15:00 in New York, summer or winter) of
 *    the last weekday before `now`, or on a Saturday when a trade is meant to be outside trading hours.
 */
import type { Account, AccountLimits, Instrument, ReferencePrice } from '@tradeflow/contracts';
import type { TradeRequest } from '@tradeflow/trades';
// The seed's fixtures and PRNG are plain files without runtime imports, so k6 can load them as they are.
import {
  DEMO_ACCOUNT_ID,
  DEMO_ACCOUNT_LIMITS,
  DEMO_ACCOUNT_MARKETS,
  DEMO_INSTRUMENTS,
  DEMO_SYMBOL_APPLE,
  DEMO_SYMBOL_HALTED,
  DEMO_SYMBOL_IBM,
  DEMO_SYMBOL_MICROSOFT,
  DEMO_SYMBOL_RESTRICTED,
} from '../../../services/reference-data/src/seed/fixtures.ts';
import { SeededRandom } from '../../../services/reference-data/src/seed/random.ts';

/** The body of `POST /v1/trades` (and of each batch item and bulk line), as the trades service reads it. */
export type { TradeRequest };

/** What a trade is meant to exercise; each maps to the exact rule ids the rule set fails it for (none for `valid`). */
export const SCENARIO_RULES = {
  valid: [],
  'unknown-account': ['UNKNOWN_ACCOUNT'],
  'price-collar': ['PRICE_COLLAR'],
  'max-quantity': ['MAX_QUANTITY'],
  'max-notional-per-trade': ['MAX_NOTIONAL_PER_TRADE'],
  restricted: ['RESTRICTED_INSTRUMENT'],
  halted: ['INSTRUMENT_HALTED'],
  'unknown-instrument': ['UNKNOWN_INSTRUMENT'],
  'off-tick': ['TICK_SIZE'],
  'lot-size': ['LOT_SIZE'],
  'outside-hours': ['OUTSIDE_TRADING_HOURS'],
  'market-not-permitted': ['MARKET_NOT_PERMITTED'],
  'collar-and-hours': ['PRICE_COLLAR', 'OUTSIDE_TRADING_HOURS'],
} as const satisfies Record<string, readonly string[]>;

export type Scenario = keyof typeof SCENARIO_RULES;
export const SCENARIOS = Object.keys(SCENARIO_RULES) as Scenario[];

/**
 * Scenarios the trades intake refuses (400) before any rule runs, with the field it names: the tick of an
 * instrument its cache knows is checked there. The rule set's verdict stays the backstop.
 */
export const INTAKE_REFUSALS: Partial<Record<Scenario, string>> = { 'off-tick': '/price' };

/** What becomes of a trade: VALIDATED or REJECTED by the pipeline, or REFUSED (a 400) by the intake. */
export interface ExpectedOutcome {
  status: 'VALIDATED' | 'REJECTED' | 'REFUSED';
  /** The rules the rule set fails it for, sorted (for a refused trade: what validation would have said). */
  ruleIds: string[];
  /** For REFUSED: the field the 400 names. */
  field?: string;
}

/** One trade of a mix with its expected outcome. */
export interface PlannedTrade {
  scenario: Scenario;
  request: TradeRequest;
  expected: ExpectedOutcome;
  /** Unique within a universe: `<accountId>|<symbol>|<quantity>`, how a listed trade is matched to its plan. */
  key: string;
}

/** The key a trade (planned, or as listed by the API) is matched by. */
export function tradeKey(trade: { accountId: string; symbol: string; quantity: number }): string {
  return `${trade.accountId}|${trade.symbol}|${trade.quantity}`;
}

export type AccountRole =
  'standard' | 'demo' | 'quantity-limited' | 'notional-limited' | 'nyse-only' | 'unknown';
export type InstrumentRole = 'tradable' | 'lot-100' | 'restricted' | 'halted';

export interface MixAccount {
  accountId: string;
  role: AccountRole;
  limits: AccountLimits;
  permittedMarkets: string[];
}

export interface MixInstrument {
  symbol: string;
  market: string;
  lotSize: number;
  tickSize: number;
  referencePrice: number;
  role: InstrumentRole;
}

/** Everything a mix trades on, and the reference data the run must create before submitting it. */
export interface MixUniverse {
  runId: string;
  accounts: MixAccount[];
  instruments: MixInstrument[];
  /** A well-formed symbol no instrument has. */
  unknownSymbol: string;
  /** `YYYY-MM-DD`: the last weekday before `now` (UTC), the day in-session trades happen on. */
  sessionDate: string;
  /** `YYYY-MM-DD`: the last Saturday before `now`, for trades outside trading hours. */
  closedDate: string;
  /** To create through the reference API (the demo fixtures come from the seed). */
  create: { accounts: Account[]; instruments: Instrument[]; prices: ReferencePrice[] };
}

/** Standard accounts per run: enough that account-keyed partitions all get traffic. */
const STANDARD_ACCOUNTS = 16;
const UNLIMITED: AccountLimits = {
  maxQuantity: 10_000_000,
  maxNotionalPerTrade: 1e12,
  maxNotionalPerDay: 1e15,
};
/** Within the default ±5% collar, and far outside it. */
const IN_COLLAR = 0.03;
const OUT_OF_COLLAR = { min: 0.08, max: 0.25 };
const QUANTITY_LIMIT = 50;
const NOTIONAL_LIMIT = 1_000;
/** DEMO-1 takes valid trades only while their notional stays under this share of its daily limit. */
const DEMO_DAILY_SHARE = 0.5;

/**
 * The universe of one run. `runId` (1-6 upper-case letters or digits) makes the created ids unique, so
 * runs sharing a Kafka topic or DynamoDB never see each other's accounts.
 */
export function buildUniverse(runId: string, now: Date): MixUniverse {
  if (!/^[A-Z0-9]{1,6}$/.test(runId)) throw new RangeError(`runId must be 1-6 of A-Z0-9, got ${runId}`);
  const account = (
    suffix: string,
    role: AccountRole,
    limits: AccountLimits,
    markets: string[],
  ): MixAccount => ({
    accountId: `E2E${runId}-${suffix}`,
    role,
    limits,
    permittedMarkets: markets,
  });
  const usMarkets = ['XNYS', 'XNAS'];
  const accounts: MixAccount[] = [
    ...Array.from({ length: STANDARD_ACCOUNTS }, (_, i) =>
      account(`S${String(i + 1).padStart(2, '0')}`, 'standard', UNLIMITED, usMarkets),
    ),
    account('QTY', 'quantity-limited', { ...UNLIMITED, maxQuantity: QUANTITY_LIMIT }, usMarkets),
    account('NTL', 'notional-limited', { ...UNLIMITED, maxNotionalPerTrade: NOTIONAL_LIMIT }, usMarkets),
    account('NYSE', 'nyse-only', UNLIMITED, ['XNYS']),
  ];
  const created = accounts.map((a) => ({ ...a }));
  // Well-formed but never created: the intake accepts it, validation rejects it.
  accounts.push(account('NOBODY', 'unknown', UNLIMITED, usMarkets));
  accounts.push({
    accountId: DEMO_ACCOUNT_ID,
    role: 'demo',
    limits: { ...DEMO_ACCOUNT_LIMITS },
    permittedMarkets: [...DEMO_ACCOUNT_MARKETS],
  });

  const demo = (symbol: string, role: InstrumentRole): MixInstrument => {
    const fixture = DEMO_INSTRUMENTS.find((i) => i.symbol === symbol);
    if (fixture === undefined) throw new Error(`no demo fixture ${symbol}`);
    const { market, lotSize, tickSize, referencePrice } = fixture;
    return { symbol, market, lotSize, tickSize, referencePrice, role };
  };
  const own: MixInstrument[] = [
    {
      symbol: `E${runId}A`,
      market: 'XNYS',
      lotSize: 1,
      tickSize: 0.01,
      referencePrice: 52.4,
      role: 'tradable',
    },
    {
      symbol: `E${runId}B`,
      market: 'XNAS',
      lotSize: 1,
      tickSize: 0.05,
      referencePrice: 87.35,
      role: 'tradable',
    },
    {
      symbol: `E${runId}L`,
      market: 'XNAS',
      lotSize: 100,
      tickSize: 0.01,
      referencePrice: 12.34,
      role: 'lot-100',
    },
  ];
  const instruments = [
    demo(DEMO_SYMBOL_APPLE, 'tradable'),
    demo(DEMO_SYMBOL_MICROSOFT, 'tradable'),
    demo(DEMO_SYMBOL_IBM, 'tradable'),
    demo(DEMO_SYMBOL_RESTRICTED, 'restricted'),
    demo(DEMO_SYMBOL_HALTED, 'halted'),
    ...own,
  ];
  const asOf = now.toISOString();
  return {
    runId,
    accounts,
    instruments,
    unknownSymbol: `E${runId}ZZ`,
    sessionDate: lastDay(now, (weekday) => weekday >= 1 && weekday <= 5),
    closedDate: lastDay(now, (weekday) => weekday === 6),
    create: {
      accounts: created.map((a) => ({
        accountId: a.accountId,
        name: `End-to-end ${a.role} account ${a.accountId}`,
        currency: 'USD',
        limits: a.limits,
        permittedMarkets: a.permittedMarkets,
      })),
      instruments: own.map((i) => ({
        symbol: i.symbol,
        name: `End-to-end instrument ${i.symbol}`,
        market: i.market,
        currency: 'USD',
        lotSize: i.lotSize,
        tickSize: i.tickSize,
        status: 'ACTIVE',
      })),
      prices: own.map((i) => ({ symbol: i.symbol, price: i.referencePrice, asOf, source: 'e2e' })),
    },
  };
}

/** The last UTC date strictly before `now` whose ISO weekday passes `accept`. */
function lastDay(now: Date, accept: (isoWeekday: number) => boolean): string {
  const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  for (;;) {
    day.setUTCDate(day.getUTCDate() - 1);
    if (accept(day.getUTCDay() === 0 ? 7 : day.getUTCDay())) return day.toISOString().slice(0, 10);
  }
}

/** Rounds to the tick grid and to the tick's decimals, so the JSON number is exactly on the grid. */
function onTick(price: number, tick: number): number {
  const decimals = Math.max(0, (tick.toString().split('.')[1] ?? '').length);
  return Number((Math.round(price / tick) * tick).toFixed(decimals));
}

/** Which accounts and instruments a scenario may use. */
interface Choice {
  account: MixAccount;
  instrument?: MixInstrument;
}

/**
 * One of `count` factories that make trades for the same universe at once (a k6 VU each, say): factory
 * `index` (0-based) hands out the quantities n = index + 1, index + 1 + count, ..., so no two factories ever
 * make trades with the same key, and it keeps DEMO-1's valid trades to its 1/count share of the daily budget.
 */
export interface FactoryStream {
  index: number;
  count: number;
}

/** How a factory makes its trades. */
export interface FactoryOptions {
  /** This factory's lane among siblings (default: the only one). */
  stream?: FactoryStream;
  /**
   * Whether valid trades may go to DEMO-1 (default true). A long-lived environment shares DEMO-1 with every
   * earlier run of the day, whose trades count against its daily limit and can make a new trade a probable
   * duplicate: load generators turn it off so every outcome stays as planned.
   */
  demoAccount?: boolean;
}

/** Makes trades one at a time, each with a key no earlier trade of the factory (or of its sibling streams) has. */
export class TradeFactory {
  private readonly random: SeededRandom;
  /** Per `<accountId>|<symbol>`: how many quantities have been handed out. */
  private readonly counters = new Map<string, number>();
  private readonly stream: FactoryStream;
  private readonly demoAccount: boolean;
  private demoNotional = 0;
  private sequence = 0;

  constructor(
    readonly universe: MixUniverse,
    seed: number,
    options: FactoryOptions = {},
  ) {
    const stream = options.stream ?? { index: 0, count: 1 };
    const { index, count } = stream;
    if (!Number.isInteger(count) || count < 1 || !Number.isInteger(index) || index < 0 || index >= count)
      throw new RangeError(`stream must have 0 <= index < count, got ${index} of ${count}`);
    this.random = new SeededRandom(seed);
    this.stream = stream;
    this.demoAccount = options.demoAccount ?? true;
  }

  /** The accounts of a role. */
  accounts(role: AccountRole): MixAccount[] {
    return this.universe.accounts.filter((a) => a.role === role);
  }

  /** The instruments of a role. */
  instruments(role: InstrumentRole): MixInstrument[] {
    return this.universe.instruments.filter((i) => i.role === role);
  }

  /** A trade of `scenario`; `choice` pins the account and/or instrument (canaries use it). */
  make(scenario: Scenario, choice: Partial<Choice> = {}): PlannedTrade {
    const { account, instrument } = this.choose(scenario, choice);
    const symbol = instrument?.symbol ?? this.universe.unknownSymbol;
    const lot = instrument?.lotSize ?? 1;
    const n = this.nextCount(account.accountId, symbol);
    let quantity: number;
    switch (scenario) {
      case 'max-quantity':
        quantity = account.limits.maxQuantity + n;
        break;
      case 'max-notional-per-trade':
        quantity = Math.ceil(account.limits.maxNotionalPerTrade / (instrument?.referencePrice ?? 1)) + n;
        break;
      case 'lot-size':
        quantity = lot * n + Math.max(1, Math.floor(lot / 3));
        break;
      default:
        quantity = lot * n;
    }
    const reference = instrument?.referencePrice ?? 10;
    const tick = instrument?.tickSize ?? 0.01;
    let price: number;
    if (scenario === 'price-collar' || scenario === 'collar-and-hours') {
      const away = OUT_OF_COLLAR.min + this.random.next() * (OUT_OF_COLLAR.max - OUT_OF_COLLAR.min);
      price = onTick(reference * (this.random.next() < 0.5 ? 1 - away : 1 + away), tick);
    } else {
      price = onTick(reference * (1 + (this.random.next() * 2 - 1) * IN_COLLAR), tick);
      // Half a tick off the grid (a thousandth for a cent tick), still inside the collar.
      if (scenario === 'off-tick') price = Number((price + tick / 2 - tick / 10).toFixed(6));
    }
    const outside = scenario === 'outside-hours' || scenario === 'collar-and-hours';
    const seconds = this.random.int(0, outside ? 6 * 3600 - 1 : 4 * 3600 - 1);
    const base = Date.parse(
      `${outside ? this.universe.closedDate : this.universe.sessionDate}T15:00:00.000Z`,
    );
    const tradeTime = new Date(base + seconds * 1000).toISOString();
    if (account.role === 'demo') this.demoNotional += quantity * price;

    this.sequence += 1;
    const streamTag = this.stream.count > 1 ? `${this.stream.index}-` : '';
    const request: TradeRequest = {
      accountId: account.accountId,
      symbol,
      side: this.random.next() < 0.5 ? 'BUY' : 'SELL',
      quantity,
      price,
      currency: 'USD',
      tradeTime,
      clientTradeId: `e2e-${this.universe.runId}-${streamTag}${this.sequence}`,
    };
    const ruleIds = [...SCENARIO_RULES[scenario]].sort();
    const field = INTAKE_REFUSALS[scenario];
    const expected: ExpectedOutcome =
      field !== undefined
        ? { status: 'REFUSED', ruleIds, field }
        : { status: ruleIds.length === 0 ? 'VALIDATED' : 'REJECTED', ruleIds };
    return { scenario, request, expected, key: tradeKey(request) };
  }

  /** The next quantity multiplier of a key: 1, 2, 3, ... for a lone factory; its own lane for a stream. */
  private nextCount(accountId: string, symbol: string): number {
    const key = `${accountId}|${symbol}`;
    const handed = this.counters.get(key) ?? 0;
    this.counters.set(key, handed + 1);
    return this.laneCount(handed);
  }

  private laneCount(handed: number): number {
    return handed * this.stream.count + this.stream.index + 1;
  }

  private choose(scenario: Scenario, pinned: Partial<Choice>): Choice {
    const r = this.random;
    const standard = (): MixAccount => pinned.account ?? r.pick(this.accounts('standard'));
    const tradable = (): MixInstrument => pinned.instrument ?? r.pick(this.instruments('tradable'));
    switch (scenario) {
      case 'valid': {
        const instrument =
          pinned.instrument ?? r.pick([...this.instruments('tradable'), ...this.instruments('lot-100')]);
        // DEMO-1 gets a share of the valid trades in the demo instruments, up to half its daily limit.
        const demo = this.demoAccount ? this.accounts('demo')[0] : undefined;
        const wantsDemo =
          pinned.account === undefined && demo !== undefined && r.next() < 0.02 && instrument.lotSize === 1;
        const demoFits =
          demo !== undefined &&
          this.demoNotional +
            instrument.referencePrice * 1.05 * this.laneCount(this.peekCount(demo, instrument)) <
            (demo.limits.maxNotionalPerDay * DEMO_DAILY_SHARE) / this.stream.count;
        if (wantsDemo && demoFits && demo.permittedMarkets.includes(instrument.market))
          return { account: demo, instrument };
        return { account: standard(), instrument };
      }
      case 'max-quantity':
        return { account: pinned.account ?? this.only('quantity-limited'), instrument: tradable() };
      case 'max-notional-per-trade':
        return { account: pinned.account ?? this.only('notional-limited'), instrument: tradable() };
      case 'restricted':
        return { account: standard(), instrument: pinned.instrument ?? this.onlyInstrument('restricted') };
      case 'halted':
        return { account: standard(), instrument: pinned.instrument ?? this.onlyInstrument('halted') };
      case 'unknown-instrument':
        return { account: standard() };
      case 'unknown-account':
        return { account: pinned.account ?? this.only('unknown'), instrument: tradable() };
      case 'lot-size':
        return { account: standard(), instrument: pinned.instrument ?? this.onlyInstrument('lot-100') };
      case 'market-not-permitted': {
        const account = pinned.account ?? this.only('nyse-only');
        const foreign = this.instruments('tradable').filter(
          (i) => !account.permittedMarkets.includes(i.market),
        );
        return { account, instrument: pinned.instrument ?? r.pick(foreign) };
      }
      case 'off-tick':
        // Only a cent tick leaves room for a price between ticks that is still inside the collar.
        return {
          account: standard(),
          instrument:
            pinned.instrument ?? r.pick(this.instruments('tradable').filter((i) => i.tickSize === 0.01)),
        };
      default:
        return { account: standard(), instrument: tradable() };
    }
  }

  private peekCount(account: MixAccount, instrument: MixInstrument): number {
    return this.counters.get(`${account.accountId}|${instrument.symbol}`) ?? 0;
  }

  private only(role: AccountRole): MixAccount {
    const account = this.accounts(role)[0];
    if (account === undefined) throw new Error(`the universe has no ${role} account`);
    return account;
  }

  private onlyInstrument(role: InstrumentRole): MixInstrument {
    const instrument = this.instruments(role)[0];
    if (instrument === undefined) throw new Error(`the universe has no ${role} instrument`);
    return instrument;
  }
}

/** How a mix is submitted. */
export type Channel = 'single' | 'batch' | 'ndjson' | 'csv';
export const CHANNELS: readonly Channel[] = ['single', 'batch', 'ndjson', 'csv'];

export interface MixOptions {
  seed: number;
  /** Trades per channel. */
  counts: Record<Channel, number>;
  /** Share of each invalid scenario per channel (the rest is valid); default 2.5% each. */
  invalidShare?: number;
}

/** A whole mix, per channel, in submission order. */
export type TradeMix = Record<Channel, PlannedTrade[]>;

/**
 * Plans a mix: in every channel each invalid scenario gets `invalidShare` of the trades (at least one) and
 * the rest is valid, shuffled.
 */
export function planTradeMix(factory: TradeFactory, options: MixOptions): TradeMix {
  const share = options.invalidShare ?? 0.025;
  const shuffler = new SeededRandom(options.seed ^ 0x5bd1e995);
  const mix = {} as TradeMix;
  for (const channel of CHANNELS) {
    const total = options.counts[channel];
    const scenarios: Scenario[] = [];
    for (const scenario of SCENARIOS) {
      if (scenario === 'valid') continue;
      const n = Math.max(1, Math.floor(total * share));
      for (let i = 0; i < n && scenarios.length < total; i++) scenarios.push(scenario);
    }
    while (scenarios.length < total) scenarios.push('valid');
    mix[channel] = shuffler.sample(scenarios, scenarios.length).map((scenario) => factory.make(scenario));
  }
  return mix;
}

/** How many trades of a mix end in each status. */
export function expectedStatusCounts(
  trades: readonly PlannedTrade[],
): Record<ExpectedOutcome['status'], number> {
  const counts = { VALIDATED: 0, REJECTED: 0, REFUSED: 0 };
  for (const t of trades) counts[t.expected.status] += 1;
  return counts;
}

export interface MixStreamOptions {
  /** Seeds the order of scenarios within each block. */
  seed: number;
  /** Share of each invalid scenario (the rest is valid), at most 1/12; default 2.5% each, as in `planTradeMix`. */
  invalidShare?: number;
}

/**
 * The scenarios of one block of an endless mix: each invalid scenario once and valid trades for the rest,
 * `round(1 / invalidShare)` in all, so every block holds the exact proportions.
 */
export function mixBlock(invalidShare = 0.025): Scenario[] {
  const invalid = SCENARIOS.filter((s) => s !== 'valid');
  if (!(invalidShare >= 0 && invalidShare <= 1 / invalid.length))
    throw new RangeError(`invalidShare must be within 0..1/${invalid.length}, got ${invalidShare}`);
  if (invalidShare === 0) return ['valid'];
  const size = Math.round(1 / invalidShare);
  return [...invalid, ...Array.from({ length: size - invalid.length }, (): Scenario => 'valid')];
}

/**
 * An endless supply of planned trades in the proportions of a mix, for open-ended load (a k6 iteration or a
 * benchmark arrival takes the next one): blocks of `mixBlock`, each shuffled, so any run of whole blocks has
 * the exact shares, and every trade still comes from the factory with its expected outcome.
 */
export class MixStream {
  private readonly shuffler: SeededRandom;
  private readonly block: readonly Scenario[];
  private pending: Scenario[] = [];

  constructor(
    readonly factory: TradeFactory,
    options: MixStreamOptions,
  ) {
    this.shuffler = new SeededRandom(options.seed ^ 0x2545f491);
    this.block = mixBlock(options.invalidShare);
  }

  /** The next planned trade. */
  next(): PlannedTrade {
    if (this.pending.length === 0) this.pending = this.shuffler.sample(this.block, this.block.length);
    return this.factory.make(this.pending.pop() ?? 'valid');
  }
}
