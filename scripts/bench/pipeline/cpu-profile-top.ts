/**
 * Summarises the V8 CPU profiles `node --cpu-prof` wrote for the services during `BENCH_CPU_PROF=1 make
 * bench` (scripts/bench/lib/cpu-profile.ts does the reading): per service, busy time and the top places
 * and functions by self time, idle left out.
 * usage: node -r tests/support/register-ts.cjs scripts/bench/pipeline/cpu-profile-top.ts <dir> [top]
 * `<dir>/pids` maps pids to service names (`<name> <pid>` a line); profiles of other pids (the seed CLI,
 * the banner) are skipped.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { summariseProfile, type HotSpot } from '../lib/cpu-profile';

/** The pid in a profile's file name (`CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile`). */
export function pidOfProfile(file: string): string | undefined {
  return /\.(\d+)\.\d+\.\d+\.cpuprofile$/.exec(file)?.[1];
}

function rows(spots: HotSpot[]): string[] {
  return spots.map((h) => `    ${(h.share * 100).toFixed(1).padStart(5)}%  ${h.name}`);
}

function main(): void {
  const [dir, countArg] = process.argv.slice(2);
  if (dir === undefined) {
    process.stderr.write('usage: cpu-profile-top.ts <dir> [top]\n');
    process.exit(2);
  }
  const names = new Map<string, string>();
  try {
    for (const line of readFileSync(join(dir, 'pids'), 'utf8').split('\n')) {
      const [name, pid] = line.trim().split(/\s+/);
      if (name !== undefined && pid !== undefined) names.set(pid, name);
    }
  } catch {
    // Without the map every profile is shown under its file name.
  }
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .sort()) {
    const pid = pidOfProfile(file) ?? '';
    if (names.size > 0 && !names.has(pid)) continue;
    const summary = summariseProfile(join(dir, file), { top: Number(countArg ?? 15) });
    process.stdout.write(
      [
        `== ${names.get(pid) ?? file}: busy ${(summary.busyMs / 1000).toFixed(1)} s`,
        '  by place (self time):',
        ...rows(summary.places),
        '  our code (nearest own function above each sample, callees included):',
        ...rows(summary.ours),
        '  top functions (self time):',
        ...rows(summary.functions),
        '',
        '',
      ].join('\n'),
    );
  }
}

if (require.main === module) main();
