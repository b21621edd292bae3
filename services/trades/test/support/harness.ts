/**
 * The trades service in-process for component tests: its real modules on a memory bus the test holds (so it
 * can read what was published, feed outcomes and make publishing fail) and DynamoDB Local at
 * DYNAMODB_ENDPOINT, with tables under a prefix unique to the run.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import {
  EventTypes,
  referenceKey,
  Topics,
  type Instrument,
  type TradeOutcome,
  type TradeSubmitted,
} from '@tradeflow/contracts';
import {
  BusError,
  type Bus,
  type BusMessage,
  type PublishMessage,
  type SubscriptionHandle,
} from '@tradeflow/platform/bus';
import { MemoryBus } from '@tradeflow/platform/bus/memory';
import { lifecycleEnv, loadConfig, storeEnv } from '@tradeflow/platform/config';
import type { HttpServer } from '@tradeflow/platform/http';
import { ModuleManager, type ModuleDefinition } from '@tradeflow/platform/lifecycle';
import type { Metrics } from '@tradeflow/platform/metrics';
import { CoreModule, metricsModule, storeModule } from '@tradeflow/platform/runtime';
import { createDynamoClients, type DynamoClients } from '@tradeflow/platform/store';
import { eventually } from '../../../../tests/support/eventually';
import { asConsumer, requestAs } from '../../../../tests/support/identity';
import { TradesModule, tradesEnv, tradesModules, type TradesStore } from '../../src';

export { asConsumer, eventually };

/** The consumer the tests act as unless a test is about ownership: it acts for every account. */
export const TRADER = asConsumer('trader');

const DYNAMODB_ENDPOINT = process.env.DYNAMODB_ENDPOINT ?? 'http://127.0.0.1:18000';

/** A memory bus whose publishes can be made to fail (as a broker that does not acknowledge). */
export class ControllableBus extends MemoryBus {
  /** When set, every publish rejects with a retriable BusError and nothing is appended. */
  failPublishes = false;
  /** When set, publishes resolve without keeping anything (a bus that acknowledges and forgets). */
  discardPublishes = false;
  published = 0;

  override async publishBatch(messages: PublishMessage[]): Promise<void> {
    if (this.failPublishes)
      throw new BusError('BUS.PUBLISH_FAILED', 'The broker did not acknowledge.', { retriable: true });
    this.published += messages.length;
    if (this.discardPublishes) return;
    await super.publishBatch(messages);
  }
}

export interface HarnessOptions {
  /** Extra TRADES_* variables. */
  env?: Record<string, string>;
  /** Instruments the reference cache knows at start. */
  instruments?: Instrument[];
}

/** One running trades service and what it runs on. */
export class TradesHarness {
  private constructor(
    readonly run: string,
    /** Every `trades.submitted` event, in arrival order. */
    readonly submitted: BusMessage<TradeSubmitted>[],
    readonly bus: ControllableBus,
    readonly manager: ModuleManager,
    readonly clients: DynamoClients,
    private readonly collector: SubscriptionHandle,
    private server: Server | undefined = undefined,
  ) {}

  /** Starts the service on a fresh memory bus and its own tables. */
  static async start(options: HarnessOptions = {}): Promise<TradesHarness> {
    const run = randomBytes(4).toString('hex');
    const bus = new ControllableBus({ defaultPartitions: 2 });
    await bus.init();
    if (options.instruments !== undefined && options.instruments.length > 0) {
      await bus.publishBatch(
        options.instruments.map((instrument) => ({
          topic: Topics.referenceChanges,
          key: referenceKey('instrument', instrument.symbol),
          type: EventTypes.referenceChanged,
          data: { kind: 'instrument', id: instrument.symbol, entity: instrument },
        })),
      );
      bus.published = 0;
    }
    const config = loadConfig(
      { trades: tradesEnv, store: storeEnv, lifecycle: lifecycleEnv },
      {
        DYNAMODB_ENDPOINT,
        TABLE_PREFIX: `it-trades-${run}-`,
        TRADES_HTTP_PORT: '0',
        SHUTDOWN_TIMEOUT_MS: '2000',
        ...options.env,
      },
    );
    const busDefinition: ModuleDefinition<Bus> = {
      name: CoreModule.bus,
      deps: [],
      init: () => ({ value: bus, stop: () => bus.close() }),
    };
    const modules = [
      metricsModule('trades'),
      busDefinition,
      storeModule(config.store),
      ...tradesModules(config),
    ];
    const manager = new ModuleManager(modules);
    await manager.start();
    const clients = createDynamoClients({ endpoint: DYNAMODB_ENDPOINT, region: 'us-east-1' });
    const submitted: BusMessage<TradeSubmitted>[] = [];
    const collector = await bus.subscribe<TradeSubmitted>({
      group: `collector-${run}`,
      topics: [Topics.tradesSubmitted],
      fromBeginning: true,
      handler: (m) => {
        submitted.push(m);
        return Promise.resolve();
      },
    });
    return new TradesHarness(run, submitted, bus, manager, clients, collector);
  }

  /** The Express app, for supertest. */
  get app(): HttpServer['app'] {
    return this.manager.get<HttpServer>(TradesModule.http).app;
  }

  /** supertest on the app, every request sent as `consumer` (identity headers, as the gateway sets them). */
  api(consumer: Record<string, string> = TRADER): ReturnType<typeof requestAs> {
    return requestAs(this.app, consumer);
  }

  get store(): TradesStore {
    return this.manager.get<TradesStore>(TradesModule.store);
  }

  get metrics(): Metrics {
    return this.manager.get<Metrics>(CoreModule.metrics);
  }

  /** A real listening URL of the app (for streaming uploads that supertest would buffer). */
  async url(): Promise<string> {
    if (this.server === undefined) {
      const server = createServer(this.app);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      this.server = server;
    }
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Publishes an outcome on `trades.outcomes`, as validation would. */
  async publishOutcome(
    outcome: TradeOutcome,
    id = `outcome:${outcome.tradeId}:${outcome.version}`,
  ): Promise<void> {
    const failPublishes = this.bus.failPublishes;
    this.bus.failPublishes = false;
    try {
      await this.bus.publish({
        topic: Topics.tradeOutcomes,
        key: outcome.accountId,
        type: outcome.status === 'VALIDATED' ? EventTypes.tradeValidated : EventTypes.tradeRejected,
        id,
        data: outcome,
      });
    } finally {
      this.bus.failPublishes = failPublishes;
    }
  }

  /** Stops the service and deletes the run's tables. */
  async close(): Promise<void> {
    const server = this.server;
    if (server !== undefined) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    }
    await this.collector.close();
    await this.manager.stop();
    await Promise.all(
      Object.values(this.store.tables).map((t) =>
        this.clients.client.send(new DeleteTableCommand({ TableName: t.name })).catch(() => undefined),
      ),
    );
    this.clients.client.destroy();
  }
}

/** A test instrument on a 0.01 tick. */
export function instrument(symbol: string, tickSize = 0.01): Instrument {
  return {
    symbol,
    name: `Test ${symbol}`,
    market: 'XNYS',
    currency: 'USD',
    lotSize: 1,
    tickSize,
    status: 'ACTIVE',
  };
}
