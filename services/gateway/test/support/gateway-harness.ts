/**
 * The gateway in-process for component tests: its real modules (upstream pools, breakers, the public listener,
 * the proxy) with fake upstreams made with node:http on 127.0.0.1 and, unless a test brings the real one, a fake
 * access control that knows a few API keys.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lifecycleEnv, loadConfig, storeEnv } from '@tradeflow/platform/config';
import { UnauthorizedError } from '@tradeflow/platform/errors';
import { ALL_ACCOUNTS } from '@tradeflow/platform/identity';
import { ModuleManager, type ModuleDefinition } from '@tradeflow/platform/lifecycle';
import { createLogger } from '@tradeflow/platform/log';
import type { Metrics } from '@tradeflow/platform/metrics';
import { CoreModule, metricsModule, storeModule } from '@tradeflow/platform/runtime';
import { eventually } from '../../../../tests/support/eventually';
import {
  ACCESS_CONTROL_MODULE,
  PlanLimitError,
  type AccessControl,
  type Admission,
  type Caller,
} from '../../src/access/access-control';
import { config } from '../../src/config';
import { gatewayModules } from '../../src/module';

export { eventually };

/** What a fake upstream saw of one request. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
}

/** Answers one request at a fake upstream. */
export type UpstreamHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** A node:http server standing in for a service; `handler` can be swapped per test. */
export class FakeUpstream {
  readonly seen: SeenRequest[] = [];
  handler: UpstreamHandler = (_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end('{"ok":true}');
  };
  private server: Server | undefined;
  private port = 0;

  /** Listens on 127.0.0.1 (a free port the first time, the same port after a `stop`). */
  async start(): Promise<this> {
    const server = createServer((req, res) => {
      // The gateway's public API document asks every upstream for its own; these fakes have none.
      if (req.url === '/openapi.json') {
        res.writeHead(404).end();
        return;
      }
      this.seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        rawHeaders: req.rawHeaders,
      });
      Promise.resolve(this.handler(req, res)).catch((err: unknown) => res.destroy(err as Error));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', resolve);
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Stops listening and cuts every connection (an upstream that died). */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** An API key the fake access control knows, and the caller it stands for. */
export interface FakeKey {
  consumerId: string;
  scopes: string[];
  accounts?: string[] | typeof ALL_ACCOUNTS;
  /** Requests its plan admits; the next ones are refused with a 429. Default unlimited. */
  limit?: number;
}

/** Access control that knows `keys` (by `x-api-key`) and counts each consumer's admissions against its limit. */
export class FakeAccess implements AccessControl {
  readonly admitted = new Map<string, number>();
  constructor(private readonly keys: Record<string, FakeKey>) {}

  authenticate(headers: IncomingHttpHeaders): Promise<Caller> {
    const key = headers['x-api-key'];
    const found = typeof key === 'string' ? this.keys[key] : undefined;
    if (found === undefined)
      return Promise.reject(new UnauthorizedError('Missing or unknown API key.', 'AUTH.INVALID_KEY'));
    return Promise.resolve({
      consumerId: found.consumerId,
      accounts: found.accounts === ALL_ACCOUNTS ? ALL_ACCOUNTS : new Set(found.accounts ?? []),
      scopes: new Set(found.scopes),
      plan: 'test',
      method: 'api-key',
    });
  }

  admit(caller: Caller): Admission {
    const limit = Object.values(this.keys).find((k) => k.consumerId === caller.consumerId)?.limit ?? 1e9;
    const count = (this.admitted.get(caller.consumerId) ?? 0) + 1;
    this.admitted.set(caller.consumerId, count);
    const policy = `"test";q=${limit};w=60`;
    if (count > limit) {
      throw new PlanLimitError(2, 'Over the plan.', 'RATE.LIMITED', {
        'Retry-After': '2',
        RateLimit: '"test";r=0;t=2',
        'RateLimit-Policy': policy,
      });
    }
    return { headers: { RateLimit: `"test";r=${limit - count};t=60`, 'RateLimit-Policy': policy } };
  }
}

/** The fake access control as the module the gateway depends on. */
export function fakeAccessModule(access: AccessControl): ModuleDefinition<AccessControl> {
  return { name: ACCESS_CONTROL_MODULE, deps: [], init: () => ({ value: access }) };
}

/** A routes file in a temporary directory. */
export function routesFile(yaml: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'gateway-it-')), 'routes.yaml');
  writeFileSync(file, yaml);
  return file;
}

export interface GatewayOptions {
  /** Upstream name → base URL. */
  upstreams: Partial<Record<'trades' | 'reference-data' | 'validation', string>>;
  /** Extra GATEWAY_* variables. */
  env?: Record<string, string>;
  /**
   * The access modules (default a FakeAccess with no keys), or `real`: the gateway's own access control, on
   * DynamoDB Local (DYNAMODB_ENDPOINT and TABLE_PREFIX in `env`) with the store module added.
   */
  access?: readonly ModuleDefinition[] | 'real';
}

/** A running gateway. */
export class Gateway {
  private constructor(
    readonly url: string,
    readonly manager: ModuleManager,
    /** Every log line the process wrote, parsed. */
    readonly logs: Record<string, unknown>[],
  ) {}

  static async start(options: GatewayOptions): Promise<Gateway> {
    const upstreamEnv = {
      GATEWAY_UPSTREAM_TRADES_URL: options.upstreams.trades ?? 'http://127.0.0.1:9',
      GATEWAY_UPSTREAM_REFERENCE_DATA_URL: options.upstreams['reference-data'] ?? 'http://127.0.0.1:9',
      GATEWAY_UPSTREAM_VALIDATION_URL: options.upstreams.validation ?? 'http://127.0.0.1:9',
    };
    const c = loadConfig(
      { ...config, store: storeEnv, lifecycle: lifecycleEnv },
      {
        GATEWAY_HTTP_PORT: '0',
        GATEWAY_ADMIN_HTTP_PORT: '0',
        GATEWAY_ADMIN_TOKEN: 'test-admin-token-0123456789abcdef',
        SHUTDOWN_TIMEOUT_MS: '2000',
        ...upstreamEnv,
        ...options.env,
      },
    );
    const logs: Record<string, unknown>[] = [];
    const logger = createLogger({
      service: 'gateway',
      level: 'debug',
      destination: { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) },
    });
    const modules =
      options.access === 'real'
        ? [metricsModule('gateway'), storeModule(c.store), ...gatewayModules(c)]
        : [
            metricsModule('gateway'),
            ...gatewayModules(c, { access: options.access ?? [fakeAccessModule(new FakeAccess({}))] }),
          ];
    const manager = new ModuleManager(modules, { logger });
    await manager.start();
    const listening = logs.find((l) => l.msg === 'gateway listening');
    if (typeof listening?.url !== 'string') throw new Error('the gateway did not log where it listens');
    return new Gateway(listening.url, manager, logs);
  }

  get metrics(): Metrics {
    return this.manager.get<Metrics>(CoreModule.metrics);
  }

  /** The access log line of the request with `requestId`. */
  accessLine(requestId: string): Promise<Record<string, unknown>> {
    return eventually(
      () =>
        this.logs.find((l) => l.request_id === requestId && l.route !== undefined && l.status !== undefined),
      `the access log line of ${requestId}`,
    );
  }

  async stop(): Promise<void> {
    await this.manager.stop();
  }
}

/** The upstreams a gateway in tests can route to. */
export type UpstreamName = keyof GatewayOptions['upstreams'];

/** The fake upstreams of a test file by the name the routes give them. */
export type FakeUpstreams = Partial<Record<UpstreamName, FakeUpstream>>;

/** What a gateway in front of fake upstreams needs besides them. */
export interface FakedGatewayOptions {
  /** The routes file's YAML. */
  routes: string;
  /** The API keys the fake access control knows. */
  keys: Record<string, FakeKey>;
  /** Extra GATEWAY_* variables. */
  env?: Record<string, string>;
}

/** Starts `upstreams`, then a gateway routing `options.routes` to them behind a FakeAccess of `options.keys`. */
export async function startFakedGateway(
  upstreams: FakeUpstreams,
  options: FakedGatewayOptions,
): Promise<Gateway> {
  const urls: GatewayOptions['upstreams'] = {};
  for (const [name, upstream] of Object.entries(upstreams) as [UpstreamName, FakeUpstream][]) {
    await upstream.start();
    urls[name] = upstream.url;
  }
  return Gateway.start({
    upstreams: urls,
    access: [fakeAccessModule(new FakeAccess(options.keys))],
    env: { GATEWAY_ROUTES_FILE: routesFile(options.routes), ...options.env },
  });
}

/** Stops the gateway (if it started) and then every fake upstream; for afterAll, whatever a test left. */
export async function stopFakedGateway(
  gateway: Gateway | undefined,
  upstreams: FakeUpstreams,
): Promise<void> {
  await gateway?.stop();
  for (const upstream of Object.values(upstreams)) await upstream.stop();
}

/** SHA-256 of a stream, and its length. */
export async function digest(stream: AsyncIterable<Buffer>): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: hash.digest('hex'), bytes };
}
