/**
 * Access control as modules: `gateway-access` (tables, caches, usage flush; its value is the AccessControl
 * the proxy uses), `gateway-admin-http` (the admin listener) and, when enabled, `gateway-demo-consumer`.
 */
import type { LifecycleConfig, StoreConfig } from '@tradeflow/platform/config';
import type { ModuleDefinition } from '@tradeflow/platform/lifecycle';
import { CoreModule, httpModule } from '@tradeflow/platform/runtime';
import { ensureTables, withTablePrefix, type DynamoClients } from '@tradeflow/platform/store';
import { ACCESS_CONTROL_MODULE } from './access-control';
import { adminRoutes } from './admin/admin-routes';
import type { AccessConfig, AdminConfig } from './config';
import { ensureDemoConsumer, type DemoConsumer } from './demo-consumer';
import { GatewayAccess } from './gateway-access';
import { createJwtVerifier } from './jwt';
import { AccessRepository } from './store/access-repository';
import { accessTables } from './store/tables';

/** Names of the access modules, for `deps`, `ctx.get` and `--target`. */
export const AccessModule = {
  /** Its value is the `GatewayAccess` (an `AccessControl`). */
  access: ACCESS_CONTROL_MODULE,
  /** The admin listener (GATEWAY_ADMIN_HTTP_PORT). */
  adminHttp: 'gateway-admin-http',
  /** Its value is a `DemoConsumerStatus`, filled once it has started. */
  demo: 'gateway-demo-consumer',
} as const;

/** The part of the process config the access modules read. */
export interface AccessModulesConfig {
  store: Pick<StoreConfig, 'tablePrefix'>;
  lifecycle: LifecycleConfig;
  gatewayAccess: AccessConfig;
  gatewayAdmin: AdminConfig;
}

/** Test hooks. */
export interface AccessModulesOptions {
  /** Epoch milliseconds; default `Date.now`. */
  clock?: () => number;
}

/** The demo consumer module's value: the consumer and its key once the module has started. */
export interface DemoConsumerStatus {
  demo: DemoConsumer | undefined;
}

/** How long the gateway's tables may take to appear at start. */
const TABLES_TIMEOUT_MS = 30_000;

/** The access module: ensures the tables, loads the plans, runs the usage flush; its value is the AccessControl. */
export function accessControlModule(
  config: Pick<AccessModulesConfig, 'store' | 'gatewayAccess'>,
  options: AccessModulesOptions = {},
): ModuleDefinition<GatewayAccess> {
  return {
    name: AccessModule.access,
    deps: [CoreModule.store],
    init: async (ctx) => {
      const { client, doc } = ctx.get<DynamoClients>(CoreModule.store);
      const tables = withTablePrefix(accessTables, config.store.tablePrefix);
      const clock = options.clock ?? Date.now;
      const jwtConfig = config.gatewayAccess.jwt;
      const access = new GatewayAccess({
        repository: new AccessRepository(doc, tables),
        config: config.gatewayAccess,
        jwt: jwtConfig === undefined ? undefined : await createJwtVerifier(jwtConfig, clock),
        logger: ctx.logger,
        clock,
      });
      return {
        value: access,
        start: async () => {
          await ensureTables(client, Object.values(tables), {
            timeoutMs: TABLES_TIMEOUT_MS,
            logger: ctx.logger,
          });
          await access.start();
          ctx.logger.info(
            {
              jwt: jwtConfig === undefined ? 'off' : jwtConfig.secret !== undefined ? 'HS256 secret' : 'JWKS',
            },
            'gateway access control ready',
          );
        },
        stop: () => access.stop(),
      };
    },
  };
}

/** The admin API on its own listener. */
export function adminHttpModule(
  config: Pick<AccessModulesConfig, 'lifecycle' | 'gatewayAdmin'>,
): ModuleDefinition {
  return httpModule({
    name: AccessModule.adminHttp,
    service: 'gateway-admin',
    deps: [AccessModule.access],
    http: config.gatewayAdmin.http,
    shutdownTimeoutMs: config.lifecycle.shutdownTimeoutMs,
    routes: (ctx) =>
      adminRoutes(ctx.get<GatewayAccess>(AccessModule.access).admin, config.gatewayAdmin.token),
  });
}

/** Creates or updates the demo consumer at start; its value exposes the key for the start banner. */
export function demoConsumerModule(
  config: Pick<AccessModulesConfig, 'gatewayAccess'>,
): ModuleDefinition<DemoConsumerStatus> {
  return {
    name: AccessModule.demo,
    deps: [AccessModule.access],
    init: (ctx) => {
      const status: DemoConsumerStatus = { demo: undefined };
      return {
        value: status,
        start: async () => {
          const { accounts, apiKey } = config.gatewayAccess.demo;
          status.demo = await ensureDemoConsumer(ctx.get<GatewayAccess>(AccessModule.access).admin, {
            accounts,
            apiKey,
          });
          // The key itself is never logged: the banner prints it to the terminal of whoever started the shape.
          ctx.logger.info(
            { consumer: status.demo.consumerId, keyId: status.demo.keyId, accounts },
            'demo consumer ready',
          );
        },
      };
    },
  };
}

/** Access control's modules: the AccessControl, the admin listener, and the demo consumer when enabled. */
export function accessModules(
  config: AccessModulesConfig,
  options: AccessModulesOptions = {},
): ModuleDefinition[] {
  return [
    accessControlModule(config, options),
    adminHttpModule(config),
    ...(config.gatewayAccess.demo.enabled ? [demoConsumerModule(config)] : []),
  ];
}
