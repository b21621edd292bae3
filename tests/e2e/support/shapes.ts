/**
 * Starts Tradeflow in one of its two shapes as child processes of the test, from the compiled services:
 *  - distributed: one process per service (services/<name>/dist/main.js) and the gateway's own process in front
 *    of them (its upstreams at the services' ports, as `make up` runs it), the Kafka bus;
 *  - all-in-one: services/all-in-one/dist/main.js (the gateway's modules included), the memory bus.
 * The gateway is the public entry of both, with an admin token of the run's own and no demo consumer. Both use
 * the DynamoDB Local of the integration setup with a table prefix of their own, listen on free loopback ports,
 * and log to .run/e2e/<run>/. Every child shuts down when the test process dies (its stdin
 * pipe closes), and `stop()` ends them in any case.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { REPO_ROOT } from '../../support/paths';
import { freePort, mainOf, ServiceProcess } from '../../support/service-process';

export type ShapeName = 'distributed' | 'all-in-one';

/** Base URLs of a running shape: the gateway (the public entry), its admin listener and the services behind it. */
export { freePort };

export interface ShapeUrls {
  gateway: string;
  gatewayAdmin: string;
  /** The admin listener's bearer token (`GATEWAY_ADMIN_TOKEN`), made up for the run. */
  adminToken: string;
  trades: string;
  referenceData: string;
  validation: string;
}

export interface RunningShape extends ShapeUrls {
  name: ShapeName;
  /** Seconds from spawn to every service ready. */
  startSeconds: number;
  /** The last lines of every child's log, for a failure message. */
  logTail(lines?: number): string;
  /** Stops every child (SIGTERM, then SIGKILL); safe to call twice. */
  stop(): Promise<void>;
}

export interface ShapeOptions {
  runId: string;
  kafkaBrokers: string;
  dynamodbEndpoint: string;
  /**
   * Creates the run's consumer and reference data once the gateway and reference-data answer. In the
   * distributed shape it runs before validation and trades start, so their caches hold it when they report ready.
   */
  prepare: (urls: ShapeUrls) => Promise<void>;
  /** Default `warn`: per-request access logs cost CPU the 2-core machine needs for the pipeline. */
  logLevel?: string;
}

/** Log directories of earlier runs kept under .run/e2e (older ones are removed). */
const RUNS_KEPT = 10;

/** The environment every child gets: the caller's, minus what would point it elsewhere, plus `extra`. */
function childEnv(options: ShapeOptions, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/_HTTP_PORT$|^HTTP_PORT$|^TABLE_PREFIX$|^BUS_ADAPTER$|^SEED_ON_START$|^GATEWAY_/.test(key))
      delete env[key];
  }
  return {
    ...env,
    LOG_LEVEL: options.logLevel ?? 'warn',
    DYNAMODB_ENDPOINT: options.dynamodbEndpoint,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...extra,
  };
}

/** The consumer groups the distributed services join on the shared topics. */
const SHARED_GROUPS = ['validation', 'trades-status'];

/**
 * Fails when another Tradeflow (`make up`, another test run) consumes the shared topics of this Kafka: its
 * members would take partitions, and so trades, from this run's services.
 */
async function requireNoOtherConsumers(brokers: string): Promise<void> {
  const admin = new Kafka({
    clientId: 'e2e-guard',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups(SHARED_GROUPS);
    const busy = groups.filter((g) => g.members.length > 0);
    if (busy.length > 0)
      throw new Error(
        `consumer group(s) ${busy.map((g) => `${g.groupId} (${g.members.length} members)`).join(', ')} on ${brokers} ` +
          "are in use by another Tradeflow (`make up`? `make down` stops it); its members would take this run's trades",
      );
  } finally {
    await admin.disconnect();
  }
}

/** Starts a shape and resolves once every service is ready and the run's reference data is in place. */
export async function startShape(name: ShapeName, options: ShapeOptions): Promise<RunningShape> {
  const logRoot = join(REPO_ROOT, '.run', 'e2e');
  const logDir = join(logRoot, options.runId);
  mkdirSync(logDir, { recursive: true });
  pruneOldRuns(logRoot);
  const children: ServiceProcess[] = [];
  const began = Date.now();
  const [tradesPort, referencePort, validationPort, gatewayPort, adminPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const urls: ShapeUrls = {
    gateway: `http://127.0.0.1:${gatewayPort}`,
    gatewayAdmin: `http://127.0.0.1:${adminPort}`,
    adminToken: randomBytes(24).toString('hex'),
    trades: `http://127.0.0.1:${tradesPort}`,
    referenceData: `http://127.0.0.1:${referencePort}`,
    validation: `http://127.0.0.1:${validationPort}`,
  };
  const ports = {
    TRADES_HTTP_PORT: String(tradesPort),
    REFERENCE_DATA_HTTP_PORT: String(referencePort),
    VALIDATION_HTTP_PORT: String(validationPort),
    GATEWAY_HTTP_PORT: String(gatewayPort),
    GATEWAY_ADMIN_HTTP_PORT: String(adminPort),
  };
  // The gateway's settings (both shapes): the run's admin token; the consumers are the suite's to create.
  const gateway = { GATEWAY_ADMIN_TOKEN: urls.adminToken, GATEWAY_DEMO_CONSUMER: 'false' };
  // One prefix per shape and run: tables never collide with another run's or the other shape's.
  const tablePrefix = `e2e-${options.runId.toLowerCase()}-${name}-`;
  const shape: RunningShape = {
    name,
    ...urls,
    startSeconds: 0,
    logTail: (lines) => children.map((c) => c.tail(lines)).join('\n'),
    stop: async () => {
      await Promise.all(children.map((c) => c.stop()));
    },
  };
  const launch = (service: string, main: string, extra: Record<string, string>): ServiceProcess => {
    const child = new ServiceProcess(
      service,
      main,
      childEnv(options, { ...ports, TABLE_PREFIX: tablePrefix, ...extra }),
      join(logDir, `${name}-${service}.log`),
    );
    children.push(child);
    return child;
  };

  try {
    if (name === 'all-in-one') {
      // The gateway's upstreams are the in-process services at the ports above.
      const all = launch('all-in-one', mainOf('all-in-one'), {
        ...gateway,
        BUS_ADAPTER: 'memory',
        SEED_ON_START: 'true',
      });
      await all.waitReady(urls.gateway);
      await options.prepare(urls);
    } else {
      await requireNoOtherConsumers(options.kafkaBrokers);
      const kafka = { BUS_ADAPTER: 'kafka', KAFKA_BROKERS: options.kafkaBrokers };
      const reference = launch('reference-data', mainOf('reference-data'), kafka);
      // As `make up` runs it: its own process, the upstreams at the services' ports (no bus).
      const front = launch('gateway', mainOf('gateway'), {
        ...gateway,
        GATEWAY_UPSTREAM_TRADES_URL: urls.trades,
        GATEWAY_UPSTREAM_REFERENCE_DATA_URL: urls.referenceData,
        GATEWAY_UPSTREAM_VALIDATION_URL: urls.validation,
      });
      // The seed CLI writes to DynamoDB and Kafka itself, so it runs while reference-data starts.
      await Promise.all([
        reference.waitReady(urls.referenceData),
        front.waitReady(urls.gateway),
        seedDistributed(childEnv(options, { ...kafka, TABLE_PREFIX: tablePrefix }), logDir),
      ]);
      await options.prepare(urls);
      const validation = launch('validation', mainOf('validation'), kafka);
      const trades = launch('trades', mainOf('trades'), kafka);
      await Promise.all([validation.waitReady(urls.validation), trades.waitReady(urls.trades)]);
    }
  } catch (err) {
    await shape.stop();
    throw err;
  }
  shape.startSeconds = (Date.now() - began) / 1000;
  return shape;
}

/** Loads the seed data through the reference-data CLI, as `make seed` does. */
async function seedDistributed(env: NodeJS.ProcessEnv, logDir: string): Promise<void> {
  const cli = join(REPO_ROOT, 'services', 'reference-data', 'dist', 'seed', 'cli.js');
  const seed = new ServiceProcess('seed', cli, env, join(logDir, 'distributed-seed.log'), true);
  const code = await seed.exited;
  if (code !== 0) throw new Error(`the seed CLI exited with ${code}\n${seed.tail()}`);
}

/** Keeps the newest RUNS_KEPT run directories, so logs of failed runs stay around without piling up. */
function pruneOldRuns(root: string): void {
  const runs = readdirSync(root)
    .map((name) => ({ path: join(root, name), mtime: statSync(join(root, name)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const run of runs.slice(RUNS_KEPT)) rmSync(run.path, { recursive: true, force: true });
}
