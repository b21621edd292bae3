import {
  Account,
  FxRate,
  Instrument,
  Market,
  ReferencePrice,
  RestrictedEntry,
  TradeSubmitted,
} from '@tradeflow/contracts';
import {
  DEFAULT_VALIDATION_SETTINGS,
  type ReferenceData,
  type ValidationContext,
  type ValidationSettings,
} from '../../src/domain';

// Every fixture goes through the contracts' schemas, so the tests never judge data the system would refuse.

export const XNYS = Market.parse({
  code: 'XNYS',
  name: 'New York Stock Exchange',
  timeZone: 'America/New_York',
  open: '09:30',
  close: '16:00',
  tradingDays: [1, 2, 3, 4, 5],
  currency: 'USD',
});

export const XLON = Market.parse({
  code: 'XLON',
  name: 'London Stock Exchange',
  timeZone: 'Europe/London',
  open: '08:00',
  close: '16:30',
  tradingDays: [1, 2, 3, 4, 5],
  currency: 'GBP',
});

export const XTKS = Market.parse({
  code: 'XTKS',
  name: 'Tokyo Stock Exchange',
  timeZone: 'Asia/Tokyo',
  open: '09:00',
  close: '15:30',
  breaks: [{ start: '11:30', end: '12:30' }],
  tradingDays: [1, 2, 3, 4, 5],
  currency: 'JPY',
});

export const AAPL = Instrument.parse({
  symbol: 'AAPL',
  name: 'Apple Inc.',
  market: 'XNYS',
  currency: 'USD',
  lotSize: 1,
  tickSize: 0.01,
  status: 'ACTIVE',
});

export const TOYOTA = Instrument.parse({
  symbol: '7203',
  name: 'Toyota Motor Corp.',
  market: 'XTKS',
  currency: 'JPY',
  lotSize: 100,
  tickSize: 0.5,
  status: 'ACTIVE',
});

export const ACCOUNT = Account.parse({
  accountId: 'ACC-001',
  name: 'Alpha Capital',
  currency: 'USD',
  limits: { maxQuantity: 10_000, maxNotionalPerTrade: 1_000_000, maxNotionalPerDay: 5_000_000 },
  permittedMarkets: ['XNYS', 'XLON'],
});

/** One pound is 1.27 US dollars. */
export const GBP_RATE = FxRate.parse({ currency: 'GBP', usdPerUnit: 1.27, asOf: '2025-03-10T14:00:00Z' });

/** One yen is 0.0067 US dollars. */
export const JPY_RATE = FxRate.parse({ currency: 'JPY', usdPerUnit: 0.0067, asOf: '2025-03-10T14:00:00Z' });

/** Monday 2025-03-10 10:30 in New York (EDT, the day after the switch to daylight saving time). */
export const TRADE_TIME = '2025-03-10T14:30:00Z';
export const NOW = new Date('2025-03-10T14:30:05Z');

export const PRICE = ReferencePrice.parse({
  symbol: 'AAPL',
  price: 196.85,
  asOf: '2025-03-10T14:29:00Z',
  source: 'test-feed',
});

export function restricted(overrides: Partial<RestrictedEntry> = {}): RestrictedEntry {
  return RestrictedEntry.parse({
    symbol: 'AAPL',
    reason: 'Pending merger announcement.',
    since: '2025-03-01T00:00:00Z',
    ...overrides,
  });
}

export function aTrade(overrides: Partial<TradeSubmitted> = {}): TradeSubmitted {
  return TradeSubmitted.parse({
    tradeId: 'T-1',
    accountId: 'ACC-001',
    symbol: 'AAPL',
    side: 'BUY',
    quantity: 100,
    price: 197.1,
    currency: 'USD',
    tradeTime: TRADE_TIME,
    receivedAt: TRADE_TIME,
    channel: 'single',
    version: 1,
    ...overrides,
  });
}

export interface ContextOverrides {
  trade?: Partial<TradeSubmitted>;
  /** Replaces entries of the default reference data; an entry set to `undefined` becomes unknown. */
  reference?: ReferenceData;
  settings?: Partial<ValidationSettings>;
  now?: Date;
  dailyNotionalBefore?: number;
  probableDuplicateOf?: string;
}

/** A context in which every rule passes: AAPL bought on a Monday morning in New York, inside every limit. */
export function aContext(overrides: ContextOverrides = {}): ValidationContext {
  return {
    trade: aTrade(overrides.trade),
    reference: { instrument: AAPL, market: XNYS, price: PRICE, account: ACCOUNT, ...overrides.reference },
    now: overrides.now ?? NOW,
    settings: { ...DEFAULT_VALIDATION_SETTINGS, ...overrides.settings },
    dailyNotionalBefore: overrides.dailyNotionalBefore ?? 0,
    ...(overrides.probableDuplicateOf === undefined
      ? {}
      : { probableDuplicateOf: overrides.probableDuplicateOf }),
  };
}
