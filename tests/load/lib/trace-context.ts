/**
 * W3C trace context for load generators: every request gets a fresh `traceparent` (version 00, sampled), so
 * the services join their spans to a trace id the generator knows and logs, and a slow or failed request can
 * be looked up in Jaeger by that id. Pure TypeScript, like the trade mix: k6 and Node both run it.
 */

/** A new trace: the ids and the `traceparent` header value that starts it. */
export interface TraceContext {
  /** 32 lower-case hex digits, never all zeros. */
  traceId: string;
  /** 16 lower-case hex digits, never all zeros: the caller's (client) span. */
  spanId: string;
  /** `00-<traceId>-<spanId>-01`: the sampled flag asks every service to record the trace. */
  traceparent: string;
}

const HEX = '0123456789abcdef';
const W3C_TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

function hexId(length: number, random: () => number): string {
  for (;;) {
    let id = '';
    for (let i = 0; i < length; i++) id += HEX.charAt(Math.floor(random() * 16));
    // The specification makes an all-zero id invalid; a receiver would drop the whole header.
    if (/[1-9a-f]/.test(id)) return id;
  }
}

/**
 * A fresh trace context. `random` defaults to `Math.random`: trace ids need to be unique, not secret; a
 * seeded source makes them reproducible in tests.
 */
export function newTraceContext(random: () => number = Math.random): TraceContext {
  const traceId = hexId(32, random);
  const spanId = hexId(16, random);
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` };
}

/** The trace id of a `traceparent` value, or undefined when it is not a valid version-00 header. */
export function traceIdOf(traceparent: string): string | undefined {
  const match = W3C_TRACEPARENT.exec(traceparent);
  if (match === null) return undefined;
  const [, traceId, spanId] = match;
  if (traceId === undefined || spanId === undefined) return undefined;
  return /[1-9a-f]/.test(traceId) && /[1-9a-f]/.test(spanId) ? traceId : undefined;
}
