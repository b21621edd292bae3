/**
 * Outcomes applied in batches (TransactWriteItems): exactly the outcomes whose trade still waits for that
 * version are applied, whatever else shares their transaction, and a batch costs one call per 100 trades.
 */
import type { TradeOutcome } from '@tradeflow/contracts';
import type { BusMessage } from '@tradeflow/platform/bus';
import { OutcomeConsumer } from '../src/events/outcome-consumer';
import { createTradesMetrics } from '../src/trades-metrics';
import { asConsumer, instrument, TradesHarness } from './support/harness';

jest.setTimeout(60_000);

let h: TradesHarness;
let accountCounter = 0;

beforeAll(async () => {
  h = await TradesHarness.start({ instruments: [instrument('TICKY')] });
});

afterAll(async () => {
  await h?.close();
});

function newAccount(): string {
  accountCounter += 1;
  return `ACC-${h.run.toUpperCase()}-OB${accountCounter}`;
}

async function submitMany(accountId: string, count: number): Promise<string[]> {
  const items = Array.from({ length: count }, () => ({
    accountId,
    symbol: 'TICKY',
    side: 'BUY',
    quantity: 10,
    price: 190.25,
    currency: 'USD',
    tradeTime: '2025-06-02T14:30:00Z',
  }));
  const res = await h
    .api(asConsumer('trader', [accountId]))
    .post('/v1/trades/batch')
    .send({ trades: items })
    .expect(200);
  return (res.body as { results: { tradeId: string }[] }).results.map((r) => r.tradeId);
}

function outcome(tradeId: string, accountId: string, version: number, status: TradeOutcome['status']) {
  return { tradeId, accountId, version, status, failures: [], validatedAt: new Date().toISOString() };
}

async function statusOf(tradeId: string): Promise<{ status: string; version: number } | undefined> {
  return h.store.trades.get(tradeId);
}

/** TransactWriteItems calls the trades table has seen, from the store's own request metric. */
async function transactCalls(): Promise<number> {
  const metric = h.metrics.registry.getSingleMetric('dynamodb_request_duration_seconds');
  if (metric === undefined) return 0;
  const { values } = await metric.get();
  return values
    .filter(
      (v) =>
        (v as { metricName?: string }).metricName === 'dynamodb_request_duration_seconds_count' &&
        v.labels.operation === 'TransactWriteItems' &&
        v.labels.table === h.store.tables.trades.name,
    )
    .reduce((sum, v) => sum + v.value, 0);
}

function message(data: TradeOutcome, offset: number): BusMessage {
  return {
    id: `outcome:${data.tradeId}:${data.version}:${offset}`,
    source: '/test',
    type: 'tradeflow.validation.trade-validated.v1',
    specversion: '1.0',
    time: data.validatedAt,
    subject: data.tradeId,
    data,
    key: data.accountId,
    topic: 'trades.outcomes',
    partition: 0,
    offset: String(offset),
    headers: {},
    attempt: 1,
  };
}

describe('applyOutcomes', () => {
  it('when one transaction mixes applicable, superseded and unknown outcomes, then only the applicable ones are applied and a redelivery applies none', async () => {
    const accountId = newAccount();
    const [a, b, c, amended] = (await submitMany(accountId, 4)) as [string, string, string, string];
    await h
      .api(asConsumer('trader', [accountId]))
      .patch(`/v1/trades/${amended}`)
      .send({ price: 150 })
      .expect(200);
    const batch = [
      outcome(a, accountId, 1, 'VALIDATED'),
      outcome(amended, accountId, 1, 'VALIDATED'), // superseded: the trade is at version 2
      outcome(b, accountId, 1, 'REJECTED'),
      outcome(`unknown-${h.run}`, accountId, 1, 'VALIDATED'),
      outcome(c, accountId, 1, 'VALIDATED'),
    ];
    const now = new Date().toISOString();

    expect(await h.store.trades.applyOutcomes(batch, now)).toEqual([true, false, true, false, true]);
    expect(await statusOf(a)).toMatchObject({ status: 'VALIDATED', version: 1 });
    expect(await statusOf(b)).toMatchObject({ status: 'REJECTED', version: 1 });
    expect(await statusOf(amended)).toMatchObject({ status: 'AMENDED', version: 2 });

    // Redelivered with other verdicts: every condition fails, nothing changes.
    const again = batch.map((o) => ({ ...o, status: o.status === 'VALIDATED' ? 'REJECTED' : 'VALIDATED' }));
    expect(await h.store.trades.applyOutcomes(again as TradeOutcome[], now)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(await statusOf(a)).toMatchObject({ status: 'VALIDATED' });
    expect(await statusOf(b)).toMatchObject({ status: 'REJECTED' });
  });

  it('when the same trade appears twice, then the call is refused before anything is written', async () => {
    const accountId = newAccount();
    const [a] = (await submitMany(accountId, 1)) as [string];
    await expect(
      h.store.trades.applyOutcomes(
        [outcome(a, accountId, 1, 'VALIDATED'), outcome(a, accountId, 1, 'REJECTED')],
        new Date().toISOString(),
      ),
    ).rejects.toThrow(/one outcome per trade/);
    expect(await statusOf(a)).toMatchObject({ status: 'RECEIVED' });
  });
});

describe('OutcomeConsumer', () => {
  it('when a batch holds 150 trades with duplicates and an older version, then two transactions apply each trade once and the metrics count the rest as ignored', async () => {
    const accountId = newAccount();
    const ids = await submitMany(accountId, 150);
    const amended = ids[0] as string;
    await h
      .api(asConsumer('trader', [accountId]))
      .patch(`/v1/trades/${amended}`)
      .send({ quantity: 20 })
      .expect(200);
    const outcomes = [
      ...ids.map((id) => outcome(id, accountId, id === amended ? 2 : 1, 'VALIDATED')),
      outcome(ids[1] as string, accountId, 1, 'VALIDATED'), // a producer retry's duplicate
      outcome(amended, accountId, 1, 'REJECTED'), // an older version after the newer one
    ];
    const metrics = createTradesMetrics(h.metrics);
    const ignoredBefore = await counter(metrics, 'ignored');
    const appliedBefore = await counter(metrics, 'applied');
    const callsBefore = await transactCalls();
    const consumer = new OutcomeConsumer({
      trades: h.store.trades,
      metrics,
      logger: { warn: () => undefined, debug: () => undefined },
      concurrency: 4,
    });

    await consumer.handleBatch(outcomes.map((o, i) => message(o, i)));

    expect(await transactCalls()).toBe(callsBefore + 2);
    expect(await counter(metrics, 'applied')).toBe(appliedBefore + 150);
    expect(await counter(metrics, 'ignored')).toBe(ignoredBefore + 2);
    for (const id of ids.slice(0, 5))
      expect(await statusOf(id)).toMatchObject({ status: 'VALIDATED', version: id === amended ? 2 : 1 });
    expect(await statusOf(ids[149] as string)).toMatchObject({ status: 'VALIDATED' });
  });
});

async function counter(metrics: ReturnType<typeof createTradesMetrics>, result: string): Promise<number> {
  const data = await metrics.statusUpdates.get();
  return data.values.filter((v) => v.labels.result === result).reduce((sum, v) => sum + v.value, 0);
}
