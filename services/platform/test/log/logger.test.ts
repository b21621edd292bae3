import { context, INVALID_SPAN_CONTEXT, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { createLogger, requestContext } from '../../src/log';

/** A logger writing into an array of parsed lines. */
function memoryLogger(level: 'info' | 'debug' = 'info') {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    service: 'trades',
    level,
    destination: { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
  });
  return { logger, lines };
}

describe('createLogger', () => {
  const contextManager = new AsyncLocalStorageContextManager();
  const tracer = new BasicTracerProvider().getTracer('log-test');

  beforeAll(() => {
    context.setGlobalContextManager(contextManager.enable());
  });
  afterAll(() => {
    context.disable();
  });

  it('when logging, then each line is JSON with service, level label, ISO time and message', () => {
    const { logger, lines } = memoryLogger();
    logger.info({ tradeId: 't-1' }, 'trade accepted');
    logger.debug('not at info');
    expect(lines).toEqual([
      {
        level: 'info',
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown,
        service: 'trades',
        tradeId: 't-1',
        msg: 'trade accepted',
      },
    ]);
  });

  it('when a line is logged inside an active span, even after an await, then it carries the span ids', async () => {
    const { logger, lines } = memoryLogger();
    const ids = await tracer.startActiveSpan('handle', async (span) => {
      await new Promise((resolve) => setImmediate(resolve));
      logger.info('inside');
      span.end();
      return span.spanContext();
    });
    logger.info('outside');
    expect(lines[0]).toMatchObject({ trace_id: ids.traceId, span_id: ids.spanId, msg: 'inside' });
    expect(ids.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(lines[1]).not.toHaveProperty('trace_id');
    expect(lines[1]).not.toHaveProperty('span_id');
  });

  it('when the active span context is invalid, then no ids are added', () => {
    const { logger, lines } = memoryLogger();
    context.with(trace.setSpan(context.active(), trace.wrapSpanContext(INVALID_SPAN_CONTEXT)), () => {
      logger.info('x');
    });
    expect(lines[0]).not.toHaveProperty('trace_id');
  });

  it('when a line is logged inside requestContext.run, then it carries the request id', async () => {
    const { logger, lines } = memoryLogger();
    await requestContext.run({ requestId: 'req-42' }, async () => {
      await Promise.resolve();
      logger.info('in request');
    });
    logger.info('after request');
    expect(lines[0]).toMatchObject({ request_id: 'req-42', msg: 'in request' });
    expect(lines[1]).not.toHaveProperty('request_id');
    expect(requestContext.get()).toBeUndefined();
  });

  it('when headers with secrets are logged at any usual depth, then their values are redacted', () => {
    const { logger, lines } = memoryLogger();
    logger.info(
      {
        headers: { authorization: 'Bearer top', 'content-type': 'application/json' },
        req: { headers: { 'x-api-key': 'k-123', cookie: 'sid=1' } },
        err: { request: { headers: { Authorization: 'Basic abc', 'X-Api-Key': 'k-456' } } },
        res: { headers: { 'set-cookie': 'sid=2' } },
      },
      'request',
    );
    const text = JSON.stringify(lines[0]);
    for (const secret of ['Bearer top', 'k-123', 'sid=1', 'Basic abc', 'k-456', 'sid=2']) {
      expect(text).not.toContain(secret);
    }
    expect(lines[0]).toMatchObject({
      headers: { authorization: '[REDACTED]', 'content-type': 'application/json' },
      req: { headers: { 'x-api-key': '[REDACTED]', cookie: '[REDACTED]' } },
    });
  });
});
