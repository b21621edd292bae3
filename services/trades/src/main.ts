/**
 * The standalone trades process. Only config modules are imported up here: tracing must patch express,
 * http and the AWS SDK before they load, so the modules are imported inside `modules`.
 */
import { busEnv, storeEnv } from '@tradeflow/platform/config';
import { runMain } from '@tradeflow/platform/runtime/main';
import { config } from './config';

void runMain({
  service: 'trades',
  config: { bus: busEnv, store: storeEnv, ...config },
  modules: async (c) => {
    const { tradesModules } = await import('./module.js');
    const { busModule, metricsModule, storeModule } = await import('@tradeflow/platform/runtime');
    return [
      metricsModule('trades'),
      busModule(c.bus, '/tradeflow/trades'),
      storeModule(c.store),
      ...tradesModules(c),
    ];
  },
});
