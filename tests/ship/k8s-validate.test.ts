/**
 * Every manifest the chart renders (each values file, blue/green on) and every file of k8s/manifests/, validated
 * offline against the Kubernetes API schemas of each version in versions.env KUBERNETES_VERSIONS, with
 * PyPI's kubernetes-validate --strict (scripts/ship/k8s-validate.sh; installed once into a venv under .cache).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/paths';
import {
  helm,
  helmPath,
  HELM_BUILD_TIMEOUT_MS,
  readVersions,
  run,
  templateArgs,
  VALUES_FILES,
} from './helm-support';

const VALIDATE = join(REPO_ROOT, 'scripts', 'ship', 'k8s-validate.sh');
const K8S_DIR = join(REPO_ROOT, 'k8s', 'manifests');
/** The first pip install downloads a few packages; later runs find the venv. */
const INSTALL_TIMEOUT_MS = 5 * 60_000;

let work: string;

beforeAll(() => {
  helmPath();
  execFileSync(VALIDATE, ['--path'], { stdio: ['ignore', 'ignore', 'inherit'], timeout: INSTALL_TIMEOUT_MS });
  work = mkdtempSync(join(tmpdir(), 'tradeflow-k8s-validate-'));
}, HELM_BUILD_TIMEOUT_MS + INSTALL_TIMEOUT_MS);

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

/** Writes `text` to a file in the work directory and returns its path. */
function save(name: string, text: string): string {
  const file = join(work, name);
  writeFileSync(file, text);
  return file;
}

describe('kubernetes-validate --strict', () => {
  const versions = (readVersions().KUBERNETES_VERSIONS ?? '').split(/\s+/).filter(Boolean);

  it('when versions.env is read, then it names at least two Kubernetes versions to validate against', () => {
    expect(versions.length).toBeGreaterThanOrEqual(2);
    for (const v of versions) expect(v).toMatch(/^1\.\d+$/);
  });

  it('when every rendering of the chart and every file of k8s/manifests is validated, then all pass against every version', () => {
    const files = VALUES_FILES.map((valuesFile) =>
      save(`chart-${valuesFile}`, helm(templateArgs({ valuesFile, kubeVersion: versions[0] }))),
    );
    // Blue/green and the optional pieces (Ingress with TLS, JWT secret, kafka persistence) render other objects.
    files.push(
      save(
        'chart-options.yaml',
        helm(
          templateArgs({
            set: {
              'componentDefaults.blueGreen.enabled': 'true',
              'components.gateway.blueGreen.active': 'green',
              'ingress.enabled': 'true',
              'ingress.host': 'tradeflow.example.com',
              'ingress.tls[0].secretName': 'tls',
              'ingress.tls[0].hosts[0]': 'tradeflow.example.com',
              'gateway.jwt.issuer': 'https://issuer.example.com',
              'gateway.jwt.audience': 'tradeflow',
              'kafka.persistence.enabled': 'true',
              'credentials.awsAccessKeyId': 'AKIAEXAMPLE',
              'credentials.awsSecretAccessKey': 'secret',
            },
          }),
        ),
      ),
    );
    files.push(...readdirSync(K8S_DIR).map((f) => join(K8S_DIR, f)));

    const result = run(VALIDATE, files);

    expect(result.stderr).not.toMatch(/ERROR|WARN|FATAL/);
    expect(result.status).toBe(0);
    for (const v of versions)
      expect(result.stderr).toContain(`${files.length} file(s) valid against Kubernetes ${v} (strict)`);
  });

  it('when a manifest has an unknown field or an unknown kind, then validation fails and names it', () => {
    const bad = save(
      'bad.yaml',
      [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata: { name: typo }',
        'spec:',
        '  replicas: 1',
        '  selector: { matchLabels: { app: x } }',
        '  template:',
        '    metadata: { labels: { app: x } }',
        '    spec:',
        '      containers: [{ name: x, image: x, imagePullPolicy: IfNotPresent, resource: {} }]',
        '---',
        'apiVersion: apps/v1',
        'kind: Deploymnet',
        'metadata: { name: kind-typo }',
      ].join('\n'),
    );

    const result = run(VALIDATE, [bad]);

    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/ERROR .*deployment\/typo.*'resource' was unexpected/);
    expect(result.stderr).toMatch(/WARN .*Deploymnet/);
  });
});
