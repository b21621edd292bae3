import type { AccountLimits, Instrument } from '@tradeflow/contracts';

/** The account the README's examples trade on: permitted on the US markets, moderate limits. */
export const DEMO_ACCOUNT_ID = 'DEMO-1';
export const DEMO_ACCOUNT_NAME = 'Demo trader';
/** Its limits are in US dollars, the currency of the markets it trades on. */
export const DEMO_ACCOUNT_CURRENCY = 'USD';
export const DEMO_ACCOUNT_MARKETS: readonly string[] = ['XNYS', 'XNAS'];
export const DEMO_ACCOUNT_LIMITS: Readonly<AccountLimits> = {
  maxQuantity: 10_000,
  maxNotionalPerTrade: 1_000_000,
  maxNotionalPerDay: 10_000_000,
};

/** Well-known symbols with fixed reference prices, so the README's curl examples never change. */
export const DEMO_SYMBOL_APPLE = 'AAPL';
export const DEMO_SYMBOL_MICROSOFT = 'MSFT';
export const DEMO_SYMBOL_IBM = 'IBM';
/** On the restricted list: any trade in it is rejected. */
export const DEMO_SYMBOL_RESTRICTED = 'RSTR';
/** Halted: any trade in it is rejected. */
export const DEMO_SYMBOL_HALTED = 'HALT';

/** One demo instrument and its fixed reference price. */
export interface DemoInstrument extends Instrument {
  referencePrice: number;
}

/** The demo instruments, each on its real listing venue (Microsoft is a Nasdaq listing). */
export const DEMO_INSTRUMENTS: readonly DemoInstrument[] = [
  demo(DEMO_SYMBOL_APPLE, 'Apple Inc.', 'XNAS', 190.0),
  demo(DEMO_SYMBOL_MICROSOFT, 'Microsoft Corporation', 'XNAS', 420.0),
  demo(DEMO_SYMBOL_IBM, 'International Business Machines Corporation', 'XNYS', 180.0),
  demo(DEMO_SYMBOL_RESTRICTED, 'Restricted Example Corp.', 'XNYS', 25.0),
  demo(DEMO_SYMBOL_HALTED, 'Halted Example Inc.', 'XNYS', 12.5, 'HALTED'),
];

/** Why the demo symbol is restricted. */
export const DEMO_RESTRICTED_REASON = 'Pending corporate action: the firm holds inside information';

/**
 * Fixed FX rates (US dollars per unit) for every non-USD currency the seed uses, round values close to
 * the real ones, so examples and notional checks stay reproducible.
 */
export const SEED_FX_RATES: Readonly<Record<string, number>> = {
  GBP: 1.27,
  JPY: 0.0067,
};

/** Where the seeded prices say they came from. */
export const SEED_PRICE_SOURCE = 'seed';

function demo(
  symbol: string,
  name: string,
  market: 'XNYS' | 'XNAS',
  referencePrice: number,
  status: Instrument['status'] = 'ACTIVE',
): DemoInstrument {
  return { symbol, name, market, currency: 'USD', lotSize: 1, tickSize: 0.01, status, referencePrice };
}
