import type {
  Account,
  FxRate,
  Instrument,
  Market,
  ReferencePrice,
  RestrictedEntry,
} from '@tradeflow/contracts';
import type {
  UpdateAccountRequest,
  UpdateFxRequest,
  UpdateInstrumentRequest,
  UpdateMarketRequest,
  UpdatePriceRequest,
  UpdateRestrictedRequest,
} from './requests';

/** The fields a patch actually sets; the id placeholder and absent keys never overwrite. */
function definedFields<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** The market after a parsed update; its code is kept. */
export function applyMarketUpdate(current: Market, patch: UpdateMarketRequest): Market {
  const { code: _ignored, ...fields } = patch;
  return { ...current, ...definedFields(fields), code: current.code };
}

/** The instrument after a parsed update; its symbol is kept. */
export function applyInstrumentUpdate(current: Instrument, patch: UpdateInstrumentRequest): Instrument {
  const { symbol: _ignored, ...fields } = patch;
  return { ...current, ...definedFields(fields), symbol: current.symbol };
}

/** The reference price after a parsed update; its symbol is kept. */
export function applyPriceUpdate(current: ReferencePrice, patch: UpdatePriceRequest): ReferencePrice {
  const { symbol: _ignored, ...fields } = patch;
  return { ...current, ...definedFields(fields), symbol: current.symbol };
}

/** The account after a parsed update; `limits` merges field by field so one limit can change alone. */
export function applyAccountUpdate(current: Account, patch: UpdateAccountRequest): Account {
  const { accountId: _ignored, limits, ...fields } = patch;
  return {
    ...current,
    ...definedFields(fields),
    limits: limits === undefined ? current.limits : { ...current.limits, ...definedFields(limits) },
    accountId: current.accountId,
  };
}

/** The restriction after a parsed update; its symbol is kept. */
export function applyRestrictedUpdate(
  current: RestrictedEntry,
  patch: UpdateRestrictedRequest,
): RestrictedEntry {
  const { symbol: _ignored, ...fields } = patch;
  return { ...current, ...definedFields(fields), symbol: current.symbol };
}

/** The FX rate after a parsed update; its currency is kept. */
export function applyFxUpdate(current: FxRate, patch: UpdateFxRequest): FxRate {
  const { currency: _ignored, ...fields } = patch;
  return { ...current, ...definedFields(fields), currency: current.currency };
}
