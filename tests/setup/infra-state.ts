// Shared by the integration project's global setup and teardown: which services exist, where they listen,
// and the on-disk bookkeeping that lets several Jest runs share one Kafka and one DynamoDB Local.
//
// .cache/run/started-by-tests   names of the services a test setup started (one a line); the scripts drop a
//                               name when a person runs `up`/`down` themselves, so tests never stop what a
//                               person started.
// .cache/run/test-leases/<pid>  one file per Jest run using the services; the last run out stops them.
// .cache/run/test-lock/         a mkdir lock around both, so a setup never reuses what a teardown is stopping.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Repository root. */
export const ROOT = resolve(__dirname, '..', '..');
const RUN_DIR = join(ROOT, '.cache', 'run');
const STARTED_FILE = join(RUN_DIR, 'started-by-tests');
const LEASE_DIR = join(RUN_DIR, 'test-leases');
const LOCK_DIR = join(RUN_DIR, 'test-lock');
const LOCK_TIMEOUT_MS = 10 * 60_000;

/** One piece of local infrastructure the integration suites need. */
export interface InfraService {
  /** Script and bookkeeping name: scripts/infra/<name>.sh. */
  readonly name: 'kafka' | 'dynamodb';
  /** How people read it in the one-line summary. */
  readonly label: string;
  /** Variable the suites read the address from; when set by the caller, nothing is started. */
  readonly envVar: 'KAFKA_BROKERS' | 'DYNAMODB_ENDPOINT';
  /** Where the scripts start it (they honour the same TRADEFLOW_*_PORT variables). */
  readonly defaultAddress: string;
}

/** Kafka and DynamoDB Local, at the addresses scripts/infra uses. */
export const SERVICES: readonly InfraService[] = [
  {
    name: 'kafka',
    label: 'Kafka',
    envVar: 'KAFKA_BROKERS',
    defaultAddress: `127.0.0.1:${process.env.TRADEFLOW_KAFKA_PORT ?? '19092'}`,
  },
  {
    name: 'dynamodb',
    label: 'DynamoDB Local',
    envVar: 'DYNAMODB_ENDPOINT',
    defaultAddress: `http://127.0.0.1:${process.env.TRADEFLOW_DYNAMODB_PORT ?? '18000'}`,
  },
];

/** Runs scripts/infra/<name>.sh <command>; progress goes to the terminal, a failure rejects with its message. */
export function runInfraScript(name: InfraService['name'], command: 'up' | 'down'): Promise<void> {
  const script = join(ROOT, 'scripts', 'infra', `${name}.sh`);
  return new Promise((resolvePromise, reject) => {
    // Marked so the script leaves the started-by-tests record to us.
    const child = spawn(script, [command], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, TRADEFLOW_INFRA_STARTED_BY: 'tests' },
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolvePromise();
      else
        reject(
          new Error(`scripts/infra/${name}.sh ${command} failed (${signal ?? `exit ${code}`}); see above`),
        );
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Runs `fn` holding the bookkeeping lock; a lock left by a dead process is taken over. */
export async function withInfraLock<T>(fn: () => Promise<T>): Promise<T> {
  mkdirSync(RUN_DIR, { recursive: true });
  const deadline = Date.now() + LOCK_TIMEOUT_MS;
  while (!createLockDir()) {
    if (lockIsStale()) rmSync(LOCK_DIR, { recursive: true, force: true });
    else if (Date.now() > deadline) throw new Error(`timed out waiting for the infra lock ${LOCK_DIR}`);
    else await new Promise((r) => setTimeout(r, 200));
  }
  try {
    return await fn();
  } finally {
    rmSync(LOCK_DIR, { recursive: true, force: true });
  }
}

// mkdir is atomic: exactly one of several racing processes creates the directory and owns the lock.
function createLockDir(): boolean {
  try {
    mkdirSync(LOCK_DIR);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  writeFileSync(join(LOCK_DIR, 'owner'), String(process.pid));
  return true;
}

// A lock is stale when its owner died, or when it has had no owner for a while (the holder died between
// mkdir and writing the owner file); a fresh lock without an owner is a holder about to write it.
function lockIsStale(): boolean {
  const owner = Number(readIfExists(join(LOCK_DIR, 'owner')));
  if (owner > 0) return !alive(owner);
  try {
    return Date.now() - statSync(LOCK_DIR).mtimeMs > 30_000;
  } catch {
    return false; // gone already: the next mkdir decides
  }
}

function readIfExists(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}

/** Names of the services a test setup started and no person has claimed since. */
export function startedByTests(): Set<string> {
  return new Set(readIfExists(STARTED_FILE).split('\n').filter(Boolean));
}

/** Replaces the started-by-tests record. */
export function writeStartedByTests(names: Set<string>): void {
  if (names.size === 0) rmSync(STARTED_FILE, { force: true });
  else writeFileSync(STARTED_FILE, [...names].join('\n') + '\n');
}

/** Registers this Jest run as a user of the services. */
export function takeLease(): void {
  mkdirSync(LEASE_DIR, { recursive: true });
  writeFileSync(join(LEASE_DIR, String(process.pid)), new Date().toISOString());
}

/** Drops this run's lease and those of runs that died; returns the pids of other runs still alive. */
export function releaseLease(): number[] {
  if (!existsSync(LEASE_DIR)) return [];
  const others: number[] = [];
  for (const entry of readdirSync(LEASE_DIR)) {
    const pid = Number(entry);
    if (pid === process.pid || !Number.isInteger(pid) || !alive(pid))
      rmSync(join(LEASE_DIR, entry), { force: true });
    else others.push(pid);
  }
  return others;
}
