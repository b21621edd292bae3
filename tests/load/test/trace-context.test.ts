// The traceparent every load request carries: valid W3C version-00 values, fresh per request, readable back.
import { SeededRandom } from '@tradeflow/reference-data/seed';
import { newTraceContext, traceIdOf } from '../lib/trace-context.ts';

describe('trace context', () => {
  it('when made, then the header is a sampled version-00 traceparent built from its own ids', () => {
    const context = newTraceContext();
    expect(context.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(context.traceparent).toBe(`00-${context.traceId}-${context.spanId}-01`);
    expect(traceIdOf(context.traceparent)).toBe(context.traceId);
  });

  it('when made many times, then no two trace ids are equal', () => {
    const ids = new Set(Array.from({ length: 5000 }, () => newTraceContext().traceId));
    expect(ids.size).toBe(5000);
  });

  it('when the source is seeded, then the ids repeat with the seed', () => {
    const make = (seed: number) => {
      const random = new SeededRandom(seed);
      return newTraceContext(() => random.next());
    };
    expect(make(3)).toEqual(make(3));
    expect(make(4)).not.toEqual(make(3));
  });

  it('when the source would give all-zero ids, then it draws again, since a receiver drops such a header', () => {
    const draws = Array<number>(32).fill(0);
    const context = newTraceContext(() => draws.shift() ?? 0.5);
    expect(context.traceId).toBe('8'.repeat(32));
    expect(context.spanId).toBe('8'.repeat(16));
  });

  it('when a value is not a valid traceparent, then it has no trace id', () => {
    for (const bad of [
      '',
      '01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      `00-${'0'.repeat(32)}-b7ad6b7169203331-01`,
      `00-0af7651916cd43dd8448eb211c80319c-${'0'.repeat(16)}-01`,
      '00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01',
    ])
      expect(traceIdOf(bad)).toBeUndefined();
  });
});
