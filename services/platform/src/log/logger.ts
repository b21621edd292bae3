/** The JSON-lines logger every service uses: one line per event, correlated with the trace and the request. */
import { trace } from '@opentelemetry/api';
import pino, { type DestinationStream, type Level, type Logger } from 'pino';
import { requestContext } from './request-context';

export type { Logger } from 'pino';

/** Headers whose values must never reach a log line. */
const SECRET_HEADERS = ['authorization', 'proxy-authorization', 'x-api-key', 'cookie', 'set-cookie'];

/**
 * Redaction paths for the secret headers wherever a `headers` object is logged: at the top, or one or two
 * levels down (`req.headers`, `res.headers`, `err.request.headers`). Both the lower-case form Node gives
 * incoming headers and the capitalised form people write for outgoing ones.
 */
export const REDACTED_PATHS = SECRET_HEADERS.flatMap((name) => {
  const capitalised = name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
  return [name, capitalised].flatMap((header) => {
    const key = `headers[${JSON.stringify(header)}]`;
    return [key, `*.${key}`, `*.*.${key}`];
  });
});

export interface LoggerOptions {
  /** Becomes the `service` field of every line. */
  service: string;
  /** Default `info`. */
  level?: Level | 'silent';
  /** Where lines go; default stdout, written synchronously. Tests pass an in-memory stream. */
  destination?: DestinationStream;
}

/** `trace_id`/`span_id` of the active OpenTelemetry span and `request_id` of the current request, when present. */
function correlationFields(): Record<string, string> {
  const fields: Record<string, string> = {};
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (spanContext !== undefined && trace.isSpanContextValid(spanContext)) {
    fields.trace_id = spanContext.traceId;
    fields.span_id = spanContext.spanId;
  }
  const request = requestContext.get();
  if (request !== undefined) fields.request_id = request.requestId;
  return fields;
}

/** A pino logger writing JSON lines with `service`, an ISO `time`, a level label and correlation ids. */
export function createLogger({ service, level = 'info', destination }: LoggerOptions): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin: correlationFields,
    redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
  };
  // Synchronous stdout: an async write still in flight when the runner calls process.exit is lost or reordered.
  return pino(options, destination ?? pino.destination({ dest: 1, sync: true }));
}
