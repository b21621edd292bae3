/**
 * Bulk uploads against the trades service in-process (memory bus, DynamoDB Local), over a real socket so
 * the body streams as a client would send it.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { randomUUID } from 'node:crypto';
import { asConsumer, instrument, eventually, TRADER, TradesHarness } from './support/harness';

jest.setTimeout(120_000);

let h: TradesHarness;
let base: string;

beforeAll(async () => {
  h = await TradesHarness.start({
    instruments: [instrument('TICKY')],
    env: { TRADES_BULK_CHUNK_SIZE: '4', TRADES_BULK_MAX_LINE_BYTES: '400', TRADES_BULK_CHUNK_ATTEMPTS: '2' },
  });
  base = await h.url();
});

afterAll(async () => {
  await h?.close();
});

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Streams `body` (strings, yielded lazily) to `path` and resolves with the complete answer. */
function upload(
  path: string,
  contentType: string,
  body: Iterable<string> | AsyncIterable<string>,
  consumer: Record<string, string> = TRADER,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${base}${path}`,
      { method: 'POST', headers: { ...consumer, 'content-type': contentType } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    void (async () => {
      for await (const piece of body) if (!req.write(piece)) await new Promise((r) => req.once('drain', r));
      req.end();
    })().catch(reject);
  });
}

const TIME = '2025-06-02T14:30:00Z';

function ndjsonTrade(accountId: string, overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    accountId,
    symbol: 'TICKY',
    side: 'BUY',
    quantity: 10,
    price: 12.5,
    currency: 'USD',
    tradeTime: TIME,
    ...overrides,
  });
}

interface Job {
  jobId: string;
  state: string;
  linesRead: number;
  accepted: number;
  rejected: number;
  error?: string;
}

async function job(jobId: string): Promise<Job> {
  return (await h.api().get(`/v1/trades/bulk/${jobId}`).expect(200)).body as Job;
}

async function lineErrors(
  jobId: string,
  limit = 2,
): Promise<{ line: number; errors: { field: string; message: string }[] }[]> {
  const out: { line: number; errors: { field: string; message: string }[] }[] = [];
  let cursor: string | null = null;
  do {
    const query: string =
      cursor === null ? `?limit=${limit}` : `?limit=${limit}&cursor=${encodeURIComponent(cursor)}`;
    const page = (await h.api().get(`/v1/trades/bulk/${jobId}/errors${query}`).expect(200)).body as {
      items: { line: number; errors: { field: string; message: string }[] }[];
      nextCursor: string | null;
    };
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return out;
}

describe('POST /v1/trades/bulk', () => {
  it('when an NDJSON upload has bad lines, then the good lines become trades, each bad line is reported by its number, and the job completes', async () => {
    const account = `BULK-${h.run.toUpperCase()}-N`;
    const lines = [
      ndjsonTrade(account), // 1
      '{"accountId": "BROKEN", ', // 2 malformed JSON
      ndjsonTrade(account, { quantity: 20 }), // 3
      '', // 4 blank: skipped, not an error
      ndjsonTrade(account, { venue: 'XNAS' }), // 5 unknown field
      '[1, 2, 3]', // 6 not an object
      ndjsonTrade(account, { price: 12.505 }), // 7 off the tick grid
      ndjsonTrade(account, { clientTradeId: 'x'.repeat(500) }), // 8 longer than the line limit
      ndjsonTrade(account, { side: 'HOLD', quantity: -5 }), // 9 two bad fields
      ndjsonTrade(account, { quantity: 30 }), // 10, last line without a newline
    ];
    const answer = await upload('/v1/trades/bulk', 'application/x-ndjson', [lines.join('\r\n')]);

    expect(answer.status).toBe(202);
    const { jobId, statusUrl } = JSON.parse(answer.body) as { jobId: string; statusUrl: string };
    expect(statusUrl).toBe(`/v1/trades/bulk/${jobId}`);
    expect(answer.headers.location).toBe(statusUrl);
    // The answer completes once the upload is imported.
    expect(await job(jobId)).toMatchObject({ state: 'COMPLETED', linesRead: 10, accepted: 3, rejected: 6 });

    const errors = await lineErrors(jobId);
    expect(errors.map((e) => e.line)).toEqual([2, 5, 6, 7, 8, 9]);
    expect(
      errors
        .find((e) => e.line === 9)
        ?.errors.map((e) => e.field)
        .sort(),
    ).toEqual(['/quantity', '/side']);
    expect(errors.find((e) => e.line === 5)?.errors).toEqual([
      { field: '/venue', message: 'Unknown field.' },
    ]);

    for (const line of [1, 3, 10]) {
      const trade = (await h.api().get(`/v1/trades/${jobId}-L${line}`).expect(200)).body as {
        status: string;
        channel: string;
      };
      expect(trade).toMatchObject({ status: 'RECEIVED', channel: 'bulk' });
    }
    const events = await eventually(() => {
      const mine = h.submitted.filter((m) => m.data.tradeId.startsWith(jobId));
      return mine.length === 3 ? mine : undefined;
    }, 'three submitted events');
    expect(events.map((e) => e.data.quantity)).toEqual([10, 20, 30]);
  });

  it('when a CSV upload has bad lines, then line numbers count the header as line 1 and quoted fields are read', async () => {
    const account = `BULK-${h.run.toUpperCase()}-C`;
    const body = [
      'symbol,accountId,side,quantity,price,currency,tradeTime,clientTradeId',
      `TICKY,${account},BUY,1,12.50,USD,${TIME},`, // 2
      `TICKY,${account},BUY,1,12.50,USD`, // 3 missing columns
      `"TICKY","${account}",SELL,2,12.51,USD,${TIME},"c-1"`, // 4 quoted
      `TICKY,${account},BUY,ten,12.50,USD,${TIME},`, // 5 quantity not a number
      `TICKY,${account},BUY,1.5,-1,USD,not-a-time,`, // 6 three bad fields
      `TICKY,${account},BUY,1,12.50,USD,${TIME},"open`, // 7 unclosed quote
      `TICKY,${account},BUY,3,12.50,USD,${TIME},`, // 8
      '',
    ].join('\n');
    const answer = await upload('/v1/trades/bulk', 'text/csv; charset=utf-8', [body]);
    expect(answer.status).toBe(202);
    const { jobId } = JSON.parse(answer.body) as { jobId: string };
    expect(await job(jobId)).toMatchObject({ state: 'COMPLETED', linesRead: 8, accepted: 3, rejected: 4 });
    const errors = await lineErrors(jobId, 100);
    expect(errors.map((e) => e.line)).toEqual([3, 5, 6, 7]);
    expect(
      errors
        .find((e) => e.line === 6)
        ?.errors.map((e) => e.field)
        .sort(),
    ).toEqual(['/price', '/quantity', '/tradeTime']);
    const quoted = (await h.api().get(`/v1/trades/${jobId}-L4`).expect(200)).body as Record<string, unknown>;
    expect(quoted).toMatchObject({ side: 'SELL', quantity: 2, price: 12.51, clientTradeId: 'c-1' });
  });

  it('when the CSV header is wrong, then the upload is a 400 naming every bad or missing column', async () => {
    const answer = await upload('/v1/trades/bulk', 'text/csv', [
      'accountId,symbol,side,qty,price,currency\nA,B,C,1,2,USD\n',
    ]);
    expect(answer.status).toBe(400);
    const problem = JSON.parse(answer.body) as { code: string; errors: { message: string }[] };
    expect(problem.code).toBe('TRADES.BULK_BAD_HEADER');
    expect(problem.errors.map((e) => e.message).join(' ')).toMatch(/"qty".*"quantity".*"tradeTime"/s);
  });

  it.each([
    ['an empty body', 'application/x-ndjson', {}, '', 400],
    ['an unsupported media type', 'application/xml', {}, '<trades/>', 415],
    ['a Latin-1 charset', 'text/csv; charset=iso-8859-1', {}, 'a\n', 415],
    ['an Idempotency-Key', 'application/x-ndjson', { 'Idempotency-Key': 'k' }, '{}\n', 400],
  ])(
    'when the upload comes with %s, then it is refused with a problem',
    async (_name, type, headers, body, status) => {
      const res = await h
        .api()
        .post('/v1/trades/bulk')
        .set('content-type', type)
        .set(headers)
        .send(body)
        .expect(status);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    },
  );

  it('when a job or its errors are asked for with a bad id or cursor, then it is a 404 or a 400', async () => {
    await h.api().get('/v1/trades/bulk/no-such-job').expect(404);
    await h.api().get('/v1/trades/bulk/no-such-job/errors').expect(404);
    const answer = await upload('/v1/trades/bulk', 'application/x-ndjson', ['nope\n']);
    const { jobId } = JSON.parse(answer.body) as { jobId: string };
    await h.api().get(`/v1/trades/bulk/${jobId}/errors?cursor=forged`).expect(400);
  });

  it('when an upload has lines for accounts the consumer does not act for, then each is a line error and the others are imported', async () => {
    const mine = `BULK-${h.run.toUpperCase()}-MINE`;
    const theirs = `BULK-${h.run.toUpperCase()}-THEIRS`;
    const owner = asConsumer(`bulk-owner-${h.run}`, [mine]);
    const answer = await upload(
      '/v1/trades/bulk',
      'application/x-ndjson',
      [[ndjsonTrade(mine), ndjsonTrade(theirs), ndjsonTrade(mine, { quantity: 2 })].join('\n')],
      owner,
    );
    expect(answer.status).toBe(202);
    const { jobId } = JSON.parse(answer.body) as { jobId: string };
    const status = (await h.api(owner).get(`/v1/trades/bulk/${jobId}`).expect(200)).body as Job;
    expect(status).toMatchObject({ state: 'COMPLETED', accepted: 2, rejected: 1 });
    const errors = (await h.api(owner).get(`/v1/trades/bulk/${jobId}/errors`).expect(200)).body as {
      items: { line: number; errors: { field: string; message: string }[] }[];
    };
    expect(errors.items).toEqual([
      { line: 2, errors: [{ field: '/accountId', message: expect.stringContaining(theirs) as string }] },
    ]);
    await h.api(owner).get(`/v1/trades/${jobId}-L1`).expect(200);
    await h.api().get(`/v1/trades/${jobId}-L2`).expect(404);
  });

  it('when another consumer asks for a job or its errors, then both are the 404 of a missing job', async () => {
    const owner = asConsumer(`job-owner-${h.run}`);
    const other = asConsumer(`job-other-${h.run}`);
    const answer = await upload('/v1/trades/bulk', 'application/x-ndjson', ['nope\n'], owner);
    const { jobId } = JSON.parse(answer.body) as { jobId: string };
    await h.api(owner).get(`/v1/trades/bulk/${jobId}`).expect(200);
    await h.api(owner).get(`/v1/trades/bulk/${jobId}/errors`).expect(200);
    const missingId = randomUUID();
    for (const suffix of ['', '/errors']) {
      const foreign = await h.api(other).get(`/v1/trades/bulk/${jobId}${suffix}`).expect(404);
      const missing = await h.api(other).get(`/v1/trades/bulk/${missingId}${suffix}`).expect(404);
      const shape = (body: unknown, id: string) => {
        const { requestId: _requestId, ...rest } = body as Record<string, unknown>;
        return JSON.stringify(rest).replaceAll(id, '<id>');
      };
      expect(shape(foreign.body, jobId)).toBe(shape(missing.body, missingId));
    }
  });

  it('when an upload comes without identity headers, then it is a 401 problem', async () => {
    const answer = await upload('/v1/trades/bulk', 'application/x-ndjson', [`${ndjsonTrade('ACC-1')}\n`], {});
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'AUTH.NO_IDENTITY' });
  });

  it('when the client goes away mid-upload, then the complete lines before are imported and the job is FAILED with their counts', async () => {
    const account = `BULK-${h.run.toUpperCase()}-D`;
    const req = httpRequest(`${base}/v1/trades/bulk`, {
      method: 'POST',
      headers: { ...TRADER, 'content-type': 'application/x-ndjson' },
    });
    req.on('error', () => undefined);
    const headers = new Promise<IncomingHttpHeaders>((resolve) =>
      req.on('response', (res) => resolve(res.headers)),
    );
    // 10 complete lines (two chunks of 4 flushed, 2 pending) and half of an 11th.
    req.write(
      `${Array.from({ length: 10 }, (_, i) => ndjsonTrade(account, { quantity: i + 1 })).join('\n')}\n{"accountId":`,
    );
    const location = (await headers).location ?? '';
    const jobId = location.split('/').pop() ?? '';
    await eventually(
      async () => ((await job(jobId)).linesRead >= 8 ? true : undefined),
      'two chunks imported',
    );
    req.destroy();

    const failed = await eventually(async () => {
      const j = await job(jobId);
      return j.state === 'RUNNING' ? undefined : j;
    }, 'the job to end');
    expect(failed).toMatchObject({ state: 'FAILED', linesRead: 10, accepted: 10, rejected: 0 });
    expect(failed.error).toMatch(/ended early/);
    await h.api().get(`/v1/trades/${jobId}-L10`).expect(200);
  });

  it('when the bus does not acknowledge a chunk, then the job is FAILED and none of that chunk stays RECEIVED', async () => {
    const account = `BULK-${h.run.toUpperCase()}-B`;
    h.bus.failPublishes = true;
    let answer: Answer;
    try {
      answer = await upload('/v1/trades/bulk', 'application/x-ndjson', [
        `${ndjsonTrade(account)}\n${ndjsonTrade(account)}\n`,
      ]);
    } finally {
      h.bus.failPublishes = false;
    }
    expect(answer.status).toBe(202);
    const { jobId } = JSON.parse(answer.body) as { jobId: string };
    expect(await job(jobId)).toMatchObject({ state: 'FAILED', linesRead: 0, accepted: 0 });
    await h.api().get(`/v1/trades/${jobId}-L1`).expect(404);
    const listed = (await h.api().get(`/v1/accounts/${account}/trades`).expect(200)).body as {
      items: unknown[];
    };
    expect(listed.items).toEqual([]);
  });
});
