import { createBreaker, BreakerErrorCode, type Breaker, type BreakerState } from '../../src/resilience';
import { createMetrics, type Metrics } from '../../src/metrics';
import { NotFoundError, TimeoutError, TooManyRequestsError, UnavailableError } from '../../src/errors';

const fast = { volumeThreshold: 2, errorThresholdPercentage: 50, resetTimeout: 60, timeout: 200 };

async function eventually(check: () => boolean, what: string, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function gauge(metrics: Metrics, name: string): Promise<number | undefined> {
  const metric = await metrics.registry.getSingleMetric('circuit_breaker_state')?.get();
  return metric?.values.find((v) => v.labels.name === name)?.value;
}

async function calls(metrics: Metrics, name: string): Promise<Record<string, number>> {
  const metric = await metrics.registry.getSingleMetric('circuit_breaker_calls_total')?.get();
  const out: Record<string, number> = {};
  for (const v of metric?.values ?? []) if (v.labels.name === name) out[String(v.labels.result)] = v.value;
  return out;
}

describe('createBreaker', () => {
  let metrics: Metrics;
  const breakers: Breaker<never[], unknown>[] = [];
  const track = <A extends unknown[], R>(b: Breaker<A, R>): Breaker<A, R> => {
    breakers.push(b as unknown as Breaker<never[], unknown>);
    return b;
  };

  beforeEach(() => {
    metrics = createMetrics({ service: 'test', collectDefaultMetrics: false });
  });
  afterEach(() => {
    for (const b of breakers.splice(0)) b.shutdown();
  });

  it('when calls succeed, then it returns their results, stays closed and counts successes', async () => {
    const breaker = track(createBreaker('ok', (x: number) => Promise.resolve(x * 2), fast, metrics));

    await expect(breaker.fire(21)).resolves.toBe(42);

    expect(breaker.state).toBe('closed');
    expect(await gauge(metrics, 'ok')).toBe(0);
    expect(await calls(metrics, 'ok')).toEqual({ success: 1, failure: 0, timeout: 0, rejected: 0 });
  });

  it('when the function throws, then the very same error reaches the caller', async () => {
    const boom = new Error('boom');
    const breaker = track(createBreaker('passthrough', () => Promise.reject(boom), fast, metrics));

    await expect(breaker.fire()).rejects.toBe(boom);
  });

  it('when failures pass the threshold, then the circuit opens and refuses calls without running the function', async () => {
    const fn = jest.fn(() => Promise.reject(new Error('down')));
    const breaker = track(createBreaker('failing', fn, { ...fast, resetTimeout: 60_000 }, metrics));

    await expect(breaker.fire()).rejects.toThrow('down');
    await expect(breaker.fire()).rejects.toThrow('down');
    expect(breaker.state).toBe('open');

    const refusal = breaker.fire();
    await expect(refusal).rejects.toBeInstanceOf(UnavailableError);
    await expect(refusal).rejects.toMatchObject({ code: BreakerErrorCode.CIRCUIT_OPEN, status: 503 });
    expect(fn).toHaveBeenCalledTimes(2);
    expect(await gauge(metrics, 'failing')).toBe(2);
    expect(await calls(metrics, 'failing')).toEqual({ success: 0, failure: 2, timeout: 0, rejected: 1 });
  });

  it('when the reset timeout elapses, then it half-opens, and a successful trial call closes it', async () => {
    let healthy = false;
    const breaker = track(
      createBreaker(
        'recovering',
        () => (healthy ? Promise.resolve('up') : Promise.reject(new Error('down'))),
        fast,
        metrics,
      ),
    );
    await expect(breaker.fire()).rejects.toThrow('down');
    await expect(breaker.fire()).rejects.toThrow('down');
    expect(breaker.state).toBe('open');

    await eventually(() => breaker.state === 'half-open', 'half-open');
    expect(await gauge(metrics, 'recovering')).toBe(1);

    healthy = true;
    await expect(breaker.fire()).resolves.toBe('up');
    expect(breaker.state).toBe('closed');
    expect(await gauge(metrics, 'recovering')).toBe(0);
  });

  it('when the trial call in half-open fails, then the circuit opens again', async () => {
    const breaker = track(createBreaker('relapsing', () => Promise.reject(new Error('down')), fast, metrics));
    await expect(breaker.fire()).rejects.toThrow('down');
    await expect(breaker.fire()).rejects.toThrow('down');
    await eventually(() => breaker.state === 'half-open', 'half-open');

    await expect(breaker.fire()).rejects.toThrow('down');

    expect(breaker.state satisfies BreakerState).toBe('open');
    expect(await gauge(metrics, 'relapsing')).toBe(2);
  });

  it('when a call outlasts the timeout, then it fails with TimeoutError and counts as a timeout only', async () => {
    const breaker = track(
      createBreaker(
        'slow',
        () => new Promise<string>((resolve) => setTimeout(() => resolve('late'), 500).unref()),
        {
          ...fast,
          timeout: 20,
        },
        metrics,
      ),
    );

    const call = breaker.fire();
    await expect(call).rejects.toBeInstanceOf(TimeoutError);
    await expect(call).rejects.toMatchObject({ code: BreakerErrorCode.TIMEOUT, status: 504 });
    expect(await calls(metrics, 'slow')).toEqual({ success: 0, failure: 0, timeout: 1, rejected: 0 });
  });

  it('when the function keeps throwing client errors (4xx), then they pass through and the circuit stays closed', async () => {
    const breaker = track(createBreaker('lookup', () => Promise.reject(new NotFoundError()), fast, metrics));

    for (let i = 0; i < 5; i++) await expect(breaker.fire()).rejects.toBeInstanceOf(NotFoundError);

    expect(breaker.state).toBe('closed');
  });

  it('when the upstream answers 429, then that counts as a failure', async () => {
    const breaker = track(
      createBreaker('limited', () => Promise.reject(new TooManyRequestsError(1)), fast, metrics),
    );

    await expect(breaker.fire()).rejects.toBeInstanceOf(TooManyRequestsError);
    await expect(breaker.fire()).rejects.toBeInstanceOf(TooManyRequestsError);

    expect(breaker.state).toBe('open');
  });

  it('when a custom errorFilter excuses an error, then it does not trip the circuit', async () => {
    const breaker = track(
      createBreaker('custom', () => Promise.reject(new Error('expected')), {
        ...fast,
        errorFilter: (err) => err instanceof Error && err.message === 'expected',
      }),
    );

    for (let i = 0; i < 4; i++) await expect(breaker.fire()).rejects.toThrow('expected');

    expect(breaker.state).toBe('closed');
  });

  it('when the breaker is shut down, then calls fail with UnavailableError', async () => {
    const breaker = createBreaker('stopped', () => Promise.resolve(1), fast);
    breaker.shutdown();

    await expect(breaker.fire()).rejects.toMatchObject({ code: BreakerErrorCode.SHUT_DOWN, status: 503 });
  });
});
