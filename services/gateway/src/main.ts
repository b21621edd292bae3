/**
 * The standalone gateway process. Only config modules are imported up here: tracing must patch express, http
 * and the AWS SDK before they load, so the modules are imported inside `modules`. No bus: the gateway only
 * forwards HTTP; its store holds the consumers, keys, plans and daily usage.
 */
import { storeEnv } from '@tradeflow/platform/config';
import { runMain } from '@tradeflow/platform/runtime/main';
import { config } from './config';

void runMain({
  service: 'gateway',
  config: { store: storeEnv, ...config },
  modules: async (c) => {
    const { gatewayModules } = await import('./module.js');
    const { metricsModule, storeModule } = await import('@tradeflow/platform/runtime');
    return [metricsModule('gateway'), storeModule(c.store), ...gatewayModules(c)];
  },
});
