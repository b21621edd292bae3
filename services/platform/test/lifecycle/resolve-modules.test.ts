import { ConfigError } from '../../src/errors';
import { parseTargets, resolveModules, type ModuleDefinition } from '../../src/lifecycle';

const mod = (name: string, deps: string[] = []): ModuleDefinition => ({ name, deps, init: () => ({}) });
const names = (modules: ModuleDefinition[]) => modules.map((m) => m.name);

// store ← bus ← trades ← gateway; store ← validation; metrics stands alone.
const modules = [
  mod('gateway', ['trades']),
  mod('trades', ['bus', 'store']),
  mod('validation', ['bus']),
  mod('bus'),
  mod('store'),
  mod('metrics'),
];

describe('parseTargets', () => {
  it('when no --target is given, then the target is all', () => {
    expect(parseTargets(['--verbose'])).toEqual(['all']);
  });

  it('when --target=a,b is given, then both names come back trimmed, in order', () => {
    expect(parseTargets(['--target=trades, validation'])).toEqual(['trades', 'validation']);
  });

  it('when --target is repeated or given as two arguments, then the names are merged without duplicates', () => {
    expect(parseTargets(['--target', 'trades', 'x', '--target=validation,trades'])).toEqual([
      'trades',
      'validation',
    ]);
  });

  it('when --target is empty, then the list is empty', () => {
    expect(parseTargets(['--target='])).toEqual([]);
    expect(parseTargets(['--target'])).toEqual([]);
  });
});

describe('resolveModules', () => {
  it('when the target is all, then every module comes after its dependencies', () => {
    const order = names(resolveModules(modules, ['all']));
    expect(order).toHaveLength(modules.length);
    for (const m of modules) {
      for (const dep of m.deps) expect(order.indexOf(dep)).toBeLessThan(order.indexOf(m.name));
    }
  });

  it('when a target is named, then only it and its transitive dependencies are resolved', () => {
    expect(names(resolveModules(modules, ['gateway']))).toEqual(['bus', 'store', 'trades', 'gateway']);
    expect(names(resolveModules(modules, ['validation', 'metrics']))).toEqual([
      'bus',
      'validation',
      'metrics',
    ]);
  });

  it('when a target is unknown, then a ConfigError names it and lists the valid targets', () => {
    let error: unknown;
    try {
      resolveModules(modules, ['trades', 'nope', 'nada']);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toEqual([
      {
        field: '--target',
        message:
          'unknown module "nope"; valid targets: all, gateway, trades, validation, bus, store, metrics',
      },
      {
        field: '--target',
        message:
          'unknown module "nada"; valid targets: all, gateway, trades, validation, bus, store, metrics',
      },
    ]);
  });

  it('when no target is given, then a ConfigError lists the valid targets', () => {
    expect(() => resolveModules(modules, [])).toThrow(/--target: is empty; valid targets: all, gateway/);
  });

  it('when the dependencies form a cycle, then the error shows the cycle', () => {
    const cyclic = [mod('a', ['b']), mod('b', ['c']), mod('c', ['a']), mod('d')];
    expect(() => resolveModules(cyclic, ['d'])).toThrow('module dependency cycle: a -> b -> c -> a');
  });

  it('when a module depends on a module that does not exist, then the error names both', () => {
    expect(() => resolveModules([mod('a', ['ghost'])], ['all'])).toThrow(
      'module "a" depends on "ghost", which is not a module',
    );
  });

  it('when two modules share a name or one is called all, then resolving fails', () => {
    expect(() => resolveModules([mod('a'), mod('a')], ['all'])).toThrow('module "a" is defined twice');
    expect(() => resolveModules([mod('all')], ['all'])).toThrow('"all" is reserved');
  });
});
