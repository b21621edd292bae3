/**
 * The production bundles of the images, built as the Dockerfile's build stage builds them
 * (scripts/ship/bundle-all.sh), and what a test needs to run one as its container would run.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { REPO_ROOT } from '../../support/paths';

/** The service images: every service with its own process, but the all-in-one (as bundle-all.sh lists them). */
export function serviceImages(): string[] {
  return readdirSync(join(REPO_ROOT, 'services'))
    .filter(
      (name) => name !== 'all-in-one' && existsSync(join(REPO_ROOT, 'services', name, 'src', 'main.ts')),
    )
    .sort();
}

/** Builds (or reuses, when the build context is unchanged) the bundles of `images`; returns their folder. */
export function buildBundles(images: readonly string[], timeoutMs: number): string {
  const result = spawnSync(join(REPO_ROOT, 'scripts', 'ship', 'bundle-all.sh'), [...images], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: timeoutMs,
  });
  if (result.status !== 0) {
    throw new Error(
      `scripts/ship/bundle-all.sh failed (${result.signal ?? `exit ${result.status}`}); see above`,
    );
  }
  return result.stdout.trim().split('\n').pop() ?? '';
}

/** A port nothing listens on right now, on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The variable a service reads its HTTP port from (serviceHttpEnv's convention): TRADES_HTTP_PORT, ... */
export function portVariable(service: string): string {
  return `${service.toUpperCase().replace(/-/g, '_')}_HTTP_PORT`;
}

/** A started process with its output kept for failure messages. */
export interface Started {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  exited: Promise<number | string>;
}

/** Starts `command` (the first element `node` means this Node) in `cwd` with exactly `env`. */
export function start(command: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Started {
  const [program = '', ...args] = command;
  const child = spawn(program === 'node' ? process.execPath : program, args, {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  return { child, output: () => output, exited };
}

/** The lockfile's packages (`node_modules/x`, `services/a/node_modules/y`) with their dev flag. */
export function lockPackages(): Record<string, { dev?: boolean; link?: boolean }> {
  const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean; link?: boolean }>;
  };
  return lock.packages;
}

/** Every installed package under `root` as its lockfile key, and the workspace links (name -> target). */
export function installedPackages(root: string): { packages: string[]; links: Record<string, string> } {
  const packages: string[] = [];
  const links: Record<string, string> = {};
  const visit = (prefix: string): void => {
    const dir = join(root, prefix, 'node_modules');
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const names = entry.name.startsWith('@')
        ? readdirSync(join(dir, entry.name)).map((n) => `${entry.name}/${n}`)
        : [entry.name];
      for (const name of names) {
        const key = `${prefix}node_modules/${name}`;
        if (lstatSync(join(root, key)).isSymbolicLink()) {
          links[name] = key;
          continue;
        }
        packages.push(key);
        visit(`${key}/`);
      }
    }
  };
  visit('');
  for (const service of existsSync(join(root, 'services')) ? readdirSync(join(root, 'services')) : []) {
    visit(`services/${service}/`);
  }
  return { packages, links };
}

/** Every file under `dir` (relative paths), links not followed. */
export function filesUnder(dir: string): string[] {
  const files: string[] = [];
  const walk = (rel: string): void => {
    for (const entry of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const path = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else files.push(path);
    }
  };
  walk('');
  return files;
}

/** The @tradeflow workspaces `service` needs at run time: itself and its dependencies, transitively. */
export function workspaceClosure(services: readonly string[]): string[] {
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'services', name, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    for (const dep of Object.keys(pkg.dependencies ?? {})) {
      if (dep.startsWith('@tradeflow/')) visit(dep.slice('@tradeflow/'.length));
    }
  };
  services.forEach(visit);
  return [...seen].sort();
}
