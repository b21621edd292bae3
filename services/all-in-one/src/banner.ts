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
  /** The gateway: the one public entry. */
  gatewayUrl: string;
  /** The demo consumer's API key, when the gateway created one. */
  apiKey: string | undefined;
  /** The accounts the demo key may act for. */
  demoAccounts: string;
  /** The gateway's admin listener. */
  adminUrl: string;
  /** The services behind the gateway (its upstreams). */
  tradesUrl: string;
  referenceDataUrl: string;
  validationUrl: string;
  /** How to stop it (`Ctrl-C`, `make down`). */
  stop: string;
  now: Date;
}

/** The variable the curl examples read the key from. */
export const KEY_VARIABLE = 'TRADEFLOW_API_KEY';

/** JSON with two decimals on prices, as a person would type it. */
function body(trade: DemoTrade): string {
  return JSON.stringify(trade).replace(
    /"price":(\d+(?:\.\d+)?)/,
    (_m, p: string) => `"price":${Number(p).toFixed(2)}`,
  );
}

function curlPost(url: string, trade: DemoTrade): string {
  return [
    `  curl -s ${url}/v1/trades -H "x-api-key: $${KEY_VARIABLE}" -H 'content-type: application/json' \\`,
    `    -d '${body(trade)}'`,
  ].join('\n');
}

/** The banner text (plain, no colours: it may go to a log file). */
export function startBanner(options: BannerOptions): string {
  const { gatewayUrl: gateway } = options;
  const demo = demoTrades(options.now);
  const { validated, rejected } = demo;
  const key =
    options.apiKey === undefined
      ? [
          'No demo consumer (GATEWAY_DEMO_CONSUMER=false): create a consumer and its key with the admin API, then',
          `  export ${KEY_VARIABLE}=<its key>`,
        ]
      : [
          `The demo API key (consumer "demo", accounts ${options.demoAccounts}, every scope):`,
          '',
          `  export ${KEY_VARIABLE}=${options.apiKey}`,
        ];
  return [
    '',
    `Tradeflow is running (${options.shape}).`,
    '',
    `  gateway          ${gateway}   the public API: /v1/trades, /v1/accounts, /v1/reference, /v1/validation`,
    `  API docs         ${gateway}/docs   (OpenAPI 3.1: ${gateway}/openapi.json)`,
    `  gateway admin    ${options.adminUrl}   Bearer $GATEWAY_ADMIN_TOKEN (make start/up: .run/gateway-admin-token)`,
    '',
    `Behind the gateway (they take only requests that carry the identity it sets): trades ${options.tradesUrl},`,
    `reference data ${options.referenceDataUrl}, validation ${options.validationUrl}.`,
    '',
    ...key,
    '',
    `A trade that passes every rule (${validated.accountId} buys ${validated.quantity} ${validated.symbol} at its reference price):`,
    '',
    curlPost(gateway, validated),
    '',
    `and one that is rejected (${rejected.symbol} is on the restricted list, and ${rejected.quantity.toLocaleString('en-US')} is over ` +
      `${rejected.accountId}'s ${DEMO_ACCOUNT_LIMITS.maxQuantity.toLocaleString('en-US')} per trade):`,
    '',
    curlPost(gateway, rejected),
    '',
    'Each answer carries the trade id and its statusUrl; a moment later the trade is VALIDATED, or REJECTED with',
    'every failed rule and its reason:',
    '',
    `  curl -s ${gateway}/v1/trades/<tradeId> -H "x-api-key: $${KEY_VARIABLE}"`,
    `  curl -s '${gateway}/v1/accounts/${validated.accountId}/trades?status=REJECTED' -H "x-api-key: $${KEY_VARIABLE}"`,
    '',
    'Sending the same trade twice makes the second a probable duplicate (same trade time): change the quantity.',
    '',
    `${options.stop} stops it.`,
    '',
  ].join('\n');
}
