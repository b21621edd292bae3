/**
 * Single submissions in groups: concurrent POST /v1/trades share one batched write and one publish, each
 * caller is answered with its own trade once the group's events are acknowledged, and a failed publish
 * answers every caller of the group with the 503 and leaves none of its trades behind.
 */
import { instrument, TRADER, TradesHarness } from './support/harness';

jest.setTimeout(60_000);

const CONCURRENT = 40;

let h: TradesHarness;
let accountCounter = 0;

beforeAll(async () => {
  h = await TradesHarness.start({ instruments: [instrument('GRPC')] });
});

afterAll(async () => {
  await h?.close();
});

afterEach(() => {
  h.bus.failPublishes = false;
  jest.restoreAllMocks();
});

function newAccount(): string {
  accountCounter += 1;
  return `ACC-${h.run.toUpperCase()}-G${accountCounter}`;
}

function body(accountId: string, quantity: number) {
  return {
    accountId,
    symbol: 'GRPC',
    side: 'BUY',
    quantity,
    price: 12.5,
    currency: 'USD',
    tradeTime: '2025-06-02T14:30:00Z',
  };
}

/** Sends `count` single submissions at once, each with its own quantity (to tell the answers apart). */
async function submitConcurrently(accountId: string, count: number) {
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      h
        .api(TRADER)
        .post('/v1/trades')
        .send(body(accountId, i + 1))
        .then((res) => ({ quantity: i + 1, res })),
    ),
  );
}

describe('when many single submissions arrive at once', () => {
  it('then they share fewer store writes than trades and each caller gets its own trade, published once', async () => {
    const accountId = newAccount();
    const createMany = jest.spyOn(h.store.trades, 'createMany');
    const create = jest.spyOn(h.store.trades, 'create');
    const before = h.submitted.length;

    const answers = await submitConcurrently(accountId, CONCURRENT);

    for (const { res } of answers) expect(res.status).toBe(202);
    const ids = answers.map(({ res }) => (res.body as { tradeId: string }).tradeId);
    expect(new Set(ids).size).toBe(CONCURRENT);
    const writes = createMany.mock.calls.length + create.mock.calls.length;
    expect(writes).toBeGreaterThan(0);
    expect(writes).toBeLessThan(CONCURRENT);
    for (const { quantity, res } of answers) {
      const { tradeId } = res.body as { tradeId: string };
      const stored = await h.store.trades.get(tradeId);
      expect(stored).toMatchObject({ tradeId, accountId, quantity, status: 'RECEIVED' });
    }
    const events = h.submitted.slice(before).filter((m) => m.data.accountId === accountId);
    expect(events.map((m) => m.data.tradeId).sort()).toEqual([...ids].sort());
  });
});

describe('when the publish of a group fails', () => {
  it('then every caller of the group gets the 503 and none of its trades remain', async () => {
    const accountId = newAccount();
    const createMany = jest.spyOn(h.store.trades, 'createMany');
    h.bus.failPublishes = true;

    const answers = await submitConcurrently(accountId, 10);

    for (const { res } of answers) {
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ status: 503, code: 'TRADES.PUBLISH_FAILED' });
    }
    const written = createMany.mock.calls.flatMap(([trades]) => trades.map((t) => t.tradeId));
    expect(written).toHaveLength(10);
    for (const tradeId of written) expect(await h.store.trades.get(tradeId)).toBeUndefined();
    const list = await h.api(TRADER).get(`/v1/accounts/${accountId}/trades`).expect(200);
    expect((list.body as { items: unknown[] }).items).toHaveLength(0);
  });
});
