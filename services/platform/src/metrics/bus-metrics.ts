import { Counter, Gauge, type Registry } from 'prom-client';
import type { BusObserver } from '../bus/observer';

/** A `BusObserver` that counts published, consumed, failed and dead-lettered messages and keeps consumer lag. */
export function createBusMetrics(registry: Registry): BusObserver {
  const published = new Counter({
    name: 'bus_messages_published_total',
    help: 'Messages the bus acknowledged as published, by topic.',
    labelNames: ['topic'] as const,
    registers: [registry],
  });
  const counter = (name: string, help: string): Counter<'topic' | 'group'> =>
    new Counter({ name, help, labelNames: ['topic', 'group'] as const, registers: [registry] });
  const consumed = counter('bus_messages_consumed_total', 'Messages a handler finished successfully.');
  const failed = counter(
    'bus_messages_failed_total',
    'Handler attempts that threw (each attempt counts; a failed batch once).',
  );
  const deadLettered = counter(
    'bus_messages_dead_lettered_total',
    'Messages moved to their dead-letter topic after the last attempt.',
  );

  const lag = new Gauge({
    name: 'bus_consumer_lag_messages',
    help: 'Messages on a partition not yet committed by a consumer group (end offset minus committed offset), sampled periodically by each member.',
    labelNames: ['topic', 'partition', 'group'] as const,
    registers: [registry],
  });

  return {
    published: (topic, count) => published.inc({ topic }, count),
    // Zero series from the start, so rates, the dashboard and alerts work before the first failure.
    subscribed: (topic, group) => {
      for (const c of [consumed, failed, deadLettered]) c.inc({ topic, group }, 0);
    },
    lag: (topic, partition, group, messages) =>
      lag.set({ topic, partition: String(partition), group }, messages),
    consumed: (topic, group) => consumed.inc({ topic, group }),
    failed: (topic, group) => failed.inc({ topic, group }),
    deadLettered: (topic, group) => deadLettered.inc({ topic, group }),
  };
}
