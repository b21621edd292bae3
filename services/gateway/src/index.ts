/** `@tradeflow/gateway`: the gateway's modules and config, for its own main and the all-in-one. */
export {
  config,
  gatewayEnv,
  DEFAULT_ROUTES_FILE,
  UPSTREAMS,
  type GatewayConfig,
  type UpstreamName,
} from './config';
export {
  GatewayModule,
  gatewayModules,
  type GatewayModulesConfig,
  type GatewayModulesOptions,
} from './module';
export {
  loadRouteTable,
  parseRouteTable,
  resolveRoutes,
  RouteTable,
  type Route,
  type RouteDefaults,
  type RouteSpec,
} from './proxy/route-table';
export { breakerName } from './proxy/upstream';
export { GatewayErrorCode } from './proxy/errors';
export {
  ACCESS_CONTROL_MODULE,
  AccessModule,
  accessModules,
  DEMO_CONSUMER_ID,
  type AccessControl,
  type Caller,
  type DemoConsumerStatus,
} from './access';
export { OPENAPI_MODULE } from './openapi';
