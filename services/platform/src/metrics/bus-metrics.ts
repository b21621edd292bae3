import { Counter, type Registry } from 'prom-client';
import type { BusObserver } from '../bus/observer';

/** A `BusObserver` that counts published, consumed, failed and dead-lettered messages. */
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

  return {
    published: (topic, count) => published.inc({ topic }, count),
    consumed: (topic, group) => consumed.inc({ topic, group }),
    failed: (topic, group) => failed.inc({ topic, group }),
    deadLettered: (topic, group) => deadLettered.inc({ topic, group }),
  };
}
