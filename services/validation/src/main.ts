/**
 * The standalone validation process. Only config modules are imported up here: tracing must patch express,
 * http and the AWS SDK before they load, so the modules are imported inside `modules`.
 */
import { busEnv, storeEnv } from '@tradeflow/platform/config';
import { runMain } from '@tradeflow/platform/runtime/main';
import { config } from './config';

void runMain({
  service: 'validation',
  config: { bus: busEnv, store: storeEnv, ...config },
  modules: async (c) => {
    const { validationModules } = await import('./module.js');
    const { busModule, metricsModule, storeModule } = await import('@tradeflow/platform/runtime');
    return [
      metricsModule('validation'),
      busModule(c.bus, '/tradeflow/validation'),
      storeModule(c.store),
      ...validationModules(c),
    ];
  },
});
