import { ConfigError, UnavailableError } from '../../src/errors';
import {
  ModuleFailedError,
  ModuleManager,
  type InitContext,
  type ModuleDefinition,
  type ModuleService,
} from '../../src/lifecycle';

/** Records every init/start/stop as "<phase>:<module>". */
class Recorder {
  readonly events: string[] = [];

  module(
    name: string,
    deps: string[] = [],
    overrides: Partial<ModuleService> & { onInit?: (ctx: InitContext) => void } = {},
  ): ModuleDefinition {
    const { onInit, ...service } = overrides;
    return {
      name,
      deps,
      init: (ctx) => {
        this.events.push(`init:${name}`);
        onInit?.(ctx);
        return {
          value: `${name}-value`,
          start: async () => {
            this.events.push(`start:${name}`);
            await Promise.resolve();
          },
          stop: async () => {
            this.events.push(`stop:${name}`);
            await Promise.resolve();
          },
          ...service,
        };
      },
    };
  }
}

/** A promise plus the function that rejects it: a module's `failed` under the test's control. */
function deferredFailure() {
  let reject: (err: Error) => void = () => undefined;
  const promise = new Promise<never>((_resolve, r) => (reject = r));
  return { promise, reject };
}

/** Waits until `condition` holds, polling, or fails after a deadline. */
async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('ModuleManager', () => {
  it('when started, then modules init and start after their dependencies, and stop in reverse', async () => {
    const r = new Recorder();
    // A diamond: api needs trades and validation, both need bus.
    const manager = new ModuleManager([
      r.module('api', ['trades', 'validation']),
      r.module('trades', ['bus']),
      r.module('validation', ['bus']),
      r.module('bus'),
    ]);
    await manager.start();
    expect(r.events).toEqual([
      'init:bus',
      'start:bus',
      'init:trades',
      'start:trades',
      'init:validation',
      'start:validation',
      'init:api',
      'start:api',
    ]);
    r.events.length = 0;
    await manager.stop();
    expect(r.events).toEqual(['stop:api', 'stop:validation', 'stop:trades', 'stop:bus']);
    expect(manager.liveness().modules).toEqual({
      bus: 'terminated',
      trades: 'terminated',
      validation: 'terminated',
      api: 'terminated',
    });
  });

  it('when only some targets are asked for, then only they and their dependencies run', async () => {
    const r = new Recorder();
    const manager = new ModuleManager(
      [r.module('api', ['bus']), r.module('bus'), r.module('worker', ['bus'])],
      {
        targets: ['worker'],
      },
    );
    await manager.start();
    expect(manager.moduleNames).toEqual(['bus', 'worker']);
    expect(r.events).not.toContain('init:api');
  });

  it('when a module asks for a dependency, then it gets its value; for a non-dependency, an error', async () => {
    const r = new Recorder();
    const seen: unknown[] = [];
    const manager = new ModuleManager([
      r.module('store'),
      r.module('bus'),
      r.module('trades', ['bus']),
      r.module('api', ['trades'], {
        onInit: (ctx) => {
          seen.push(ctx.get<string>('bus'), ctx.get<string>('trades'));
          expect(() => ctx.get('store')).toThrow(
            'module "api" asked for "store", which is not among its dependencies',
          );
        },
      }),
    ]);
    await manager.start();
    expect(seen).toEqual(['bus-value', 'trades-value']);
  });

  it('when modules are starting, running and stopping, then readiness is true only while all run', async () => {
    const r = new Recorder();
    const observed: boolean[] = [];
    const ready = () => manager.readiness().ready;
    const manager: ModuleManager = new ModuleManager([
      r.module('bus'),
      r.module('api', ['bus'], {
        start: () => {
          observed.push(ready());
          return Promise.resolve();
        },
        stop: () => {
          observed.push(ready());
          return Promise.resolve();
        },
      }),
    ]);
    expect(manager.readiness()).toEqual({ ready: false, modules: { bus: 'new', api: 'new' } });
    await manager.start();
    expect(manager.readiness()).toEqual({ ready: true, modules: { bus: 'running', api: 'running' } });
    const stopping = manager.stop();
    // False from the moment shutdown begins, while every module still runs.
    expect(manager.readiness()).toEqual({ ready: false, modules: { bus: 'running', api: 'running' } });
    await stopping;
    expect(observed).toEqual([false, false]);
    expect(manager.liveness().alive).toBe(true);
  });

  it('when a module fails to start, then the started ones stop in reverse, later ones never init', async () => {
    const r = new Recorder();
    const manager = new ModuleManager([
      r.module('bus'),
      r.module('store'),
      r.module('trades', ['bus', 'store'], { start: () => Promise.reject(new Error('port in use')) }),
      r.module('api', ['trades']),
    ]);
    const err = await manager.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModuleFailedError);
    expect(err).toMatchObject({
      module: 'trades',
      phase: 'start',
      message: 'module "trades" failed to start: port in use',
    });
    await manager.stop();
    expect(r.events).toEqual([
      'init:bus',
      'start:bus',
      'init:store',
      'start:store',
      'init:trades',
      'stop:store',
      'stop:bus',
    ]);
    expect(manager.liveness()).toEqual({
      alive: false,
      modules: { bus: 'terminated', store: 'terminated', trades: 'failed', api: 'terminated' },
    });
    expect(manager.failure).toBe(err);
  });

  it('when a module init throws a ConfigError, then the failure keeps it as its cause', async () => {
    const r = new Recorder();
    const configError = new ConfigError([{ field: 'TRADES_TABLE', message: 'is required' }]);
    const manager = new ModuleManager([
      r.module('bus'),
      {
        name: 'trades',
        deps: ['bus'],
        init: () => {
          throw configError;
        },
      },
    ]);
    const err = await manager.start().catch((e: unknown) => e);
    expect(err).toMatchObject({ module: 'trades', phase: 'init', cause: configError });
    await manager.stop();
    expect(r.events).toEqual(['init:bus', 'start:bus', 'stop:bus']);
  });

  it('when a running module fails, then the failure is reported and every module is stopped', async () => {
    const r = new Recorder();
    const consumer = deferredFailure();
    const manager = new ModuleManager([
      r.module('bus'),
      r.module('validation', ['bus'], { failed: consumer.promise }),
      r.module('api', ['validation']),
    ]);
    const failures: ModuleFailedError[] = [];
    manager.onFailure((f) => failures.push(f));
    await manager.start();
    r.events.length = 0;

    consumer.reject(new Error('consumer crashed'));
    await until(() => manager.readiness().modules.bus === 'terminated');

    expect(failures.map((f) => f.message)).toEqual([
      'module "validation" failed while running: consumer crashed',
    ]);
    // The failed module still gets stop() so it can release its connections.
    expect(r.events).toEqual(['stop:api', 'stop:validation', 'stop:bus']);
    expect(manager.readiness()).toEqual({
      ready: false,
      modules: { bus: 'terminated', validation: 'failed', api: 'terminated' },
    });
    expect(manager.liveness().alive).toBe(false);
  });

  it('when a module without a failed promise starts slowly, then its dependants start only after it', async () => {
    const recorder = new Recorder();
    let release = (): void => undefined;
    const slow = recorder.module('slow', [], {
      start: () =>
        new Promise<void>((resolve) => (release = resolve)).then(
          () => void recorder.events.push('started:slow'),
        ),
    });
    const manager = new ModuleManager([slow, recorder.module('after', ['slow'])]);
    const started = manager.start();
    await until(() => recorder.events.includes('init:slow'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(recorder.events).toEqual(['init:slow']);
    release();
    await started;
    expect(recorder.events).toEqual(['init:slow', 'started:slow', 'init:after', 'start:after']);
    await manager.stop();
  });

  it('when a module dies while starting, then start fails instead of waiting for it', async () => {
    const r = new Recorder();
    const manager = new ModuleManager([
      r.module('bus', [], {
        start: () => new Promise(() => undefined),
        failed: Promise.reject(new Error('broker refused')),
      }),
    ]);
    await expect(manager.start()).rejects.toThrow('module "bus" failed to start: broker refused');
  });

  it('when one stop throws, then the others still stop and the failure is recorded', async () => {
    const r = new Recorder();
    const manager = new ModuleManager([
      r.module('bus'),
      r.module('store', [], { stop: () => Promise.reject(new Error('socket hang up')) }),
      r.module('api', ['bus', 'store']),
    ]);
    await manager.start();
    r.events.length = 0;
    await manager.stop();
    expect(r.events).toEqual(['stop:api', 'stop:bus']);
    expect(manager.failure?.message).toBe('module "store" failed to stop: socket hang up');
    expect(manager.liveness().modules).toEqual({ bus: 'terminated', store: 'failed', api: 'terminated' });
  });

  it('when stop is called while a module starts, then it finishes starting, is stopped, and nothing after it starts', async () => {
    const r = new Recorder();
    let finishStart: () => void = () => undefined;
    const manager = new ModuleManager([
      r.module('bus', [], { start: () => new Promise<void>((resolve) => (finishStart = resolve)) }),
      r.module('api', ['bus']),
    ]);
    const starting = manager.start();
    await until(() => manager.pendingModules().includes('bus'));
    const stopping = manager.stop();
    finishStart();
    await expect(starting).rejects.toBeInstanceOf(UnavailableError);
    await stopping;
    expect(r.events).toEqual(['init:bus', 'stop:bus']);
    expect(manager.readiness().modules).toEqual({ bus: 'terminated', api: 'terminated' });
  });

  it('when stop is called twice, then each module stops once', async () => {
    const r = new Recorder();
    const manager = new ModuleManager([r.module('bus')]);
    await manager.start();
    await Promise.all([manager.stop(), manager.stop()]);
    expect(r.events.filter((e) => e.startsWith('stop:'))).toEqual(['stop:bus']);
  });
});
