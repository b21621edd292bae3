/**
 * `GATEWAY_WORKERS` > 1: the gateway as a node:cluster of worker processes sharing its listeners. Node runs one
 * thread of JavaScript per process, so one gateway process serves at most what one core allows; workers are
 * how it uses more cores, as nginx's `worker_processes` does. The primary only supervises: it starts the first
 * worker alone (it creates the tables and the demo consumer), the others once that one listens, passes
 * SIGTERM/SIGINT on, and ends with its workers. A worker that dies on its own takes the others down with it
 * (exit code kept), so the supervisor above (systemd, Kubernetes, make up) restarts a whole, known state.
 *
 * Each worker is a replica in all but name: its own token buckets, daily-quota counts (flushed to DynamoDB),
 * key caches (an admin call evicts at once only in the worker that served it; others within the cache TTL)
 * and metrics (a scrape of /metrics reads the worker that took the connection).
 */
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '@tradeflow/platform/log';

/** What the primary needs. */
export interface ClusterOptions {
  workers: number;
  /** The public listener's port: the first worker counts as started once it listens there. */
  port: number;
  logger: Logger;
  /** Default `process.exit`. */
  exit?: (code: number) => void;
}

/** Runs the cluster primary: forks `workers` workers of this same script and supervises them. */
export function runClusterPrimary({
  workers,
  port,
  logger,
  exit = (code) => process.exit(code),
}: ClusterOptions): void {
  const running = new Set<Worker>();
  let stopping = false;
  let exitCode = 0;
  let exited = false;
  const finish = (): void => {
    if (exited || running.size > 0) return;
    exited = true;
    logger.info({ code: exitCode }, 'every gateway worker stopped');
    exit(exitCode);
  };

  const stopAll = (code: number): void => {
    exitCode = Math.max(exitCode, code);
    if (!stopping) {
      stopping = true;
      for (const worker of running) worker.process.kill('SIGTERM');
    }
    finish();
  };

  const fork = (): Worker => {
    const worker = cluster.fork();
    running.add(worker);
    worker.once('exit', (code: number | null, signal: string | null) => {
      running.delete(worker);
      if (stopping) {
        stopAll(code ?? 0);
        return;
      }
      logger.error(
        { worker: worker.id, pid: worker.process.pid, code, signal },
        'a gateway worker stopped on its own; stopping the others',
      );
      // Even a clean exit is unexpected here: the primary did not ask for it.
      stopAll(code === null || code === 0 ? 1 : code);
    });
    return worker;
  };

  for (const signal of ['SIGTERM', 'SIGINT'] as const)
    process.on(signal, () => {
      logger.info({ signal, workers: running.size }, 'stopping the gateway workers');
      stopAll(0);
    });

  let listening = 0;
  cluster.on('listening', (_worker, address) => {
    if (address.port !== port) return;
    listening += 1;
    if (listening === workers) logger.info({ workers, port }, WORKERS_LISTENING);
  });
  // The first worker alone: it creates the tables and the demo consumer the others then find.
  const first = fork();
  const onListening = (address: { port: number }): void => {
    if (address.port !== port) return;
    first.removeListener('listening', onListening);
    if (!stopping) for (let i = 1; i < workers; i++) fork();
  };
  first.on('listening', onListening);
}

/** The primary's log message once every worker listens on the public port (the benchmark waits for it). */
export const WORKERS_LISTENING = 'every gateway worker listens';

/** True in a process the cluster primary forked. */
export function isClusterWorker(): boolean {
  return cluster.isWorker;
}
