/** Fake upstreams serving the services' real OpenAPI documents, and a gateway-like server with the docs mounted. */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parse } from 'yaml';
import { createHttpServer } from '@tradeflow/platform/http';
import { createLogger } from '@tradeflow/platform/log';
import { REPO_ROOT } from '../../../../tests/support/paths';
import { edgeMiddleware } from '../../src/edge/edge-middleware';
import {
  createPublicApi,
  mountPublicApi,
  type ExposedRoute,
  type JsonObject,
  type PublicApi,
} from '../../src/openapi';

/** The gateway's route table as the notes define it (routes.yaml), reduced to what the docs need. */
export const ROUTES: readonly ExposedRoute[] = [
  { prefix: '/v1/trades', upstream: 'trades', readScope: 'trades:read', writeScope: 'trades:write' },
  { prefix: '/v1/accounts', upstream: 'trades', readScope: 'trades:read', writeScope: 'trades:write' },
  {
    prefix: '/v1/reference',
    upstream: 'reference-data',
    readScope: 'reference:read',
    writeScope: 'reference:write',
  },
  { prefix: '/v1/validation', upstream: 'validation', readScope: 'trades:read', writeScope: 'trades:write' },
];

/** The upstream services behind ROUTES. */
export const SERVICES = ['trades', 'reference-data', 'validation'] as const;

/** A service's own document, read from its openapi.yaml as it serves it. */
export function serviceDocument(service: string): JsonObject {
  return parse(readFileSync(join(REPO_ROOT, 'services', service, 'openapi.yaml'), 'utf8')) as JsonObject;
}

/** An upstream that serves `/openapi.json`; `down()` makes it refuse connections, `up()` brings it back. */
export interface FakeUpstream {
  readonly url: string;
  /** How many times its document was asked for. */
  readonly requests: number;
  down(): Promise<void>;
  up(): Promise<void>;
}

/** Starts an upstream serving `document` on a free loopback port (kept across down/up). */
export async function startFakeUpstream(document: JsonObject): Promise<FakeUpstream> {
  let requests = 0;
  let server: Server | undefined;
  let port = 0;
  const listen = async (): Promise<void> => {
    const candidate = createServer((req, res) => {
      if (req.url === '/openapi.json') {
        requests += 1;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(document));
      } else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => candidate.listen(port, '127.0.0.1', resolve));
    port = (candidate.address() as AddressInfo).port;
    server = candidate;
  };
  await listen();
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return requests;
    },
    async down() {
      const running = server;
      server = undefined;
      if (running === undefined) return;
      running.closeAllConnections();
      await new Promise<void>((resolve) => running.close(() => resolve()));
    },
    up: () => (server === undefined ? listen() : Promise.resolve()),
  };
}

/** A free loopback port no one listens on (for an upstream that is down from the start). */
export async function deadUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** The public listener as the gateway sets it up for the docs: platform server, its edge middleware, our routes. */
export interface DocsGateway {
  readonly url: string;
  readonly api: PublicApi;
  stop(): Promise<void>;
}

/** Starts the platform server with the gateway's edge middleware (helmet, CORS) in front of the docs. */
export async function startDocsGateway(
  upstreams: Record<string, string>,
  options: { refreshMs?: number } = {},
): Promise<DocsGateway> {
  const logger = createLogger({ service: 'gateway-docs-test', level: 'silent' });
  const api = createPublicApi({ upstreams, routes: ROUTES, logger, refreshMs: options.refreshMs ?? 100 });
  const server = createHttpServer({
    service: 'gateway-docs-test',
    logger,
    routes: (app) => {
      // The gateway's own edge (helmet with its deny-all policy for the JSON API, CORS for any origin): /docs
      // must set its own policy over it.
      app.use(edgeMiddleware({ origins: '*' }));
      mountPublicApi(api)(app);
    },
  });
  api.start();
  const { url } = await server.start();
  return {
    url,
    api,
    async stop() {
      api.stop();
      await server.stop();
    },
  };
}

/**
 * A fake upstream per service serving its real document, and a docs gateway over them; its `stop` also takes
 * the upstreams down (and a failed start takes down those already started).
 */
export async function startDocsGatewayOverServices(): Promise<DocsGateway> {
  const upstreams: FakeUpstream[] = [];
  const downAll = async (): Promise<void> => {
    for (const upstream of upstreams) await upstream.down();
  };
  try {
    const urls: Record<string, string> = {};
    for (const service of SERVICES) {
      const upstream = await startFakeUpstream(serviceDocument(service));
      upstreams.push(upstream);
      urls[service] = upstream.url;
    }
    const gateway = await startDocsGateway(urls);
    return {
      url: gateway.url,
      api: gateway.api,
      async stop() {
        await gateway.stop();
        await downAll();
      },
    };
  } catch (err) {
    await downAll();
    throw err;
  }
}
