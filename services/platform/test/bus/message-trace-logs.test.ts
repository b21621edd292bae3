/**
 * Log lines of consumers carry the trace of the message they are about: inside a batch handler under
 * `withMessageTrace`, and the bus's own lines about a failing message. The memory adapter, a real tracer
 * provider and the W3C propagator.
 */
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { withMessageTrace, type Bus, type BusMessage } from '../../src/bus';
import { MemoryBus } from '../../src/bus/memory';
import { createLogger } from '../../src/log';
import { eventually } from '../../../../tests/support/eventually';

const lines: Record<string, unknown>[] = [];
const logger = createLogger({
  service: 'test',
  level: 'info',
  destination: { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
});
const contextManager = new AsyncLocalStorageContextManager();
let bus: Bus;

/** Publishes one message per trace; resolves with each message's trace id, by message id. */
async function publishInTraces(topic: string, count: number): Promise<Map<string, string>> {
  const tracer = trace.getTracer('message-trace-logs');
  const traces = new Map<string, string>();
  for (let i = 0; i < count; i++) {
    await tracer.startActiveSpan(`request-${i}`, async (span) => {
      await bus.publish({ topic, key: 'k', type: 'test.v1', data: { i }, id: `${topic}-${i}` });
      span.end();
      traces.set(`${topic}-${i}`, span.spanContext().traceId);
    });
  }
  return traces;
}

beforeAll(async () => {
  context.setGlobalContextManager(contextManager.enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(new BasicTracerProvider());
  bus = new MemoryBus({ defaultPartitions: 1 }, { logger });
  await bus.init();
});

afterAll(async () => {
  await bus.close();
  trace.disable();
  propagation.disable();
  context.disable();
});

beforeEach(() => {
  lines.length = 0;
});

describe('log lines of consumers', () => {
  it('when a batch handler logs about each message inside withMessageTrace, then each line carries that message’s trace id', async () => {
    const traces = await publishInTraces('logs-batch', 4);
    let handled = 0;
    await bus.subscribe({
      group: 'g-batch',
      topics: ['logs-batch'],
      fromBeginning: true,
      batchHandler: (messages: BusMessage[]) => {
        logger.info({ size: messages.length }, 'batch');
        for (const m of messages) withMessageTrace(m, () => logger.info({ id: m.id }, 'message'));
        handled += messages.length;
        return Promise.resolve();
      },
    });
    await eventually(() => (handled === 4 ? true : undefined), 'four messages handled');

    const perMessage = lines.filter((l) => l.msg === 'message');
    expect(perMessage).toHaveLength(4);
    for (const line of perMessage) expect(line.trace_id).toBe(traces.get(line.id as string));
    // The batch's own lines carry a trace too: the message's when alone, the batch span's otherwise.
    expect(lines.filter((l) => l.msg === 'batch').every((l) => typeof l.trace_id === 'string')).toBe(true);
  });

  it('when a handler fails and the bus logs the retry, then the line carries the message’s trace id', async () => {
    const traces = await publishInTraces('logs-retry', 1);
    let attempts = 0;
    await bus.subscribe({
      group: 'g-retry',
      topics: ['logs-retry'],
      fromBeginning: true,
      retry: { maxAttempts: 2, backoff: { baseMs: 1, maxMs: 1 } },
      handler: () => {
        attempts++;
        return attempts === 1 ? Promise.reject(new Error('first attempt fails')) : Promise.resolve();
      },
    });
    await eventually(() => (attempts === 2 ? true : undefined), 'the retry');

    const retry = lines.find((l) => l.msg === 'bus handler failed; retrying');
    expect(retry).toMatchObject({ trace_id: traces.get('logs-retry-0'), err: 'first attempt fails' });
  });
});
