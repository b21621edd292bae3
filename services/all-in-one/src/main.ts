/**
 * The all-in-one composition root: every service's modules in one process with ONE set of core modules
 * (metrics, bus, store), the memory bus unless BUS_ADAPTER says otherwise, DynamoDB Local as a child process
 * unless DYNAMODB_ENDPOINT is set, and the demo reference data loaded on start (SEED_ON_START, default true).
 * `--target=all` (default) or `--target=a,b` runs a subset, as every process does.
 *
 * Only config modules are imported up here: tracing must patch express, http and the AWS SDK before they load.
 */
import { busEnv, storeEnv } from '@tradeflow/platform/config';
import { runMain } from '@tradeflow/platform/runtime/main';
import { config as referenceDataConfig } from '@tradeflow/reference-data/config';
import { config as tradesConfig } from '@tradeflow/trades/config';
import { config as validationConfig } from '@tradeflow/validation/config';
import { config as allInOneConfig } from './config';

const SERVICE = 'tradeflow';

async function main(): Promise<void> {
  let banner: (() => Promise<void>) | undefined;
  const running = await runMain({
    service: SERVICE,
    config: {
      bus: busEnv,
      store: storeEnv,
      ...allInOneConfig,
      ...referenceDataConfig,
      ...validationConfig,
      ...tradesConfig,
    },
    modules: async (c) => {
      const { busModule, metricsModule, storeModule } = await import('@tradeflow/platform/runtime');
      const { embeddedDynamoDbModule, storeOnEmbeddedDynamoDb } = await import('./embedded-dynamodb.js');
      const referenceData = await import('@tradeflow/reference-data');
      const { validationModules } = await import('@tradeflow/validation');
      const { tradesModules } = await import('@tradeflow/trades');
      if (c.allInOne.banner) {
        banner = async () => {
          const { localUrl, startBanner } = await import('./banner.js');
          process.stderr.write(
            startBanner({
              shape: 'all-in-one: every service in one process, the memory bus, DynamoDB Local inside',
              stop: 'Ctrl-C',
              tradesUrl: localUrl(c.trades.http),
              referenceDataUrl: localUrl(c.referenceDataHttp),
              validationUrl: localUrl(c.validation.http),
              now: new Date(),
            }),
          );
        };
      }
      return [
        metricsModule(SERVICE),
        busModule(c.bus, '/tradeflow/all-in-one'),
        ...(c.store.endpoint !== undefined
          ? [storeModule(c.store)]
          : [
              embeddedDynamoDbModule({ port: c.allInOne.embeddedDynamoDbPort }),
              storeOnEmbeddedDynamoDb(c.store),
            ]),
        // Before the services: their reference caches then start on a topic that already holds the seed.
        ...(c.allInOne.seedOnStart
          ? [
              referenceData.referenceSeedModule({
                tablePrefix: c.store.tablePrefix,
                seed: c.referenceData.seed,
              }),
            ]
          : []),
        ...referenceData.referenceDataModules(c),
        ...validationModules(c),
        ...tradesModules(c),
      ];
    },
  });
  if ((await running.started) && banner !== undefined) await banner();
}

void main();
