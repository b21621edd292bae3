// Creates every topic of services/contracts (and its dead-letter topic) the way the services create them at
// start: the platform's Kafka adapter, KAFKA_TOPIC_PARTITIONS partitions, `reference.changes` compacted.
// Idempotent. Run by init.sh inside the init image (the bundle of scripts/ship/bundle.sh init).
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- a plain CommonJS script, run by node as is */
const { busEnv, loadConfigOrExit } = require('@tradeflow/platform/config');
const { createBus } = require('@tradeflow/platform/bus');
const { Topics } = require('@tradeflow/contracts');
const { REFERENCE_CHANGES_TOPIC } = require('@tradeflow/reference-data/cache');

async function main() {
  const { bus: config } = loadConfigOrExit({ bus: busEnv }, 'init');
  if (config.adapter !== 'kafka') {
    process.stdout.write('BUS_ADAPTER is not kafka: no topics to create\n');
    return;
  }
  const specs = Object.values(Topics).map((name) =>
    name === REFERENCE_CHANGES_TOPIC.name ? REFERENCE_CHANGES_TOPIC : { name },
  );
  const bus = await createBus({
    adapter: 'kafka',
    brokers: config.brokers,
    clientId: `${config.clientId}-init`,
    defaultPartitions: config.topicPartitions,
    source: '/tradeflow/init',
  });
  try {
    await bus.init();
    await bus.ensureTopics(specs);
  } finally {
    await bus.close().catch(() => undefined);
  }
  const names = specs.map((s) => `${s.name}${s.compacted ? ' (compacted)' : ''}`).join(', ');
  process.stdout.write(
    `topics ready (${config.topicPartitions} partitions each, with dead letters): ${names}\n`,
  );
}

main().catch((err) => {
  process.stderr.write(`creating topics failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
