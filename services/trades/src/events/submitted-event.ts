/** The `trades.submitted` event of a trade version: what validation needs, nothing it must look up here. */
import { EventTypes, tradeCancelled, type TradeCancelled, type TradeSubmitted } from '@tradeflow/contracts';
import type { PublishMessage } from '@tradeflow/platform/bus';
import { tradeAttributes } from '@tradeflow/platform/trace';
import { submittedFields, type Trade } from '../domain';

/**
 * The event of `trade` at its current version. Its id is stable per (trade, version), so a republished event
 * (a retried chunk, an amendment published twice) is recognisably the same one downstream. An amendment passes
 * the version it replaces as `previous`: validation finds what that version counted from its version, price and
 * quantity (account, symbol, side and trade time never change).
 */
export function submittedMessage(
  trade: Trade,
  topic: string,
  previous?: Pick<Trade, 'version' | 'price' | 'quantity'>,
): PublishMessage<TradeSubmitted> {
  return {
    topic,
    key: trade.accountId,
    type: EventTypes.tradeSubmitted,
    id: `submitted:${trade.tradeId}:${trade.version}`,
    subject: trade.tradeId,
    data: {
      ...submittedFields(trade),
      channel: trade.channel,
      version: trade.version,
      ...(previous === undefined
        ? {}
        : { previous: { version: previous.version, price: previous.price, quantity: previous.quantity } }),
    },
    // The PRODUCER span of a single trade's event names it, so its trace is found by trade id from the start.
    traceAttributes: tradeAttributes(trade),
  };
}

/**
 * The cancellation event of `trade` (as written CANCELLED), on the same topic and key as its submissions so
 * validation sees it after the version it cancels and releases what that version counted. Its id is stable per
 * (trade, version): a republished cancellation is recognisably the same one.
 */
export function cancelledMessage(trade: Trade, topic: string): PublishMessage<TradeCancelled> {
  return {
    topic,
    key: trade.accountId,
    type: EventTypes.tradeCancelled,
    id: `cancelled:${trade.tradeId}:${trade.version}`,
    subject: trade.tradeId,
    data: tradeCancelled(trade, trade.cancelledAt ?? trade.updatedAt),
    traceAttributes: tradeAttributes(trade),
  };
}
