/**
 * The all-in-one composition root: every service's modules in one process with ONE set of core modules
 * (metrics, bus, store), the memory bus unless BUS_ADAPTER says otherwise, DynamoDB Local as a child process
 * unless DYNAMODB_ENDPOINT is set, and the demo reference data loaded on start (SEED_ON_START, default true).
 * The gateway is the public entry; its upstreams are the in-process services, at their configured ports.
 * `--target=all` (default) or `--target=a,b` runs a subset, as every process does.
 *
 * Only config modules are imported up here: tracing must patch express, http and the AWS SDK before they load.
 */
import type { DemoConsumerStatus } from '@tradeflow/gateway';
import { config as gatewayConfig } from '@tradeflow/gateway/config';
import { busEnv, storeEnv } from '@tradeflow/platform/config';
import type { ModuleManager } from '@tradeflow/platform/lifecycle';
import { runMain } from '@tradeflow/platform/runtime/main';
import { config as referenceDataConfig } from '@tradeflow/reference-data/config';
import { config as tradesConfig } from '@tradeflow/trades/config';
import { config as validationConfig } from '@tradeflow/validation/config';
import { config as allInOneConfig } from './config';

const SERVICE = 'tradeflow';
/** The gateway's demo consumer module (`AccessModule.demo`); named here so this file need not load the gateway. */
const DEMO_MODULE = 'gateway-demo-consumer';

async function main(): Promise<void> {
  let banner: ((demoKey: string | undefined) => Promise<void>) | undefined;
  const running = await runMain({
    service: SERVICE,
    config: {
      bus: busEnv,
      store: storeEnv,
      ...allInOneConfig,
      ...referenceDataConfig,
      ...validationConfig,
      ...tradesConfig,
      ...gatewayConfig,
    },
    modules: async (c) => {
      const { busModule, metricsModule, storeModule } = await import('@tradeflow/platform/runtime');
      const { embeddedDynamoDbModule, storeOnEmbeddedDynamoDb } = await import('./embedded-dynamodb.js');
      const referenceData = await import('@tradeflow/reference-data');
      const { validationModules } = await import('@tradeflow/validation');
      const { tradesModules } = await import('@tradeflow/trades');
      const gateway = await import('@tradeflow/gateway');
      const { localUrl } = await import('./banner.js');
      // The gateway's upstreams are the services of this process, wherever their ports are configured.
      const upstreams = {
        trades: localUrl(c.trades.http),
        'reference-data': localUrl(c.referenceDataHttp),
        validation: localUrl(c.validation.http),
      };
      if (c.allInOne.banner) {
        banner = async (demoKey) => {
          const { startBanner } = await import('./banner.js');
          process.stderr.write(
            startBanner({
              shape: 'all-in-one: every service in one process, the memory bus, DynamoDB Local inside',
              stop: 'Ctrl-C',
              gatewayUrl: localUrl(c.gateway.http),
              apiKey: demoKey,
              demoAccounts: demoAccountsText(c.gatewayAccess.demo.accounts),
              adminUrl: localUrl(c.gatewayAdmin.http),
              tradesUrl: upstreams.trades,
              referenceDataUrl: upstreams['reference-data'],
              validationUrl: upstreams.validation,
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
        ...gateway.gatewayModules({ ...c, gateway: { ...c.gateway, upstreams } }),
      ];
    },
  });
  if ((await running.started) && banner !== undefined) await banner(demoKeyOf(running.manager));
}

/** The demo consumer's key, when this process runs the gateway with its demo consumer. */
function demoKeyOf(manager: ModuleManager | undefined): string | undefined {
  if (manager === undefined || !manager.moduleNames.includes(DEMO_MODULE)) return undefined;
  return manager.get<DemoConsumerStatus>(DEMO_MODULE).demo?.key;
}

/** `DEMO-1`, or `every account`. */
function demoAccountsText(accounts: '*' | readonly string[]): string {
  return accounts === '*' ? 'every account' : accounts.join(', ');
}

void main();
