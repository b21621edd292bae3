import { context, propagation, type Context, type TextMapGetter } from '@opentelemetry/api';

/** Header values as HTTP (string arrays) and Kafka (Buffers) deliver them. */
export type CarrierValue = string | Buffer | readonly (string | Buffer)[] | undefined;

/** Headers to extract a trace context from. */
export type TraceCarrier = Readonly<Record<string, CarrierValue>>;

const getter: TextMapGetter<TraceCarrier> = {
  keys: (carrier) => Object.keys(carrier),
  get(carrier, key) {
    // Kafka header names keep their case; HTTP's are lower-case already.
    const value = carrier[key] ?? carrier[Object.keys(carrier).find((k) => k.toLowerCase() === key) ?? key];
    if (value === undefined) return undefined;
    if (typeof value === 'string') return value;
    if (Buffer.isBuffer(value)) return value.toString('utf8');
    return value.map((v) => (typeof v === 'string' ? v : v.toString('utf8')));
  },
};

/**
 * Writes the trace context of `ctx` (default: the active one) into `headers` (`traceparent`,
 * `tracestate`, `baggage`) and returns them; writes nothing when tracing is off.
 */
export function injectTraceHeaders<H extends Record<string, string>>(
  headers: H,
  ctx: Context = context.active(),
): H {
  propagation.inject(ctx, headers);
  return headers;
}

/** The trace context carried by `headers` (HTTP or bus message headers), on top of `base` (default: active). */
export function extractTraceContext(headers: TraceCarrier, base: Context = context.active()): Context {
  return propagation.extract(base, headers, getter);
}
