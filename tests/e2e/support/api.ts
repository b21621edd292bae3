/**
 * A thin client of the public HTTP API through the gateway (docs: notes/pipeline.md, services/<name>/openapi.yaml)
 * and of the gateway's admin API (services/gateway/admin-openapi.yaml) for the e2e suite.
 */
import type { TradeRequest } from '../trade-mix';

/** An HTTP answer: status, parsed JSON body (or the raw text when not JSON) and the headers. */
export interface Answer<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/** A failed rule of a trade. */
export interface RuleFailure {
  ruleId: string;
  reason: string;
}

/** `GET /v1/trades/{id}` and the items of an account listing. */
export interface TradeView {
  tradeId: string;
  accountId: string;
  symbol: string;
  side: string;
  quantity: number;
  price: number;
  status: 'RECEIVED' | 'VALIDATED' | 'REJECTED' | 'AMENDED' | 'CANCELLED';
  version: number;
  failures: RuleFailure[];
}

export interface Accepted {
  tradeId: string;
  status: string;
  statusUrl: string;
}

export interface BatchResult {
  accepted: number;
  rejected: number;
  results: { index: number; status: number; tradeId?: string; statusUrl?: string; errors?: unknown[] }[];
}

export interface BulkJob {
  jobId: string;
  state: 'RUNNING' | 'COMPLETED' | 'FAILED';
  linesRead: number;
  accepted: number;
  rejected: number;
}

export interface BulkLineError {
  line: number;
  errors: { field: string; message: string }[];
}

/** Sends one request; never throws for an HTTP status, only for a network failure. */
export async function call<T = unknown>(
  baseUrl: string,
  method: string,
  path: string,
  body?: string | object,
  headers: Record<string, string> = {},
): Promise<Answer<T>> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    if (typeof body !== 'string' || !('content-type' in headers))
      (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${baseUrl}${path}`, init);
  const text = await res.text();
  let parsed: unknown = text;
  if (/json/.test(res.headers.get('content-type') ?? '')) parsed = text === '' ? undefined : JSON.parse(text);
  return { status: res.status, body: parsed as T, headers: res.headers };
}

/** Throws with the answer in the message unless the status is the expected one. */
export function expectStatus<T>(answer: Answer<T>, status: number, what: string): T {
  if (answer.status !== status)
    throw new Error(`${what}: expected HTTP ${status}, got ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** The trades API, every request with `auth` (the consumer's `x-api-key`). */
export class TradesApi {
  constructor(
    readonly baseUrl: string,
    readonly auth: Record<string, string> = {},
  ) {}

  private call<T>(
    method: string,
    path: string,
    body?: string | object,
    headers: Record<string, string> = {},
  ): Promise<Answer<T>> {
    return call<T>(this.baseUrl, method, path, body, { ...this.auth, ...headers });
  }

  submit(
    trade: TradeRequest | Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<Answer<Accepted>> {
    return this.call<Accepted>('POST', '/v1/trades', trade, headers);
  }

  submitBatch(trades: readonly object[]): Promise<Answer<BatchResult>> {
    return this.call<BatchResult>('POST', '/v1/trades/batch', { trades });
  }

  uploadBulk(
    body: string,
    contentType: 'application/x-ndjson' | 'text/csv',
  ): Promise<Answer<{ jobId: string; statusUrl: string }>> {
    return this.call('POST', '/v1/trades/bulk', body, { 'content-type': contentType });
  }

  bulkJob(jobId: string): Promise<Answer<BulkJob>> {
    return this.call<BulkJob>('GET', `/v1/trades/bulk/${encodeURIComponent(jobId)}`);
  }

  /** Every per-line error of a bulk job, following the cursor. */
  async bulkErrors(jobId: string): Promise<BulkLineError[]> {
    const out: BulkLineError[] = [];
    let cursor: string | undefined;
    do {
      const query = cursor === undefined ? '' : `?cursor=${encodeURIComponent(cursor)}`;
      const page = expectStatus(
        await this.call<{ items: BulkLineError[]; nextCursor?: string | null }>(
          'GET',
          `/v1/trades/bulk/${encodeURIComponent(jobId)}/errors${query}`,
        ),
        200,
        `bulk errors of ${jobId}`,
      );
      out.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    return out;
  }

  trade(tradeId: string): Promise<Answer<TradeView>> {
    return this.call<TradeView>('GET', `/v1/trades/${encodeURIComponent(tradeId)}`);
  }

  /** Every trade of an account (optionally of one status), following the cursor. */
  async accountTrades(accountId: string, status?: string): Promise<TradeView[]> {
    const out: TradeView[] = [];
    let cursor: string | undefined;
    do {
      const params = new URLSearchParams({ limit: '500' });
      if (status !== undefined) params.set('status', status);
      if (cursor !== undefined) params.set('cursor', cursor);
      const page = expectStatus(
        await this.call<{ items: TradeView[]; nextCursor?: string | null }>(
          'GET',
          `/v1/accounts/${encodeURIComponent(accountId)}/trades?${params.toString()}`,
        ),
        200,
        `trades of ${accountId}`,
      );
      out.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    return out;
  }
}

/** The reference-data API, every request with `auth` (the consumer's `x-api-key`). */
export class ReferenceApi {
  constructor(
    readonly baseUrl: string,
    readonly auth: Record<string, string> = {},
  ) {}

  /** Creates an entity (`accounts`, `instruments`, `prices`, ...); a 409 (it exists) counts as done. */
  async create(kind: string, entity: object): Promise<void> {
    const answer = await call(this.baseUrl, 'POST', `/v1/reference/${kind}`, entity, this.auth);
    if (answer.status !== 201 && answer.status !== 200 && answer.status !== 409)
      throw new Error(`create ${kind}: HTTP ${answer.status}: ${JSON.stringify(answer.body)}`);
  }
}

/** A usage plan: a token bucket (rate per second, burst) and a daily quota. */
export interface PlanLimits {
  ratePerSecond: number;
  burst: number;
  dailyQuota: number;
}

/** A consumer of the public API as the admin API creates it. */
export interface NewConsumer {
  id: string;
  name: string;
  accounts: '*' | string[];
  scopes: string[];
  plan?: string;
}

/** The gateway's admin API (its own listener, `Authorization: Bearer <admin token>`). */
export class GatewayAdmin {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  private call<T>(method: string, path: string, body?: object): Promise<Answer<T>> {
    return call<T>(this.baseUrl, method, `/admin/v1${path}`, body, { authorization: `Bearer ${this.token}` });
  }

  async createPlan(name: string, limits: PlanLimits): Promise<void> {
    expectStatus(await this.call('POST', '/plans', { name, ...limits }), 201, `plan ${name}`);
  }

  async createConsumer(consumer: NewConsumer): Promise<void> {
    expectStatus(await this.call('POST', '/consumers', consumer), 201, `consumer ${consumer.id}`);
  }

  /** Issues a key of the consumer and returns it (the only time it is shown). */
  async issueKey(consumerId: string): Promise<string> {
    const issued = expectStatus(
      await this.call<{ key: string }>('POST', `/consumers/${encodeURIComponent(consumerId)}/keys`),
      201,
      `key of ${consumerId}`,
    );
    return issued.key;
  }
}

/** Runs `fn` over `items` with at most `limit` in flight; resolves with the results in order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Polls `probe` until it returns a value other than undefined, or throws `describe()` after the deadline. */
export async function pollUntil<T>(
  probe: () => Promise<T | undefined>,
  {
    timeoutMs,
    intervalMs = 250,
    describe,
  }: { timeoutMs: number; intervalMs?: number; describe: () => string },
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${describe()}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
