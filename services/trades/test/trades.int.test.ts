/**
 * The trades service in-process (memory bus, DynamoDB Local): single and batch intake, idempotency keys,
 * the outcome consumer, the lifecycle and the account listing.
 */
import { deadLetterTopic, type BusMessage } from '@tradeflow/platform/bus';
import {
  EventTypes,
  Topics,
  TradeCancelled,
  type TradeOutcome,
  type TradeSubmitted,
} from '@tradeflow/contracts';
import { randomUUID } from 'node:crypto';
import { asConsumer, eventually, instrument, TradesHarness } from './support/harness';

jest.setTimeout(60_000);

let h: TradesHarness;
let accountCounter = 0;

beforeAll(async () => {
  h = await TradesHarness.start({ instruments: [instrument('TICKY'), instrument('WHOLE', 1)] });
});

afterAll(async () => {
  await h?.close();
});

/** A fresh account id per test, so listings only see that test's trades. */
function newAccount(): string {
  accountCounter += 1;
  return `ACC-${h.run.toUpperCase()}-${accountCounter}`;
}

function trade(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    accountId: 'ACC-1',
    symbol: 'TICKY',
    side: 'BUY',
    quantity: 100,
    price: 190.25,
    currency: 'USD',
    tradeTime: '2025-06-02T14:30:00Z',
    ...overrides,
  };
}

interface View {
  tradeId: string;
  status: string;
  version: number;
  price: number;
  quantity: number;
  failures: { ruleId: string; reason: string }[];
}

async function view(tradeId: string): Promise<View> {
  const res = await h.api().get(`/v1/trades/${tradeId}`).expect(200);
  return res.body as View;
}

async function submit(body: Record<string, unknown>): Promise<string> {
  const res = await h.api().post('/v1/trades').send(body).expect(202);
  return (res.body as { tradeId: string }).tradeId;
}

function outcome(
  tradeId: string,
  accountId: string,
  version: number,
  status: 'VALIDATED' | 'REJECTED',
  ruleIds: string[] = [],
): TradeOutcome {
  return {
    tradeId,
    accountId,
    version,
    status,
    failures: ruleIds.map((ruleId) => ({ ruleId, reason: `${ruleId} failed.` })),
    validatedAt: new Date().toISOString(),
  };
}

function fields(body: unknown): string[] {
  return ((body as { errors?: { field: string }[] }).errors ?? []).map((e) => e.field).sort();
}

function submittedFor(tradeId: string): BusMessage<TradeSubmitted>[] {
  return h.submitted.filter((m) => m.data.tradeId === tradeId);
}

describe('POST /v1/trades', () => {
  it('when a valid trade is submitted, then it is answered 202 with its status URL, stored RECEIVED and published once keyed by account', async () => {
    const accountId = newAccount();
    const res = await h
      .api()
      .post('/v1/trades')
      .send(trade({ accountId, clientTradeId: 'c-1' }))
      .expect(202);
    const body = res.body as { tradeId: string; status: string; statusUrl: string };
    expect(body).toEqual({
      tradeId: expect.any(String) as string,
      status: 'RECEIVED',
      statusUrl: `/v1/trades/${body.tradeId}`,
    });
    expect(res.headers.location).toBe(body.statusUrl);

    expect(await view(body.tradeId)).toMatchObject({
      status: 'RECEIVED',
      version: 1,
      failures: [],
      clientTradeId: 'c-1',
      channel: 'single',
    });
    const [event] = await eventually(
      () => (submittedFor(body.tradeId).length > 0 ? submittedFor(body.tradeId) : undefined),
      'the submitted event',
    );
    expect(event?.key).toBe(accountId);
    expect(event?.data).toMatchObject({
      tradeId: body.tradeId,
      accountId,
      version: 1,
      channel: 'single',
      price: 190.25,
    });
  });

  it('when the bus does not acknowledge the event, then the answer is a 503 and no trade is left RECEIVED; a retry then goes through', async () => {
    const accountId = newAccount();
    h.bus.failPublishes = true;
    try {
      const res = await h.api().post('/v1/trades').send(trade({ accountId })).expect(503);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 503, code: 'TRADES.PUBLISH_FAILED' });
    } finally {
      h.bus.failPublishes = false;
    }
    const listed = await h.api().get(`/v1/accounts/${accountId}/trades`).expect(200);
    expect(listed.body).toEqual({ items: [], nextCursor: null });

    const tradeId = await submit(trade({ accountId }));
    expect((await view(tradeId)).status).toBe('RECEIVED');
  });

  it('when several fields are invalid, then the 400 problem names every one of them', async () => {
    const res = await h
      .api()
      .post('/v1/trades')
      .send(
        trade({ side: 'HOLD', quantity: 'ten', price: -1, tradeTime: 'noon', accountId: 'x', venue: 'XNAS' }),
      )
      .expect(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(fields(res.body)).toEqual(['/accountId', '/price', '/quantity', '/side', '/tradeTime', '/venue']);
  });

  it("when the price is off the known instrument's tick grid, then the 400 names the price and the tick", async () => {
    const res = await h
      .api()
      .post('/v1/trades')
      .send(trade({ symbol: 'WHOLE', price: 10.5 }))
      .expect(400);
    expect((res.body as { errors: unknown }).errors).toEqual([
      { field: '/price', message: "must be a multiple of WHOLE's tick size 1" },
    ]);
  });

  it.each([
    ['malformed JSON', '{"accountId": ', 'application/json', 400],
    ['a JSON array', '[1, 2]', 'application/json', 400],
    ['an empty body', '', 'application/json', 400],
    ['a form body', 'accountId=1', 'text/plain', 415],
  ])(
    'when the body is %s, then the answer is a 4xx problem, not a 5xx',
    async (_name, body, type, status) => {
      const res = await h.api().post('/v1/trades').set('content-type', type).send(body).expect(status);
      expect(res.body).toMatchObject({ status });
    },
  );

  it('when the body is larger than the limit, then the answer is a 413 problem', async () => {
    const res = await h
      .api()
      .post('/v1/trades')
      .send(trade({ clientTradeId: 'x'.repeat(2 * 1024 * 1024) }))
      .expect(413);
    expect(res.body).toMatchObject({ status: 413, code: 'REQUEST.TOO_LARGE' });
  });
});

describe('POST /v1/trades/batch', () => {
  it('when some items are bad, then the good ones are accepted and published and each bad one gets its own errors', async () => {
    const accountId = newAccount();
    const res = await h
      .api()
      .post('/v1/trades/batch')
      .send({
        trades: [
          trade({ accountId }),
          trade({ accountId, quantity: 0 }),
          trade({ accountId, price: 191 }),
          { side: 'SIDEWAYS' },
        ],
      })
      .expect(200);
    const body = res.body as {
      accepted: number;
      rejected: number;
      results: { index: number; status: number; tradeId?: string; errors?: { field: string }[] }[];
    };
    expect({ accepted: body.accepted, rejected: body.rejected }).toEqual({ accepted: 2, rejected: 2 });
    expect(body.results.map((r) => [r.index, r.status])).toEqual([
      [0, 202],
      [1, 400],
      [2, 202],
      [3, 400],
    ]);
    expect(fields(body.results[1])).toEqual(['/quantity']);
    expect(fields(body.results[3])).toEqual([
      '/accountId',
      '/currency',
      '/price',
      '/quantity',
      '/side',
      '/symbol',
      '/tradeTime',
    ]);
    const ids = body.results.flatMap((r) => (r.tradeId === undefined ? [] : [r.tradeId]));
    for (const id of ids) expect(await view(id)).toMatchObject({ status: 'RECEIVED', channel: 'batch' });
    await eventually(
      () => (ids.every((id) => submittedFor(id).length === 1) ? true : undefined),
      'both events',
    );
  });

  it.each([
    ['no trades', { trades: [] }, ['/trades']],
    ['more than 1,000 trades', { trades: Array.from({ length: 1001 }, () => ({})) }, ['/trades']],
    ['an unknown member', { trades: [trade()], extra: 1 }, ['/extra']],
    ['trades that is not an array', { trades: 'x' }, ['/trades']],
  ])('when the batch has %s, then it is a 400 naming the problem', async (_name, body, named) => {
    const res = await h.api().post('/v1/trades/batch').send(body).expect(400);
    expect(fields(res.body)).toEqual(named);
  });

  it('when the bus fails, then the whole batch is a 503 and none of its trades is kept', async () => {
    const accountId = newAccount();
    h.bus.failPublishes = true;
    try {
      await h
        .api()
        .post('/v1/trades/batch')
        .send({ trades: [trade({ accountId }), trade({ accountId })] })
        .expect(503);
    } finally {
      h.bus.failPublishes = false;
    }
    const listed = await h.api().get(`/v1/accounts/${accountId}/trades`).expect(200);
    expect((listed.body as { items: unknown[] }).items).toEqual([]);
  });
});

describe('Idempotency-Key', () => {
  it('when the same key comes with the same body, then the first answer is replayed and only one trade exists', async () => {
    const accountId = newAccount();
    const key = `key-${h.run}-same`;
    const first = await h
      .api()
      .post('/v1/trades')
      .set('Idempotency-Key', key)
      .send(trade({ accountId }))
      .expect(202);
    // Same body, members in another order.
    const { tradeTime, ...rest } = trade({ accountId });
    const again = await h
      .api()
      .post('/v1/trades')
      .set('Idempotency-Key', key)
      .send({ tradeTime, ...rest })
      .expect(202);
    expect(again.body).toEqual(first.body);
    expect(again.headers.location).toBe(first.headers.location);
    expect(again.headers['idempotent-replayed']).toBe('true');
    const listed = await h.api().get(`/v1/accounts/${accountId}/trades`).expect(200);
    expect((listed.body as { items: unknown[] }).items).toHaveLength(1);
  });

  it('when the same key comes with another body, then the answer is a 409 problem', async () => {
    const key = `key-${h.run}-other`;
    await h
      .api()
      .post('/v1/trades')
      .set('Idempotency-Key', key)
      .send(trade({ accountId: newAccount() }))
      .expect(202);
    const res = await h
      .api()
      .post('/v1/trades')
      .set('Idempotency-Key', key)
      .send(trade({ quantity: 7 }))
      .expect(409);
    expect(res.body).toMatchObject({ status: 409, code: 'IDEMPOTENCY.KEY_REUSED' });
  });

  it('when duplicates with one key arrive at the same time, then exactly one trade is created', async () => {
    const accountId = newAccount();
    const key = `key-${h.run}-race`;
    const answers = await Promise.all(
      Array.from({ length: 6 }, () =>
        h.api().post('/v1/trades').set('Idempotency-Key', key).send(trade({ accountId })),
      ),
    );
    const ids = new Set(
      answers.filter((a) => a.status === 202).map((a) => (a.body as { tradeId: string }).tradeId),
    );
    expect(ids.size).toBe(1);
    for (const a of answers) expect([202, 409]).toContain(a.status);
    const listed = await h.api().get(`/v1/accounts/${accountId}/trades`).expect(200);
    expect((listed.body as { items: unknown[] }).items).toHaveLength(1);
  });

  it('when the first request with a key failed, then the key is free and a retry goes through', async () => {
    const key = `key-${h.run}-retry`;
    const body = trade({ accountId: newAccount() });
    h.bus.failPublishes = true;
    try {
      await h.api().post('/v1/trades').set('Idempotency-Key', key).send(body).expect(503);
    } finally {
      h.bus.failPublishes = false;
    }
    await h.api().post('/v1/trades').set('Idempotency-Key', key).send(body).expect(202);
  });

  it('when a batch is repeated with its key, then the same per-item results come back', async () => {
    const key = `key-${h.run}-batch`;
    const body = { trades: [trade({ accountId: newAccount() }), { side: 'X' }] };
    const first = await h.api().post('/v1/trades/batch').set('Idempotency-Key', key).send(body).expect(200);
    const again = await h.api().post('/v1/trades/batch').set('Idempotency-Key', key).send(body).expect(200);
    expect(again.body).toEqual(first.body);
  });
});

describe('status from trades.outcomes', () => {
  it('when an outcome arrives, then the trade takes it; a redelivery or an older version never changes it back', async () => {
    const accountId = newAccount();
    const tradeId = await submit(trade({ accountId }));
    await h.publishOutcome(outcome(tradeId, accountId, 1, 'REJECTED', ['PRICE_COLLAR', 'MAX_QUANTITY']));
    const rejected = await eventually(async () => {
      const v = await view(tradeId);
      return v.status === 'REJECTED' ? v : undefined;
    }, 'REJECTED');
    expect(rejected.failures).toEqual([
      { ruleId: 'PRICE_COLLAR', reason: 'PRICE_COLLAR failed.' },
      { ruleId: 'MAX_QUANTITY', reason: 'MAX_QUANTITY failed.' },
    ]);

    // Redelivered with another verdict (as after a rule change): ignored, the first outcome of v1 stands.
    await h.publishOutcome(outcome(tradeId, accountId, 1, 'VALIDATED'), `redelivery-${tradeId}`);
    // Amend to v2, then an outcome of v1 arrives late: ignored; the outcome of v2 is applied.
    await h.api().patch(`/v1/trades/${tradeId}`).send({ price: 150 }).expect(200);
    await h.publishOutcome(outcome(tradeId, accountId, 1, 'VALIDATED'), `late-${tradeId}`);
    await h.publishOutcome(outcome(tradeId, accountId, 2, 'VALIDATED'));
    const validated = await eventually(async () => {
      const v = await view(tradeId);
      return v.status === 'VALIDATED' ? v : undefined;
    }, 'VALIDATED at v2');
    expect(validated).toMatchObject({ version: 2, price: 150, failures: [] });
    // A redelivered v2 REJECTED afterwards: nothing changes.
    await h.publishOutcome(outcome(tradeId, accountId, 2, 'REJECTED', ['X']), `again-${tradeId}`);
    const marker = await submit(trade({ accountId }));
    await h.publishOutcome(outcome(marker, accountId, 1, 'VALIDATED'));
    await eventually(
      async () => ((await view(marker)).status === 'VALIDATED' ? true : undefined),
      'the marker outcome',
    );
    expect(await view(tradeId)).toMatchObject({ status: 'VALIDATED', version: 2 });
  });

  it('when an outcome is of an unknown trade or malformed, then it is skipped (malformed to the dead-letter topic) and later outcomes still apply', async () => {
    const accountId = newAccount();
    const deadLetters: BusMessage[] = [];
    const dlq = await h.bus.subscribe({
      group: `dlq-${h.run}`,
      topics: [deadLetterTopic(Topics.tradeOutcomes)],
      fromBeginning: true,
      handler: (m) => {
        deadLetters.push(m);
        return Promise.resolve();
      },
    });
    try {
      await h.publishOutcome(outcome('no-such-trade', accountId, 1, 'VALIDATED'));
      await h.bus.publish({
        topic: Topics.tradeOutcomes,
        key: accountId,
        type: 'x',
        id: `poison-${h.run}`,
        data: { tradeId: 1 },
      });
      const tradeId = await submit(trade({ accountId }));
      await h.publishOutcome(outcome(tradeId, accountId, 1, 'VALIDATED'));
      await eventually(
        async () => ((await view(tradeId)).status === 'VALIDATED' ? true : undefined),
        'VALIDATED',
      );
      const [dead] = await eventually(
        () => (deadLetters.length > 0 ? deadLetters : undefined),
        'the dead letter',
      );
      expect(dead?.id).toBe(`poison-${h.run}`);
      await h.api().get('/v1/trades/no-such-trade').expect(404);
    } finally {
      await dlq.close();
    }
  });
});

describe('lifecycle', () => {
  it('when a trade is cancelled, then it is CANCELLED; cancelling it again changes nothing, amending it is a 409 and a late outcome is ignored', async () => {
    const accountId = newAccount();
    const tradeId = await submit(trade({ accountId }));
    const res = await h
      .api()
      .post(`/v1/trades/${tradeId}/cancel`)
      .send({ reason: 'Client asked.' })
      .expect(200);
    expect(res.body).toMatchObject({
      tradeId,
      status: 'CANCELLED',
      cancelReason: 'Client asked.',
      version: 1,
    });

    // Repeating the cancel is safe: the trade (and its first reason) stays as it is.
    const again = await h
      .api()
      .post(`/v1/trades/${tradeId}/cancel`)
      .send({ reason: 'Asked twice.' })
      .expect(200);
    expect(again.body).toEqual(res.body);
    const amend = await h.api().patch(`/v1/trades/${tradeId}`).send({ quantity: 5 }).expect(409);
    expect(amend.body).toMatchObject({ code: 'TRADES.INVALID_TRANSITION' });

    await h.publishOutcome(outcome(tradeId, accountId, 1, 'VALIDATED'));
    const marker = await submit(trade({ accountId }));
    await h.publishOutcome(outcome(marker, accountId, 1, 'VALIDATED'));
    await eventually(
      async () => ((await view(marker)).status === 'VALIDATED' ? true : undefined),
      'the marker outcome',
    );
    expect((await view(tradeId)).status).toBe('CANCELLED');
  });

  it('when a trade is cancelled, then the cancellation is published on trades.submitted keyed by account after its submission, naming the cancelled version', async () => {
    const accountId = newAccount();
    const tradeId = await submit(trade({ accountId }));
    await h.api().patch(`/v1/trades/${tradeId}`).send({ quantity: 250 }).expect(200);
    const res = await h.api().post(`/v1/trades/${tradeId}/cancel`).expect(200);

    const events = await eventually(
      () => (submittedFor(tradeId).length === 3 ? submittedFor(tradeId) : undefined),
      'submission, amendment and cancellation',
    );
    expect(events.map((e) => e.type)).toEqual([
      EventTypes.tradeSubmitted,
      EventTypes.tradeSubmitted,
      EventTypes.tradeCancelled,
    ]);
    const cancelled = events[2] as BusMessage<unknown>;
    expect(cancelled).toMatchObject({ topic: Topics.tradesSubmitted, key: accountId });
    expect(TradeCancelled.parse(cancelled.data)).toEqual({
      tradeId,
      accountId,
      version: 2,
      symbol: 'TICKY',
      side: 'BUY',
      quantity: 250,
      price: 190.25,
      currency: 'USD',
      tradeTime: '2025-06-02T14:30:00Z',
      cancelledAt: (res.body as { cancelledAt: string }).cancelledAt,
    });
  });

  it('when a cancellation cannot be published, then it is a 503, the trade stays CANCELLED and a repeated cancel publishes the event', async () => {
    const accountId = newAccount();
    const tradeId = await submit(trade({ accountId }));
    await h.publishOutcome(outcome(tradeId, accountId, 1, 'VALIDATED'));
    await eventually(
      async () => ((await view(tradeId)).status === 'VALIDATED' ? true : undefined),
      'the outcome',
    );
    h.bus.failPublishes = true;
    try {
      const res = await h.api().post(`/v1/trades/${tradeId}/cancel`).expect(503);
      expect(res.body).toMatchObject({ status: 503, code: 'TRADES.PUBLISH_FAILED' });
    } finally {
      h.bus.failPublishes = false;
    }
    // Not put back: an outcome arriving meanwhile would have been ignored and then lost.
    expect(await view(tradeId)).toMatchObject({ status: 'CANCELLED', version: 1 });
    expect(submittedFor(tradeId).map((e) => e.type)).toEqual([EventTypes.tradeSubmitted]);

    await h.api().post(`/v1/trades/${tradeId}/cancel`).expect(200);
    const events = await eventually(
      () => (submittedFor(tradeId).length === 2 ? submittedFor(tradeId) : undefined),
      'the cancellation published by the repeated cancel',
    );
    expect(events.map((e) => e.type)).toEqual([EventTypes.tradeSubmitted, EventTypes.tradeCancelled]);
    expect((await view(tradeId)).status).toBe('CANCELLED');
  });

  it('when a trade is amended, then it is AMENDED at the next version and republished for validation', async () => {
    const accountId = newAccount();
    const tradeId = await submit(trade({ accountId }));
    const res = await h.api().patch(`/v1/trades/${tradeId}`).send({ quantity: 250 }).expect(200);
    expect(res.body).toMatchObject({ status: 'AMENDED', version: 2, quantity: 250, price: 190.25 });
    const events = await eventually(
      () => (submittedFor(tradeId).length === 2 ? submittedFor(tradeId) : undefined),
      'two events',
    );
    expect(events.map((e) => [e.data.version, e.data.quantity])).toEqual([
      [1, 100],
      [2, 250],
    ]);
  });

  it('when an amendment cannot be published, then it is a 503 and the trade is as it was', async () => {
    const tradeId = await submit(trade({ accountId: newAccount() }));
    h.bus.failPublishes = true;
    try {
      await h.api().patch(`/v1/trades/${tradeId}`).send({ price: 100 }).expect(503);
    } finally {
      h.bus.failPublishes = false;
    }
    expect(await view(tradeId)).toMatchObject({ status: 'RECEIVED', version: 1, price: 190.25 });
  });

  it.each([
    ['an off-tick price', { price: 1.005 }, 400],
    ['no change', {}, 400],
    ['an unknown field', { side: 'SELL' }, 400],
  ])('when an amendment has %s, then it is refused', async (_name, body, status) => {
    const tradeId = await submit(trade({ accountId: newAccount() }));
    await h.api().patch(`/v1/trades/${tradeId}`).send(body).expect(status);
  });

  it('when an unknown trade is amended or cancelled, then it is a 404', async () => {
    await h.api().patch('/v1/trades/no-such-trade').send({ price: 1 }).expect(404);
    await h.api().post('/v1/trades/no-such-trade/cancel').expect(404);
    await h
      .api()
      .get(`/v1/trades/${'x'.repeat(3000)}`)
      .expect(404);
  });
});

describe('GET /v1/accounts/{accountId}/trades', () => {
  const accountId = `ACC-LIST-${Date.now().toString(36).toUpperCase()}`;
  const times = [
    '2025-06-02T14:00:00Z',
    '2025-06-02T15:00:00Z',
    '2025-06-02T11:30:00-04:00',
    '2025-06-02T16:00:00Z',
    '2025-06-02T17:00:00Z',
  ];
  const ids: string[] = [];

  beforeAll(async () => {
    for (const tradeTime of times) ids.push(await submit(trade({ accountId, tradeTime })));
    await submit(trade({ accountId: `${accountId}-OTHER` }));
    await h.publishOutcome(outcome(ids[1] ?? '', accountId, 1, 'VALIDATED'));
    await eventually(
      async () => ((await view(ids[1] ?? '')).status === 'VALIDATED' ? true : undefined),
      'VALIDATED',
    );
  });

  async function all(query: string): Promise<string[]> {
    const out: string[] = [];
    let cursor: string | null = null;
    do {
      const suffix: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      const res = await h.api().get(`/v1/accounts/${accountId}/trades?limit=2${query}${suffix}`).expect(200);
      const page = res.body as { items: { tradeId: string }[]; nextCursor: string | null };
      expect(page.items.length).toBeLessThanOrEqual(2);
      out.push(...page.items.map((i) => i.tradeId));
      cursor = page.nextCursor;
    } while (cursor !== null);
    return out;
  }

  it('when pages are followed, then every trade of the account comes once, newest trade time first', async () => {
    // 15:30Z (the -04:00 one) sorts between 15:00Z and 16:00Z.
    expect(await all('')).toEqual([ids[4], ids[3], ids[2], ids[1], ids[0]]);
  });

  it('when filtered by status, then only trades in that status come', async () => {
    expect(await all('&status=VALIDATED')).toEqual([ids[1]]);
    expect(await all('&status=RECEIVED,AMENDED')).toEqual([ids[4], ids[3], ids[2], ids[0]]);
  });

  it('when filtered by time, then from is inclusive and to exclusive, whatever the offsets', async () => {
    expect(await all('&from=2025-06-02T11:00:00-04:00&to=2025-06-02T16:00:00Z')).toEqual([ids[2], ids[1]]);
    expect(await all('&from=2025-06-02T16:00:00%2B00:00')).toEqual([ids[4], ids[3]]);
  });

  it.each([
    ['a forged cursor', '?cursor=not-a-cursor', ['cursor']],
    ['an unknown status and a negative limit', '?status=NOPE&limit=-1', ['/limit', '/status/0']],
    ['to before from', '?from=2025-06-03T00:00:00Z&to=2025-06-02T00:00:00Z', ['/to']],
    ['an unknown parameter', '?sort=asc', ['/sort']],
  ])('when the query has %s, then it is a 400 naming it', async (_name, query, named) => {
    const res = await h.api().get(`/v1/accounts/${accountId}/trades${query}`).expect(400);
    expect(fields(res.body)).toEqual(named);
  });

  it("when another account's cursor is used, then it is a 400", async () => {
    const res = await h.api().get(`/v1/accounts/${accountId}/trades?limit=1`).expect(200);
    const cursor = (res.body as { nextCursor: string }).nextCursor;
    await h.api().get(`/v1/accounts/${accountId}-OTHER/trades?cursor=${cursor}`).expect(400);
  });

  it('when the account id is malformed, then it is a 400', async () => {
    await h.api().get('/v1/accounts/a/trades').expect(400);
  });
});

/** A problem body with the request's own values (the id asked for, the request id) taken out. */
function problemShape(body: unknown, id: string): Record<string, unknown> {
  const { requestId: _requestId, ...rest } = body as Record<string, unknown>;
  return JSON.parse(JSON.stringify(rest).replaceAll(id, '<id>')) as Record<string, unknown>;
}

describe('ownership (the caller the gateway forwards)', () => {
  let mine: string;
  let theirs: string;
  let alice: Record<string, string>;
  let bob: Record<string, string>;

  beforeAll(() => {
    mine = newAccount();
    theirs = newAccount();
    alice = asConsumer(`alice-${h.run}`, [mine]);
    bob = asConsumer(`bob-${h.run}`, [theirs]);
  });

  it.each([
    ['GET', '/v1/trades/some-trade'],
    ['PATCH', '/v1/trades/some-trade'],
    ['POST', '/v1/trades/some-trade/cancel'],
    ['POST', '/v1/trades'],
    ['POST', '/v1/trades/batch'],
    ['GET', '/v1/trades/bulk/some-job'],
    ['GET', '/v1/trades/bulk/some-job/errors'],
    ['GET', '/v1/accounts/ACC-1/trades'],
  ])('when %s %s comes without identity headers, then it is a 401 problem', async (method, path) => {
    const api = h.api({});
    const req = method === 'GET' ? api.get(path) : method === 'PATCH' ? api.patch(path) : api.post(path);
    const res = await req.send({ price: 1 }).expect(401);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 401, code: 'AUTH.NO_IDENTITY' });
  });

  it('when another consumer reads, amends or cancels a trade, then each answer is the 404 of a missing trade and the trade is unchanged', async () => {
    const tradeId = (
      (
        await h
          .api(alice)
          .post('/v1/trades')
          .send(trade({ accountId: mine }))
          .expect(202)
      ).body as {
        tradeId: string;
      }
    ).tradeId;
    const missingId = randomUUID();
    const attempts = [
      (api: ReturnType<TradesHarness['api']>, id: string) => api.get(`/v1/trades/${id}`),
      (api: ReturnType<TradesHarness['api']>, id: string) =>
        api.patch(`/v1/trades/${id}`).send({ price: 150 }),
      (api: ReturnType<TradesHarness['api']>, id: string) =>
        api.post(`/v1/trades/${id}/cancel`).send({ reason: 'not mine' }),
    ];
    for (const attempt of attempts) {
      const foreign = await attempt(h.api(bob), tradeId).expect(404);
      const missing = await attempt(h.api(bob), missingId).expect(404);
      expect(problemShape(foreign.body, tradeId)).toEqual(problemShape(missing.body, missingId));
      expect(foreign.body).toMatchObject({ code: 'TRADES.NOT_FOUND' });
      expect(foreign.headers['content-type']).toBe(missing.headers['content-type']);
    }
    expect(
      (await h.api(alice).get(`/v1/trades/${tradeId}`).expect(200)).body as Record<string, unknown>,
    ).toMatchObject({ tradeId, status: 'RECEIVED', version: 1, price: 190.25 });
    // A consumer bound to every account (an operator) sees it.
    await h.api(asConsumer('operator')).get(`/v1/trades/${tradeId}`).expect(200);
  });

  it('when a trade is submitted for an account the consumer does not act for, then it is a 404 naming the account and nothing is kept or published', async () => {
    const before = h.bus.published;
    const res = await h
      .api(alice)
      .post('/v1/trades')
      .send(trade({ accountId: theirs }))
      .expect(404);
    expect(res.body).toMatchObject({ code: 'TRADES.ACCOUNT_NOT_FOUND' });
    expect((res.body as { detail: string }).detail).toContain(theirs);
    expect(h.bus.published).toBe(before);
    const listed = await h.api(bob).get(`/v1/accounts/${theirs}/trades`).expect(200);
    expect((listed.body as { items: unknown[] }).items).toEqual([]);
  });

  it("when a batch has an item of another consumer's account, then that item is a 404 result and the others go through", async () => {
    const res = await h
      .api(alice)
      .post('/v1/trades/batch')
      .send({
        trades: [trade({ accountId: mine }), trade({ accountId: theirs }), trade({ accountId: mine })],
      })
      .expect(200);
    const body = res.body as {
      accepted: number;
      rejected: number;
      results: {
        index: number;
        status: number;
        tradeId?: string;
        errors?: { field: string; message: string }[];
      }[];
    };
    expect({ accepted: body.accepted, rejected: body.rejected }).toEqual({ accepted: 2, rejected: 1 });
    expect(body.results.map((r) => r.status)).toEqual([202, 404, 202]);
    expect(body.results[1]?.errors).toEqual([
      { field: '/accountId', message: expect.stringContaining(theirs) as string },
    ]);
    for (const r of [body.results[0], body.results[2]])
      await h
        .api(alice)
        .get(`/v1/trades/${r?.tradeId ?? ''}`)
        .expect(200);
  });

  it("when another consumer's account is listed, then it is a 404 (its own account is a 200)", async () => {
    const res = await h.api(bob).get(`/v1/accounts/${mine}/trades`).expect(404);
    expect(res.body).toMatchObject({ code: 'TRADES.ACCOUNT_NOT_FOUND' });
    await h.api(alice).get(`/v1/accounts/${mine}/trades`).expect(200);
  });

  it("when two consumers send the same Idempotency-Key, then neither sees the other's answer", async () => {
    const key = `key-${h.run}-shared`;
    const first = await h
      .api(alice)
      .post('/v1/trades')
      .set('Idempotency-Key', key)
      .send(trade({ accountId: mine }))
      .expect(202);
    // Another body with the same key would be a 409 for the same consumer; for another it is a new request.
    const other = await h
      .api(bob)
      .post('/v1/trades')
      .set('Idempotency-Key', key)
      .send(trade({ accountId: theirs }))
      .expect(202);
    expect(other.headers['idempotent-replayed']).toBeUndefined();
    expect((other.body as { tradeId: string }).tradeId).not.toBe((first.body as { tradeId: string }).tradeId);
    // The same body from two consumers bound to every account: two trades, no replay across them.
    const body = trade({ accountId: mine, clientTradeId: `shared-${h.run}` });
    const a = await h
      .api(asConsumer(`ops-a-${h.run}`))
      .post('/v1/trades')
      .set('Idempotency-Key', key)
      .send(body);
    const b = await h
      .api(asConsumer(`ops-b-${h.run}`))
      .post('/v1/trades')
      .set('Idempotency-Key', key)
      .send(body);
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(b.headers['idempotent-replayed']).toBeUndefined();
    expect((b.body as { tradeId: string }).tradeId).not.toBe((a.body as { tradeId: string }).tradeId);
  });
});

describe('metrics', () => {
  it('when trades were accepted and rejected, then the intake counter shows both by channel', async () => {
    const text = await h.metrics.registry.metrics();
    expect(text).toMatch(/trades_intake_total\{[^}]*channel="single"[^}]*result="accepted"[^}]*\} [1-9]/);
    expect(text).toMatch(/trades_intake_total\{[^}]*channel="batch"[^}]*result="rejected"[^}]*\} [1-9]/);
    expect(text).toMatch(/trades_status_updates_total\{[^}]*result="ignored"[^}]*\} [1-9]/);
  });
});
