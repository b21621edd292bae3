/**
 * Schema fragments the composition roots combine with `loadConfig({ bus: busEnv, http: httpEnv, … })`.
 * Each reads upper-case variables and yields a camelCase object, so nothing past the config module
 * knows a variable's name.
 */
import { z } from 'zod';
import { env } from './env-fields';

/** Adds an issue at `path` unless that variable already has one (so a malformed value is not also "required"). */
function requireWhen<T extends Record<string, unknown>>(
  variable: keyof T & string,
  condition: (value: T) => boolean,
  message: string,
) {
  return z.refine<T>((value) => !condition(value) || value[variable] !== undefined, {
    path: [variable],
    message,
    // Run even when other variables are invalid, so every problem is reported at once.
    when: (payload) => !payload.issues.some((issue) => issue.path?.[0] === variable),
  });
}

/** The message bus: `BUS_ADAPTER` (memory|kafka) and, for kafka, the brokers and topic defaults. */
export const busEnv = z
  .object({
    BUS_ADAPTER: env.oneOf(['memory', 'kafka']).default('memory'),
    KAFKA_BROKERS: env.brokerList().optional(),
    KAFKA_CLIENT_ID: env.string().default('tradeflow'),
    KAFKA_TOPIC_PARTITIONS: env.positiveInt().default(6),
    /** Prefix of every topic and consumer group on the broker, so environments (test runs) can share a Kafka. */
    KAFKA_NAMESPACE: env
      .string()
      .pipe(
        z.string().regex(/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/, {
          error: 'may hold only letters, digits, ".", "_" and "-" (and not start with ".")',
        }),
      )
      .optional(),
  })
  .check(requireWhen('KAFKA_BROKERS', (v) => v.BUS_ADAPTER === 'kafka', 'is required when BUS_ADAPTER=kafka'))
  .transform((v) => ({
    adapter: v.BUS_ADAPTER,
    brokers: v.KAFKA_BROKERS ?? [],
    clientId: v.KAFKA_CLIENT_ID,
    topicPartitions: v.KAFKA_TOPIC_PARTITIONS,
    ...(v.KAFKA_NAMESPACE === undefined ? {} : { namespace: v.KAFKA_NAMESPACE }),
  }));
/** The bus settings read from the environment (the adapter's own config is `BusConfig` in bus/port). */
export type BusEnv = z.output<typeof busEnv>;

/** Placeholder credentials DynamoDB Local accepts; used only when an endpoint is configured. */
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/**
 * DynamoDB: an optional endpoint (DynamoDB Local), the region and credentials. Without an endpoint and
 * without keys the SDK's default credential chain applies (`credentials: undefined`).
 */
export const storeEnv = z
  .object({
    DYNAMODB_ENDPOINT: env.url().optional(),
    AWS_REGION: env.string().default('us-east-1'),
    AWS_ACCESS_KEY_ID: env.string().optional(),
    AWS_SECRET_ACCESS_KEY: env.string().optional(),
    TABLE_PREFIX: env.string().default(''),
  })
  .check(
    requireWhen(
      'AWS_ACCESS_KEY_ID',
      (v) => v.AWS_SECRET_ACCESS_KEY !== undefined,
      'is required with AWS_SECRET_ACCESS_KEY',
    ),
    requireWhen(
      'AWS_SECRET_ACCESS_KEY',
      (v) => v.AWS_ACCESS_KEY_ID !== undefined,
      'is required with AWS_ACCESS_KEY_ID',
    ),
  )
  .transform((v) => ({
    endpoint: v.DYNAMODB_ENDPOINT,
    region: v.AWS_REGION,
    /** Prepended to every table name (`withTablePrefix`) so environments sharing one DynamoDB don't collide. */
    tablePrefix: v.TABLE_PREFIX,
    credentials:
      v.AWS_ACCESS_KEY_ID !== undefined && v.AWS_SECRET_ACCESS_KEY !== undefined
        ? { accessKeyId: v.AWS_ACCESS_KEY_ID, secretAccessKey: v.AWS_SECRET_ACCESS_KEY }
        : v.DYNAMODB_ENDPOINT !== undefined
          ? { ...LOCAL_CREDENTIALS }
          : undefined,
  }));
export type StoreConfig = z.output<typeof storeEnv>;

/** The HTTP server fragment with a service-specific default port. */
export function httpEnvWithPort(defaultPort: number) {
  return z
    .object({
      HTTP_HOST: env.string().default('127.0.0.1'),
      HTTP_PORT: env.port().default(defaultPort),
      HTTP_BODY_LIMIT: env.byteSize().default('1mb'),
    })
    .transform((v) => ({ host: v.HTTP_HOST, port: v.HTTP_PORT, bodyLimit: v.HTTP_BODY_LIMIT }));
}

/**
 * A service's HTTP server, with its port under its own name (`TRADES_HTTP_PORT`) so every service can
 * run in one all-in-one process; `HTTP_HOST` and `HTTP_BODY_LIMIT` are shared.
 */
export function serviceHttpEnv(prefix: string, defaultPort: number) {
  const portVar = `${prefix}_HTTP_PORT`;
  return (
    z
      .object({
        HTTP_HOST: env.string().default('127.0.0.1'),
        [portVar]: env.port().default(defaultPort),
        HTTP_BODY_LIMIT: env.byteSize().default('1mb'),
      })
      // The computed key widens every field's type, so the known ones are narrowed back here.
      .transform((v): HttpConfig => ({
        host: v.HTTP_HOST as string,
        port: v[portVar] as number,
        bodyLimit: v.HTTP_BODY_LIMIT as string,
      }))
  );
}

/** The HTTP server: `HTTP_HOST` (127.0.0.1), `HTTP_PORT` (8080), `HTTP_BODY_LIMIT` (1mb). */
export const httpEnv = httpEnvWithPort(8080);
export type HttpConfig = z.output<typeof httpEnv>;

/** Logging: `LOG_LEVEL` (info). */
export const logEnv = z
  .object({ LOG_LEVEL: env.logLevel().default('info') })
  .transform((v) => ({ level: v.LOG_LEVEL }));
export type LogConfig = z.output<typeof logEnv>;

/** Process lifecycle: `SHUTDOWN_TIMEOUT_MS` (10000), the bound on a graceful shutdown. */
export const lifecycleEnv = z
  .object({ SHUTDOWN_TIMEOUT_MS: env.durationMs().default(10_000) })
  .transform((v) => ({ shutdownTimeoutMs: v.SHUTDOWN_TIMEOUT_MS }));
export type LifecycleConfig = z.output<typeof lifecycleEnv>;

/** The standard OpenTelemetry samplers (OTEL_TRACES_SAMPLER). */
const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;

/** Telemetry: the standard `OTEL_*` variables the trace module reads, checked up front. */
export const telemetryEnv = z
  .object({
    OTEL_SERVICE_NAME: env.string().optional(),
    OTEL_EXPORTER_OTLP_ENDPOINT: env.url().optional(),
    OTEL_SDK_DISABLED: env.boolean().default(false),
    OTEL_TRACES_SAMPLER: env.oneOf(SAMPLERS).optional(),
    OTEL_TRACES_SAMPLER_ARG: env.ratio().optional(),
  })
  .transform((v) => ({
    serviceName: v.OTEL_SERVICE_NAME,
    exporterEndpoint: v.OTEL_EXPORTER_OTLP_ENDPOINT,
    disabled: v.OTEL_SDK_DISABLED,
    sampler: v.OTEL_TRACES_SAMPLER,
    samplerArg: v.OTEL_TRACES_SAMPLER_ARG,
  }));
export type TelemetryConfig = z.output<typeof telemetryEnv>;
