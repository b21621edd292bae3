/**
 * What a person sees once Tradeflow runs locally (`make start`, `make up`): the URLs and curl examples, built
 * from the seed's demo fixtures so they always match the loaded data: one trade that passes every rule and
 * one that is rejected with readable reasons.
 */
import {
  DEMO_ACCOUNT_ID,
  DEMO_ACCOUNT_LIMITS,
  DEMO_INSTRUMENTS,
  DEMO_SYMBOL_APPLE,
  DEMO_SYMBOL_RESTRICTED,
} from '@tradeflow/reference-data/seed';

/** The body of `POST /v1/trades`. */
export interface DemoTrade {
  accountId: string;
  symbol: string;
  side: 'BUY' | 'SELL';
  quantity: number;
  price: number;
  currency: string;
  tradeTime: string;
}

export interface DemoTrades {
  validated: DemoTrade;
  /** Restricted, and over the account's quantity limit. */
  rejected: DemoTrade;
  /** The rules `rejected` breaks, sorted. */
  rejectedRuleIds: string[];
}

function referencePrice(symbol: string): number {
  const instrument = DEMO_INSTRUMENTS.find((i) => i.symbol === symbol);
  if (instrument === undefined) throw new Error(`no demo instrument ${symbol}`);
  return instrument.referencePrice;
}

/**
 * 15:30 UTC on the last weekday before `now`: inside the New York session (10:30 or 11:30 local) whatever
 * the season, and in the past, so the examples work any day.
 */
export function demoTradeTime(now: Date): string {
  const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  do day.setUTCDate(day.getUTCDate() - 1);
  while (day.getUTCDay() === 0 || day.getUTCDay() === 6);
  return `${day.toISOString().slice(0, 10)}T15:30:00Z`;
}

/** The two example trades of DEMO-1. */
export function demoTrades(now: Date): DemoTrades {
  const tradeTime = demoTradeTime(now);
  return {
    validated: {
      accountId: DEMO_ACCOUNT_ID,
      symbol: DEMO_SYMBOL_APPLE,
      side: 'BUY',
      quantity: 100,
      price: referencePrice(DEMO_SYMBOL_APPLE),
      currency: 'USD',
      tradeTime,
    },
    rejected: {
      accountId: DEMO_ACCOUNT_ID,
      symbol: DEMO_SYMBOL_RESTRICTED,
      side: 'BUY',
      quantity: DEMO_ACCOUNT_LIMITS.maxQuantity * 2,
      price: referencePrice(DEMO_SYMBOL_RESTRICTED),
      currency: 'USD',
      tradeTime,
    },
    rejectedRuleIds: ['MAX_QUANTITY', 'RESTRICTED_INSTRUMENT'],
  };
}

/** A URL people can paste: a wildcard listen address is reached on loopback. */
export function localUrl(http: { host: string; port: number }): string {
  const host = http.host === '0.0.0.0' || http.host === '::' ? '127.0.0.1' : http.host;
  return `http://${host}:${http.port}`;
}

export interface BannerOptions {
  /** What runs, in a few words. */
  shape: string;
  tradesUrl: string;
  referenceDataUrl: string;
  validationUrl: string;
  /** How to stop it (`Ctrl-C`, `make down`). */
  stop: string;
  now: Date;
}

/** JSON with two decimals on prices, as a person would type it. */
function body(trade: DemoTrade): string {
  return JSON.stringify(trade).replace(
    /"price":(\d+(?:\.\d+)?)/,
    (_m, p: string) => `"price":${Number(p).toFixed(2)}`,
  );
}

function curlPost(url: string, trade: DemoTrade): string {
  return [
    `  curl -s ${url}/v1/trades -H 'content-type: application/json' \\`,
    `    -d '${body(trade)}'`,
  ].join('\n');
}

/** The banner text (plain, no colours: it may go to a log file). */
export function startBanner(options: BannerOptions): string {
  const { tradesUrl: trades } = options;
  const demo = demoTrades(options.now);
  const { validated, rejected } = demo;
  return [
    '',
    `Tradeflow is running (${options.shape}).`,
    '',
    `  trades           ${trades}   POST /v1/trades, /v1/trades/batch, /v1/trades/bulk`,
    `  reference data   ${options.referenceDataUrl}   /v1/reference/{markets,instruments,prices,accounts,restricted,fx}`,
    `  validation       ${options.validationUrl}   GET /v1/validation/rules`,
    '',
    `A trade that passes every rule (${validated.accountId} buys ${validated.quantity} ${validated.symbol} at its reference price):`,
    '',
    curlPost(trades, validated),
    '',
    `and one that is rejected (${rejected.symbol} is on the restricted list, and ${rejected.quantity.toLocaleString('en-US')} is over ` +
      `${rejected.accountId}'s ${DEMO_ACCOUNT_LIMITS.maxQuantity.toLocaleString('en-US')} per trade):`,
    '',
    curlPost(trades, rejected),
    '',
    'Each answer carries the trade id and its statusUrl; a moment later the trade is VALIDATED, or REJECTED with',
    'every failed rule and its reason:',
    '',
    `  curl -s ${trades}/v1/trades/<tradeId>`,
    `  curl -s '${trades}/v1/accounts/${validated.accountId}/trades?status=REJECTED'`,
    '',
    'These go straight to the trades service; the gateway (with a demo API key) comes in a later issue.',
    'Sending the same trade twice makes the second a probable duplicate (same trade time): change the quantity.',
    '',
    `${options.stop} stops it.`,
    '',
  ].join('\n');
}
