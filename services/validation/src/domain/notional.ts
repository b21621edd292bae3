import type { Account, FxRate, TradeSubmitted } from '@tradeflow/contracts';

/** Rounds to 1e-6 so float noise (3 × 0.1 = 0.30000000000000004) never reaches a running total. */
export function roundAmount(amount: number): number {
  return Math.round(amount * 1e6) / 1e6;
}

/** A trade's notional value, quantity × price, in the trade's currency. */
export function notional(trade: Pick<TradeSubmitted, 'quantity' | 'price'>): number {
  return roundAmount(trade.quantity * trade.price);
}

/** The currency every FX rate is quoted against; it needs no rate of its own. */
export const FX_BASE_CURRENCY = 'USD';

/** How many US dollars one unit of `currency` is worth, or undefined when no rate is known. */
export function usdPerUnit(
  currency: string,
  fxRates: Readonly<Record<string, FxRate>> | undefined,
): number | undefined {
  if (currency === FX_BASE_CURRENCY) return 1;
  return fxRates?.[currency]?.usdPerUnit;
}

/** A trade's notional in its account's currency, or the currencies whose FX rate is missing. */
export type AccountNotional =
  | { readonly ok: true; readonly value: number; readonly converted: boolean }
  | { readonly ok: false; readonly missing: readonly string[] };

/**
 * The trade's notional in the account's currency, the one its limits are in. The same currency needs no
 * rate; otherwise the amount goes through USD: notional × usdPerUnit(trade) / usdPerUnit(account).
 */
export function notionalInAccountCurrency(
  trade: Pick<TradeSubmitted, 'quantity' | 'price' | 'currency'>,
  account: Pick<Account, 'currency'>,
  fxRates: Readonly<Record<string, FxRate>> | undefined,
): AccountNotional {
  const value = notional(trade);
  if (trade.currency === account.currency) return { ok: true, value, converted: false };
  const from = usdPerUnit(trade.currency, fxRates);
  const to = usdPerUnit(account.currency, fxRates);
  if (from === undefined || to === undefined) {
    const missing = [
      from === undefined ? trade.currency : undefined,
      to === undefined ? account.currency : undefined,
    ];
    return { ok: false, missing: missing.filter((c): c is string => c !== undefined) };
  }
  return { ok: true, value: roundAmount((value * from) / to), converted: true };
}
