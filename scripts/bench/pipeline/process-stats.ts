/** What the benchmark reads of the processes it measures: peak RSS, and the machine's load. */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';

/** A process of the running shape. */
export interface ShapeProcess {
  name: string;
  pid: number;
}

/** Peak resident set size (VmHWM) of a live process in MiB, or undefined when it is gone. */
export function peakRssMiB(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status);
    return match === null ? undefined : Number(match[1]) / 1024;
  } catch {
    return undefined;
  }
}

function pidIn(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The processes of the distributed shape: the services `make up` started (.run/pids/<name>.pid) and the
 * infrastructure of scripts/infra (.cache/run/<name>/pid).
 */
export function shapeProcesses(root: string): ShapeProcess[] {
  const found: ShapeProcess[] = [];
  const pids = join(root, '.run', 'pids');
  let files: string[];
  try {
    files = readdirSync(pids).filter((f) => f.endsWith('.pid'));
  } catch {
    files = [];
  }
  for (const file of files.sort()) {
    const pid = pidIn(join(pids, file));
    if (pid !== undefined) found.push({ name: file.slice(0, -'.pid'.length), pid });
  }
  for (const infra of ['kafka', 'dynamodb']) {
    const pid = pidIn(join(root, '.cache', 'run', infra, 'pid'));
    if (pid !== undefined)
      found.push({ name: infra === 'kafka' ? 'kafka (JVM)' : 'dynamodb-local (JVM)', pid });
  }
  return found;
}

/** The 1-minute load average now. */
export function loadNow(): number {
  return Math.round((loadavg()[0] ?? 0) * 100) / 100;
}

let ticksPerSecond: number | undefined;

/** Clock ticks per second of /proc's CPU times (`getconf CLK_TCK`, 100 on Linux). */
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** CPU time (user + system, all threads) a live process has used, in ms; undefined when it is gone. */
export function cpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces) start after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1000) / clockTicks() : undefined;
  } catch {
    return undefined;
  }
}

/** Each process's CPU ms now. */
export function cpuSnapshot(processes: readonly ShapeProcess[]): Map<number, number> {
  const snapshot = new Map<number, number>();
  for (const p of processes) {
    const ms = cpuMs(p.pid);
    if (ms !== undefined) snapshot.set(p.pid, ms);
  }
  return snapshot;
}

/**
 * CPU ms each process used between two snapshots, divided by `per` (trades), by process name. With
 * `idlePerSecond` (a process's CPU ms per second when nothing is sent) and the window's `seconds`, what the
 * process burns anyway (consumer polls, heartbeats, metric and trace timers) is taken off first, so a slow
 * run does not make its trades look dearer.
 */
export function cpuPer(
  processes: readonly ShapeProcess[],
  before: Map<number, number>,
  after: Map<number, number>,
  per: number,
  idle?: { idlePerSecond: Record<string, number>; seconds: number },
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of processes) {
    const a = after.get(p.pid);
    const b = before.get(p.pid);
    if (a === undefined || b === undefined || per <= 0) continue;
    const background = idle === undefined ? 0 : (idle.idlePerSecond[p.name] ?? 0) * idle.seconds;
    out[p.name] = Math.max(0, a - b - background) / per;
  }
  return out;
}
