/** Typed configuration from the environment: field builders, shared fragments and the loader. */
export { env, LOG_LEVELS, type LogLevel } from './env-fields';
export {
  busEnv,
  httpEnv,
  httpEnvWithPort,
  lifecycleEnv,
  logEnv,
  serviceHttpEnv,
  storeEnv,
  telemetryEnv,
  type BusEnv,
  type HttpConfig,
  type LifecycleConfig,
  type LogConfig,
  type StoreConfig,
  type TelemetryConfig,
} from './fragments';
export {
  CONFIG_EXIT_CODE,
  formatConfigError,
  loadConfig,
  loadConfigOrExit,
  reportConfigErrorAndExit,
  type ConfigOf,
  type ConfigSpec,
  type EnvVars,
  type ExitHooks,
} from './load-config';
export { ConfigError } from '../errors';
