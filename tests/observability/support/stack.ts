/**
 * The observability suite's stack: Jaeger and Prometheus through their scripts (scripts/infra), and the
 * distributed shape (one process per service, the Kafka bus, OTLP to that Jaeger) as children of the test.
 * Only what this started is stopped: a Jaeger that was already running is reused and left alone;
 * Prometheus runs as an instance of its own (own port, own data), so a developer's is never reconfigured.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../support/paths';
import { freePort, mainOf, ServiceProcess } from '../../support/service-process';

const run = promisify(execFile);

/** The services of the distributed shape, each `services/<name>/dist/main.js`. */
export type ServiceName = 'gateway' | 'trades' | 'validation' | 'reference-data';

/** The demo consumer's API key (the gateway's `GATEWAY_DEMO_API_KEY` pattern), fixed for the run. */
export const API_KEY = 'tfk_observability1_' + 'o'.repeat(43);
/** The seeded account the demo consumer acts for. */
export const ACCOUNT = 'DEMO-1';

/** Runs a scripts/infra script; resolves with its `KEY=value` stdout lines. */
async function infraScript(
  script: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<Record<string, string>> {
  try {
    const { stdout } = await run(join(REPO_ROOT, 'scripts', 'infra', script), args, {
      env: { ...process.env, ...env },
      // A fresh machine builds Jaeger first (minutes; see docs/observability.md).
      timeout: 30 * 60_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    return Object.fromEntries(
      stdout
        .split('\n')
        .map((line) => /^([A-Z_]+)=(.*)$/.exec(line))
        .filter((m) => m !== null)
        .map((m) => [m[1] as string, m[2] as string]),
    );
  } catch (err) {
    const { stderr } = err as { stderr?: string };
    throw new Error(`scripts/infra/${script} ${args.join(' ')} failed: ${String(err)}\n${stderr ?? ''}`, {
      cause: err,
    });
  }
}

/** A running Jaeger: where to send OTLP and where to query. */
export interface JaegerHandle {
  otlpEndpoint: string;
  queryUrl: string;
  /** Stops it if this run started it. */
  stop(): Promise<void>;
}

/** Starts Jaeger (building it on a fresh machine), or reuses the one these scripts already run. */
export async function startJaeger(): Promise<JaegerHandle> {
  const wasRunning = await infraScript('jaeger.sh', ['status']).then(
    () => true,
    () => false,
  );
  const out = await infraScript('jaeger.sh', ['start']);
  return {
    otlpEndpoint: out.OTEL_EXPORTER_OTLP_ENDPOINT as string,
    queryUrl: out.JAEGER_QUERY_URL as string,
    stop: async () => {
      if (!wasRunning) await infraScript('jaeger.sh', ['stop']);
    },
  };
}

/** A Prometheus instance of this run. */
export interface PrometheusHandle {
  url: string;
  stop(): Promise<void>;
}

/** Starts a Prometheus instance of its own scraping `targets` (`job` → `host:port`) every second. */
export async function startPrometheus(
  runId: string,
  targets: Record<string, string>,
): Promise<PrometheusHandle> {
  const instance = `obs-${runId}`;
  const env = {
    TRADEFLOW_PROMETHEUS_INSTANCE: instance,
    TRADEFLOW_PROMETHEUS_PORT: String(await freePort()),
    TRADEFLOW_PROMETHEUS_SCRAPE_INTERVAL: '1s',
  };
  const stop = async () => {
    await infraScript('prometheus.sh', ['stop'], env);
    rmSync(join(REPO_ROOT, '.run', 'prometheus', instance), { recursive: true, force: true });
  };
  try {
    const out = await infraScript(
      'prometheus.sh',
      ['start', ...Object.entries(targets).map(([job, address]) => `${job}=${address}`)],
      env,
    );
    return { url: out.PROMETHEUS_URL as string, stop };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}

/** The running distributed shape. */
export interface Shape {
  /** Base URL of each service's HTTP port (the gateway's is the public entry). */
  urls: Record<ServiceName, string>;
  /** `host:port` of each service, for scrape targets. */
  addresses: Record<ServiceName, string>;
  /** Each service's JSON log lines so far. */
  logLines(service: ServiceName): Record<string, unknown>[];
  logTail(): string;
  stop(): Promise<void>;
}

/**
 * Starts the distributed shape: reference-data and the seed first, then validation, trades and the gateway
 * (with its demo consumer, key `API_KEY`, bound to `ACCOUNT`). Every process exports its spans to `otlpEndpoint`.
 */
export async function startShape(options: {
  runId: string;
  kafkaBrokers: string;
  dynamodbEndpoint: string;
  otlpEndpoint: string;
}): Promise<Shape> {
  const logDir = join(REPO_ROOT, '.run', 'observability', options.runId);
  mkdirSync(logDir, { recursive: true });
  const names: ServiceName[] = ['gateway', 'trades', 'validation', 'reference-data'];
  const ports = Object.fromEntries(
    await Promise.all(names.map(async (n) => [n, await freePort()] as const)),
  ) as Record<ServiceName, number>;
  const addresses = Object.fromEntries(names.map((n) => [n, `127.0.0.1:${ports[n]}`])) as Record<
    ServiceName,
    string
  >;
  const urls = Object.fromEntries(names.map((n) => [n, `http://${addresses[n]}`])) as Record<
    ServiceName,
    string
  >;
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(base)) {
    if (/_HTTP_PORT$|^HTTP_PORT$|^TABLE_PREFIX$|^BUS_ADAPTER$|^SEED_ON_START$|^OTEL_|^GATEWAY_/.test(key))
      delete base[key];
  }
  const env: NodeJS.ProcessEnv = {
    ...base,
    LOG_LEVEL: 'info',
    BUS_ADAPTER: 'kafka',
    KAFKA_BROKERS: options.kafkaBrokers,
    // Topics and groups of their own on the shared broker: another Tradeflow there (make up, the e2e suite,
    // a benchmark) neither takes this run's trades nor hands it theirs.
    KAFKA_NAMESPACE: `obs-${options.runId}`,
    DYNAMODB_ENDPOINT: options.dynamodbEndpoint,
    TABLE_PREFIX: `obs-${options.runId.toLowerCase()}-`,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    // The demo has no price feed: the seeded prices must not turn stale during the run.
    VALIDATION_STALE_PRICE_MAX_AGE: '24h',
    // Spans over OTLP/HTTP to Jaeger, in batches a quarter of a second apart.
    OTEL_EXPORTER_OTLP_ENDPOINT: options.otlpEndpoint,
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_BSP_SCHEDULE_DELAY: '250',
    TRADES_HTTP_PORT: String(ports.trades),
    VALIDATION_HTTP_PORT: String(ports.validation),
    REFERENCE_DATA_HTTP_PORT: String(ports['reference-data']),
    GATEWAY_HTTP_PORT: String(ports.gateway),
    GATEWAY_ADMIN_HTTP_PORT: String(await freePort()),
    GATEWAY_ADMIN_TOKEN: `observability-admin-${options.runId}-token`,
    GATEWAY_DEMO_CONSUMER: 'true',
    GATEWAY_DEMO_API_KEY: API_KEY,
    GATEWAY_DEMO_ACCOUNTS: ACCOUNT,
    GATEWAY_UPSTREAM_TRADES_URL: urls.trades,
    GATEWAY_UPSTREAM_REFERENCE_DATA_URL: urls['reference-data'],
    GATEWAY_UPSTREAM_VALIDATION_URL: urls.validation,
  };
  const children = new Map<ServiceName, ServiceProcess>();
  const launch = (name: ServiceName) => {
    const child = new ServiceProcess(name, mainOf(name), env, join(logDir, `${name}.log`));
    children.set(name, child);
    return child;
  };
  const shape: Shape = {
    urls,
    addresses,
    logLines: (service) => children.get(service)?.logLines() ?? [],
    logTail: () => [...children.values()].map((c) => c.tail()).join('\n'),
    stop: async () => {
      await Promise.all([...children.values()].map((c) => c.stop()));
    },
  };
  try {
    const reference = launch('reference-data');
    const seedCli = join(REPO_ROOT, 'services', 'reference-data', 'dist', 'seed', 'cli.js');
    const seed = new ServiceProcess('seed', seedCli, env, join(logDir, 'seed.log'), true);
    await Promise.all([
      reference.waitReady(urls['reference-data']),
      seed.exited.then((code) => {
        if (code !== 0) throw new Error(`the seed CLI exited with ${code}\n${seed.tail()}`);
      }),
    ]);
    const rest = (['validation', 'trades', 'gateway'] as const).map((name) => [name, launch(name)] as const);
    await Promise.all(rest.map(([name, child]) => child.waitReady(urls[name])));
  } catch (err) {
    await shape.stop();
    throw err;
  }
  return shape;
}
