/**
 * `npm run seed -w @tradeflow/reference-data`: loads the demo reference data into the configured DynamoDB and
 * bus (BUS_ADAPTER, KAFKA_BROKERS, DYNAMODB_ENDPOINT, TABLE_PREFIX, REFERENCE_DATA_SEED), printing progress
 * and the counts. Exit 0 when everything was written and published, 1 otherwise, 78 on bad config.
 */
import { busEnv, loadConfigOrExit, storeEnv } from '@tradeflow/platform/config';
import { createBus } from '@tradeflow/platform/bus';
import { createDynamoClients } from '@tradeflow/platform/store';
import { referenceDataEnv } from '../config';
import { loadSeed, type SeedProgress } from './load-seed';

const say = (line: string): void => void process.stdout.write(`${line}\n`);

function describe(p: SeedProgress): string {
  switch (p.phase) {
    case 'prepared':
      return `table and topic ready; ${p.total} records to load`;
    case 'written':
      return `wrote ${p.written}/${p.total} items to DynamoDB`;
    case 'publishing':
      return `published ${p.published}/${p.total} changes`;
    case 'done':
      return 'done';
  }
}

async function main(): Promise<number> {
  const config = loadConfigOrExit(
    { bus: busEnv, store: storeEnv, referenceData: referenceDataEnv },
    'reference-data-seed',
  );
  const where = config.bus.adapter === 'kafka' ? `kafka ${config.bus.brokers.join(',')}` : 'the memory bus';
  say(
    `seeding reference data (seed ${config.referenceData.seed}) into DynamoDB ` +
      `${config.store.endpoint ?? `(AWS ${config.store.region})`} prefix "${config.store.tablePrefix}" and ${where}`,
  );
  if (config.bus.adapter === 'memory') {
    say(
      'warning: BUS_ADAPTER=memory publishes into this process only; no other process will see the changes',
    );
  }
  const store = createDynamoClients(config.store);
  const bus = await createBus(
    config.bus.adapter === 'kafka'
      ? {
          adapter: 'kafka',
          brokers: config.bus.brokers,
          clientId: `${config.bus.clientId}-seed`,
          defaultPartitions: config.bus.topicPartitions,
          ...(config.bus.namespace === undefined ? {} : { namespace: config.bus.namespace }),
          source: '/tradeflow/reference-data',
        }
      : {
          adapter: 'memory',
          defaultPartitions: config.bus.topicPartitions,
          source: '/tradeflow/reference-data',
        },
  );
  try {
    await bus.init();
    const result = await loadSeed({
      store,
      bus,
      tablePrefix: config.store.tablePrefix,
      seed: config.referenceData.seed,
      onProgress: (p) => say(describe(p)),
    });
    for (const [kind, count] of Object.entries(result.counts)) say(`  ${kind.padEnd(10)} ${count}`);
    say(
      `loaded ${result.total} entities (${result.written} written, ${result.published} published) in ${result.durationMs} ms`,
    );
    return 0;
  } catch (err) {
    process.stderr.write(`seeding failed: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    await bus.close().catch(() => undefined);
    store.client.destroy();
  }
}

void main().then((code) => {
  process.exitCode = code;
});
