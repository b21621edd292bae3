import {
  Account,
  AccountLimits,
  FxRate,
  Instrument,
  Market,
  ReferencePrice,
  RestrictedEntry,
} from '@tradeflow/contracts';
import { z } from 'zod';

/** The id of an entity comes from the URL; naming it in an update body is an error, not a rename. */
const immutableId = () => z.never({ error: 'is the id in the URL and cannot be changed' }).optional();

const atLeastOneField = (body: object): boolean => Object.keys(body).length > 0;
// Only when the body is otherwise valid: an unknown field alone should not also read as "empty".
const emptyUpdate = {
  error: 'must change at least one field',
  when: (payload: { issues: readonly unknown[] }) => payload.issues.length === 0,
};

/** Body of creating a market: the whole market. */
export const CreateMarketRequest = Market;
export type CreateMarketRequest = z.infer<typeof CreateMarketRequest>;

/** Body of updating a market: any fields but the code. */
export const UpdateMarketRequest = Market.omit({ code: true })
  .partial()
  .extend({ code: immutableId() })
  .refine(atLeastOneField, emptyUpdate);
export type UpdateMarketRequest = z.infer<typeof UpdateMarketRequest>;

/** Body of creating an instrument: the whole instrument. */
export const CreateInstrumentRequest = Instrument;
export type CreateInstrumentRequest = z.infer<typeof CreateInstrumentRequest>;

/** Body of updating an instrument: any fields but the symbol. */
export const UpdateInstrumentRequest = Instrument.omit({ symbol: true })
  .partial()
  .extend({ symbol: immutableId() })
  .refine(atLeastOneField, emptyUpdate);
export type UpdateInstrumentRequest = z.infer<typeof UpdateInstrumentRequest>;

/** Body of setting an instrument's reference price for the first time: the whole price. */
export const CreatePriceRequest = ReferencePrice;
export type CreatePriceRequest = z.infer<typeof CreatePriceRequest>;

/** Body of updating a reference price: any fields but the symbol. */
export const UpdatePriceRequest = ReferencePrice.omit({ symbol: true })
  .partial()
  .extend({ symbol: immutableId() })
  .refine(atLeastOneField, emptyUpdate);
export type UpdatePriceRequest = z.infer<typeof UpdatePriceRequest>;

/** Body of creating an account: the whole account. */
export const CreateAccountRequest = Account;
export type CreateAccountRequest = z.infer<typeof CreateAccountRequest>;

/** Body of updating an account: any fields but the id; `limits` may name only the limits that change. */
export const UpdateAccountRequest = Account.omit({ accountId: true })
  .partial()
  .extend({
    accountId: immutableId(),
    limits: AccountLimits.partial().refine(atLeastOneField, emptyUpdate).optional(),
  })
  .refine(atLeastOneField, emptyUpdate);
export type UpdateAccountRequest = z.infer<typeof UpdateAccountRequest>;

/** Body of restricting a symbol. */
export const CreateRestrictedRequest = RestrictedEntry;
export type CreateRestrictedRequest = z.infer<typeof CreateRestrictedRequest>;

/** Body of updating a restriction: its reason or since, not the symbol. */
export const UpdateRestrictedRequest = RestrictedEntry.omit({ symbol: true })
  .partial()
  .extend({ symbol: immutableId() })
  .refine(atLeastOneField, emptyUpdate);
export type UpdateRestrictedRequest = z.infer<typeof UpdateRestrictedRequest>;

/** Body of setting a currency's FX rate for the first time: the whole rate. */
export const CreateFxRequest = FxRate;
export type CreateFxRequest = z.infer<typeof CreateFxRequest>;

/** Body of updating an FX rate: its rate or asOf, not the currency. */
export const UpdateFxRequest = FxRate.omit({ currency: true })
  .partial()
  .extend({ currency: immutableId() })
  .refine(atLeastOneField, emptyUpdate);
export type UpdateFxRequest = z.infer<typeof UpdateFxRequest>;

/** Most items one list page returns, and how many when the query does not say. */
export const MAX_PAGE_SIZE = 500;
export const DEFAULT_PAGE_SIZE = 100;

/** Query of every list endpoint; `cursor` is decoded separately because it depends on the list. */
export const ListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
  cursor: z.string().min(1).optional(),
});
export type ListQuery = z.infer<typeof ListQuery>;
