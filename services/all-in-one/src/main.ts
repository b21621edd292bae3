/**
 * The all-in-one composition root: every service's modules in one process with ONE set of core modules
 * (metrics, bus, store), the memory bus unless BUS_ADAPTER says otherwise, DynamoDB Local as a child process
 * unless DYNAMODB_ENDPOINT is set, and the demo reference data loaded on start (SEED_ON_START).
 * `--target=all` (default) or `--target=a,b` runs a subset, as every process does.
 *
 * Only config modules are imported up here: tracing must patch express, http and the AWS SDK before they load.
 */
import { busEnv, storeEnv } from '@tradeflow/platform/config';
import { runMain } from '@tradeflow/platform/runtime/main';
import { config as allInOneConfig } from './config';

const SERVICE = 'tradeflow';

void runMain({
  service: SERVICE,
  config: { bus: busEnv, store: storeEnv, ...allInOneConfig },
  modules: async (c) => {
    const { busModule, metricsModule, storeModule } = await import('@tradeflow/platform/runtime');
    const { embeddedDynamoDbModule, storeOnEmbeddedDynamoDb } = await import('./embedded-dynamodb.js');
    const store =
      c.store.endpoint !== undefined
        ? [storeModule(c.store)]
        : [
            embeddedDynamoDbModule({ port: c.allInOne.embeddedDynamoDbPort }),
            storeOnEmbeddedDynamoDb(c.store),
          ];
    return [metricsModule(SERVICE), busModule(c.bus, '/tradeflow/all-in-one'), ...store];
  },
});
