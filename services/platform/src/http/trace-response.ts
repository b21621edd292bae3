import { trace } from '@opentelemetry/api';
import type { RequestHandler } from 'express';

/**
 * Names the request's trace in a `traceresponse` header (W3C Trace Context level 2), so a caller can
 * find the trace of any response. Adds nothing when tracing is off.
 */
export function traceResponseMiddleware(): RequestHandler {
  return (_req, res, next) => {
    const ctx = trace.getActiveSpan()?.spanContext();
    if (ctx !== undefined && trace.isSpanContextValid(ctx)) {
      const flags = ctx.traceFlags.toString(16).padStart(2, '0');
      res.setHeader('traceresponse', `00-${ctx.traceId}-${ctx.spanId}-${flags}`);
    }
    next();
  };
}
