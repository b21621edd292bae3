import { EventEmitter } from 'node:events';
import { ConfigError } from '../../src/errors';
import { runProcess, type ModuleDefinition, type RunProcessOptions } from '../../src/lifecycle';
import { createLogger } from '../../src/log';

/** A runner wired to a fake process: its own event emitter, an exit that records, in-memory log and stderr. */
function harness(modules: ModuleDefinition[], overrides: Partial<RunProcessOptions> = {}) {
  const events = new EventEmitter();
  const lines: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  const exits: number[] = [];
  const logger = createLogger({
    service: 'test',
    destination: { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
  });
  const run = runProcess({
    service: 'trades',
    modules,
    argv: [],
    logger,
    shutdownTimeoutMs: 2000,
    exit: (code) => exits.push(code),
    events,
    stderr: { write: (text) => stderr.push(text) },
    ...overrides,
  });
  return { run, events, lines, stderr, exits };
}

/** A module that records its start and stop in `log`. */
function recorded(
  log: string[],
  name: string,
  deps: string[] = [],
  stop?: () => Promise<void>,
): ModuleDefinition {
  return {
    name,
    deps,
    init: () => ({
      start: () => {
        log.push(`start:${name}`);
        return Promise.resolve();
      },
      stop:
        stop ??
        (() => {
          log.push(`stop:${name}`);
          return Promise.resolve();
        }),
    }),
  };
}

describe('runProcess', () => {
  it('when SIGTERM arrives, then readiness turns false at once, modules stop in reverse and the exit is 0', async () => {
    const log: string[] = [];
    const h = harness([recorded(log, 'bus'), recorded(log, 'api', ['bus'])]);
    expect(await h.run.started).toBe(true);
    expect(h.run.manager?.readiness().ready).toBe(true);

    h.events.emit('SIGTERM');
    expect(h.run.manager?.readiness().ready).toBe(false);

    expect(await h.run.exited).toBe(0);
    expect(log).toEqual(['start:bus', 'start:api', 'stop:api', 'stop:bus']);
    expect(h.exits).toEqual([0]);
    expect(h.lines.find((l) => l.msg === 'shutting down')).toMatchObject({ reason: 'received SIGTERM' });
    // Listeners are gone, so the process (or the next test) is left as it was.
    expect(h.events.eventNames()).toEqual([]);
  });

  it('when --target names some modules, then only those and their dependencies start', async () => {
    const log: string[] = [];
    const h = harness(
      [recorded(log, 'bus'), recorded(log, 'api', ['bus']), recorded(log, 'worker', ['bus'])],
      {
        argv: ['--target=worker'],
      },
    );
    await h.run.started;
    expect(log).toEqual(['start:bus', 'start:worker']);
    await h.run.shutdown('test over');
  });

  it('when --target names an unknown module, then the valid ones are printed and the exit is 78', async () => {
    const h = harness([recorded([], 'bus')], { argv: ['--target=bsu'] });
    expect(await h.run.exited).toBe(78);
    expect(h.stderr.join('')).toBe(
      'trades: invalid configuration, not starting:\n  - --target: unknown module "bsu"; valid targets: all, bus\n',
    );
  });

  it('when a module init throws a ConfigError, then started modules stop, the message is printed and the exit is 78', async () => {
    const log: string[] = [];
    const h = harness([
      recorded(log, 'bus'),
      {
        name: 'trades',
        deps: ['bus'],
        init: () => {
          throw new ConfigError([
            { field: 'KAFKA_BROKERS', message: '"kafka:abc" is not a host:port list' },
            { field: 'HTTP_PORT', message: 'is required' },
          ]);
        },
      },
    ]);
    expect(await h.run.started).toBe(false);
    expect(await h.run.exited).toBe(78);
    expect(log).toEqual(['start:bus', 'stop:bus']);
    expect(h.stderr).toEqual([
      'trades: invalid configuration, not starting:\n' +
        '  - KAFKA_BROKERS: "kafka:abc" is not a host:port list\n' +
        '  - HTTP_PORT: is required\n',
    ]);
    expect(JSON.stringify(h.lines)).not.toContain('    at ');
  });

  it('when a running module fails, then every module stops and the exit is 1', async () => {
    const log: string[] = [];
    let crash: (err: Error) => void = () => undefined;
    const h = harness([
      recorded(log, 'bus'),
      {
        name: 'validation',
        deps: ['bus'],
        init: () => ({ failed: new Promise<never>((_resolve, reject) => (crash = reject)) }),
      },
    ]);
    await h.run.started;
    crash(new Error('consumer crashed'));
    expect(await h.run.exited).toBe(1);
    expect(log).toEqual(['start:bus', 'stop:bus']);
    expect(h.lines.find((l) => l.msg === 'shutting down')).toMatchObject({
      reason: 'module "validation" failed while running: consumer crashed',
    });
  });

  it('when a stop hangs past the shutdown timeout, then the exit is 1 and the log names the module', async () => {
    const log: string[] = [];
    const h = harness(
      [
        recorded(log, 'bus'),
        recorded(log, 'store', [], () => new Promise(() => undefined)),
        recorded(log, 'api', ['bus', 'store']),
      ],
      { shutdownTimeoutMs: 50 },
    );
    await h.run.started;
    h.events.emit('SIGTERM');
    expect(await h.run.exited).toBe(1);
    expect(log).toEqual(['start:bus', 'start:store', 'start:api', 'stop:api']);
    expect(h.lines.find((l) => l.level === 'error')).toMatchObject({
      modules: ['store'],
      msg: 'shutdown timed out after 50 ms waiting for module "store"',
    });
  });

  it.each(['uncaughtException', 'unhandledRejection'])(
    'when the process reports %s, then it is logged as fatal, modules stop and the exit is 1',
    async (event) => {
      const log: string[] = [];
      const h = harness([recorded(log, 'bus')]);
      await h.run.started;
      h.events.emit(event, new Error('boom'));
      expect(await h.run.exited).toBe(1);
      expect(log).toEqual(['start:bus', 'stop:bus']);
      expect(h.lines.find((l) => l.level === 'fatal')).toMatchObject({ err: { message: 'boom' } });
    },
  );

  it('when a second signal arrives during shutdown, then the process exits 1 without waiting', async () => {
    const h = harness([recorded([], 'store', [], () => new Promise(() => undefined))], {
      shutdownTimeoutMs: 60_000,
    });
    await h.run.started;
    h.events.emit('SIGTERM');
    h.events.emit('SIGINT');
    expect(await h.run.exited).toBe(1);
    expect(h.exits).toEqual([1]);
  });

  it('when a module fails to start, then the failure is logged as fatal and the exit is 1', async () => {
    const h = harness([
      { name: 'http', deps: [], init: () => ({ start: () => Promise.reject(new Error('EADDRINUSE')) }) },
    ]);
    expect(await h.run.exited).toBe(1);
    expect(h.lines.find((l) => l.level === 'fatal')).toMatchObject({
      msg: 'failed to start',
      module: 'http',
      phase: 'start',
      err: { message: 'EADDRINUSE' },
    });
  });
});
