/**
 * Two validation instances in one consumer group over the same trades: one joins while the other is busy, then
 * the first leaves. Runs on the memory bus by default and on Kafka with BUS_ADAPTER=kafka.
 */
import { EventTypes, type TradeSubmitted } from '@tradeflow/contracts';
import type { BusMessage } from '@tradeflow/platform/bus';
import { ValidationModule } from '../src';
import { tradeKey } from '../src/domain';
import type { TradeProcessor } from '../src/events/trade-processor';
import { eventually, World, type Instance } from './support/world';

jest.setTimeout(180_000);

const ACCOUNTS = 8;
const TRADES_PER_ACCOUNT = 40;
const DAILY_LIMIT = 50_000;
const PRICE = 100;

let world: World;

beforeAll(async () => {
  world = await World.create();
  await world.publishReference([
    { kind: 'market', id: world.marketCode, entity: world.market() },
    { kind: 'instrument', id: world.symbol(1), entity: world.instrument(1) },
    { kind: 'price', id: world.symbol(1), entity: world.price(1, PRICE) },
    ...['R', 'O'].flatMap((group) =>
      Array.from({ length: ACCOUNTS }, (_, a) => ({
        kind: 'account' as const,
        id: world.accountId(`${group}${a}`),
        entity: world.account(`${group}${a}`, {
          limits: { maxQuantity: 10_000, maxNotionalPerTrade: 1_000_000, maxNotionalPerDay: DAILY_LIMIT },
        }),
      })),
    ),
  ]);
});

afterAll(async () => {
  await world?.close();
});

/**
 * Per account, 40 trades whose quantities are a permutation of 1..40 (so none is a duplicate of another), and
 * every 8th trade amended later to a larger quantity; interleaved across accounts in submission order.
 */
function submissions(group: string, accounts = ACCOUNTS): TradeSubmitted[] {
  const perAccount = Array.from({ length: accounts }, (_, a) => {
    const accountId = world.accountId(`${group}${a}`);
    const trades = Array.from({ length: TRADES_PER_ACCOUNT }, (_, i) =>
      world.trade({ accountId, quantity: ((i * 17 + a * 7) % TRADES_PER_ACCOUNT) + 1, price: PRICE }),
    );
    // Every 8th trade is amended to a larger quantity four trades later, as a correction arrives a little late.
    const ordered: TradeSubmitted[] = [];
    trades.forEach((trade, i) => {
      ordered.push(trade);
      const amended = trades[i - 4];
      if (amended !== undefined && (i - 4) % 8 === 3)
        ordered.push({
          ...amended,
          version: 2,
          quantity: 100 + i,
          previous: { version: 1, price: amended.price, quantity: amended.quantity },
        });
    });
    return ordered;
  });
  const all: TradeSubmitted[] = [];
  for (let i = 0; all.length < perAccount.flat().length; i++) {
    for (const list of perAccount) if (list[i]) all.push(list[i] as TradeSubmitted);
  }
  return all;
}

/** What a single processor judging the submissions one by one must decide, and the totals it ends with. */
function expected(trades: readonly TradeSubmitted[]) {
  const status = new Map<string, 'VALIDATED' | 'REJECTED'>();
  const totals = new Map<string, number>();
  const counted = new Map<string, number>();
  for (const t of trades) {
    const before = (totals.get(t.accountId) ?? 0) - (counted.get(t.tradeId) ?? 0);
    const amount = t.quantity * t.price;
    const ok = before + amount <= DAILY_LIMIT;
    status.set(tradeKey(t), ok ? 'VALIDATED' : 'REJECTED');
    totals.set(t.accountId, before + (ok ? amount : 0));
    counted.set(t.tradeId, ok ? amount : 0);
  }
  return { status, totals };
}

/** The sum of an instance's counter over all its labels. */
async function counted(instance: Instance, name: string): Promise<number> {
  const metric = await instance.metrics.registry.getSingleMetric(name)?.get();
  return (metric?.values ?? []).reduce((sum, v) => sum + v.value, 0);
}

const judged = (instance: Instance) => counted(instance, 'validations_total');

/** The trades as one partition's messages, as the bus hands them to a batch handler. */
function asMessages(trades: readonly TradeSubmitted[]): BusMessage[] {
  return trades.map((data, offset) => ({
    id: `submitted:${tradeKey(data)}`,
    source: '/tradeflow/trades',
    type: EventTypes.tradeSubmitted,
    specversion: '1.0',
    time: data.receivedAt,
    subject: undefined,
    data,
    key: data.accountId,
    topic: world.topics.submitted,
    partition: 0,
    offset: String(offset),
    headers: {},
    attempt: 1,
  }));
}

/** Checks the end state against a one-by-one judgement: outcome events, recorded outcomes, daily totals. */
async function expectOneByOneResult(trades: readonly TradeSubmitted[]): Promise<void> {
  const keys = new Set(trades.map(tradeKey));
  const want = expected(trades);
  // Every event of a trade version carries the one recorded outcome (a redelivered trade republishes it).
  const byKey = new Map<string, string>();
  for (const event of world.outcomes) {
    const key = tradeKey(event.data);
    if (!keys.has(key)) continue;
    const data = JSON.stringify(event.data);
    expect([key, byKey.get(key) ?? data]).toEqual([key, data]);
    byKey.set(key, data);
  }
  const statuses = new Map(
    [...byKey].map(([key, data]) => [key, (JSON.parse(data) as { status: string }).status]),
  );
  expect(statuses).toEqual(want.status);
  expect([...want.status.values()].filter((s) => s === 'REJECTED').length).toBeGreaterThan(0);
  // Each trade version is recorded exactly once, with the outcome every one of its events carried.
  const recorded = (await world.recordedEntries()).filter((e) => keys.has(tradeKey(e)));
  expect(recorded).toHaveLength(keys.size);
  expect(new Map(recorded.map((e) => [tradeKey(e), e.status]))).toEqual(want.status);
  for (const [accountId, total] of want.totals) {
    expect([accountId, (await world.dailyTotal(accountId))?.total ?? 0]).toEqual([accountId, total]);
  }
}

describe('two validation instances in one group', () => {
  it('when a second instance joins mid-stream and the first leaves, then every trade has one recorded outcome, the same in every event, and each daily total counts each trade once', async () => {
    const trades = submissions('R');
    const keys = new Set(trades.map(tradeKey));
    const half = Math.floor(trades.length / 2);
    const outcomesFor = () => new Set(world.outcomes.map((m) => tradeKey(m.data)).filter((k) => keys.has(k)));

    const first = await world.startInstance({ VALIDATION_BATCH_SIZE: '10' });
    await world.submit(...trades.slice(0, half));
    const second = await world.startInstance({ VALIDATION_BATCH_SIZE: '10' });
    await world.submit(...trades.slice(half));
    await eventually(() => (outcomesFor().size >= half ? true : undefined), 'half of the outcomes', 60_000);
    await first.stop();
    await eventually(() => (outcomesFor().size === keys.size ? true : undefined), 'every outcome', 120_000);

    await expectOneByOneResult(trades);
    // Each trade version was judged exactly once across both instances; every other event was a republication.
    expect((await judged(first)) + (await judged(second))).toBe(keys.size);
  });

  it('when two instances judge overlapping batches of one partition at once (the old owner still busy after a rebalance), then they agree on every outcome and count each trade once', async () => {
    const trades = submissions('O', 4);
    const messages = asMessages(trades);
    const [a, b] = [await world.startInstance(), await world.startInstance()];
    const processor = (i: Instance) => i.manager.get<TradeProcessor>(ValidationModule.processor);
    const third = Math.floor(messages.length / 3);

    // The old owner committed the first third; then it is still judging the second third when the new owner,
    // from the committed offset, takes everything after the first third.
    await processor(a).handleBatch(messages.slice(0, third));
    await Promise.all([
      processor(a).handleBatch(messages.slice(third, 2 * third)),
      processor(b).handleBatch(messages.slice(third)),
    ]);
    // A member that crashed before committing gets the whole partition again.
    await processor(a).handleBatch(messages);

    await expectOneByOneResult(trades);
    expect((await judged(a)) + (await judged(b))).toBe(messages.length);
    // Both started from the same state, so one of them lost a race and recomputed from what the other recorded.
    expect(
      (await counted(a, 'validation_write_conflicts_total')) +
        (await counted(b, 'validation_write_conflicts_total')),
    ).toBeGreaterThan(0);
  });

  it('when two instances judge the same batch of rejected trades at once (no daily total to conflict on), then each version is recorded once and every event carries that one outcome', async () => {
    // Over the 10,000-share limit: every trade is rejected and writes only its fingerprint bucket.
    const trades = Array.from({ length: 12 }, (_, i) =>
      world.trade({ accountId: world.accountId(`R${i % 3}`), quantity: 20_000 + i, price: PRICE }),
    );
    const keys = new Set(trades.map(tradeKey));
    const [a, b] = [await world.startInstance(), await world.startInstance()];
    const processor = (i: Instance) => i.manager.get<TradeProcessor>(ValidationModule.processor);

    await Promise.all([
      processor(a).handleBatch(asMessages(trades)),
      processor(b).handleBatch(asMessages(trades)),
    ]);

    const recorded = (await world.recordedEntries()).filter((e) => keys.has(tradeKey(e)));
    expect(recorded.map(tradeKey).sort()).toEqual([...keys].sort());
    const published = () => world.outcomes.filter((m) => keys.has(tradeKey(m.data))).length;
    await eventually(() => (published() >= 2 * keys.size ? true : undefined), 'both batches published');
    for (const key of keys) {
      const data = new Set(
        world.outcomes.filter((m) => tradeKey(m.data) === key).map((m) => JSON.stringify(m.data)),
      );
      expect([key, data.size]).toEqual([key, 1]);
    }
    expect((await judged(a)) + (await judged(b))).toBe(keys.size);
  });
});
