/**
 * OpenTelemetry: `startTracing` (the Node SDK; call it before anything else loads) and the small
 * helpers services and adapters use — propagation over headers and spans around work.
 */
export { startTracing, type Tracing, type TracingOptions } from './sdk';
export { startServerSpan, type RouteOf } from './server-span';
export { UNTRACED_PATHS } from './sdk';
export { extractTraceContext, injectTraceHeaders, type CarrierValue, type TraceCarrier } from './propagation';
export { activeTraceIds, withSpan, type SpanOptions } from './span';
export {
  outcomeAttributes,
  tradeAttributes,
  TradeflowAttributes,
  type OutcomeSummary,
  type TradeIdentity,
} from './attributes';
export { SpanKind, SpanStatusCode, type Span } from '@opentelemetry/api';
