import { z } from 'zod';
import { ConfigError } from '../../src/errors';
import {
  busEnv,
  env,
  httpEnv,
  lifecycleEnv,
  loadConfig,
  loadConfigOrExit,
  logEnv,
  reportConfigErrorAndExit,
  storeEnv,
  telemetryEnv,
} from '../../src/config';

/** Runs loadConfig and returns the ConfigError it threw. */
function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

const all = {
  bus: busEnv,
  store: storeEnv,
  http: httpEnv,
  log: logEnv,
  lifecycle: lifecycleEnv,
  otel: telemetryEnv,
};

describe('loadConfig', () => {
  it('when nothing is set, then every fragment falls back to its defaults', () => {
    expect(loadConfig(all, {})).toEqual({
      bus: { adapter: 'memory', brokers: [], clientId: 'tradeflow', topicPartitions: 6 },
      store: { endpoint: undefined, region: 'us-east-1', credentials: undefined, tablePrefix: '' },
      http: { host: '127.0.0.1', port: 8080, bodyLimit: '1mb' },
      log: { level: 'info' },
      lifecycle: { shutdownTimeoutMs: 10_000 },
      otel: {
        serviceName: undefined,
        exporterEndpoint: undefined,
        disabled: false,
        sampler: undefined,
        samplerArg: undefined,
      },
    });
  });

  it('when every variable is set, then each is parsed into its camelCase field', () => {
    const config = loadConfig(all, {
      BUS_ADAPTER: 'kafka',
      KAFKA_BROKERS: '127.0.0.1:19092, kafka-1:9092,[::1]:9093',
      KAFKA_CLIENT_ID: 'trades',
      KAFKA_TOPIC_PARTITIONS: '12',
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:18000',
      AWS_REGION: 'eu-west-1',
      HTTP_HOST: '0.0.0.0',
      HTTP_PORT: '0',
      HTTP_BODY_LIMIT: '256kb',
      LOG_LEVEL: 'debug',
      SHUTDOWN_TIMEOUT_MS: '15s',
      OTEL_SERVICE_NAME: 'trades',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
      OTEL_SDK_DISABLED: 'TRUE',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
    });
    expect(config.bus).toEqual({
      adapter: 'kafka',
      brokers: ['127.0.0.1:19092', 'kafka-1:9092', '[::1]:9093'],
      clientId: 'trades',
      topicPartitions: 12,
    });
    // An endpoint without keys means DynamoDB Local: placeholder credentials instead of the SDK chain.
    expect(config.store).toEqual({
      endpoint: 'http://127.0.0.1:18000',
      region: 'eu-west-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      tablePrefix: '',
    });
    expect(config.http).toEqual({ host: '0.0.0.0', port: 0, bodyLimit: '256kb' });
    expect(config.log.level).toBe('debug');
    expect(config.lifecycle.shutdownTimeoutMs).toBe(15_000);
    expect(config.otel).toEqual({
      serviceName: 'trades',
      exporterEndpoint: 'http://127.0.0.1:4318',
      disabled: true,
      sampler: 'parentbased_traceidratio',
      samplerArg: 0.25,
    });
  });

  it('when several variables are missing or invalid, then one ConfigError names every one of them', () => {
    const err = configError(() =>
      loadConfig(all, {
        BUS_ADAPTER: 'kafka',
        KAFKA_BROKERS: 'kafka:abc',
        KAFKA_TOPIC_PARTITIONS: '0',
        DYNAMODB_ENDPOINT: 'not a url',
        AWS_ACCESS_KEY_ID: 'AKIA',
        HTTP_PORT: '99999',
        LOG_LEVEL: 'loud',
        SHUTDOWN_TIMEOUT_MS: 'soon',
        OTEL_SDK_DISABLED: 'yes',
      }),
    );
    const byField = Object.fromEntries(err.issues.map((i) => [i.field, i.message]));
    expect(byField).toEqual({
      KAFKA_BROKERS: '"kafka:abc" is not a host:port list ("kafka:abc" has no port in 1-65535)',
      KAFKA_TOPIC_PARTITIONS: '"0" is not a positive integer',
      DYNAMODB_ENDPOINT: '"not a url" is not a URL',
      AWS_SECRET_ACCESS_KEY: 'is required with AWS_ACCESS_KEY_ID',
      HTTP_PORT: '"99999" is not a port (0-65535)',
      LOG_LEVEL: '"loud" is not one of fatal, error, warn, info, debug, trace, silent',
      SHUTDOWN_TIMEOUT_MS: '"soon" is not a duration (milliseconds, or with ms/s/m/h)',
      OTEL_SDK_DISABLED: '"yes" is not a boolean (true, false, 1 or 0)',
    });
    expect(err.issues).toHaveLength(8);
    for (const name of ['KAFKA_BROKERS', 'HTTP_PORT', 'LOG_LEVEL', 'AWS_SECRET_ACCESS_KEY']) {
      expect(err.message).toContain(`${name}: `);
    }
  });

  it('when the bus is kafka and KAFKA_BROKERS is unset, then it is required even beside other errors', () => {
    const err = configError(() =>
      loadConfig({ bus: busEnv }, { BUS_ADAPTER: 'kafka', KAFKA_TOPIC_PARTITIONS: 'x' }),
    );
    expect(err.issues).toEqual([
      { field: 'KAFKA_TOPIC_PARTITIONS', message: '"x" is not a positive integer' },
      { field: 'KAFKA_BROKERS', message: 'is required when BUS_ADAPTER=kafka' },
    ]);
  });

  it('when KAFKA_NAMESPACE is set, then the bus gets it; a name Kafka cannot hold is refused by name', () => {
    const bus = { BUS_ADAPTER: 'kafka', KAFKA_BROKERS: '127.0.0.1:19092' };
    expect(loadConfig(busEnv, { ...bus, KAFKA_NAMESPACE: 'e2e-run_7.a' }).namespace).toBe('e2e-run_7.a');
    expect(loadConfig(busEnv, bus).namespace).toBeUndefined();

    const err = configError(() => loadConfig({ bus: busEnv }, { ...bus, KAFKA_NAMESPACE: 'a/b' }));
    expect(err.issues.map((i) => i.field)).toEqual(['KAFKA_NAMESPACE']);
    expect(err.issues[0]?.message).toMatch(/letters, digits/);
  });

  it('when the bus is memory, then KAFKA_BROKERS may be unset', () => {
    expect(loadConfig(busEnv, { BUS_ADAPTER: 'memory' }).brokers).toEqual([]);
  });

  it.each([
    ['kafka:abc', '"kafka:abc" has no port in 1-65535'],
    ['kafka', '"kafka" has no port'],
    [':9092', '":9092" has no host'],
    ['kafka:0', '"kafka:0" has no port in 1-65535'],
    ['kafka:65536', '"kafka:65536" has no port in 1-65535'],
    ['a:1,b:x', '"b:x" has no port in 1-65535'],
    [',', 'is not a host:port list'],
  ])('when KAFKA_BROKERS is %j, then the message names the bad address', (value, reason) => {
    const err = configError(() => loadConfig(busEnv, { BUS_ADAPTER: 'kafka', KAFKA_BROKERS: value }));
    expect(err.issues).toHaveLength(1);
    expect(err.issues[0]?.field).toBe('KAFKA_BROKERS');
    expect(err.issues[0]?.message).toContain(reason);
  });

  it('when a variable is set to the empty string, then it counts as unset', () => {
    expect(loadConfig(httpEnv, { HTTP_PORT: '' }).port).toBe(8080);
    const err = configError(() => loadConfig(z.object({ TRADES_TABLE: z.string() }), { TRADES_TABLE: '' }));
    expect(err.issues).toEqual([{ field: 'TRADES_TABLE', message: 'is required' }]);
  });

  it('when a service schema uses the builders and plain zod, then missing variables read "is required"', () => {
    const schema = z.object({ TRADES_TABLE: z.string(), WEBHOOK_URL: env.url(), RETRIES: env.positiveInt() });
    const err = configError(() => loadConfig(schema, {}));
    expect(err.issues).toEqual([
      { field: 'TRADES_TABLE', message: 'is required' },
      { field: 'WEBHOOK_URL', message: 'is required' },
      { field: 'RETRIES', message: 'is required' },
    ]);
  });

  it('when access keys are set without an endpoint, then they are used as given', () => {
    const store = loadConfig(storeEnv, { AWS_ACCESS_KEY_ID: 'id', AWS_SECRET_ACCESS_KEY: 'secret' });
    expect(store.credentials).toEqual({ accessKeyId: 'id', secretAccessKey: 'secret' });
  });
});

describe('env field builders', () => {
  const parse = <T>(schema: z.ZodType<T>, value: string) => schema.safeParse(value);

  it('when a duration has a unit, then it is converted to milliseconds', () => {
    expect(parse(env.durationMs(), '250').data).toBe(250);
    expect(parse(env.durationMs(), '250ms').data).toBe(250);
    expect(parse(env.durationMs(), '2m').data).toBe(120_000);
    expect(parse(env.durationMs(), '-1').success).toBe(false);
  });

  it('when a boolean is 1/0/true/false in any case, then it parses; anything else fails', () => {
    expect(['1', 'true', 'True', '0', 'false'].map((v) => parse(env.boolean(), v).data)).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
    expect(parse(env.boolean(), 'on').success).toBe(false);
  });

  it('when a URL has a protocol outside the allowed ones, then it fails', () => {
    expect(parse(env.url(), 'ftp://host').error?.issues[0]?.message).toBe(
      '"ftp://host" is not a http or https URL',
    );
    expect(parse(env.url(['ftp']), 'ftp://host').data).toBe('ftp://host');
  });

  it('when a value is very long, then the message quotes only its start', () => {
    const message = parse(env.port(), 'x'.repeat(500)).error?.issues[0]?.message ?? '';
    expect(message.length).toBeLessThan(120);
  });
});

describe('reportConfigErrorAndExit', () => {
  it('when given a ConfigError, then it writes one message without a stack and exits 78', () => {
    const written: string[] = [];
    const codes: number[] = [];
    const err = new ConfigError([
      { field: 'KAFKA_BROKERS', message: '"kafka:abc" is not a host:port list' },
      { field: 'HTTP_PORT', message: 'is required' },
    ]);
    reportConfigErrorAndExit(err, 'trades', {
      stderr: { write: (t) => written.push(t) },
      exit: (c) => codes.push(c),
    });
    expect(codes).toEqual([78]);
    expect(written).toEqual([
      'trades: invalid configuration, not starting:\n' +
        '  - KAFKA_BROKERS: "kafka:abc" is not a host:port list\n' +
        '  - HTTP_PORT: is required\n',
    ]);
  });

  it('when loadConfigOrExit meets bad variables, then it reports them and exits 78', () => {
    const written: string[] = [];
    const codes: number[] = [];
    const hooks = { stderr: { write: (t: string) => written.push(t) }, exit: (c: number) => codes.push(c) };
    expect(() => loadConfigOrExit({ log: logEnv }, 'trades', { LOG_LEVEL: 'x' }, hooks)).toThrow(ConfigError);
    expect(codes).toEqual([78]);
    expect(written.join('')).toContain('LOG_LEVEL: "x" is not one of');
  });
});
