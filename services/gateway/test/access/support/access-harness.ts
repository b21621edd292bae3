/**
 * Access control in-process for component tests: the real modules (access, admin listener, demo consumer
 * when enabled) on DynamoDB Local at DYNAMODB_ENDPOINT under a table prefix unique to the run, plus a probe
 * listener that does what the proxy does with the AccessControl (authenticate, admit, set the headers of
 * a refusal), so 401s and 429s are checked as HTTP responses.
 */
import { randomBytes } from 'node:crypto';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { lifecycleEnv, loadConfig, storeEnv } from '@tradeflow/platform/config';
import type { HttpServer } from '@tradeflow/platform/http';
import { ModuleManager } from '@tradeflow/platform/lifecycle';
import { createLogger } from '@tradeflow/platform/log';
import { CoreModule, httpModule, metricsModule, storeModule } from '@tradeflow/platform/runtime';
import type { DynamoClients } from '@tradeflow/platform/store';
import type { Express } from 'express';
import request, { type Response } from 'supertest';
import {
  accessConfig,
  accessErrorHeaders,
  AccessModule,
  accessModules,
  accessTables,
  type GatewayAccess,
} from '../../../src/access';

export const DYNAMODB_ENDPOINT = process.env.DYNAMODB_ENDPOINT ?? 'http://127.0.0.1:18000';

/** The admin token every harness uses. */
export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

/** A clock the test moves by hand. */
export class ManualClock {
  constructor(public nowMs: number) {}
  readonly now = (): number => this.nowMs;
  advance(ms: number): void {
    this.nowMs += ms;
  }
}

export interface AccessHarnessOptions {
  /** Extra variables (GATEWAY_*). */
  env?: Record<string, string>;
  clock?: ManualClock;
  /** Reuse another harness's tables (a second replica). */
  tablePrefix?: string;
}

/** One running access control and its listeners. */
export class AccessHarness {
  private constructor(
    readonly manager: ModuleManager,
    readonly tablePrefix: string,
    readonly access: GatewayAccess,
    readonly adminApp: Express,
    readonly probeApp: Express,
    private readonly ownsTables: boolean,
  ) {}

  static async start(options: AccessHarnessOptions = {}): Promise<AccessHarness> {
    const tablePrefix = options.tablePrefix ?? `it-gw-access-${randomBytes(4).toString('hex')}-`;
    const config = loadConfig(
      { store: storeEnv, lifecycle: lifecycleEnv, ...accessConfig },
      {
        DYNAMODB_ENDPOINT,
        TABLE_PREFIX: tablePrefix,
        SHUTDOWN_TIMEOUT_MS: '2000',
        GATEWAY_ADMIN_TOKEN: ADMIN_TOKEN,
        GATEWAY_ADMIN_HTTP_PORT: '0',
        ...options.env,
      },
    );
    const manager = new ModuleManager(
      [
        metricsModule('gateway-test'),
        storeModule(config.store),
        ...accessModules(config, options.clock === undefined ? {} : { clock: options.clock.now }),
        httpModule({
          name: 'probe-http',
          service: 'gateway-probe',
          deps: [AccessModule.access],
          http: { host: '127.0.0.1', port: 0, bodyLimit: '1kb' },
          shutdownTimeoutMs: 1000,
          routes: (ctx) => probeRoutes(ctx.get<GatewayAccess>(AccessModule.access)),
        }),
      ],
      { logger: createLogger({ service: 'gateway-test', level: 'silent' }) },
    );
    await manager.start();
    return new AccessHarness(
      manager,
      tablePrefix,
      manager.get<GatewayAccess>(AccessModule.access),
      manager.get<HttpServer>(AccessModule.adminHttp).app,
      manager.get<HttpServer>('probe-http').app,
      options.tablePrefix === undefined,
    );
  }

  /** An admin request with the admin token. */
  admin(method: 'get' | 'post' | 'patch' | 'delete', path: string): request.Test {
    return request(this.adminApp)[method](`/admin/v1${path}`).set('Authorization', `Bearer ${ADMIN_TOKEN}`);
  }

  /** A request through the probe, with an API key. */
  withKey(key: string): request.Test {
    return request(this.probeApp).get('/probe').set('x-api-key', key);
  }

  /** Creates a plan and a consumer on it with one key; returns the key. */
  async consumerWithKey(
    id: string,
    plan?: { ratePerSecond: number; burst: number; dailyQuota: number },
  ): Promise<string> {
    if (plan !== undefined) {
      const created = await this.admin('post', '/plans').send({ name: `plan-${id.toLowerCase()}`, ...plan });
      expect(created.status).toBe(201);
    }
    const consumer = await this.admin('post', '/consumers').send({
      id,
      name: `Consumer ${id}`,
      accounts: ['ACC-1', 'ACC-2'],
      scopes: ['trades:read', 'trades:write'],
      ...(plan === undefined ? {} : { plan: `plan-${id.toLowerCase()}` }),
    });
    expect(consumer.status).toBe(201);
    const issued = await this.admin('post', `/consumers/${id}/keys`);
    expect(issued.status).toBe(201);
    return (issued.body as { key: string }).key;
  }

  /** The store clients of the process. */
  get clients(): DynamoClients {
    return this.manager.get<DynamoClients>(CoreModule.store);
  }

  /** Stops the modules and, for the harness that made them, deletes the tables. */
  async stop(): Promise<void> {
    const { client } = this.clients;
    if (this.ownsTables) {
      for (const table of Object.values(accessTables)) {
        await client
          .send(new DeleteTableCommand({ TableName: `${this.tablePrefix}${table.name}` }))
          .catch(() => undefined);
      }
    }
    await this.manager.stop();
  }
}

/** What the proxy does with the AccessControl, minus the proxying: the caller comes back as JSON. */
function probeRoutes(access: GatewayAccess): (app: Express) => void {
  return (app) => {
    app.get('/probe', async (req, res) => {
      try {
        const caller = await access.authenticate(req.headers);
        const admission = access.admit(caller);
        res.set(admission.headers).json({
          consumerId: caller.consumerId,
          accounts: caller.accounts === '*' ? '*' : [...caller.accounts],
          scopes: [...caller.scopes],
          plan: caller.plan,
          method: caller.method,
        });
      } catch (err) {
        res.set(accessErrorHeaders(err));
        throw err;
      }
    });
  };
}

/** The problem body (RFC 9457) fields the access tests read. */
export interface Problem {
  status: number;
  code: string;
  detail: string;
  errors?: { field: string; message: string }[];
}

/** A response's body as a problem. */
export const problem = (res: Response): Problem => res.body as Problem;
