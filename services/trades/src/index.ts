/** `@tradeflow/trades`: the service's modules and config, for its own main and the all-in-one. */
export { config, tradesEnv, MAX_BATCH_ITEMS, type TradesConfig } from './config';
export {
  TRADES_STATUS_GROUP,
  TradesModule,
  tradesModules,
  type TradesModulesConfig,
  type TradesModulesOptions,
  type TradesStore,
} from './module';
export { TRADES_TABLES, ACCOUNT_TIME_INDEX, type TradesTables } from './store';
export {
  bulkTradeId,
  CSV_OPTIONAL_COLUMNS,
  CSV_REQUIRED_COLUMNS,
  type TradeRequest,
  type TradeView,
} from './domain';
