/**
 * Cancellations on `trades.submitted`: what a cancelled version counted leaves its day's total once, in order
 * with the trade's submissions (memory bus or Kafka, DynamoDB Local, the real reference cache).
 */
import request from 'supertest';
import { EventTypes, type TradeSubmitted } from '@tradeflow/contracts';
import { DLQ_HEADERS, type BusMessage, type PublishMessage } from '@tradeflow/platform/bus';
import { ValidationModule } from '../src';
import type { TradeProcessor } from '../src/events/trade-processor';
import { World, type Instance } from './support/world';

jest.setTimeout(60_000);

const ACCOUNTS = ['released', 'redelivered', 'rejected', 'batch', 'unknown', 'poison', 'race'];

let world: World;
let instance: Instance;

beforeAll(async () => {
  world = await World.create();
  await world.publishReference([
    { kind: 'market', id: world.marketCode, entity: world.market() },
    { kind: 'instrument', id: world.symbol(1), entity: world.instrument(1) },
    { kind: 'price', id: world.symbol(1), entity: world.price(1, 100) },
    // A day limit of 200,000 and at most 1,000 shares a trade: two trades of 1,000 at 100 fill a day.
    ...ACCOUNTS.map((name) => ({
      kind: 'account' as const,
      id: world.accountId(name),
      entity: world.account(name, {
        limits: { maxQuantity: 1_000, maxNotionalPerTrade: 100_000, maxNotionalPerDay: 200_000 },
      }),
    })),
  ]);
  instance = await world.startInstance();
});

afterAll(async () => {
  await world?.close();
});

/** A message as the bus hands it to the processor (for batches whose exact content matters). */
function delivered(message: PublishMessage, offset: number): BusMessage {
  return {
    id: message.id ?? `m-${offset}`,
    source: '/tradeflow/trades',
    type: message.type,
    specversion: '1.0',
    time: new Date().toISOString(),
    subject: undefined,
    data: message.data,
    key: message.key ?? '',
    topic: message.topic,
    partition: 0,
    offset: String(offset),
    headers: {},
    attempt: 1,
  };
}

/**
 * Submits a marker trade of the account after whatever was published before it and waits for its outcome:
 * the partition is in order, so everything before it (cancellations publish no outcome) has been applied.
 */
async function settle(accountId: string): Promise<void> {
  const marker = world.trade({ accountId, quantity: 1, price: 100 });
  await world.submit(marker);
  await world.waitForOutcomes(marker.tradeId);
}

function trade(accountId: string, quantity: number): TradeSubmitted {
  return world.trade({ accountId, symbol: world.symbol(1), quantity, price: 100 });
}

async function metric(result: string): Promise<number> {
  const res = await request(instance.http.app).get('/metrics').expect(200);
  const match = new RegExp(
    `validation_cancellations_total\\{result="${result}",service="validation"\\} (\\d+)`,
  ).exec(res.text);
  return Number(match?.[1] ?? NaN);
}

describe('cancellations', () => {
  it('when a validated trade is cancelled, then its notional leaves the day total and a trade the limit refused before now passes', async () => {
    const accountId = world.accountId('released');
    const first = trade(accountId, 1_000);
    const second = trade(accountId, 999);
    await world.submit(first, second);
    await world.waitForOutcomes(second.tradeId);
    expect(await world.dailyTotal(accountId)).toEqual({ total: 199_900, rev: expect.any(Number) as number });
    const refused = trade(accountId, 500);
    await world.submit(refused);
    expect((await world.outcome(refused.tradeId)).failures.map((f) => f.ruleId)).toEqual([
      'MAX_NOTIONAL_PER_DAY',
    ]);

    await world.bus.publish(world.cancellation(first));
    const passes = trade(accountId, 501);
    await world.submit(passes);

    expect((await world.outcome(passes.tradeId)).status).toBe('VALIDATED');
    expect((await world.dailyTotal(accountId))?.total).toBe(99_900 + 50_100);
    expect((await world.recordedEntries()).find((e) => e.tradeId === first.tradeId)).toMatchObject({
      status: 'VALIDATED',
      counted: 100_000,
      released: true,
    });
    // Cancellations publish no outcome.
    expect(world.outcomesOf(first.tradeId)).toHaveLength(1);
  });

  it('when a cancellation is delivered again, then the amount is released once', async () => {
    const accountId = world.accountId('redelivered');
    const kept = trade(accountId, 300);
    const cancelled = trade(accountId, 400);
    await world.submit(kept, cancelled);
    await world.waitForOutcomes(cancelled.tradeId);
    const releasedBefore = await metric('released');
    const againBefore = await metric('already_released');

    await world.bus.publish(world.cancellation(cancelled));
    await world.bus.publish(world.cancellation(cancelled));
    await settle(accountId);

    expect((await world.dailyTotal(accountId))?.total).toBe(30_000 + 100);
    expect(await metric('released')).toBe(releasedBefore + 1);
    expect(await metric('already_released')).toBe(againBefore + 1);
  });

  it('when a rejected trade is cancelled, then the day total is unchanged', async () => {
    const accountId = world.accountId('rejected');
    const kept = trade(accountId, 200);
    const rejected = trade(accountId, 5_000);
    await world.submit(kept, rejected);
    expect((await world.outcome(rejected.tradeId)).status).toBe('REJECTED');
    const before = await metric('nothing_counted');

    await world.bus.publish(world.cancellation(rejected));
    await settle(accountId);

    expect((await world.dailyTotal(accountId))?.total).toBe(20_000 + 100);
    expect(await metric('nothing_counted')).toBe(before + 1);
  });

  it('when one batch holds a submission and then its cancellation, then the trade is judged, its outcome published and its amount released; a redelivered submission counts nothing again', async () => {
    const accountId = world.accountId('batch');
    const kept = trade(accountId, 100);
    const cancelled = trade(accountId, 600);
    const processor = instance.manager.get<TradeProcessor>(ValidationModule.processor);

    await processor.handleBatch(
      [world.submission(kept), world.submission(cancelled), world.cancellation(cancelled)].map(delivered),
    );

    expect((await world.outcome(cancelled.tradeId)).status).toBe('VALIDATED');
    expect((await world.dailyTotal(accountId))?.total).toBe(10_000);
    // The submission again (a redelivery): its recorded outcome is republished, its amount not counted again.
    await world.submit(cancelled);
    await world.waitForOutcomes(cancelled.tradeId, 2);
    expect((await world.dailyTotal(accountId))?.total).toBe(10_000);
  });

  it('when a version never recorded here is cancelled, then nothing changes', async () => {
    const accountId = world.accountId('unknown');
    const kept = trade(accountId, 100);
    await world.submit(kept);
    await world.waitForOutcomes(kept.tradeId);
    const before = await metric('unknown');

    await world.bus.publish(world.cancellation(trade(accountId, 100)));
    await settle(accountId);

    expect((await world.dailyTotal(accountId))?.total).toBe(10_000 + 100);
    expect(await metric('unknown')).toBe(before + 1);
  });

  it('when two instances apply the same cancellation at once, then the amount is released once', async () => {
    const accountId = world.accountId('race');
    const kept = trade(accountId, 100);
    const cancelled = trade(accountId, 700);
    await world.submit(kept, cancelled);
    await world.waitForOutcomes(cancelled.tradeId);
    const other = await world.startInstance();
    const processor = (i: Instance) => i.manager.get<TradeProcessor>(ValidationModule.processor);
    const message = () => [delivered(world.cancellation(cancelled), 0)];

    await Promise.all([processor(instance).handleBatch(message()), processor(other).handleBatch(message())]);

    expect((await world.dailyTotal(accountId))?.total).toBe(10_000);
  });

  it('when a cancellation is malformed, then it is dead-lettered and the trades around it are judged', async () => {
    const accountId = world.accountId('poison');
    const before = trade(accountId, 1);
    const after = trade(accountId, 2);
    const { price: _price, ...withoutPrice } = world.cancellation(before).data;

    const dead = await world.poisonBetween(before, after, EventTypes.tradeCancelled, withoutPrice);

    expect((await world.outcome(before.tradeId)).status).toBe('VALIDATED');
    expect((await world.outcome(after.tradeId)).status).toBe('VALIDATED');
    expect(dead.headers[DLQ_HEADERS.errorMessage]).toMatch(/is not a trade cancellation/);
    expect((await world.dailyTotal(accountId))?.total).toBe(300);
  });
});
