import { randomUUID } from 'node:crypto';
import {
  ReferenceChange,
  type Account,
  type FxRate,
  type Instrument,
  type Market,
  type ReferenceKind,
  type ReferencePrice,
  type RestrictedEntry,
} from '@tradeflow/contracts';
import {
  silentBusLogger,
  type Bus,
  type BusLogger,
  type BusMessage,
  type SubscriptionHandle,
  type TopicSpec,
} from '@tradeflow/platform/bus';
import { AppError, TimeoutError } from '@tradeflow/platform/errors';
import { REFERENCE_CHANGES_TOPIC } from '../events/reference-topic';

/** What a reference cache needs. */
export interface ReferenceCacheOptions {
  bus: Bus;
  /** The consumer group is `<groupPrefix>-<random>`: one group per instance, so every instance reads everything. */
  groupPrefix?: string;
  logger?: BusLogger;
  /** The topic to read; the reference topic unless a test says otherwise. */
  topic?: TopicSpec;
  /** Records per batch handed to the cache (default 500). */
  maxBatchSize?: number;
}

/** Called after each change is applied, with the change as it arrived. */
export type ReferenceChangeListener = (change: ReferenceChange) => void;

/** How many partitions are still behind, for errors and logs. */
export interface CatchUpProgress {
  caughtUp: boolean;
  /** Partition → the offset that must still be seen. */
  pending: Record<number, string>;
  applied: number;
}

/** The cache stopped before it had caught up. */
export class ReferenceCacheClosedError extends AppError {
  constructor() {
    super('REFERENCE.CACHE_CLOSED', 'The reference cache was closed before it caught up.', 503);
  }
}

/** The exchange-rate base: a US dollar is always worth one US dollar and has no FX entry. */
const BASE_CURRENCY = 'USD';

interface Maps {
  market: Map<string, Market>;
  instrument: Map<string, Instrument>;
  price: Map<string, ReferencePrice>;
  account: Map<string, Account>;
  restricted: Map<string, RestrictedEntry>;
  fx: Map<string, FxRate>;
}

/**
 * Reference data held in memory, rebuilt from the compacted reference topic: a consumer group of its own,
 * from the beginning, changes applied in order per key (a null entity deletes). `ready` resolves once
 * everything that was on the topic when `start()` ran has been applied.
 */
export class ReferenceCache {
  /** Resolves once the cache has caught up; rejects with ReferenceCacheClosedError when closed first. */
  readonly ready: Promise<void>;
  private resolveReady!: () => void;
  private rejectReady!: (err: Error) => void;
  private readonly maps: Maps = {
    market: new Map(),
    instrument: new Map(),
    price: new Map(),
    account: new Map(),
    restricted: new Map(),
    fx: new Map(),
  };
  private readonly listeners = new Set<ReferenceChangeListener>();
  private readonly bus: Bus;
  private readonly logger: BusLogger;
  private readonly topic: TopicSpec;
  private readonly group: string;
  private readonly maxBatchSize: number;
  /** Partition → offset still to be seen; undefined until start() has read the end offsets. */
  private pending: Map<number, number> | undefined;
  private caughtUp = false;
  private applied = 0;
  private handle: SubscriptionHandle | undefined;
  private started: Promise<void> | undefined;
  private closed: Promise<void> | undefined;

  constructor(options: ReferenceCacheOptions) {
    this.bus = options.bus;
    this.logger = options.logger ?? silentBusLogger;
    this.topic = options.topic ?? REFERENCE_CHANGES_TOPIC;
    this.group = `${options.groupPrefix ?? 'reference-cache'}-${randomUUID().slice(0, 8)}`;
    this.maxBatchSize = options.maxBatchSize ?? 500;
    this.ready = new Promise<void>((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    // Nobody may be awaiting `ready` when close() rejects it; that must not be an unhandled rejection.
    this.ready.catch(() => undefined);
  }

  /** The consumer group of this instance. */
  get groupId(): string {
    return this.group;
  }

  /**
   * Ensures the topic, notes where each partition ends now, and joins its group; resolves once subscribed
   * (not once caught up: await `ready` or `waitUntilCaughtUp()` for that). Safe to call twice.
   */
  start(): Promise<void> {
    this.started ??= (async () => {
      await this.bus.ensureTopics([this.topic]);
      // Read before subscribing: everything published before this point is then known to be covered.
      const offsets = await this.bus.partitionOffsets(this.topic.name);
      this.pending = new Map(
        offsets.filter((o) => o.end !== o.start).map((o) => [o.partition, Number(o.end) - 1]),
      );
      this.checkCaughtUp();
      this.handle = await this.bus.subscribe({
        group: this.group,
        topics: [this.topic.name],
        fromBeginning: true,
        maxBatchSize: this.maxBatchSize,
        batchHandler: (messages) => {
          for (const message of messages) this.receive(message);
          return Promise.resolve();
        },
      });
      this.logger.info(
        { group: this.group, topic: this.topic.name, partitionsToRead: this.pending.size },
        'reference cache subscribed',
      );
    })();
    return this.started;
  }

  /** Resolves once caught up; rejects with a TimeoutError (naming what is left) after `timeoutMs`. */
  async waitUntilCaughtUp(timeoutMs?: number): Promise<void> {
    if (timeoutMs === undefined) return this.ready;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const { pending, applied } = this.progress();
        reject(
          new TimeoutError(
            `The reference cache did not catch up with ${this.topic.name} within ${timeoutMs} ms ` +
              `(applied ${applied}; partitions still behind: ${JSON.stringify(pending)}).`,
            'REFERENCE.CACHE_CATCH_UP_TIMEOUT',
          ),
        );
      }, timeoutMs);
    });
    try {
      await Promise.race([this.ready, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Whether it has caught up, what is left, and how many changes it has applied. */
  progress(): CatchUpProgress {
    const pending: Record<number, string> = {};
    for (const [partition, offset] of this.pending ?? []) pending[partition] = String(offset);
    return { caughtUp: this.caughtUp, pending, applied: this.applied };
  }

  /** Leaves the group; lookups keep answering from what was applied. Safe to call twice. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      if (!this.caughtUp) this.rejectReady(new ReferenceCacheClosedError());
      await this.started?.catch(() => undefined);
      await this.handle?.close();
    })();
    return this.closed;
  }

  /** Calls `listener` after every applied change; returns the function that stops it. */
  onChange(listener: ReferenceChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  market(code: string): Market | undefined {
    return this.maps.market.get(code);
  }

  instrument(symbol: string): Instrument | undefined {
    return this.maps.instrument.get(symbol);
  }

  price(symbol: string): ReferencePrice | undefined {
    return this.maps.price.get(symbol);
  }

  account(accountId: string): Account | undefined {
    return this.maps.account.get(accountId);
  }

  /** The restriction on `symbol`, or undefined when it may be traded. */
  restricted(symbol: string): RestrictedEntry | undefined {
    return this.maps.restricted.get(symbol);
  }

  /** US dollars per unit of `currency`: 1 for USD, undefined when no rate is known. */
  fxRate(currency: string): number | undefined {
    return currency === BASE_CURRENCY ? 1 : this.maps.fx.get(currency)?.usdPerUnit;
  }

  /** The FX entry of `currency` (with its asOf); undefined for USD, which has none. */
  fx(currency: string): FxRate | undefined {
    return this.maps.fx.get(currency);
  }

  /** How many entities of `kind` it holds, or of every kind together. */
  size(kind?: ReferenceKind): number {
    if (kind !== undefined) return this.maps[kind].size;
    const m = this.maps;
    return m.market.size + m.instrument.size + m.price.size + m.account.size + m.restricted.size + m.fx.size;
  }

  private receive(message: BusMessage): void {
    const change = changeOf(message);
    if (change === undefined) {
      this.logger.warn(
        { topic: message.topic, partition: message.partition, offset: message.offset, key: message.key },
        'reference cache skipped a record that is not a reference change',
      );
    } else {
      this.apply(change);
      this.applied++;
      for (const listener of this.listeners) {
        try {
          listener(change);
        } catch (err) {
          // A listener's bug must neither stop the cache nor send the change to the dead-letter topic.
          this.logger.error({ err: String(err), key: message.key }, 'reference change listener failed');
        }
      }
    }
    this.seen(message.partition, Number(message.offset));
  }

  private apply(change: ReferenceChange): void {
    // The union is keyed by kind, so each branch stores the entity type of its own map.
    switch (change.kind) {
      case 'market':
        return upsert(this.maps.market, change.id, change.entity);
      case 'instrument':
        return upsert(this.maps.instrument, change.id, change.entity);
      case 'price':
        return upsert(this.maps.price, change.id, change.entity);
      case 'account':
        return upsert(this.maps.account, change.id, change.entity);
      case 'restricted':
        return upsert(this.maps.restricted, change.id, change.entity);
      case 'fx':
        return upsert(this.maps.fx, change.id, change.entity);
    }
  }

  private seen(partition: number, offset: number): void {
    const target = this.pending?.get(partition);
    if (target !== undefined && offset >= target) {
      this.pending?.delete(partition);
      this.checkCaughtUp();
    }
  }

  private checkCaughtUp(): void {
    if (this.caughtUp || this.pending === undefined || this.pending.size > 0) return;
    this.caughtUp = true;
    this.logger.info({ group: this.group, applied: this.applied }, 'reference cache caught up');
    this.resolveReady();
  }
}

function upsert<T>(map: Map<string, T>, id: string, entity: T | null): void {
  if (entity === null) map.delete(id);
  else map.set(id, entity);
}

/**
 * The change a record carries. A bus tombstone (null data) is a deletion of the entity its `<kind>:<id>`
 * key names; anything that is not a valid change is undefined.
 */
function changeOf(message: BusMessage): ReferenceChange | undefined {
  let data = message.data;
  if (data === null) {
    const separator = message.key.indexOf(':');
    data = { kind: message.key.slice(0, separator), id: message.key.slice(separator + 1), entity: null };
  }
  const parsed = ReferenceChange.safeParse(data);
  return parsed.success ? parsed.data : undefined;
}
