import {
  ReferenceChange,
  referenceKey,
  type Account,
  type FxRate,
  type Instrument,
  type Market,
  type ReferenceKind,
  type ReferencePrice,
  type RestrictedEntry,
} from '@tradeflow/contracts';

/** The entity type of each reference kind. */
export interface ReferenceEntities {
  market: Market;
  instrument: Instrument;
  price: ReferencePrice;
  account: Account;
  restricted: RestrictedEntry;
  fx: FxRate;
}

/** Every reference kind, in the order a consumer should load them (what an entity refers to comes first). */
export const REFERENCE_KINDS = [
  'market',
  'instrument',
  'price',
  'fx',
  'account',
  'restricted',
] as const satisfies readonly ReferenceKind[];

/** A record ready for the compacted reference topic: its key and its value. */
export interface ReferenceRecord {
  key: string;
  change: ReferenceChange;
}

// A mapped type, so `ids[kind](entity)` type-checks for a generic kind without casts.
const ids: { [K in ReferenceKind]: (entity: ReferenceEntities[K]) => string } = {
  market: (market) => market.code,
  instrument: (instrument) => instrument.symbol,
  price: (price) => price.symbol,
  account: (account) => account.accountId,
  restricted: (entry) => entry.symbol,
  fx: (rate) => rate.currency,
};

/** The id of an entity of a kind: the field its key and its URL use. */
export function entityId<K extends ReferenceKind>(kind: K, entity: ReferenceEntities[K]): string {
  return ids[kind](entity);
}

/** The record that publishes an accepted create or update: the entity's full new state under its key. */
export function referenceChangeFor<K extends ReferenceKind>(
  kind: K,
  entity: ReferenceEntities[K],
): ReferenceRecord {
  const id = entityId(kind, entity);
  // Parsing proves kind, id and entity agree before anything reaches the topic.
  const change = ReferenceChange.parse({ kind, id, entity });
  return { key: referenceKey(kind, id), change };
}

/** The tombstone that publishes a deletion: same key, null entity, so compaction forgets the entity. */
export function referenceTombstoneFor(kind: ReferenceKind, id: string): ReferenceRecord {
  const change = ReferenceChange.parse({ kind, id, entity: null });
  return { key: referenceKey(kind, id), change };
}
