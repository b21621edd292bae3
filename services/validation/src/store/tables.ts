import type { TableDefinition } from '@tradeflow/platform/store';

/**
 * The validation service's tables (names before `TABLE_PREFIX`):
 * - fingerprints: one item per duplicate fingerprint and window-wide time bucket (`bucket` =
 *   `<account>|<symbol>|<side>|<quantity>|<price>#<windowMs>#<n>`) listing the trade versions judged in it, each
 *   entry the version's record: its outcome (a redelivered version gets it back instead of a new judgement) and
 *   what it counted towards a daily total (so an amendment can release it). One BatchGet per batch finds both
 *   the records and the earlier identical trades, after a restart too. Every write is conditional on the
 *   bucket's `rev`; expired by TTL (`expiresAt`, VALIDATION_RECORD_RETENTION after the last write).
 * - daily totals: one item per account and trading day (`dayKey` = `ACC-001#2025-03-10`): the running notional
 *   of its validated trades in the account's currency, with a revision every write is conditional on.
 */
export const VALIDATION_TABLES = {
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
