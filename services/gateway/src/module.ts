/**
 * The gateway as modules: its upstreams (pools, breakers, retry budgets), access control, the public HTTP
 * listener (security headers, CORS, the public API document, the proxy) and `gateway`, the target that runs all
 * of them (`--target=gateway`). The core modules (metrics, store) are the composition root's.
 */
import type { LifecycleConfig } from '@tradeflow/platform/config';
import type { ModuleDefinition } from '@tradeflow/platform/lifecycle';
import type { Metrics } from '@tradeflow/platform/metrics';
import { CoreModule, httpModule } from '@tradeflow/platform/runtime';
import { ACCESS_CONTROL_MODULE, type AccessControl } from './access/access-control';
import { accessModules, type AccessModulesConfig } from './access/module';
import type { GatewayConfig } from './config';
import { edgeMiddleware } from './edge/edge-middleware';
import { createFrontDoor, installFrontDoor } from './edge/front-door';
import { mountPublicApi, OPENAPI_MODULE, openapiModule } from './openapi';
import type { PublicApi } from './openapi/public-api';
import { createGatewayMetrics } from './proxy/gateway-metrics';
import { createProxy, proxyMiddleware } from './proxy/proxy-handler';
import { RouteTable } from './proxy/route-table';
import { Upstream } from './proxy/upstream';

/** The names of the gateway's own modules, for `deps`, `--target` and `ModuleManager.get`. */
export const GatewayModule = {
  /** Runs everything below: the `--target` of the service. */
  service: 'gateway',
  /** Value: `ReadonlyMap<string, Upstream>`, by upstream name. */
  upstreams: 'gateway-upstreams',
  /** Value: the public listener's `HttpServer`. */
  http: 'gateway-http',
} as const;

/** What the gateway's modules read of the process's config: the proxy's and access control's fragments. */
export interface GatewayModulesConfig extends AccessModulesConfig {
  gateway: GatewayConfig;
  lifecycle: LifecycleConfig;
}

/** Seams for tests and composition roots; production passes none. */
export interface GatewayModulesOptions {
  /**
   * The access-control modules instead of `accessModules(config)`; one of them must be `ACCESS_CONTROL_MODULE`
   * (whose value is the `AccessControl`). Tests of the proxy pass a fake.
   */
  access?: readonly ModuleDefinition[];
}

/** The gateway's modules. */
export function gatewayModules(
  config: GatewayModulesConfig,
  options: GatewayModulesOptions = {},
): ModuleDefinition[] {
  const settings = config.gateway;
  const access = options.access ?? accessModules(config);

  const upstreams: ModuleDefinition<ReadonlyMap<string, Upstream>> = {
    name: GatewayModule.upstreams,
    deps: [CoreModule.metrics],
    init: (ctx) => {
      const metrics = ctx.get<Metrics>(CoreModule.metrics);
      const logger = ctx.logger.child({ component: 'gateway-upstreams' });
      const byName = new Map(
        Object.entries(settings.upstreams).map(([name, origin]) => [
          name,
          new Upstream(
            name,
            origin,
            { pool: settings.pool, breaker: settings.breaker, budget: settings.retry.budget },
            metrics,
            logger,
          ),
        ]),
      );
      return {
        value: byName,
        stop: async () => {
          await Promise.all([...byName.values()].map((u) => u.close()));
        },
      };
    },
  };

  const http = httpModule({
    name: GatewayModule.http,
    service: 'gateway',
    deps: [GatewayModule.upstreams, ACCESS_CONTROL_MODULE, OPENAPI_MODULE],
    http: settings.http,
    shutdownTimeoutMs: config.lifecycle.shutdownTimeoutMs,
    requestTimeoutMs: settings.requestTimeoutMs,
    // Bodies stream through untouched, whatever their type and size; each route has its own limit.
    parseBodies: false,
    routes: (ctx) => {
      const publicApi = mountPublicApi(ctx.get<PublicApi>(OPENAPI_MODULE));
      const metrics = ctx.get<Metrics>(CoreModule.metrics);
      const proxy = createProxy({
        routes: new RouteTable(settings.routes),
        upstreams: ctx.get<ReadonlyMap<string, Upstream>>(GatewayModule.upstreams),
        access: ctx.get<AccessControl>(ACCESS_CONTROL_MODULE),
        metrics: createGatewayMetrics(metrics),
        logger: ctx.logger.child({ component: 'gateway-proxy' }),
        retry: { maxRetries: settings.retry.maxRetries, replayLimitBytes: settings.retry.replayLimitBytes },
        breakerResetMs: settings.breaker.resetTimeoutMs,
      });
      const frontDoor = createFrontDoor({
        proxy,
        cors: settings.cors,
        logger: ctx.logger,
        bodyLimit: settings.http.bodyLimit,
      });
      return (app) => {
        // Proxied requests skip Express altogether; the app serves what is left.
        installFrontDoor(app, frontDoor);
        app.use(edgeMiddleware(settings.cors));
        // Public, before the proxy: the API document and its page need no key.
        publicApi(app);
        // CORS preflights of proxied paths, when CORS is off, come this way.
        app.use(proxyMiddleware(proxy));
      };
    },
  });

  return [
    ...access,
    openapiModule({ upstreams: settings.upstreams, routes: settings.routes }),
    upstreams,
    http,
    { name: GatewayModule.service, deps: [GatewayModule.http], init: () => ({}) },
  ];
}
