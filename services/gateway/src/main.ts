/**
 * The standalone gateway process. Only config modules are imported up here: tracing must patch express, http
 * and the AWS SDK before they load, so the modules are imported inside `modules`. No bus: the gateway only
 * forwards HTTP; its store holds the consumers, keys, plans and daily usage.
 *
 * With `GATEWAY_WORKERS` > 1 this process is the cluster primary: it checks the config (a bad one exits 78
 * once, not once per worker), forks the workers, which run this same file as gateways, and supervises them.
 */
import { loadConfigOrExit, storeEnv } from '@tradeflow/platform/config';
import { createLogger } from '@tradeflow/platform/log';
import { processEnv, runMain } from '@tradeflow/platform/runtime/main';
import { isClusterWorker, runClusterPrimary } from './cluster';
import { config } from './config';

const spec = { store: storeEnv, ...config };

function serve(): void {
  void runMain({
    service: 'gateway',
    config: spec,
    // The front door starts every request's server span itself (edge/front-door.ts).
    incomingHttpSpans: false,
    modules: async (c) => {
      const { gatewayModules } = await import('./module.js');
      const { metricsModule, storeModule } = await import('@tradeflow/platform/runtime');
      return [metricsModule('gateway'), storeModule(c.store), ...gatewayModules(c)];
    },
  });
}

if (isClusterWorker()) serve();
else {
  const checked = loadConfigOrExit({ ...processEnv, ...spec }, 'gateway');
  if (checked.gateway.workers > 1)
    runClusterPrimary({
      workers: checked.gateway.workers,
      port: checked.gateway.http.port,
      logger: createLogger({ service: 'gateway', level: checked.log.level }),
    });
  else serve();
}
