/**
 * `@tradeflow/platform/bus`: the bus port, the CloudEvents envelope constants, dead-letter replay and the
 * factory that picks an adapter from configuration. Adapters are loaded lazily, so a process that does
 * not use Kafka never loads kafkajs.
 */
import type { Bus, BusConfig, BusDeps } from './port';

export * from './port';
export { CE_HEADERS, CONTENT_TYPE_HEADER, DLQ_HEADERS, JSON_CONTENT_TYPE } from './envelope';
export { noopBusObserver, type BusObserver } from './observer';
export { replayDeadLetters, type ReplayOptions } from './replay';
export { setMessageAttributes, withMessageTrace } from './tracing';

/** Builds the adapter `config.adapter` names; call `init()` on the result before using it. */
export async function createBus(config: BusConfig, deps: BusDeps = {}): Promise<Bus> {
  switch (config.adapter) {
    case 'memory': {
      const { MemoryBus } = await import('./memory.js');
      return new MemoryBus(config, deps);
    }
    case 'kafka': {
      const { KafkaBus } = await import('./kafka.js');
      return new KafkaBus(config, deps);
    }
  }
}
