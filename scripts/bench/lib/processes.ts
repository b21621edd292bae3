/**
 * The processes a benchmark starts: each writes straight to its own log file (never through the load
 * generator's process, which must stay idle but for the load), has a pid file, and is stopped at the end, on
 * failure, on Ctrl-C and when the run overstays its deadline. A pid file left by a killed run is checked against
 * the live process's command line before anything is signalled, so a recycled pid is never hit.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** A started process. */
export interface Started {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Resolves with the exit code (128 + n for a signal) once it exited. */
  readonly exited: Promise<number>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it exited. Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts processes under `runDir` (logs and pid files) and stops all of them on `stopAll()`. */
export class ProcessGroup {
  private readonly started: Started[] = [];

  /** `nice`: the scheduling priority of every process started (negative needs root); unchanged when undefined. */
  constructor(
    private readonly runDir: string,
    private readonly nice?: number,
  ) {
    mkdirSync(runDir, { recursive: true });
  }

  /**
   * Kills what a previous run left behind: the pid in `<name>.pid`, when the live process's command line
   * still contains `marker` (a path unique to the benchmark).
   */
  reapStale(name: string, marker: string): void {
    const pidFile = join(this.runDir, `${name}.pid`);
    if (!existsSync(pidFile)) return;
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    rmSync(pidFile, { force: true });
    if (!Number.isInteger(pid) || pid <= 1) return;
    let commandLine: string;
    try {
      commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
      return; // gone
    }
    if (!commandLine.includes(marker)) return;
    process.stderr.write(`[bench] stopping ${name} (pid ${pid}) left by an earlier run\n`);
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // exited meanwhile
    }
  }

  /** Starts `command` with its stdout and stderr in `<runDir>/<name>.log`. */
  start(
    name: string,
    command: string,
    args: readonly string[],
    env: NodeJS.ProcessEnv = process.env,
  ): Started {
    const logFile = join(this.runDir, `${name}.log`);
    const fd = openSync(logFile, 'w');
    // nice execs the command: the pid stays the command's.
    const [file, argv] =
      this.nice === undefined ? [command, args] : ['nice', ['-n', `${this.nice}`, command, ...args]];
    const child = spawn(file, argv, { env, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`);
    const pidFile = join(this.runDir, `${name}.pid`);
    writeFileSync(pidFile, `${child.pid}\n`);
    const exited = new Promise<number>((resolve) => {
      child.once('exit', (code, signal) => {
        rmSync(pidFile, { force: true });
        resolve(code ?? 128 + (signal === null ? 0 : signalNumber(signal)));
      });
      child.once('error', () => resolve(127));
    });
    let stopping: Promise<void> | undefined;
    const handle: Started = {
      name,
      pid: child.pid,
      logFile,
      exited,
      stop: (graceMs = 10_000) => {
        stopping ??= (async () => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          child.kill('SIGTERM');
          const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
          await exited;
          clearTimeout(killer);
        })();
        return stopping;
      },
    };
    this.started.push(handle);
    return handle;
  }

  /** Stops every started process, the last started first. */
  async stopAll(): Promise<void> {
    for (const handle of [...this.started].reverse()) await handle.stop();
  }
}

function signalNumber(signal: NodeJS.Signals): number {
  return signal === 'SIGKILL' ? 9 : signal === 'SIGTERM' ? 15 : signal === 'SIGINT' ? 2 : 0;
}

/** A loopback port free right now (the process given it binds it a moment later). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

/**
 * Polls `url` until it answers `status` (any status when undefined); fails after `timeoutMs`, or at once when
 * `process` exits first.
 */
export async function waitForHttp(
  url: string,
  { timeoutMs, status, process: started }: { timeoutMs: number; status?: number; process?: Started },
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | undefined;
  void started?.exited.then((code) => (exitCode = code));
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (exitCode !== undefined)
      throw new Error(`${started?.name} exited (${exitCode}) before it answered; see ${started?.logFile}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      if (status === undefined || response.status === status) return;
      last = `answered ${response.status}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(
    `${url} not ready within ${timeoutMs} ms (${last})${started ? `; see ${started.logFile}` : ''}`,
  );
}

/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

/**
 * CPU time (user + system, every thread) `pid` and its direct children (nginx's workers) have used so far, in
 * ms. Unlike requests per second it does not depend on how much of the machine the process got, so it compares
 * runs on a busy machine. 0 when the process is gone.
 */
export function cpuTimeMs(pid: number): number {
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    // no children file: the process is gone, or the kernel does not list them
  }
  const ticks = (p: number): number => {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return Number(fields[11]) + Number(fields[12]);
    } catch {
      return 0;
    }
  };
  return ([pid, ...children].reduce((sum, p) => sum + ticks(p), 0) * 1000) / USER_HZ;
}
