/**
 * The images' entrypoints, proven without Docker: every production bundle is built exactly as the Dockerfile's
 * build stage builds it (scripts/ship/bundle.sh in a copy of the build context, via scripts/ship/bundle-all.sh)
 * and started with the image's command, working folder and environment from the Dockerfile (HTTP_HOST on
 * loopback, the memory bus, the test DynamoDB Local). Bundles are rebuilt only when the build context changed.
 */
import { DeleteTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Topics } from '@tradeflow/contracts';
import { deadLetterTopic } from '@tradeflow/platform/bus';
import { eventually } from '../support/eventually';
import {
  buildBundles,
  filesUnder,
  freePort,
  installedPackages,
  lockPackages,
  portVariable,
  serviceImages,
  start,
  workspaceClosure,
  type Started,
} from './support/bundles';
import { imageConfig, readDockerfile, type ImageConfig } from './support/dockerfile';

const BUILD_TIMEOUT_MS = 20 * 60_000;
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;
const DYNAMODB_ENDPOINT = process.env.DYNAMODB_ENDPOINT ?? 'http://127.0.0.1:18000';
const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:19092';
const TABLE_PREFIX = `ship-bundle-${process.pid}-`;
/** A token the gateway accepts (24+ characters); only this test's gateway, on loopback, ever sees it. */
const ADMIN_TOKEN = 'ship-bundle-test-admin-token-0123456789';

const SERVICES = serviceImages();
const IMAGES = [...SERVICES, 'init'];
const dockerfile = readDockerfile();
let bundles = '';
const running = new Set<Started>();

/** `/app/...` of the image is the bundle's folder here. */
function onHost(bundle: string, path: string): string {
  return path === '/app' ? bundle : path.startsWith('/app/') ? join(bundle, path.slice(5)) : path;
}

/** The image's environment with what a test changes: loopback, a free port, memory bus, test tables. */
async function containerEnv(service: string, image: ImageConfig): Promise<NodeJS.ProcessEnv> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    ...image.env,
    HTTP_HOST: '127.0.0.1',
    [portVariable(service)]: String(await freePort()),
    BUS_ADAPTER: 'memory',
    DYNAMODB_ENDPOINT,
    TABLE_PREFIX: `${TABLE_PREFIX}${service}-`,
    OTEL_TRACES_EXPORTER: 'none',
    LOG_LEVEL: 'warn',
  };
  if (service === 'gateway') {
    env.GATEWAY_ADMIN_HTTP_PORT = String(await freePort());
    env.GATEWAY_ADMIN_TOKEN = ADMIN_TOKEN;
  }
  return env;
}

beforeAll(() => {
  bundles = buildBundles(IMAGES, BUILD_TIMEOUT_MS);
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  for (const started of running) started.child.kill('SIGKILL');
  const client = new DynamoDBClient({
    endpoint: DYNAMODB_ENDPOINT,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const { TableNames = [] } = await client.send(new ListTablesCommand({ Limit: 100 }));
    for (const table of TableNames.filter((t) => t.startsWith(TABLE_PREFIX))) {
      await client.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
    }
  } finally {
    client.destroy();
  }
});

describe('the Dockerfile', () => {
  it('when a service image is built, then it runs node dist/main.js as user 1000 in production mode on every interface', () => {
    for (const service of SERVICES) {
      const image = imageConfig(dockerfile, 'service', { SERVICE: service });
      expect({
        service,
        command: [...image.entrypoint, ...image.cmd],
        workdir: image.workdir,
        user: image.user,
        env: { NODE_ENV: image.env.NODE_ENV, HTTP_HOST: image.env.HTTP_HOST, SERVICE: image.env.SERVICE },
        healthcheck: image.healthcheck,
      }).toEqual({
        service,
        command: ['node', 'dist/main.js'],
        workdir: `/app/services/${service}`,
        user: '1000:1000',
        env: { NODE_ENV: 'production', HTTP_HOST: '0.0.0.0', SERVICE: service },
        healthcheck: ['node', '/app/healthcheck.cjs'],
      });
    }
  });

  it('when an image is built, then no secret is baked in and the build stage runs the one bundle script', () => {
    const secretish = /(secret|token|password|passwd|credential|api_?key|access_?key)/i;
    const baked = dockerfile.stages
      .flatMap((s) => s.instructions)
      .filter((i) => (i.keyword === 'ENV' || i.keyword === 'ARG') && secretish.test(i.args));
    expect(baked).toEqual([]);
    const build = dockerfile.stages.find((s) => s.name === 'build');
    const runs = (build?.instructions ?? []).filter(
      (i) => i.keyword === 'RUN' && i.args.includes('bundle.sh'),
    );
    expect(runs.map((r) => r.args.replace(/^--mount=\S+\s+/, ''))).toEqual([
      'scripts/ship/bundle.sh "$SERVICE" /out',
    ]);
    const init = imageConfig(dockerfile, 'init', { SERVICE: 'init' });
    expect([init.user, [...init.entrypoint, ...init.cmd]]).toEqual(['1000:1000', ['bash', 'init/init.sh']]);
  });
});

describe.each(SERVICES)('the %s image', (service) => {
  const image = imageConfig(dockerfile, 'service', { SERVICE: service });

  it('when its bundle starts with the image command, then /livez answers, the HEALTHCHECK passes (and on /readyz), SIGTERM stops it with exit 0', async () => {
    const bundle = join(bundles, service);
    const env = await containerEnv(service, image);
    const started = start([...image.entrypoint, ...image.cmd], onHost(bundle, image.workdir), env);
    running.add(started);
    const port = env[portVariable(service)] ?? '';
    try {
      await eventually(
        async () => {
          if (started.child.exitCode !== null) {
            throw new Error(`${service} exited with ${started.child.exitCode}:\n${started.output()}`);
          }
          const res = await fetch(`http://127.0.0.1:${port}/livez`).catch(() => undefined);
          return res?.status === 200 ? true : undefined;
        },
        `${service} /livez`,
        START_TIMEOUT_MS,
      );

      const healthcheck = image.healthcheck ?? [];
      expect(healthcheck.length).toBeGreaterThan(0);
      const [program = '', ...args] = healthcheck;
      const runProbe = (...extra: string[]) =>
        spawnSync(
          program === 'node' ? process.execPath : program,
          [...args.map((a) => onHost(bundle, a)), ...extra],
          {
            cwd: onHost(bundle, image.workdir),
            env,
            encoding: 'utf8',
            timeout: 10_000,
          },
        );
      const probe = runProbe();
      expect({ status: probe.status, stderr: probe.stderr }).toEqual({ status: 0, stderr: '' });
      // docker-compose.yml probes readiness with the same script: the service gets there on its own.
      await eventually(
        () => (runProbe('readyz').status === 0 ? true : undefined),
        `${service} /readyz`,
        START_TIMEOUT_MS,
      );

      started.child.kill('SIGTERM');
      const code = await Promise.race([
        started.exited,
        new Promise((resolve) => setTimeout(() => resolve('still running'), STOP_TIMEOUT_MS).unref()),
      ]);
      expect({ code, output: code === 0 ? '' : started.output() }).toEqual({ code: 0, output: '' });
    } finally {
      started.child.kill('SIGKILL');
      running.delete(started);
    }
  });
});

describe.each(IMAGES)('the %s bundle', (name) => {
  it('when it is built, then it holds production packages only, and no tests, sources, maps or other services', () => {
    const bundle = join(bundles, name);
    const lock = lockPackages();
    const { packages, links } = installedPackages(bundle);
    expect(packages.length).toBeGreaterThan(50);

    const notProduction = packages.filter((key) => lock[key] === undefined || lock[key].dev === true);
    expect(notProduction).toEqual([]);

    const wanted = workspaceClosure(name === 'init' ? ['reference-data', 'gateway'] : [name]);
    expect(Object.keys(links).sort()).toEqual(wanted.map((w) => `@tradeflow/${w}`));
    const root = JSON.parse(readFileSync(join(bundle, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(root.workspaces).toEqual(wanted.map((w) => `services/${w}`));
    expect(root.devDependencies).toBeUndefined();

    const files = filesUnder(bundle);
    const unwanted = files.filter(
      (f) =>
        /\.(ts|mts|cts|map|tsbuildinfo)$/.test(f) ||
        /^services\/[^/]+\/(src|test)\//.test(f) ||
        /(^|\/)(\.env|\.npmrc)$/.test(f),
    );
    expect(unwanted).toEqual([]);
    for (const workspace of wanted) {
      expect(existsSync(join(bundle, 'services', workspace, 'dist'))).toBe(true);
    }
  });
});

describe('the init bundle', () => {
  it('when the init job runs, then it loads the reference data, ensures the demo consumer and prints its key', () => {
    const image = imageConfig(dockerfile, 'init', { SERVICE: 'init' });
    const bundle = join(bundles, 'init');
    const keys = mkdtempSync(join(tmpdir(), 'ship-init-keys-'));
    try {
      const [program = '', ...args] = [...image.entrypoint, ...image.cmd];
      const result = spawnSync(program, args, {
        cwd: onHost(bundle, image.workdir),
        env: {
          PATH: process.env.PATH,
          ...image.env,
          BUS_ADAPTER: 'memory',
          DYNAMODB_ENDPOINT,
          TABLE_PREFIX: `${TABLE_PREFIX}init-`,
          KEYS_DIR: keys,
          PUBLIC_GATEWAY_URL: 'http://localhost:8080',
        },
        encoding: 'utf8',
        timeout: START_TIMEOUT_MS,
      });
      expect({ status: result.status, stderr: result.status === 0 ? '' : result.stderr }).toEqual({
        status: 0,
        stderr: '',
      });
      const key = readFileSync(join(keys, 'demo-api-key'), 'utf8').trim();
      expect(key).toMatch(/^tfk_[a-z0-9]{8,32}_[A-Za-z0-9_-]{43,}$/);
      expect(result.stdout).toContain(key);
      expect(result.stderr).toMatch(/\[init\] loaded \d+ entities/);
    } finally {
      rmSync(keys, { recursive: true, force: true });
    }
  });

  it('when its topic step runs against Kafka, then every contracts topic and its dead letter exist, reference.changes compacted', async () => {
    const bundle = join(bundles, 'init');
    const result = spawnSync(process.execPath, ['init/ensure-topics.cjs'], {
      cwd: bundle,
      env: { PATH: process.env.PATH, BUS_ADAPTER: 'kafka', KAFKA_BROKERS },
      encoding: 'utf8',
      timeout: START_TIMEOUT_MS,
    });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });

    const admin = new Kafka({ brokers: KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const topics = new Set(await admin.listTopics());
      const expected = Object.values(Topics).flatMap((t) => [t, deadLetterTopic(t)]);
      expect(expected.filter((t) => !topics.has(t))).toEqual([]);
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: 2, name: Topics.referenceChanges, configNames: ['cleanup.policy'] }],
      });
      expect(resources[0]?.configEntries.find((e) => e.configName === 'cleanup.policy')?.configValue).toBe(
        'compact',
      );
    } finally {
      await admin.disconnect();
    }
  });
});
