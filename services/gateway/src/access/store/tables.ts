import type { TableDefinition } from '@tradeflow/platform/store';

/** The name of the key table's index by consumer. */
export const KEYS_BY_CONSUMER_INDEX = 'by-consumer';

/**
 * The gateway's own tables (names before `withTablePrefix`): consumers by id, API keys by key id (with an
 * index by consumer for listing), usage plans by name, and daily usage per consumer and UTC day (expired by
 * TTL two days after the day ends).
 */
export const accessTables = {
  consumers: {
    name: 'gateway-consumers',
    partitionKey: { name: 'id', type: 'S' },
  },
  keys: {
    name: 'gateway-api-keys',
    partitionKey: { name: 'keyId', type: 'S' },
    globalSecondaryIndexes: [
      {
        name: KEYS_BY_CONSUMER_INDEX,
        partitionKey: { name: 'consumerId', type: 'S' },
        sortKey: { name: 'createdAt', type: 'S' },
      },
    ],
  },
  plans: {
    name: 'gateway-plans',
    partitionKey: { name: 'name', type: 'S' },
  },
  usage: {
    name: 'gateway-usage',
    partitionKey: { name: 'consumerId', type: 'S' },
    sortKey: { name: 'day', type: 'S' },
    ttlAttribute: 'expiresAt',
  },
} satisfies Record<string, TableDefinition>;
export type AccessTables = typeof accessTables;
