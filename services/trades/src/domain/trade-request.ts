/**
 * What a client submits for one trade (the body of `POST /v1/trades`, each batch item, each bulk line) and
 * what it may change later. Strict: an unknown field is an error, so a typo never passes silently.
 */
import {
  AccountId,
  Currency,
  Side,
  Symbol as TickerSymbol,
  decimalPlaces,
  isOnTickGrid,
} from '@tradeflow/contracts';
import { z } from 'zod';

/** The message of a missing member, or `message` for a present but wrong one. */
function requiredOr(message: string) {
  return { error: (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : message) };
}

const Quantity = z
  .number(requiredOr('must be a positive whole number'))
  .int('must be a positive whole number')
  .positive('must be a positive whole number');

const Price = z.number(requiredOr('must be a positive number')).positive('must be a positive number');

/** Years a trade time may fall in: keeps the account index's UTC time key four digits wide. */
const EARLIEST_YEAR = 1900;
const LATEST_YEAR = 9998;

const TradeTime = z.iso
  .datetime({
    offset: true,
    ...requiredOr('must be an ISO-8601 date-time with a UTC offset, such as 2025-06-02T14:30:00Z'),
  })
  .refine((value) => {
    // An unreadable value already failed the format check; this one only adds the range.
    const year = new Date(value).getUTCFullYear();
    return Number.isNaN(year) || (year >= EARLIEST_YEAR && year <= LATEST_YEAR);
  }, `must be a real date between the years ${EARLIEST_YEAR} and ${LATEST_YEAR}`);

const ClientTradeId = z
  .string('must be a string of 1-64 characters A-Z, a-z, 0-9, ".", "_", ":" or "-"')
  .regex(/^[A-Za-z0-9._:-]{1,64}$/, 'must be 1-64 characters A-Z, a-z, 0-9, ".", "_", ":" or "-"');

/** One trade as submitted. */
export const TradeRequest = z.strictObject(
  {
    accountId: z.string(requiredOr('must be a string')).pipe(AccountId),
    symbol: z.string(requiredOr('must be a string')).pipe(TickerSymbol),
    side: z.enum(Side.options, requiredOr('must be BUY or SELL')),
    quantity: Quantity,
    price: Price,
    currency: z.string(requiredOr('must be a string')).pipe(Currency),
    tradeTime: TradeTime,
    clientTradeId: ClientTradeId.optional(),
  },
  { error: (issue) => (issue.code === 'invalid_type' ? 'must be a JSON object' : undefined) },
);
export type TradeRequest = z.infer<typeof TradeRequest>;

/** The body of `PATCH /v1/trades/{id}`: a new price, a new quantity, or both. */
export const TradeAmendment = z
  .strictObject(
    { quantity: Quantity.optional(), price: Price.optional() },
    { error: (issue) => (issue.code === 'invalid_type' ? 'must be a JSON object' : undefined) },
  )
  .refine((v) => v.quantity !== undefined || v.price !== undefined, {
    message: 'must change the price, the quantity or both',
  });
export type TradeAmendment = z.infer<typeof TradeAmendment>;

/** The body of `POST /v1/trades/{id}/cancel` (optional). */
export const TradeCancellation = z.strictObject(
  {
    reason: z
      .string('must be a string')
      .min(1, 'must not be empty')
      .max(500, 'must be at most 500 characters')
      .optional(),
  },
  { error: (issue) => (issue.code === 'invalid_type' ? 'must be a JSON object' : undefined) },
);
export type TradeCancellation = z.infer<typeof TradeCancellation>;

/** What intake needs to know about an instrument; the reference cache provides it. */
export interface InstrumentLookup {
  instrument(symbol: string): { tickSize: number } | undefined;
}

/**
 * Why `price` is not a valid price of `symbol`, or undefined when it is (or when the instrument is unknown:
 * then validation decides, with UNKNOWN_INSTRUMENT).
 */
export function tickSizeProblem(symbol: string, price: number, lookup: InstrumentLookup): string | undefined {
  const instrument = lookup.instrument(symbol);
  if (instrument === undefined || isOnTickGrid(price, instrument.tickSize)) return undefined;
  const tick = instrument.tickSize.toFixed(decimalPlaces(instrument.tickSize));
  return `must be a multiple of ${symbol}'s tick size ${tick}`;
}
