/** Access control of the gateway: what the proxy, the composition roots and the CLI use. */
export {
  ACCESS_CONTROL_MODULE,
  PlanLimitError,
  type AccessControl,
  type Admission,
  type Caller,
} from './access-control';
export { AuthenticationError, AuthCode, API_KEY_HEADER } from './authenticator';
export {
  accessConfig,
  accessEnv,
  adminEnv,
  DEFAULT_DEMO_ACCOUNTS,
  type AccessConfig,
  type AdminConfig,
  type JwtConfig,
} from './config';
export { DEMO_CONSUMER_ID, DEMO_PLAN, type DemoConsumer } from './demo-consumer';
export { GatewayAccess } from './gateway-access';
export {
  AccessModule,
  accessControlModule,
  accessModules,
  adminHttpModule,
  demoConsumerModule,
  type AccessModulesConfig,
  type AccessModulesOptions,
  type DemoConsumerStatus,
} from './module';
export { accessTables } from './store/tables';
export { PlanLimitCode } from './usage-limiter';
export { accessErrorHeaders } from './error-headers';
