import { z } from 'zod';

/** A market's code: ISO 10383 MIC (XNYS, XLON, XTKS, ...). */
export const MarketCode = z.string().regex(/^[A-Z0-9]{4}$/, 'must be a 4-character MIC such as XNYS');

/** Ticker symbols: upper-case letters and digits, optionally a dot class suffix (BRK.B). */
export const Symbol = z
  .string()
  .regex(
    /^[A-Z0-9]{1,10}(\.[A-Z0-9]{1,4})?$/,
    'must be 1-10 upper-case letters or digits, optionally .CLASS',
  );

export const Currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD');

export const AccountId = z
  .string()
  .regex(/^[A-Z0-9][A-Z0-9-]{2,31}$/, 'must be 3-32 characters A-Z, 0-9 or -');

/** True when the runtime knows `timeZone` as an IANA zone; an unknown one would make trading hours uncheckable. */
function isKnownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

export const TimeZone = z
  .string()
  .min(1)
  .max(64)
  .refine(isKnownTimeZone, 'must be an IANA time zone such as America/New_York');

const LocalTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24h)');

/** A pause inside the session when the market does not trade (Tokyo's lunch break), local time. */
export const SessionBreak = z.strictObject({ start: LocalTime, end: LocalTime });
export type SessionBreak = z.infer<typeof SessionBreak>;

/** A market with its regular trading session, in the market's own time zone. */
export const Market = z.strictObject({
  code: MarketCode,
  name: z.string().min(1).max(100),
  timeZone: TimeZone,
  open: LocalTime,
  close: LocalTime,
  /** Intraday pauses, e.g. XTKS 11:30-12:30; absent when the session is continuous. */
  breaks: z.array(SessionBreak).max(4).optional(),
  /** ISO weekdays the market trades on: 1 = Monday ... 7 = Sunday. */
  tradingDays: z.array(z.number().int().min(1).max(7)).min(1).max(7),
  currency: Currency,
});
export type Market = z.infer<typeof Market>;

export const InstrumentStatus = z.enum(['ACTIVE', 'HALTED']);

export const Instrument = z.strictObject({
  symbol: Symbol,
  name: z.string().min(1).max(200),
  market: MarketCode,
  currency: Currency,
  lotSize: z.number().int().positive(),
  tickSize: z.number().positive(),
  status: InstrumentStatus,
});
export type Instrument = z.infer<typeof Instrument>;

/** The reference price a trade's price is collared against. */
export const ReferencePrice = z.strictObject({
  symbol: Symbol,
  price: z.number().positive(),
  asOf: z.iso.datetime({ offset: true }),
  source: z.string().min(1).max(64),
});
export type ReferencePrice = z.infer<typeof ReferencePrice>;

export const AccountLimits = z.strictObject({
  maxQuantity: z.number().int().positive(),
  maxNotionalPerTrade: z.number().positive(),
  maxNotionalPerDay: z.number().positive(),
});
export type AccountLimits = z.infer<typeof AccountLimits>;

export const Account = z.strictObject({
  accountId: AccountId,
  name: z.string().min(1).max(200),
  /** The currency the notional limits are expressed in; trades in other currencies are converted with FX rates. */
  currency: Currency,
  limits: AccountLimits,
  permittedMarkets: z.array(MarketCode).min(1),
});
export type Account = z.infer<typeof Account>;

/** An instrument nobody may trade, with why. */
export const RestrictedEntry = z.strictObject({
  symbol: Symbol,
  reason: z.string().min(1).max(500),
  since: z.iso.datetime({ offset: true }),
});
export type RestrictedEntry = z.infer<typeof RestrictedEntry>;

/** How many US dollars one unit of `currency` is worth; USD itself is always 1 and needs no entry. */
export const FxRate = z.strictObject({
  currency: Currency,
  usdPerUnit: z.number().positive(),
  asOf: z.iso.datetime({ offset: true }),
});
export type FxRate = z.infer<typeof FxRate>;

/** One record of the compacted reference topic; `entity: null` is a deletion (tombstone). */
export const ReferenceChange = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('market'), id: MarketCode, entity: Market.nullable() }),
  z.strictObject({ kind: z.literal('instrument'), id: Symbol, entity: Instrument.nullable() }),
  z.strictObject({ kind: z.literal('price'), id: Symbol, entity: ReferencePrice.nullable() }),
  z.strictObject({ kind: z.literal('account'), id: AccountId, entity: Account.nullable() }),
  z.strictObject({ kind: z.literal('restricted'), id: Symbol, entity: RestrictedEntry.nullable() }),
  z.strictObject({ kind: z.literal('fx'), id: Currency, entity: FxRate.nullable() }),
]);
export type ReferenceChange = z.infer<typeof ReferenceChange>;
export type ReferenceKind = ReferenceChange['kind'];

/** The Kafka key of a reference change: one key per entity, so compaction keeps its latest state. */
export function referenceKey(kind: ReferenceKind, id: string): string {
  return `${kind}:${id}`;
}
