/** What the benchmark reads of the processes it measures: peak RSS, and the machine's load. */
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
