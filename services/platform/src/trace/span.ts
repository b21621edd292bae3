import {
  context,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type SpanKind,
} from '@opentelemetry/api';

export interface SpanOptions {
  /** Default `INTERNAL`. */
  kind?: SpanKind;
  attributes?: Attributes;
  links?: Link[];
  /** Parent context, e.g. from `extractTraceContext`; default the active context. */
  parent?: Context;
}

const tracer = () => trace.getTracer('@tradeflow/platform');

/**
 * Runs `fn` inside a new active span called `name`. A thrown error is recorded on the span (status
 * ERROR) and rethrown; the span ends when `fn` settles. Costs next to nothing when tracing is off.
 */
export function withSpan<T>(
  name: string,
  options: SpanOptions,
  fn: (span: Span) => T | Promise<T>,
): Promise<T> {
  const { parent = context.active(), ...spanOptions } = options;
  return tracer().startActiveSpan(name, spanOptions, parent, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      span.recordException(err instanceof Error ? err : String(err));
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: err instanceof Error ? err.message : String(err),
      });
      throw err;
    } finally {
      span.end();
    }
  });
}

/** Trace and span id of the active span, or undefined when there is none (tracing off, no request). */
export function activeTraceIds(): { traceId: string; spanId: string } | undefined {
  const ctx = trace.getActiveSpan()?.spanContext();
  return ctx !== undefined && trace.isSpanContextValid(ctx)
    ? { traceId: ctx.traceId, spanId: ctx.spanId }
    : undefined;
}
