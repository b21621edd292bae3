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
  /** Where lines go; default the process's stdout destination (`processLogDestination`). Tests pass a stream. */
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

/** A batch flushed by the event loop is written at once past this many characters. */
const BATCH_LIMIT = 64 * 1024;

/**
 * Lines gathered during one turn of the event loop and written together, synchronously, when the turn ends
 * (setImmediate), or at once past `BATCH_LIMIT`, or when the process exits. One write call per batch instead of
 * one per line, yet nothing waits in a thread: the write is done when it returns, so lines keep their order and
 * a line logged just before `process.exit` (a signal's shutdown, a fatal error) is flushed by the exit hook.
 */
class BatchedLines implements DestinationStream {
  private pending = '';
  private scheduled = false;
  private readonly flushSoon = (): void => {
    this.scheduled = false;
    this.flush();
  };

  constructor(private readonly out: DestinationStream) {}

  write(line: string): void {
    this.pending += line;
    if (this.pending.length >= BATCH_LIMIT) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushSoon);
    }
  }

  /** Writes every pending line now (pino's sonic-boom destination retries a full pipe's EAGAIN). */
  flush(): void {
    if (this.pending === '') return;
    const batch = this.pending;
    this.pending = '';
    this.out.write(batch);
  }
}

let processDestination: BatchedLines | undefined;

/**
 * The one stdout destination every logger of the process shares (so two loggers' lines can never tear or
 * interleave mid-line), batched per event-loop turn and flushed on exit.
 */
export function processLogDestination(): DestinationStream {
  if (processDestination === undefined) {
    const destination = new BatchedLines(pino.destination({ dest: 1, sync: true }));
    process.on('exit', () => destination.flush());
    processDestination = destination;
  }
  return processDestination;
}

/** Writes every line the process's loggers have produced so far (the exit hook does it on `process.exit`). */
export function flushLogs(): void {
  processDestination?.flush();
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
  // Writes are synchronous (an async write in flight when the runner calls process.exit is lost or reordered)
  // but batched per event-loop turn: one write per turn instead of one per line.
  return pino(options, destination ?? processLogDestination());
}
