/** A keep-alive JSON client for the benchmark: one undici pool per origin, no per-request connection cost. */
import { Pool } from 'undici';

/** An answer: status and the parsed JSON body (undefined when the body is empty or not JSON). */
export interface JsonAnswer<T> {
  status: number;
  body: T | undefined;
}

/** Sends JSON requests to one origin with fixed headers (an API key, or forwarded identity). */
export class JsonClient {
  private readonly pool: Pool;

  constructor(
    readonly origin: string,
    private readonly headers: Record<string, string>,
    connections: number,
  ) {
    this.pool = new Pool(origin, { connections, keepAliveTimeout: 30_000, pipelining: 1 });
  }

  /** One request; throws only when there is no answer at all. */
  async send<T>(
    method: 'GET' | 'POST' | 'PATCH',
    path: string,
    body?: unknown,
    extraHeaders: Record<string, string> = {},
  ): Promise<JsonAnswer<T>> {
    const res = await this.pool.request({
      method,
      path,
      headers: {
        ...this.headers,
        ...extraHeaders,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.body.text();
    let parsed: T | undefined;
    try {
      parsed = text === '' ? undefined : (JSON.parse(text) as T);
    } catch {
      parsed = undefined;
    }
    return { status: res.statusCode, body: parsed };
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}

/** Runs `work` over `items` with at most `limit` in flight; results in input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Like `mapLimit`, but no item starts after `deadline` (epoch ms): the results of the items that ran, in
 * input order. Bounds a closed-loop run on a machine slower than expected.
 */
export async function mapLimitUntil<T, R>(
  items: readonly T[],
  limit: number,
  deadline: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: (R | undefined)[] = new Array<R | undefined>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && Date.now() < deadline) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results.slice(0, next) as R[];
}
