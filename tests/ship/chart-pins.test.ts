/**
 * The chart pins the same versions as versions.env, the one source of truth: Kafka, DynamoDB Local and Jaeger
 * image tags (values files, Chart.yaml's image list, k8s/manifests), the Node release of the images, and the
 * Tradeflow release (appVersion = the root package.json version).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../support/paths';
import { CHART_DIR, readVersions, VALUES_FILES } from './helm-support';

interface ImageValues {
  image?: { repository?: string; tag?: string };
}
interface ChartValues {
  kafka?: ImageValues;
  dynamodb?: ImageValues;
  jaeger?: ImageValues;
}
interface ChartYaml {
  appVersion: string;
  annotations: Record<string, string>;
}

const versions = readVersions();
const chart = parse(readFileSync(join(CHART_DIR, 'Chart.yaml'), 'utf8')) as ChartYaml;
const packageVersion = (
  JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }
).version;

/** Repository and the versions.env variable that pins its tag. */
const PINNED: { key: keyof ChartValues; repository: string; pin: string }[] = [
  { key: 'kafka', repository: 'apache/kafka', pin: 'KAFKA_VERSION' },
  { key: 'dynamodb', repository: 'amazon/dynamodb-local', pin: 'DYNAMODB_LOCAL_VERSION' },
  { key: 'jaeger', repository: 'jaegertracing/all-in-one', pin: 'JAEGER_VERSION' },
];

describe('chart pins', () => {
  it.each(PINNED)(
    'when a values file sets the $key image, then its tag is versions.env $pin',
    ({ key, repository, pin }) => {
      expect(versions[pin]).toMatch(/^\d+\.\d+\.\d+$/);
      let seen = 0;
      for (const file of VALUES_FILES) {
        const image = (parse(readFileSync(join(CHART_DIR, file), 'utf8')) as ChartValues)[key]?.image;
        if (image === undefined) continue;
        seen += 1;
        expect({ file, repository: image.repository, tag: image.tag }).toEqual({
          file,
          repository,
          tag: versions[pin],
        });
      }
      expect(seen).toBeGreaterThanOrEqual(1);
    },
  );

  it("when Chart.yaml lists its images, then every third-party tag is versions.env's and every Tradeflow tag is appVersion", () => {
    const images = parse(chart.annotations['artifacthub.io/images'] ?? '[]') as {
      name: string;
      image: string;
    }[];
    const byRepository = new Map(images.map((i) => [i.image.slice(0, i.image.lastIndexOf(':')), i.image]));
    for (const { repository, pin } of PINNED)
      expect(byRepository.get(repository)).toBe(`${repository}:${versions[pin]}`);
    for (const name of ['gateway', 'trades', 'validation', 'reference-data', 'init']) {
      expect(byRepository.get(`tradeflow/${name}`)).toBe(`tradeflow/${name}:${chart.appVersion}`);
    }
  });

  it('when the chart names the Node release of its images, then it is versions.env NODE_VERSION', () => {
    expect(chart.annotations['tradeflow.io/node-version']).toBe(versions.NODE_VERSION);
  });

  it('when the chart tags the Tradeflow images, then appVersion is the root package.json version', () => {
    expect(chart.appVersion).toBe(packageVersion);
  });

  it('when k8s/manifests runs third-party images, then each is at its versions.env pin', () => {
    const dir = join(REPO_ROOT, 'k8s', 'manifests');
    const text = readdirSync(dir)
      .map((f) => readFileSync(join(dir, f), 'utf8'))
      .join('\n');
    const images = [...text.matchAll(/^\s*image: "?([^"\s]+)"?$/gm)].map((m) => m[1]);
    for (const { repository, pin } of PINNED) {
      expect(images.filter((i) => i?.startsWith(`${repository}:`))).toEqual([
        `${repository}:${versions[pin]}`,
      ]);
    }
  });
});
