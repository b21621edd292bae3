/**
 * docker-compose.yml without a container engine: valid against the Compose Specification's JSON schema (from
 * the compose-go module at COMPOSE_GO_VERSION), and our own rules: health checks and conditions on every
 * dependency, pinned images, ports on loopback exactly as docs/deploy.md lists them, every service image in
 * compose and in Prometheus, profiles that start on their own.
 */
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../support/paths';
import { portVariable, serviceImages } from './support/bundles';
import {
  buildArgsOf,
  composeSchemaPath,
  dependenciesOf,
  environmentOf,
  interpolate,
  isOneShot,
  publishedPorts,
  readCompose,
  readComposeRaw,
} from './support/compose';
import { imageConfig, readDockerfile } from './support/dockerfile';

const SCHEMA_TIMEOUT_MS = 5 * 60_000;
const compose = readCompose();
const services = Object.entries(compose.services);
const dockerfile = readDockerfile();

/** Services built from the repository's Dockerfile, with their SERVICE build argument. */
const built = services.filter(([, s]) => s.build !== undefined);
/** The containers that run Tradeflow's own code against Kafka and DynamoDB: the services and the init job. */
const tradeflowProcesses = built.filter(([name]) => name === 'init' || serviceImages().includes(name));
/** The long-running ones (everything but the one-shot jobs). */
const longRunning = services.filter(([, s]) => !isOneShot(s));

/** The default HTTP port a service's config declares (`serviceHttpEnv('TRADES', 8081)`). */
function declaredPort(service: string): number {
  const source = readFileSync(join(REPO_ROOT, 'services', service, 'src', 'config.ts'), 'utf8');
  const prefix = portVariable(service).replace(/_HTTP_PORT$/, '');
  const match = new RegExp(`serviceHttpEnv\\(\\s*'${prefix}'\\s*,\\s*(\\d+)\\s*\\)`).exec(source);
  if (match?.[1] === undefined)
    throw new Error(`services/${service}/src/config.ts declares no serviceHttpEnv('${prefix}', port)`);
  return Number(match[1]);
}

/** The published ports docs/deploy.md lists in its docker compose section: port -> service. */
function documentedPorts(): Map<number, string> {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'deploy.md'), 'utf8');
  const section = doc.slice(doc.indexOf('\n## docker compose'));
  const ports = new Map<number, string>();
  for (const m of section.matchAll(/^\|\s*`localhost:(\d+)`\s*\|\s*([a-z0-9-]+)\s*\|/gm)) {
    ports.set(Number(m[1]), m[2] ?? '');
  }
  return ports;
}

/** The Compose Specification's JSON schema compiled, with the formats compose-go adds (may download it). */
function composeValidator(): ValidateFunction {
  const schema = JSON.parse(readFileSync(composeSchemaPath(SCHEMA_TIMEOUT_MS), 'utf8')) as object;
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  // compose-go registers Go's duration format (`10s`, `1m30s`).
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
  return ajv.compile(schema);
}

describe('docker-compose.yml', () => {
  it(
    'when validated against the Compose Specification schema, then it has no errors (with and without variables set)',
    () => {
      const validate = composeValidator();
      const everySet = {
        LOG_LEVEL: 'debug',
        OTEL_TRACES_EXPORTER: 'otlp',
        GATEWAY_ADMIN_TOKEN: 'a-token-of-at-least-24-characters',
        GATEWAY_DEMO_API_KEY: 'tfk_0123abcd_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ',
        K6_SCRIPT: 'load.ts',
      };
      for (const document of [readCompose(), readCompose(everySet)]) {
        validate(document);
        expect(validate.errors ?? []).toEqual([]);
      }
      // The raw file too: a value that only becomes valid after interpolation would fail `docker compose config`.
      validate(readComposeRaw());
      expect(validate.errors ?? []).toEqual([]);
    },
    SCHEMA_TIMEOUT_MS,
  );

  it(
    'when a schema rule is broken, then the validation names it (the schema is really applied)',
    () => {
      const validate = composeValidator();
      const broken = readCompose();
      (broken.services.gateway as Record<string, unknown>).healthcheck = { test: ['CMD'], interval: 5 };
      (broken.services.gateway as Record<string, unknown>).restart_policy = 'always';
      expect(validate(broken)).toBe(false);
      const paths = (validate.errors ?? []).map((e) => e.instancePath);
      expect(paths).toEqual(
        expect.arrayContaining(['/services/gateway', '/services/gateway/healthcheck/interval']),
      );
    },
    SCHEMA_TIMEOUT_MS,
  );

  it('when started with nothing set in the environment, then no variable is required', () => {
    const raw = readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8');
    expect(() => interpolate(raw, {})).not.toThrow();
  });

  it('when a service runs for good, then it has a health check; one-shot jobs have none', () => {
    const withoutCheck = longRunning.filter(
      ([, s]) => s.healthcheck?.test === undefined || s.healthcheck.disable,
    );
    expect(withoutCheck.map(([name]) => name)).toEqual([]);
    const oneShotsWithCheck = services.filter(([, s]) => isOneShot(s) && s.healthcheck !== undefined);
    expect(oneShotsWithCheck.map(([name]) => name)).toEqual([]);
  });

  it('when a service is built from the Dockerfile, then its health check is the image HEALTHCHECK on /readyz', () => {
    for (const [name, service] of built.filter(([, s]) => !isOneShot(s))) {
      const image = imageConfig(dockerfile, 'service', buildArgsOf(service));
      expect({ name, test: service.healthcheck?.test }).toEqual({
        name,
        test: ['CMD', ...(image.healthcheck ?? []), 'readyz'],
      });
    }
  });

  it('when a service depends on another, then it waits for its health or its successful completion', () => {
    const problems: string[] = [];
    for (const [name, service] of services) {
      for (const [dep, condition] of Object.entries(dependenciesOf(service))) {
        const target = compose.services[dep];
        if (target === undefined) problems.push(`${name} -> ${dep}: no such service`);
        else if (isOneShot(target) && condition !== 'service_completed_successfully')
          problems.push(`${name} -> ${dep} (one-shot): ${condition ?? 'no condition'}`);
        else if (!isOneShot(target) && condition !== 'service_healthy')
          problems.push(`${name} -> ${dep}: ${condition ?? 'no condition'}`);
        // A service of the default set must not need one that only a profile starts.
        if (
          target !== undefined &&
          (service.profiles ?? []).length === 0 &&
          (target.profiles ?? []).length > 0
        )
          problems.push(`${name} (no profile) -> ${dep} (profiles ${target.profiles?.join(',')})`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('when an image is pulled, then its tag is pinned (no latest); built images are local tags of the Dockerfile', () => {
    const problems: string[] = [];
    for (const [name, service] of services) {
      const image = service.image ?? '';
      if (service.build !== undefined) {
        const build = typeof service.build === 'string' ? { context: service.build } : service.build;
        if (resolve(REPO_ROOT, build.context ?? '.') !== REPO_ROOT)
          problems.push(`${name}: builds another context`);
        if (!/^tradeflow\/[a-z0-9-]+:local$/.test(image))
          problems.push(`${name}: built image named ${image}`);
        continue;
      }
      const tag = /^[^@]+:([^:/@]+)$/.exec(image)?.[1];
      if (tag === undefined || tag === 'latest' || !/\d/.test(tag))
        problems.push(`${name}: ${image || 'no image'}`);
    }
    expect(problems).toEqual([]);
  });

  it('when built from the Dockerfile, then every service image is in compose once and the SERVICE argument names it', () => {
    const byArg = built
      .filter(([, s]) => !isOneShot(s))
      .map(([name, s]) => ({ name, service: buildArgsOf(s).SERVICE }));
    expect(byArg.every(({ name, service }) => name === service)).toBe(true);
    expect(byArg.map((b) => b.service).sort()).toEqual(serviceImages());
    const jobs = built.filter(([, s]) => isOneShot(s));
    for (const [, job] of jobs) {
      expect(
        typeof job.build === 'object' ? { target: job.build.target, ...buildArgsOf(job) } : job.build,
      ).toEqual({
        target: 'init',
        SERVICE: 'init',
      });
    }
  });

  it('when ports are published, then each is on 127.0.0.1, unique, and listed with its service in docs/deploy.md', () => {
    const published = services.flatMap(([name, s]) => publishedPorts(s).map((p) => ({ name, ...p })));
    expect(published.filter((p) => p.hostIp !== '127.0.0.1')).toEqual([]);
    const hostPorts = published.map((p) => p.host);
    expect(new Set(hostPorts).size).toBe(hostPorts.length);
    const documented = documentedPorts();
    expect(new Map(published.map((p) => [p.host, p.name]))).toEqual(documented);
    // Only the gateway of the Tradeflow services is reachable from the host.
    const servicePorts = published.filter((p) => serviceImages().includes(p.name) && p.name !== 'gateway');
    expect(servicePorts).toEqual([]);
  });

  it('when the gateway publishes its ports, then they are the ports its config declares', () => {
    const gateway = publishedPorts(compose.services.gateway ?? {});
    expect(gateway.map((p) => p.container)).toContain(declaredPort('gateway'));
    expect(gateway.every((p) => p.host === p.container)).toBe(true);
  });

  it('when a Tradeflow container starts, then it reaches Kafka, DynamoDB Local and its upstreams inside the network', () => {
    for (const [name, service] of tradeflowProcesses) {
      const env = environmentOf(service);
      expect({
        name,
        bus: env.BUS_ADAPTER,
        kafka: env.KAFKA_BROKERS,
        dynamodb: env.DYNAMODB_ENDPOINT,
      }).toEqual({
        name,
        bus: 'kafka',
        kafka: 'kafka:29092',
        dynamodb: 'http://dynamodb:8000',
      });
    }
    const kafkaEnv = environmentOf(compose.services.kafka ?? {});
    expect(kafkaEnv.KAFKA_ADVERTISED_LISTENERS).toContain('INTERNAL://kafka:29092');
    expect(compose.services.dynamodb?.command).toEqual(expect.arrayContaining(['-port', '8000']));
    const gateway = environmentOf(compose.services.gateway ?? {});
    const upstreams = Object.entries(gateway).filter(([k]) => /^GATEWAY_UPSTREAM_.+_URL$/.test(k));
    expect(upstreams.length).toBeGreaterThan(0);
    for (const [variable, url] of upstreams) {
      const service = variable
        .replace(/^GATEWAY_UPSTREAM_|_URL$/g, '')
        .toLowerCase()
        .replace(/_/g, '-');
      expect(url).toBe(`http://${service}:${declaredPort(service)}`);
    }
  });

  it('when the observability profile is off, then no container exports traces; with it, they go to Jaeger', () => {
    const off = readCompose();
    const on = readCompose({ OTEL_TRACES_EXPORTER: 'otlp' });
    for (const [name] of tradeflowProcesses) {
      expect({ name, exporter: environmentOf(off.services[name] ?? {}).OTEL_TRACES_EXPORTER }).toEqual({
        name,
        exporter: 'none',
      });
      const env = environmentOf(on.services[name] ?? {});
      expect([env.OTEL_TRACES_EXPORTER, env.OTEL_EXPORTER_OTLP_ENDPOINT]).toEqual([
        'otlp',
        'http://jaeger:4318',
      ]);
    }
    expect(compose.services.jaeger?.profiles).toEqual(['observability']);
  });

  it('when Prometheus runs, then it scrapes /metrics of every service image on the port its config declares', () => {
    const config = parse(
      readFileSync(join(REPO_ROOT, 'scripts', 'compose', 'prometheus', 'prometheus.yml'), 'utf8'),
    ) as {
      scrape_configs: { job_name: string; metrics_path?: string; static_configs: { targets: string[] }[] }[];
    };
    const job = config.scrape_configs.find((j) => j.job_name === 'tradeflow');
    expect(job?.metrics_path ?? '/metrics').toBe('/metrics');
    const targets = (job?.static_configs ?? []).flatMap((c) => c.targets).sort();
    expect(targets).toEqual(
      serviceImages()
        .map((s) => `${s}:${declaredPort(s)}`)
        .sort(),
    );
  });

  it('when the image HEALTHCHECK looks for a service, then it probes the port variable and default port of its config', () => {
    const script = readFileSync(join(REPO_ROOT, 'scripts', 'ship', 'healthcheck.cjs'), 'utf8');
    for (const service of serviceImages()) {
      const declared = new RegExp(`['"]?${service}['"]?:\\s*(\\d+)`).exec(script)?.[1];
      expect({ service, port: Number(declared) }).toEqual({ service, port: declaredPort(service) });
    }
  });

  it('when a host folder or file is mounted, then it exists in the repository', () => {
    const missing: string[] = [];
    for (const [name, service] of services) {
      for (const volume of service.volumes ?? []) {
        const source = typeof volume === 'string' ? (volume.split(':')[0] ?? '') : (volume.source ?? '');
        if (!source.startsWith('.') && !source.startsWith('/')) continue;
        if (!existsSync(resolve(REPO_ROOT, source))) missing.push(`${name}: ${source}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('when the load profile runs k6, then its default script is one of tests/load', () => {
    const k6 = environmentOf(compose.services.k6 ?? {});
    const scripts = readdirSync(join(REPO_ROOT, 'tests', 'load')).filter((f) => f.endsWith('.ts'));
    expect(scripts).toContain(k6.K6_SCRIPT);
    expect(compose.services.k6?.profiles).toEqual(['load']);
    expect(dependenciesOf(compose.services.k6 ?? {})).toMatchObject({ gateway: 'service_healthy' });
  });
});
