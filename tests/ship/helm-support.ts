/**
 * What the chart suites share: Helm (built once from the Go module proxy by scripts/ship/helm.sh and cached in
 * .cache/bin), rendering the chart into parsed objects, and the pins of versions.env.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT } from '../support/paths';

/** The chart's directory. */
export const CHART_DIR = join(REPO_ROOT, 'charts', 'tradeflow');

/** Every values file users install with; each must lint, render and validate. */
export const VALUES_FILES = [
  'values.yaml',
  'values-kind.yaml',
  'values-minikube.yaml',
  'values-external.yaml',
];

/** Helm's first build takes minutes on a fresh machine; later calls find it in .cache/bin. */
export const HELM_BUILD_TIMEOUT_MS = 15 * 60_000;

/** A rendered Kubernetes object, loosely typed: the suites read the fields they check. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  [field: string]: unknown;
}

let helmBinary: string | undefined;

/** The path of the pinned Helm, building it on first use. */
export function helmPath(): string {
  helmBinary ??= execFileSync(join(REPO_ROOT, 'scripts', 'ship', 'helm.sh'), {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: HELM_BUILD_TIMEOUT_MS,
  }).trim();
  return helmBinary;
}

/** The outcome of a command: its exit status and both streams. */
export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs a command without throwing on a non-zero exit. */
export function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): RunResult {
  const result = spawnSync(command, args, { encoding: 'utf8', env, maxBuffer: 64 << 20 });
  if (result.error !== undefined) return { status: 127, stdout: '', stderr: result.error.message };
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

/** Runs helm and returns stdout; throws with helm's own message when it fails. */
export function helm(args: string[]): string {
  const result = run(helmPath(), args);
  if (result.status !== 0) throw new Error(`helm ${args.join(' ')} failed:\n${result.stderr}`);
  return result.stdout;
}

/** Options of one render: a values file of the chart, `--set` pairs, the Kubernetes version to assume. */
export interface RenderOptions {
  valuesFile?: string;
  set?: Record<string, string>;
  kubeVersion?: string;
  release?: string;
}

/** The `helm template` arguments for `options` (also used to render into files). */
export function templateArgs(options: RenderOptions = {}): string[] {
  const args = ['template', options.release ?? 'tradeflow', CHART_DIR];
  if (options.valuesFile !== undefined) args.push('--values', join(CHART_DIR, options.valuesFile));
  for (const [key, value] of Object.entries(options.set ?? {})) args.push('--set', `${key}=${value}`);
  if (options.kubeVersion !== undefined) args.push('--kube-version', options.kubeVersion);
  return args;
}

/** Parses a multi-document YAML stream into its objects (empty documents dropped). */
export function parseManifests(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`rendered YAML does not parse: ${doc.errors[0]?.message}`);
      return doc.toJS() as K8sObject | null;
    })
    .filter((o): o is K8sObject => o !== null && typeof o === 'object');
}

/** `helm template` of the chart, parsed. */
export function render(options: RenderOptions = {}): K8sObject[] {
  return parseManifests(helm(templateArgs(options)));
}

/** The one object of `kind` named `name`; throws naming what exists when there is none. */
export function find(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (found === undefined) {
    const names = objects.filter((o) => o.kind === kind).map((o) => o.metadata.name);
    throw new Error(`no ${kind} ${name}; there are: ${names.join(', ') || 'none'}`);
  }
  return found;
}

/** The pins of versions.env (`NAME=value`, quotes removed). */
export function readVersions(): Record<string, string> {
  const pins: Record<string, string> = {};
  for (const line of readFileSync(join(REPO_ROOT, 'versions.env'), 'utf8').split('\n')) {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match?.[1] !== undefined && match[2] !== undefined)
      pins[match[1]] = match[2].replace(/^(["'])(.*)\1$/, '$2');
  }
  return pins;
}
