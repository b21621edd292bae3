/**
 * `node dist/smoke-cli.js` (the Helm chart's `helm test` pod, and anyone with a gateway URL and a key): checks
 * the gateway's `/readyz`, submits one trade with an API key, and polls the trade until the pipeline gives it a
 * final status. Exits 0 with the status (VALIDATED or REJECTED both prove the pipeline end to end), 1 with the
 * step that failed, 78 on bad configuration.
 *
 * Variables: SMOKE_GATEWAY_URL (http://127.0.0.1:8080), SMOKE_API_KEY (required), SMOKE_ACCOUNT_ID (DEMO-1),
 * SMOKE_SYMBOL (AAPL), SMOKE_QUANTITY (10), SMOKE_PRICE (used when the symbol's reference price cannot be read),
 * SMOKE_TIMEOUT (60s), SMOKE_POLL_INTERVAL (500ms).
 */
import { randomUUID } from 'node:crypto';
import { env, loadConfigOrExit } from '@tradeflow/platform/config';
import { z } from 'zod';

/** The trade statuses after which nothing changes unless a client acts again. */
export const FINAL_STATUSES: readonly string[] = ['VALIDATED', 'REJECTED', 'CANCELLED'];

/** The smoke check's variables. */
export const smokeEnv = z
  .object({
    SMOKE_GATEWAY_URL: env.url().default('http://127.0.0.1:8080'),
    SMOKE_API_KEY: env.string(),
    SMOKE_ACCOUNT_ID: env.string().default('DEMO-1'),
    SMOKE_SYMBOL: env.string().default('AAPL'),
    SMOKE_QUANTITY: env.positiveInt().default(10),
    SMOKE_PRICE: env
      .string()
      .transform((value, ctx) => {
        const price = Number(value);
        if (Number.isFinite(price) && price > 0) return price;
        ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} is not a positive price` });
        return z.NEVER;
      })
      .default(190),
    SMOKE_TIMEOUT: env.durationMs().default(60_000),
    SMOKE_POLL_INTERVAL: env.durationMs().default(500),
  })
  .transform((v) => ({
    gatewayUrl: v.SMOKE_GATEWAY_URL.replace(/\/+$/, ''),
    apiKey: v.SMOKE_API_KEY,
    accountId: v.SMOKE_ACCOUNT_ID,
    symbol: v.SMOKE_SYMBOL,
    quantity: v.SMOKE_QUANTITY,
    fallbackPrice: v.SMOKE_PRICE,
    timeoutMs: v.SMOKE_TIMEOUT,
    pollIntervalMs: v.SMOKE_POLL_INTERVAL,
  }));
export type SmokeOptions = z.output<typeof smokeEnv>;

/** How the check ended: `ok` with the trade's final status, or the step that failed and why. */
export type SmokeResult =
  | { ok: true; tradeId: string; status: string; failures: string[]; elapsedMs: number }
  | { ok: false; step: 'readiness' | 'submit' | 'status'; message: string };

/** A failed step, carried to `runSmoke`'s single catch. */
class StepFailure extends Error {
  constructor(
    readonly step: 'readiness' | 'submit' | 'status',
    message: string,
  ) {
    super(message);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The response body as JSON, or undefined when it is not JSON. */
async function jsonOf(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A short description of a failed response: status, and the problem's title/detail when there is one. */
function describeFailure(response: Response, body: unknown): string {
  const problem = z.object({ title: z.string().optional(), detail: z.string().optional() }).safeParse(body);
  const said = problem.success ? [problem.data.title, problem.data.detail].filter(Boolean).join(': ') : '';
  return `HTTP ${response.status}${said ? ` (${said})` : ''}`;
}

/** Why fetch failed, with the cause (ECONNREFUSED, ENOTFOUND) that undici hides behind "fetch failed". */
function networkError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err.message}${cause}`;
}

/** Polls `/readyz` until it answers 200 or the deadline passes (a rollout may still be finishing). */
async function waitReady(options: SmokeOptions, deadline: number): Promise<void> {
  let last: string;
  for (;;) {
    try {
      const response = await fetch(`${options.gatewayUrl}/readyz`, { signal: AbortSignal.timeout(5_000) });
      const body = await jsonOf(response);
      if (response.ok) return;
      last = describeFailure(response, body);
    } catch (err) {
      last = networkError(err);
    }
    if (Date.now() + options.pollIntervalMs > deadline) {
      throw new StepFailure('readiness', `${options.gatewayUrl}/readyz did not answer 200: ${last}`);
    }
    await sleep(options.pollIntervalMs);
  }
}

/** The symbol's reference price through the gateway, so the trade sits inside the price collar. */
async function referencePrice(options: SmokeOptions, headers: Record<string, string>): Promise<number> {
  try {
    const response = await fetch(
      `${options.gatewayUrl}/v1/reference/prices/${encodeURIComponent(options.symbol)}`,
      { headers, signal: AbortSignal.timeout(5_000) },
    );
    const body = z.object({ price: z.number().positive() }).safeParse(await jsonOf(response));
    if (response.ok && body.success) return body.data.price;
  } catch {
    // The fallback price is good enough: a rejection still proves the pipeline.
  }
  return options.fallbackPrice;
}

/** Submits the trade and returns its id; a non-202 answer is the failure. */
async function submit(
  options: SmokeOptions,
  headers: Record<string, string>,
  price: number,
): Promise<string> {
  const trade = {
    accountId: options.accountId,
    symbol: options.symbol,
    side: 'BUY',
    quantity: options.quantity,
    price,
    currency: 'USD',
    tradeTime: new Date().toISOString(),
    clientTradeId: `smoke-${randomUUID()}`,
  };
  let response: Response;
  try {
    response = await fetch(`${options.gatewayUrl}/v1/trades`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', 'idempotency-key': trade.clientTradeId },
      body: JSON.stringify(trade),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (err) {
    throw new StepFailure('submit', `POST /v1/trades failed: ${networkError(err)}`);
  }
  const body = await jsonOf(response);
  const accepted = z.object({ tradeId: z.string().min(1) }).safeParse(body);
  if (response.status !== 202 || !accepted.success) {
    throw new StepFailure(
      'submit',
      `POST /v1/trades answered ${describeFailure(response, body)}, expected 202`,
    );
  }
  return accepted.data.tradeId;
}

/** Polls the trade until its status is final or the deadline passes. */
async function waitFinal(
  options: SmokeOptions,
  headers: Record<string, string>,
  tradeId: string,
  deadline: number,
): Promise<{ status: string; failures: string[] }> {
  const view = z.object({
    status: z.string(),
    failures: z.array(z.object({ ruleId: z.string(), reason: z.string() })).default([]),
  });
  let last: string;
  for (;;) {
    try {
      const response = await fetch(`${options.gatewayUrl}/v1/trades/${encodeURIComponent(tradeId)}`, {
        headers,
        signal: AbortSignal.timeout(5_000),
      });
      const body = await jsonOf(response);
      const trade = view.safeParse(body);
      if (response.ok && trade.success) {
        last = `status ${trade.data.status}`;
        if (FINAL_STATUSES.includes(trade.data.status)) {
          return {
            status: trade.data.status,
            failures: trade.data.failures.map((f) => `${f.ruleId}: ${f.reason}`),
          };
        }
      } else {
        last = describeFailure(response, body);
      }
    } catch (err) {
      last = networkError(err);
    }
    if (Date.now() + options.pollIntervalMs > deadline) {
      throw new StepFailure(
        'status',
        `trade ${tradeId} reached no final status (${FINAL_STATUSES.join('/')}) in time; last: ${last}`,
      );
    }
    await sleep(options.pollIntervalMs);
  }
}

/** Runs the check once: readiness, one trade, its final status, all within `options.timeoutMs`. */
export async function runSmoke(
  options: SmokeOptions,
  say: (line: string) => void = () => {},
): Promise<SmokeResult> {
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  const headers = { 'x-api-key': options.apiKey, accept: 'application/json' };
  try {
    await waitReady(options, deadline);
    say(`gateway ready at ${options.gatewayUrl}`);
    const price = await referencePrice(options, headers);
    const tradeId = await submit(options, headers, price);
    say(
      `submitted trade ${tradeId} (${options.quantity} ${options.symbol} at ${price} for ${options.accountId})`,
    );
    const final = await waitFinal(options, headers, tradeId, deadline);
    return { ok: true, tradeId, ...final, elapsedMs: Date.now() - started };
  } catch (err) {
    if (err instanceof StepFailure) return { ok: false, step: err.step, message: err.message };
    throw err;
  }
}

/** The one line printed for a result. */
export function describeResult(result: SmokeResult): string {
  if (!result.ok) return `smoke test FAILED at ${result.step}: ${result.message}`;
  const why = result.failures.length > 0 ? ` (${result.failures.join('; ')})` : '';
  return `smoke test passed: trade ${result.tradeId} is ${result.status}${why} after ${result.elapsedMs} ms`;
}

async function main(): Promise<number> {
  const options = loadConfigOrExit(smokeEnv, 'smoke-cli');
  const say = (line: string): void => void process.stdout.write(`${line}\n`);
  const result = await runSmoke(options, say);
  (result.ok ? process.stdout : process.stderr).write(`${describeResult(result)}\n`);
  return result.ok ? 0 : 1;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`smoke test FAILED: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
