import { Counter, Histogram, type Registry } from 'prom-client';
import type { StoreObserver } from '../store/observer';

/** Buckets in seconds, from a DynamoDB Local cache hit to a throttled batch retried by the SDK. */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * A `StoreObserver` that records `dynamodb_request_duration_seconds{operation,table,outcome}` and
 * `dynamodb_item_writes_total{table}` (items written, exactly: see `itemsWritten`).
 */
export function createStoreMetrics(registry: Registry): StoreObserver {
  const duration = new Histogram({
    name: 'dynamodb_request_duration_seconds',
    help: 'Time of each DynamoDB call (SDK retries included), by operation, table and outcome.',
    labelNames: ['operation', 'table', 'outcome'] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const writes = new Counter({
    name: 'dynamodb_item_writes_total',
    help: 'Items written by successful DynamoDB calls: 1 per PutItem/UpdateItem/DeleteItem, each processed item of a BatchWriteItem, each Put/Update/Delete of a TransactWriteItems.',
    labelNames: ['table'] as const,
    registers: [registry],
  });
  return {
    called: (operation, table, seconds, outcome) => duration.observe({ operation, table, outcome }, seconds),
    itemsWritten: (table, count) => writes.inc({ table }, count),
  };
}
