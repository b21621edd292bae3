import {
  AccountId,
  Currency,
  MarketCode,
  Symbol as TickerSymbol,
  type ReferenceKind,
} from '@tradeflow/contracts';
import { ConflictError, NotFoundError, type FieldIssue } from '@tradeflow/platform/errors';
import { parseWith } from '@tradeflow/platform/http';
import { ALL_ACCOUNTS, canActFor, type Identity } from '@tradeflow/platform/identity';
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import {
  entityId,
  referenceChangeFor,
  referenceTombstoneFor,
  type ReferenceEntities,
} from './domain/changes';
import { decodeCursor, encodeCursor } from './domain/cursor';
import { throwIfIssues } from './domain/field-issues';
import {
  CreateAccountRequest,
  CreateFxRequest,
  CreateInstrumentRequest,
  CreateMarketRequest,
  CreatePriceRequest,
  CreateRestrictedRequest,
  ListQuery,
  UpdateAccountRequest,
  UpdateFxRequest,
  UpdateInstrumentRequest,
  UpdateMarketRequest,
  UpdatePriceRequest,
  UpdateRestrictedRequest,
} from './domain/requests';
import { accountIssues, fxIssues, instrumentIssues, marketIssues, priceIssues } from './domain/rules';
import {
  applyAccountUpdate,
  applyFxUpdate,
  applyInstrumentUpdate,
  applyMarketUpdate,
  applyPriceUpdate,
  applyRestrictedUpdate,
} from './domain/updates';
import type { ReferencePublisher } from './events/reference-publisher';
import { VersionConflictError, type ReferenceRepository } from './store/reference-repository';

/** How often a PATCH re-reads and re-applies itself after losing a race with another writer. */
const PATCH_ATTEMPTS = 3;

/** What the rules of one kind may look up. */
interface RuleContext {
  repository: ReferenceRepository;
  now: Date;
}

/** Everything kind-specific: how its bodies parse, how a patch applies, what its rules check. */
interface KindSpec<E> {
  id: z.ZodString;
  parseCreate(body: unknown): E;
  /** Parses a patch body first (400 before 404), returning how to apply it to the current state. */
  preparePatch(body: unknown): (current: E) => E;
  issues(entity: E, current: E | undefined, ctx: RuleContext): Promise<FieldIssue[]> | FieldIssue[];
}

// A mapped type, so `specs[kind]` is typed by the kind without casts.
const specs: { [K in ReferenceKind]: KindSpec<ReferenceEntities[K]> } = {
  market: {
    id: MarketCode,
    parseCreate: (body) => parseWith(CreateMarketRequest, body),
    preparePatch: (body) => {
      const patch = parseWith(UpdateMarketRequest, body);
      return (current) => applyMarketUpdate(current, patch);
    },
    issues: (market, current) => marketIssues(market, current),
  },
  instrument: {
    id: TickerSymbol,
    parseCreate: (body) => parseWith(CreateInstrumentRequest, body),
    preparePatch: (body) => {
      const patch = parseWith(UpdateInstrumentRequest, body);
      return (current) => applyInstrumentUpdate(current, patch);
    },
    issues: async (instrument, _current, { repository }) =>
      instrumentIssues(instrument, (await repository.get('market', instrument.market))?.entity),
  },
  price: {
    id: TickerSymbol,
    parseCreate: (body) => parseWith(CreatePriceRequest, body),
    preparePatch: (body) => {
      const patch = parseWith(UpdatePriceRequest, body);
      return (current) => applyPriceUpdate(current, patch);
    },
    issues: async (price, _current, { repository, now }) =>
      priceIssues(price, (await repository.get('instrument', price.symbol))?.entity, now),
  },
  account: {
    id: AccountId,
    parseCreate: (body) => parseWith(CreateAccountRequest, body),
    preparePatch: (body) => {
      const patch = parseWith(UpdateAccountRequest, body);
      return (current) => applyAccountUpdate(current, patch);
    },
    issues: async (account, _current, { repository }) =>
      accountIssues(account, await repository.ids('market')),
  },
  restricted: {
    id: TickerSymbol,
    parseCreate: (body) => parseWith(CreateRestrictedRequest, body),
    preparePatch: (body) => {
      const patch = parseWith(UpdateRestrictedRequest, body);
      return (current) => applyRestrictedUpdate(current, patch);
    },
    // A symbol may be restricted before it is listed here: the list comes from compliance, not the venues.
    issues: () => [],
  },
  fx: {
    id: Currency,
    parseCreate: (body) => parseWith(CreateFxRequest, body),
    preparePatch: (body) => {
      const patch = parseWith(UpdateFxRequest, body);
      return (current) => applyFxUpdate(current, patch);
    },
    issues: (rate, _current, { now }) => fxIssues(rate, now),
  },
};

/** One page of a list. */
export interface ReferencePage<E> {
  items: E[];
  /** Pass as `cursor` to get the next page; null on the last one. */
  nextCursor: string | null;
}

/**
 * The reference-data use cases: validate, write to DynamoDB, then publish the change and resolve only once
 * the bus acknowledged it. If the publish fails the caller gets the bus's 503 and the write stays: repeating
 * the PATCH (or the POST, see `create`) publishes the stored state again.
 *
 * Every use case is a caller's (the identity the gateway forwards). Accounts are the one kind that belongs to
 * someone: a caller reads and changes only the accounts it acts for (another one answers 404 like a missing
 * one, and lists leave it out); every other kind is shared by all callers. Whether a caller may write at all
 * is the gateway's check (the `reference:write` scope).
 */
export class ReferenceService {
  constructor(
    private readonly repository: ReferenceRepository,
    private readonly publisher: ReferencePublisher,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /**
   * Creates an entity (409 when the id exists; 404 for an account the caller does not act for). When the
   * stored entity equals the body — a retry after a publish that failed — it is published again before the
   * 409, so the topic cannot stay behind.
   */
  async create<K extends ReferenceKind>(
    kind: K,
    body: unknown,
    caller: Identity,
  ): Promise<ReferenceEntities[K]> {
    const spec = specs[kind];
    const entity = spec.parseCreate(body);
    const id = entityId(kind, entity);
    // Before any read, and the 404 of a missing account: the answer must not tell whether someone else's
    // account exists (a 409 would).
    if (!visibleTo(caller, kind, id)) throw notFound(kind, id);
    throwIfIssues(await spec.issues(entity, undefined, this.ruleContext()));
    try {
      await this.repository.create(kind, id, entity);
    } catch (err) {
      if (err instanceof ConflictError) {
        const stored = await this.repository.get(kind, id);
        if (stored && isDeepStrictEqual(stored.entity, entity)) {
          await this.publisher.publish(referenceChangeFor(kind, stored.entity));
        }
      }
      throw err;
    }
    await this.publisher.publish(referenceChangeFor(kind, entity));
    return entity;
  }

  /**
   * The entity with id `rawId`; 400 naming `id` when it is not an id of the kind, 404 when unknown or not
   * the caller's.
   */
  async get<K extends ReferenceKind>(
    kind: K,
    rawId: string,
    caller: Identity,
  ): Promise<ReferenceEntities[K]> {
    const id = this.parseId(kind, rawId);
    if (!visibleTo(caller, kind, id)) throw notFound(kind, id);
    const stored = await this.repository.get(kind, id);
    if (stored === undefined) throw notFound(kind, id);
    return stored.entity;
  }

  /** Applies a partial update, re-checks the kind's rules on the result, stores it and publishes it. */
  async update<K extends ReferenceKind>(
    kind: K,
    rawId: string,
    body: unknown,
    caller: Identity,
  ): Promise<ReferenceEntities[K]> {
    const spec = specs[kind];
    const id = this.parseId(kind, rawId);
    const apply = spec.preparePatch(body);
    if (!visibleTo(caller, kind, id)) throw notFound(kind, id);
    for (let attempt = 1; ; attempt++) {
      const stored = await this.repository.get(kind, id);
      if (stored === undefined) throw notFound(kind, id);
      const next = apply(stored.entity);
      throwIfIssues(await spec.issues(next, stored.entity, this.ruleContext()));
      try {
        await this.repository.update(kind, id, next, stored.version);
      } catch (err) {
        // Another writer got in between: re-read and re-apply the same patch to its result.
        if (err instanceof VersionConflictError && attempt < PATCH_ATTEMPTS) continue;
        throw err;
      }
      await this.publisher.publish(referenceChangeFor(kind, next));
      return next;
    }
  }

  /**
   * A page of the kind in id order (of accounts, only the caller's); the query may carry `limit` and a
   * `cursor` from the previous page.
   */
  async list<K extends ReferenceKind>(
    kind: K,
    query: unknown,
    caller: Identity,
  ): Promise<ReferencePage<ReferenceEntities[K]>> {
    const { limit, cursor } = parseWith(ListQuery, query);
    const afterId = cursor === undefined ? undefined : decodeCursor(kind, cursor);
    const page =
      kind !== 'account' || caller.accounts === ALL_ACCOUNTS
        ? await this.repository.list(kind, limit, afterId)
        : await this.repository.listAmong(
            kind,
            [...caller.accounts].filter((id) => AccountId.safeParse(id).success),
            limit,
            afterId,
          );
    return {
      items: page.items,
      nextCursor: page.lastId === undefined ? null : encodeCursor(kind, page.lastId),
    };
  }

  /** Deletes the entity and publishes its tombstone; 404 when unknown. */
  async delete(kind: ReferenceKind, rawId: string): Promise<void> {
    const id = this.parseId(kind, rawId);
    if (!(await this.repository.delete(kind, id))) throw notFound(kind, id);
    await this.publisher.publish(referenceTombstoneFor(kind, id));
  }

  private parseId(kind: ReferenceKind, rawId: string): string {
    return parseWith(z.strictObject({ id: specs[kind].id }), { id: rawId }).id;
  }

  private ruleContext(): RuleContext {
    return { repository: this.repository, now: this.clock() };
  }
}

/** True unless `id` is an account the caller does not act for. */
function visibleTo(caller: Identity, kind: ReferenceKind, id: string): boolean {
  return kind !== 'account' || canActFor(caller, id);
}

function notFound(kind: ReferenceKind, id: string): NotFoundError {
  return new NotFoundError(`No ${kind} ${id}.`, 'REFERENCE.NOT_FOUND');
}
