/**
 * The two loads of a benchmark. `maxRate`: autocannon, closed loop (every connection sends its next request as
 * soon as the previous one is answered), for the most requests per second a target serves. `fixedRate`: an
 * open-loop generator that starts requests at an even pace over a keep-alive pool, for the latency at a given
 * rate. autocannon paces a fixed rate by sending each connection's share of a second back to back and then
 * idling, and records whole milliseconds; neither suits sub-millisecond latencies, hence our own generator.
 */
import { createHistogram } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { Pool } from 'undici';

/** Something to load: a URL (one GET endpoint) and the headers every request carries. */
export interface Target {
  name: string;
  url: string;
  headers?: Record<string, string>;
}

/** What a closed-loop run measured. */
export interface MaxRateResult {
  /** Mean answered requests per second over the run. */
  rps: number;
  /** Answers that were not 2xx (a proxy refusing, a rate limit): a valid run has none. */
  non2xx: number;
  /** Requests that got no answer (connection errors, timeouts). */
  errors: number;
}

/** The most requests per second `target` answers with `connections` busy connections for `durationS`. */
export async function maxRate(
  target: Target,
  { connections, durationS }: { connections: number; durationS: number },
): Promise<MaxRateResult> {
  const result = await autocannon({
    url: target.url,
    headers: target.headers,
    connections,
    duration: durationS,
    pipelining: 1,
  });
  return {
    rps: result.requests.total / durationS,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

/** What an open-loop run at a fixed rate measured; latencies in milliseconds, from send to the body's end. */
export interface FixedRateResult {
  rate: number;
  /** Answered requests per second (below `rate` when the target falls behind). */
  achievedRps: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  non2xx: number;
  errors: number;
}

/**
 * Starts `rate` requests per second at an even pace (checked every millisecond) for `warmupS` and then
 * `durationS`, over a pool of at most `connections` keep-alive connections, and records the latency of each
 * request started after the warm-up, in nanoseconds.
 */
export async function fixedRate(
  target: Target,
  {
    connections,
    durationS,
    rate,
    warmupS = 0,
  }: { connections: number; durationS: number; rate: number; warmupS?: number },
): Promise<FixedRateResult> {
  const url = new URL(target.url);
  const pool = new Pool(url.origin, { connections, pipelining: 1, keepAliveTimeout: 30_000 });
  const histogram = createHistogram();
  const path = `${url.pathname}${url.search}`;
  let sent = 0;
  let answered = 0;
  let non2xx = 0;
  let errors = 0;
  let inFlight = 0;

  const fire = (counted: boolean): void => {
    inFlight += 1;
    const started = process.hrtime.bigint();
    pool
      .request({ path, method: 'GET', headers: target.headers })
      .then(async ({ statusCode, body }) => {
        await body.arrayBuffer();
        if (!counted) return;
        if (statusCode >= 200 && statusCode < 300) histogram.record(process.hrtime.bigint() - started);
        else non2xx += 1;
        answered += 1;
      })
      .catch(() => {
        if (counted) errors += 1;
      })
      .finally(() => {
        inFlight -= 1;
      });
  };

  // The warm-up runs at the same pace (the pool opens its connections, both sides compile their hot paths);
  // only what starts after it is measured.
  const warmupMs = warmupS * 1000;
  const durationMs = warmupMs + durationS * 1000;
  const start = performance.now();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = performance.now() - start;
      const due = Math.floor((Math.min(elapsed, durationMs) * rate) / 1000);
      while (sent < due) {
        sent += 1;
        fire(elapsed >= warmupMs);
      }
      // Requests still in flight at the end get up to a second to land; later ones count as errors.
      if (elapsed >= durationMs && (inFlight === 0 || elapsed >= durationMs + 1000)) {
        clearInterval(timer);
        errors += inFlight; // still in flight: counted, never answered in time
        resolve();
      }
    }, 1);
  });
  await pool.destroy();
  const ms = (ns: number): number => ns / 1e6;
  return {
    rate,
    achievedRps: answered / durationS,
    p50Ms: ms(histogram.percentile(50)),
    p90Ms: ms(histogram.percentile(90)),
    p99Ms: ms(histogram.percentile(99)),
    maxMs: ms(histogram.max),
    non2xx,
    errors,
  };
}
