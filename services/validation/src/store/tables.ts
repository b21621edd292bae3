import type { TableDefinition } from '@tradeflow/platform/store';

/**
 * The validation service's tables (names before `TABLE_PREFIX`):
 * - outcomes: one item per judged trade version (`tradeId`, `version`), the idempotency record; a redelivered
 *   trade gets this outcome back instead of a new judgement. It also holds what the version counted towards
 *   a daily total, so an amendment can replace it.
 * - daily totals: one item per account and trading day (`dayKey` = `ACC-001#2025-03-10`): the running notional
 *   of its validated trades in the account's currency, with a revision every write is conditional on.
 * - fingerprints: one item per duplicate fingerprint and window-wide time bucket (`bucket` =
 *   `<account>|<symbol>|<side>|<quantity>|<price>#<windowMs>#<n>`) listing the trades judged in it, so a probable
 *   duplicate is found after a restart too, with one BatchGet per batch; expired by TTL.
 */
export const VALIDATION_TABLES = {
  outcomes: {
    name: 'validation-outcomes',
    partitionKey: { name: 'tradeId', type: 'S' },
    sortKey: { name: 'version', type: 'N' },
  },
  dailyTotals: {
    name: 'validation-daily-totals',
    partitionKey: { name: 'dayKey', type: 'S' },
  },
  fingerprints: {
    name: 'validation-fingerprints',
    partitionKey: { name: 'bucket', type: 'S' },
    ttlAttribute: 'expiresAt',
  },
} satisfies Record<string, TableDefinition>;

export type ValidationTables = typeof VALIDATION_TABLES;
