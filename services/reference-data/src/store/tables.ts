import type { TableDefinition } from '@tradeflow/platform/store';

/**
 * One table for every kind: partition key `kind`, sort key `id`, so a kind's list is one ordered Query
 * and the cursor is simply the last id. The entity is stored whole as a map attribute `entity`, with a
 * `version` for optimistic updates.
 */
export const referenceDataTables = {
  reference: {
    name: 'reference-data',
    partitionKey: { name: 'kind', type: 'S' },
    sortKey: { name: 'id', type: 'S' },
  },
} satisfies Record<string, TableDefinition>;
export type ReferenceDataTables = typeof referenceDataTables;
