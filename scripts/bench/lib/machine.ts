/** A one-line description of the machine a benchmark ran on, for the table it records. */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';

/** What the figures depend on: cores, CPU model, memory, Node version, date, and how busy the machine was. */
export interface Machine {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  date: string;
  /** The 1-minute load average when the run started: other work on the machine skews the figures. */
  loadAverage: number;
  /** The commit the run measured (with `+dirty` when the work tree had changes). */
  commit: string;
}

/** Describes this machine now. */
export function describeMachine(): Machine {
  const list = cpus();
  return {
    cores: list.length,
    cpuModel: (list[0]?.model ?? 'unknown').replace(/\s+/g, ' ').trim(),
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    loadAverage: Math.round((loadavg()[0] ?? 0) * 100) / 100,
    commit: gitCommit(),
  };
}

function gitCommit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      encoding: 'utf8',
    });
    return dirty.trim() === '' ? head : `${head}+dirty`;
  } catch {
    return 'unknown';
  }
}

/** `2 cores (Intel Xeon …), 7.8 GiB, Node v20.20.0` */
export function machineLine(m: Machine): string {
  return `${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB memory, Node ${m.node}`;
}
