/**
 * The reference-data process (distributed shape). Only config modules are imported up here: tracing must
 * patch express, http and the AWS SDK before they load, so the modules are imported lazily.
 */
import { busEnv, storeEnv } from '@tradeflow/platform/config';
import { runMain } from '@tradeflow/platform/runtime/main';
import { config } from './config';

void runMain({
  service: 'reference-data',
  config: { bus: busEnv, store: storeEnv, ...config },
  modules: async (c) => {
    const { referenceDataModules } = await import('./module.js');
    const { busModule, metricsModule, storeModule } = await import('@tradeflow/platform/runtime');
    return [
      metricsModule('reference-data'),
      busModule(c.bus, '/tradeflow/reference-data'),
      storeModule(c.store),
      ...referenceDataModules(c),
    ];
  },
});
