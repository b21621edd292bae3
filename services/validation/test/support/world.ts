/**
 * The validation service in-process for component tests: one bus (memory by default, Kafka with
 * BUS_ADAPTER=kafka), DynamoDB Local at DYNAMODB_ENDPOINT with tables under a prefix unique to the run, and as
 * many validation instances as a test starts, all in the same consumer group. Reference entities and, on Kafka,
 * topics and the group carry the run's id, so runs sharing a broker never see each other's data.
 */
import { randomBytes } from 'node:crypto';
import { DeleteTableCommand, paginateListTables } from '@aws-sdk/client-dynamodb';
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import {
  EventTypes,
  referenceKey,
  Topics,
  tradeCancelled,
  type Account,
  type Instrument,
  type Market,
  type ReferenceChange,
  type ReferencePrice,
  type TradeCancelled,
  type TradeOutcome,
  type TradeSubmitted,
} from '@tradeflow/contracts';
import {
  createBus,
  deadLetterTopic,
  type Bus,
  type BusMessage,
  type PublishMessage,
  type SubscriptionHandle,
} from '@tradeflow/platform/bus';
import { lifecycleEnv, loadConfig, storeEnv, type LogLevel } from '@tradeflow/platform/config';
import type { HttpServer } from '@tradeflow/platform/http';
import { createLogger } from '@tradeflow/platform/log';
import { ModuleManager, type ModuleDefinition } from '@tradeflow/platform/lifecycle';
import type { Metrics } from '@tradeflow/platform/metrics';
import { busModule, CoreModule, metricsModule, storeModule } from '@tradeflow/platform/runtime';
import { createDynamoClients, withTablePrefix, type DynamoClients } from '@tradeflow/platform/store';
import type { ReferenceCache } from '@tradeflow/reference-data/cache';
import { eventually } from '../../../../tests/support/eventually';
import { VALIDATION_TABLES, ValidationModule, validationEnv, validationModules } from '../../src';

export { eventually };

const DYNAMODB_ENDPOINT = process.env.DYNAMODB_ENDPOINT ?? 'http://127.0.0.1:18000';
const KAFKA_BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');
const ADAPTER = process.env.BUS_ADAPTER === 'kafka' ? 'kafka' : 'memory';
const PARTITIONS = 4;
/** `TEST_LOG_LEVEL=debug` shows the instances' logs. */
const LOG_LEVEL = (process.env.TEST_LOG_LEVEL ?? 'silent') as LogLevel;

/** Monday 2025-03-10, 10:30 in New York: inside the test market's session. */
export const TRADE_TIME = '2025-03-10T14:30:00Z';
export const TRADE_DAY = '2025-03-10';

/** One running validation instance. */
export interface Instance {
  readonly manager: ModuleManager;
  readonly http: HttpServer;
  readonly metrics: Metrics;
  readonly cache: ReferenceCache;
  stop(): Promise<void>;
}

/** A daily total as stored. */
export interface StoredTotal {
  total: number;
  rev: number;
}

/** One trade version's record in its fingerprint bucket, as stored. */
export interface RecordedEntry {
  bucket: string;
  tradeId: string;
  version: number;
  status: string;
  counted: number;
  /** Whether a cancellation released what it counted. */
  released: boolean;
}

/** The run's bus, tables, reference data and instances. */
export class World {
  readonly adapter = ADAPTER;
  /** Unique per run: in entity ids, table prefix and (on Kafka) topics and group. */
  readonly run = randomBytes(4).toString('hex').toUpperCase().slice(0, 6);
  readonly tablePrefix = `it-validation-${this.run.toLowerCase()}-`;
  readonly tables = withTablePrefix(VALIDATION_TABLES, this.tablePrefix);
  readonly topics =
    ADAPTER === 'kafka'
      ? { submitted: `it-${this.run}.trades.submitted`, outcomes: `it-${this.run}.trades.outcomes` }
      : { submitted: Topics.tradesSubmitted, outcomes: Topics.tradeOutcomes };
  readonly group = ADAPTER === 'kafka' ? `validation-it-${this.run}` : 'validation';
  /** Every outcome event published, in arrival order. */
  readonly outcomes: BusMessage<TradeOutcome>[] = [];
  /** Every dead letter of the submitted topic. */
  readonly deadLetters: BusMessage[] = [];
  readonly clients: DynamoClients = createDynamoClients({ endpoint: DYNAMODB_ENDPOINT, region: 'us-east-1' });
  private readonly instances = new Set<Instance>();
  private readonly published = new Map<string, ReferenceChange>();
  private readonly collectors: SubscriptionHandle[] = [];
  private tradeCounter = 0;

  private constructor(readonly bus: Bus) {}

  /** Connects the bus and starts collecting outcomes and dead letters. */
  static async create(): Promise<World> {
    const bus = await createBus(
      ADAPTER === 'kafka'
        ? {
            adapter: 'kafka',
            brokers: KAFKA_BROKERS,
            clientId: 'validation-it',
            defaultPartitions: PARTITIONS,
          }
        : { adapter: 'memory', defaultPartitions: PARTITIONS },
    );
    await bus.init();
    const world = new World(bus);
    await bus.ensureTopics([
      { name: world.topics.submitted, partitions: PARTITIONS },
      { name: world.topics.outcomes, partitions: PARTITIONS },
    ]);
    world.collectors.push(
      await bus.subscribe<TradeOutcome>({
        group: `collector-${world.run}`,
        topics: [world.topics.outcomes],
        fromBeginning: true,
        handler: (m) => {
          world.outcomes.push(m);
          return Promise.resolve();
        },
      }),
      await bus.subscribe({
        group: `dlq-${world.run}`,
        topics: [deadLetterTopic(world.topics.submitted)],
        fromBeginning: true,
        handler: (m) => {
          world.deadLetters.push(m);
          return Promise.resolve();
        },
      }),
    );
    return world;
  }

  /** An id unique to the run: `A<run>-<NAME>` for accounts, `S<run><n>` for symbols. */
  accountId(name: string): string {
    return `A${this.run}-${name.toUpperCase()}`;
  }

  symbol(n: number): string {
    return `S${this.run}${n}`;
  }

  /** A 4-character market code unlikely to meet another run's. */
  get marketCode(): string {
    return `Q${this.run.slice(0, 3)}`;
  }

  market(): Market {
    return {
      code: this.marketCode,
      name: `Test market ${this.run}`,
      timeZone: 'America/New_York',
      open: '09:30',
      close: '16:00',
      tradingDays: [1, 2, 3, 4, 5],
      currency: 'USD',
    };
  }

  instrument(n: number, overrides: Partial<Instrument> = {}): Instrument {
    return {
      symbol: this.symbol(n),
      name: `Test instrument ${n}`,
      market: this.marketCode,
      currency: 'USD',
      lotSize: 1,
      tickSize: 0.01,
      status: 'ACTIVE',
      ...overrides,
    };
  }

  price(n: number, price: number): ReferencePrice {
    return { symbol: this.symbol(n), price, asOf: new Date().toISOString(), source: 'it' };
  }

  account(name: string, overrides: Partial<Account> = {}): Account {
    return {
      accountId: this.accountId(name),
      name: `Test account ${name}`,
      currency: 'USD',
      limits: { maxQuantity: 10_000, maxNotionalPerTrade: 1_000_000, maxNotionalPerDay: 5_000_000 },
      permittedMarkets: [this.marketCode],
      ...overrides,
    };
  }

  /** Publishes reference changes (and remembers them, so `close` can delete them again). */
  async publishReference(changes: ReferenceChange[]): Promise<void> {
    for (const change of changes) this.published.set(referenceKey(change.kind, change.id), change);
    await this.bus.publishBatch(
      changes.map((change) => ({
        topic: Topics.referenceChanges,
        key: referenceKey(change.kind, change.id),
        type: EventTypes.referenceChanged,
        data: change,
      })),
    );
  }

  /** A submitted trade with a fresh id: 100 of symbol 1 at 100.00 for account `a`, at TRADE_TIME. */
  trade(overrides: Partial<TradeSubmitted> = {}): TradeSubmitted {
    this.tradeCounter += 1;
    return {
      tradeId: `${this.run}-T${this.tradeCounter}`,
      accountId: this.accountId('a'),
      symbol: this.symbol(1),
      side: 'BUY',
      quantity: 100,
      price: 100,
      currency: 'USD',
      tradeTime: TRADE_TIME,
      receivedAt: new Date().toISOString(),
      channel: 'single',
      version: 1,
      ...overrides,
    };
  }

  /** The `trades.submitted` message of a trade, as the trades service publishes it. */
  submission(trade: TradeSubmitted): PublishMessage<TradeSubmitted> {
    return {
      topic: this.topics.submitted,
      key: trade.accountId,
      type: EventTypes.tradeSubmitted,
      data: trade,
    };
  }

  /** The cancellation of a trade version, as the trades service publishes it on `trades.submitted`. */
  cancellation(trade: TradeSubmitted): PublishMessage<TradeCancelled> {
    return {
      topic: this.topics.submitted,
      key: trade.accountId,
      type: EventTypes.tradeCancelled,
      id: `cancelled:${trade.tradeId}:${trade.version}`,
      data: tradeCancelled(trade, new Date().toISOString()),
    };
  }

  /** Publishes the trades in order, in one batch. */
  async submit(...trades: TradeSubmitted[]): Promise<void> {
    await this.bus.publishBatch(trades.map((t) => this.submission(t)));
  }

  /**
   * Publishes a poison message (`type` with `data`) between two trades in one batch and waits for its dead
   * letter; whether the trades around it were judged is the caller's to assert.
   */
  async poisonBetween(
    before: TradeSubmitted,
    after: TradeSubmitted,
    type: string,
    data: unknown,
  ): Promise<BusMessage> {
    const id = `poison-${this.run}`;
    await this.bus.publishBatch([
      this.submission(before),
      { topic: this.topics.submitted, key: before.accountId, type, data, id },
      this.submission(after),
    ]);
    return eventually(() => this.deadLetters.find((m) => m.id === id), 'the dead letter');
  }

  /** The outcome events of a trade so far. */
  outcomesOf(tradeId: string): BusMessage<TradeOutcome>[] {
    return this.outcomes.filter((m) => m.data.tradeId === tradeId);
  }

  /** Waits until the trade has at least `count` outcome events; returns them. */
  waitForOutcomes(tradeId: string, count = 1): Promise<BusMessage<TradeOutcome>[]> {
    return eventually(() => {
      const found = this.outcomesOf(tradeId);
      return found.length >= count ? found : undefined;
    }, `${count} outcome(s) of ${tradeId}`);
  }

  /** The first outcome of a trade, once there is one. */
  async outcome(tradeId: string): Promise<TradeOutcome> {
    const [first] = await this.waitForOutcomes(tradeId);
    return (first as BusMessage<TradeOutcome>).data;
  }

  /** The stored daily total of an account's trading day, read straight from the table. */
  async dailyTotal(accountId: string, day = TRADE_DAY): Promise<StoredTotal | undefined> {
    const out = await this.clients.doc.send(
      new GetCommand({
        TableName: this.tables.dailyTotals.name,
        Key: { dayKey: `${accountId}#${day}` },
        ConsistentRead: true,
      }),
    );
    return out.Item === undefined ? undefined : { total: Number(out.Item.total), rev: Number(out.Item.rev) };
  }

  /** Every recorded trade version (an entry of a fingerprint bucket), read straight from the table. */
  async recordedEntries(): Promise<RecordedEntry[]> {
    const entries: RecordedEntry[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.clients.doc.send(
        new ScanCommand({
          TableName: this.tables.fingerprints.name,
          ExclusiveStartKey: start,
          ConsistentRead: true,
        }),
      );
      for (const item of out.Items ?? []) {
        for (const entry of (item.entries ?? []) as Record<string, unknown>[]) {
          entries.push({
            bucket: String(item.bucket),
            tradeId: String(entry.tradeId),
            version: Number(entry.version),
            status: String(entry.status),
            counted: Number(entry.counted ?? 0),
            released: typeof entry.releasedAt === 'string',
          });
        }
      }
      start = out.LastEvaluatedKey;
    } while (start !== undefined);
    return entries;
  }

  /** Starts a validation instance in the run's group; `env` adds or overrides variables. */
  async startInstance(env: Record<string, string> = {}): Promise<Instance> {
    const config = loadConfig(
      { validation: validationEnv, store: storeEnv, lifecycle: lifecycleEnv },
      {
        DYNAMODB_ENDPOINT,
        TABLE_PREFIX: this.tablePrefix,
        VALIDATION_HTTP_PORT: '0',
        VALIDATION_MAX_ATTEMPTS: '3',
        VALIDATION_RETRY_BACKOFF: '20',
        VALIDATION_BATCH_SIZE: '50',
        SHUTDOWN_TIMEOUT_MS: '5000',
        ...env,
      },
    );
    const modules: ModuleDefinition[] = [
      metricsModule('validation'),
      this.busModule(),
      storeModule(config.store),
      ...validationModules(config, { group: this.group, topics: this.topics }),
    ];
    const manager = new ModuleManager(modules, {
      logger: createLogger({ service: 'validation', level: LOG_LEVEL }),
    });
    await manager.start();
    const instance: Instance = {
      manager,
      http: manager.get<HttpServer>(ValidationModule.http),
      metrics: manager.get<Metrics>(CoreModule.metrics),
      cache: manager.get<ReferenceCache>(ValidationModule.referenceCache),
      stop: async () => {
        this.instances.delete(instance);
        await manager.stop();
      },
    };
    this.instances.add(instance);
    return instance;
  }

  /** Memory: every instance shares the world's bus (one broker); Kafka: each has its own client, as processes do. */
  private busModule(): ModuleDefinition {
    if (ADAPTER === 'kafka') {
      return busModule(
        { adapter: 'kafka', brokers: KAFKA_BROKERS, clientId: 'validation-it', topicPartitions: PARTITIONS },
        '/tradeflow/validation',
      );
    }
    return { name: CoreModule.bus, deps: [], init: () => ({ value: this.bus }) };
  }

  /** Stops every instance, deletes the run's reference entities and tables, closes the bus. */
  async close(): Promise<void> {
    await Promise.all([...this.instances].map((i) => i.stop()));
    const tombstones = [...this.published.values()].map((c): ReferenceChange => ({ ...c, entity: null }));
    if (tombstones.length > 0) await this.publishReference(tombstones);
    for (const collector of this.collectors) await collector.close();
    await this.bus.close();
    const { client } = this.clients;
    for await (const page of paginateListTables({ client }, {})) {
      for (const name of page.TableNames ?? []) {
        if (name.startsWith(this.tablePrefix)) await client.send(new DeleteTableCommand({ TableName: name }));
      }
    }
    client.destroy();
  }
}
