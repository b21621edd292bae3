/** A compiled service started as its own Node process for suites that run whole shapes (e2e, observability). */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { eventually } from './eventually';
import { REPO_ROOT } from './paths';

const START_TIMEOUT_MS = 90_000;
const STOP_GRACE_MS = 15_000;
/** Preloaded into long-running children: they exit when this test process dies (their stdin closes). */
const EXIT_WITH_PARENT = join(REPO_ROOT, 'tests', 'e2e', 'support', 'exit-with-parent.cjs');

/** A free TCP port on 127.0.0.1 (free a moment ago). */
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

/** The compiled entry point of a service. */
export function mainOf(service: string): string {
  return join(REPO_ROOT, 'services', service, 'dist', 'main.js');
}

/** One spawned Node process running a compiled script; its output goes to `logFile`. */
export class ServiceProcess {
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  /** `oneShot`: a command that ends by itself (no stdin watch, which would keep it alive). */
  constructor(
    readonly name: string,
    main: string,
    env: NodeJS.ProcessEnv,
    readonly logFile: string,
    oneShot = false,
  ) {
    const fd = openSync(logFile, 'a');
    try {
      this.child = spawn(process.execPath, oneShot ? [main] : ['-r', EXIT_WITH_PARENT, main], {
        cwd: REPO_ROOT,
        env,
        stdio: [oneShot ? 'ignore' : 'pipe', fd, fd],
      });
    } finally {
      closeSync(fd);
    }
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code) => resolve(code));
      this.child.once('error', () => resolve(null));
    });
  }

  /** The process id (undefined when it could not be spawned). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The log as JSON lines (what is not JSON is skipped). */
  logLines(): Record<string, unknown>[] {
    return this.logText()
      .split('\n')
      .flatMap((line) => {
        if (!line.startsWith('{')) return [];
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      });
  }

  /** The last `lines` of the log, headed by the process's name, for failure messages. */
  tail(lines = 30): string {
    const text = this.logText();
    if (text === '') return `--- ${this.name}: no log ---`;
    return `--- ${this.name} (${this.logFile}) ---\n${text.split('\n').slice(-lines).join('\n')}`;
  }

  /** Resolves once `<url>/readyz` answers 200; rejects with the log tail when the process exits first. */
  async waitReady(url: string): Promise<void> {
    await eventually(
      async () => {
        if (!this.running) throw new Error(`${this.name} exited during start-up\n${this.tail()}`);
        try {
          const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) });
          return res.status === 200 ? true : undefined;
        } catch {
          return undefined;
        }
      },
      `${this.name} ready at ${url}`,
      START_TIMEOUT_MS,
    ).catch((err: unknown) => {
      throw new Error(`${String(err)}\n${this.tail()}`);
    });
  }

  /** SIGTERM, then SIGKILL after a grace period; resolves when the process has exited. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
    await this.exited;
    clearTimeout(timer);
  }

  private logText(): string {
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }
}
