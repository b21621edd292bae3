/** Turns `--target` names into the modules to run, dependencies first. */
import { ConfigError } from '../errors';
import type { ModuleDefinition } from './module';

/** The target meaning every module. */
export const ALL_TARGET = 'all';

/**
 * The `--target` names in argv (`--target=a,b`, `--target a,b`, repeatable); `['all']` when absent.
 * An empty value yields an empty list, which resolveModules reports.
 */
export function parseTargets(argv: readonly string[]): string[] {
  const values: string[] = [];
  let seen = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg.startsWith('--target=')) {
      values.push(arg.slice('--target='.length));
      seen = true;
    } else if (arg === '--target') {
      values.push(argv[i + 1] ?? '');
      seen = true;
      i++;
    }
  }
  if (!seen) return [ALL_TARGET];
  const names = values.flatMap((v) => v.split(',')).map((n) => n.trim());
  return [...new Set(names.filter((n) => n !== ''))];
}

/**
 * The modules the targets need, each after its dependencies. Unknown targets are a ConfigError that lists the
 * valid ones; duplicate names, unknown dependencies and cycles are programming errors (plain Error).
 */
export function resolveModules(
  modules: readonly ModuleDefinition[],
  targets: readonly string[],
): ModuleDefinition[] {
  const byName = new Map<string, ModuleDefinition>();
  for (const module of modules) {
    if (module.name === ALL_TARGET) throw new Error(`"${ALL_TARGET}" is reserved and cannot name a module`);
    if (byName.has(module.name)) throw new Error(`module "${module.name}" is defined twice`);
    byName.set(module.name, module);
  }
  for (const module of modules) {
    for (const dep of module.deps) {
      if (!byName.has(dep))
        throw new Error(`module "${module.name}" depends on "${dep}", which is not a module`);
    }
  }

  const valid = [ALL_TARGET, ...byName.keys()].join(', ');
  if (targets.length === 0) {
    throw new ConfigError([{ field: '--target', message: `is empty; valid targets: ${valid}` }]);
  }
  const unknown = targets.filter((t) => t !== ALL_TARGET && !byName.has(t));
  if (unknown.length > 0) {
    throw new ConfigError(
      unknown.map((t) => ({ field: '--target', message: `unknown module "${t}"; valid targets: ${valid}` })),
    );
  }

  // Depth-first post-order gives dependencies first; the path on the stack names a cycle when one closes.
  const ordered: ModuleDefinition[] = [];
  const done = new Set<string>();
  const visit = (name: string, path: string[]): void => {
    if (done.has(name)) return;
    if (path.includes(name)) {
      const cycle = [...path.slice(path.indexOf(name)), name];
      throw new Error(`module dependency cycle: ${cycle.join(' -> ')}`);
    }
    const module = byName.get(name);
    if (module === undefined) return;
    for (const dep of module.deps) visit(dep, [...path, name]);
    done.add(name);
    ordered.push(module);
  };
  // Every module is checked for cycles, even one the targets do not need: a cycle is a bug wherever it is.
  for (const name of byName.keys()) visit(name, []);

  const wanted = new Set<string>();
  const want = (name: string): void => {
    if (wanted.has(name)) return;
    wanted.add(name);
    for (const dep of byName.get(name)?.deps ?? []) want(dep);
  };
  for (const target of targets) {
    if (target === ALL_TARGET) byName.forEach((_m, name) => want(name));
    else want(target);
  }
  return ordered.filter((m) => wanted.has(m.name));
}

/** Every module `name` depends on, directly or not. */
export function transitiveDeps(modules: readonly ModuleDefinition[], name: string): Set<string> {
  const byName = new Map(modules.map((m) => [m.name, m]));
  const out = new Set<string>();
  const walk = (n: string): void => {
    for (const dep of byName.get(n)?.deps ?? []) {
      if (!out.has(dep)) {
        out.add(dep);
        walk(dep);
      }
    }
  };
  walk(name);
  return out;
}
