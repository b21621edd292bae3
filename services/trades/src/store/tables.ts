/** The tables the trades service owns. Names get the environment's prefix once, in the module. */
import type { TableDefinition } from '@tradeflow/platform/store';

/** The account index: an account's trades by UTC trade time (`accountTime` = `<UTC time>#<tradeId>`). */
export const ACCOUNT_TIME_INDEX = 'byAccountTime';

/** Every table of the service, unprefixed. */
export const TRADES_TABLES = {
  /** One item per trade, keyed by id; the account index serves the listing. */
  trades: {
    name: 'trades',
    partitionKey: { name: 'tradeId', type: 'S' },
    globalSecondaryIndexes: [
      {
        name: ACCOUNT_TIME_INDEX,
        partitionKey: { name: 'accountId', type: 'S' },
        sortKey: { name: 'accountTime', type: 'S' },
      },
    ],
  },
  /** One item per Idempotency-Key and operation: the in-progress marker, then the first response. */
  idempotency: {
    name: 'trades-idempotency',
    partitionKey: { name: 'key', type: 'S' },
    ttlAttribute: 'expiresAt',
  },
  /** One item per bulk upload: its state and counts, updated after every chunk. */
  bulkJobs: {
    name: 'trades-bulk-jobs',
    partitionKey: { name: 'jobId', type: 'S' },
    ttlAttribute: 'expiresAt',
  },
  /** The rejected lines of a bulk upload, by line number. */
  bulkErrors: {
    name: 'trades-bulk-errors',
    partitionKey: { name: 'jobId', type: 'S' },
    sortKey: { name: 'line', type: 'N' },
    ttlAttribute: 'expiresAt',
  },
} as const satisfies Record<string, TableDefinition>;

/** The service's tables as used at run time (prefixed). */
export type TradesTables = { [K in keyof typeof TRADES_TABLES]: TableDefinition };
