/**
 * k8s/manifests/ is generated from the chart (scripts/ship/k8s-generate.sh with k8s/values.yaml): regenerating
 * into a temporary directory must give exactly the committed files.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/paths';
import { helmPath, HELM_BUILD_TIMEOUT_MS } from './helm-support';

const COMMITTED = join(REPO_ROOT, 'k8s', 'manifests');
const FIX = 'run scripts/ship/k8s-generate.sh (make k8s) and commit k8s/manifests';

let work: string;

beforeAll(() => {
  helmPath();
  work = mkdtempSync(join(tmpdir(), 'tradeflow-k8s-sync-'));
}, HELM_BUILD_TIMEOUT_MS);

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe('k8s/manifests', () => {
  it('when regenerated from the chart, then the files and their contents equal what is committed', () => {
    const fresh = join(work, 'manifests');
    execFileSync(join(REPO_ROOT, 'scripts', 'ship', 'k8s-generate.sh'), [fresh], { stdio: 'pipe' });

    const files = readdirSync(fresh).sort();
    expect({ files: readdirSync(COMMITTED).sort(), fix: FIX }).toEqual({ files, fix: FIX });
    for (const file of files) {
      const committed = readFileSync(join(COMMITTED, file), 'utf8');
      expect({ file, same: committed === readFileSync(join(fresh, file), 'utf8'), fix: FIX }).toEqual({
        file,
        same: true,
        fix: FIX,
      });
    }
    expect(files).toEqual(
      expect.arrayContaining(['components.yaml', 'networkpolicies.yaml', 'init-job.yaml']),
    );
  });

  it('when read, then the plain manifests carry no credentials and no helm test pod', () => {
    const all = readdirSync(COMMITTED)
      .map((f) => readFileSync(join(COMMITTED, f), 'utf8'))
      .join('\n');
    expect(all).not.toMatch(/^kind: Secret$/m);
    expect(all).not.toContain('helm.sh/hook: test');
    expect(all).toContain('name: tradeflow-credentials');
  });
});
