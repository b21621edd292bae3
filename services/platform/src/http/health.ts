import type { RequestHandler } from 'express';
import type { Registry } from 'prom-client';
import type { Logger } from '../log';

/** What `/readyz` reports: whether to send traffic here, and why not. */
export interface Readiness {
  ready: boolean;
  detail?: unknown;
}

/** Decides readiness; the lifecycle manager provides one backed by its modules' states. */
export type ReadinessCheck = () => Readiness | Promise<Readiness>;

/** `/livez`: 200 while the process can serve HTTP at all. */
export function livenessHandler(): RequestHandler {
  return (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok' });
  };
}

/** `/readyz`: 200 when `check` says ready, 503 (with its detail) when not, when it throws, or once stopping. */
export function readinessHandler(
  check: ReadinessCheck,
  stopping: () => boolean,
  logger: Logger,
): RequestHandler {
  return async (_req, res) => {
    let readiness: Readiness;
    if (stopping()) readiness = { ready: false, detail: 'shutting down' };
    else {
      try {
        readiness = await check();
      } catch (err) {
        logger.warn({ err }, 'readiness check failed');
        readiness = { ready: false, detail: 'readiness check failed' };
      }
    }
    res
      .status(readiness.ready ? 200 : 503)
      .set('Cache-Control', 'no-store')
      .json({ status: readiness.ready ? 'ready' : 'not ready', detail: readiness.detail });
  };
}

/** `/metrics`: the registry in the Prometheus text format. */
export function metricsHandler(registry: Registry): RequestHandler {
  return async (_req, res) => {
    res.set('Content-Type', registry.contentType).send(await registry.metrics());
  };
}
