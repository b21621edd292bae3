/**
 * The validation service in-process: memory bus (or Kafka with BUS_ADAPTER=kafka), DynamoDB Local, the real
 * reference cache fed through the reference topic.
 */
import request from 'supertest';
import { EventTypes } from '@tradeflow/contracts';
import { CE_HEADERS, DLQ_HEADERS } from '@tradeflow/platform/bus';
import { asConsumer, requestAs } from '../../../tests/support/identity';
import { eventually, World, type Instance } from './support/world';

// Each test waits for events with its own deadline; this only bounds a hung test.
jest.setTimeout(60_000);

let world: World;
let instance: Instance;

beforeAll(async () => {
  world = await World.create();
  await world.publishReference([
    { kind: 'market', id: world.marketCode, entity: world.market() },
    ...[1, 2, 3, 4, 5].map((n) => ({
      kind: 'instrument' as const,
      id: world.symbol(n),
      entity: world.instrument(n),
    })),
    ...[1, 2, 3, 4, 5].map((n) => ({
      kind: 'price' as const,
      id: world.symbol(n),
      entity: world.price(n, 100),
    })),
    ...['a', 'redelivered', 'amended', 'restart', 'poison', 'price-change', 'limit-change'].map((name) => ({
      kind: 'account' as const,
      id: world.accountId(name),
      entity: world.account(name),
    })),
    {
      kind: 'account',
      id: world.accountId('small'),
      entity: world.account('small', {
        limits: { maxQuantity: 1_000, maxNotionalPerTrade: 100_000, maxNotionalPerDay: 200_000 },
      }),
    },
    // ISO 4217's codes for testing (XTS) and for no currency (XXX): no other run's FX rates touch them.
    { kind: 'account', id: world.accountId('xts'), entity: world.account('xts', { currency: 'XTS' }) },
    { kind: 'account', id: world.accountId('xxx'), entity: world.account('xxx', { currency: 'XXX' }) },
    { kind: 'fx', id: 'XTS', entity: { currency: 'XTS', usdPerUnit: 1.25, asOf: new Date().toISOString() } },
    {
      kind: 'restricted',
      id: world.symbol(2),
      entity: { symbol: world.symbol(2), reason: 'Pending merger.', since: '2025-03-01T00:00:00Z' },
    },
  ]);
  instance = await world.startInstance();
});

afterAll(async () => {
  await world?.close();
});

describe('validation service', () => {
  it('when a valid trade is submitted, then one VALIDATED outcome keyed by account is published and its notional counted', async () => {
    const trade = world.trade({ quantity: 250, price: 101.5 });

    await world.submit(trade);

    const [event] = await world.waitForOutcomes(trade.tradeId);
    expect(event?.key).toBe(trade.accountId);
    expect(event?.type).toBe(EventTypes.tradeValidated);
    expect(event?.data).toEqual({
      tradeId: trade.tradeId,
      accountId: trade.accountId,
      version: 1,
      status: 'VALIDATED',
      failures: [],
      validatedAt: expect.any(String) as string,
    });
    expect(await world.dailyTotal(trade.accountId)).toEqual({ total: 25_375, rev: 1 });
  });

  it('when a trade breaks several rules, then it is REJECTED with every failed rule and counts nothing', async () => {
    // Restricted symbol, 20% above the reference price, 5,000 > 1,000 shares, 600,000 > 100,000 per trade and
    // > 200,000 per day.
    const trade = world.trade({
      accountId: world.accountId('small'),
      symbol: world.symbol(2),
      quantity: 5_000,
      price: 120,
    });

    await world.submit(trade);

    const [event] = await world.waitForOutcomes(trade.tradeId);
    expect(event?.type).toBe(EventTypes.tradeRejected);
    expect(event?.data.status).toBe('REJECTED');
    expect(event?.data.failures.map((f) => f.ruleId)).toEqual([
      'RESTRICTED_INSTRUMENT',
      'PRICE_COLLAR',
      'MAX_QUANTITY',
      'MAX_NOTIONAL_PER_TRADE',
      'MAX_NOTIONAL_PER_DAY',
    ]);
    expect(event?.data.failures.every((f) => f.reason.length > 20)).toBe(true);
    expect(await world.dailyTotal(trade.accountId)).toBeUndefined();
  });

  it('when the same trade is delivered again after the rules changed, then the recorded outcome is republished and counted once', async () => {
    const accountId = world.accountId('redelivered');
    const trade = world.trade({ accountId, symbol: world.symbol(3), quantity: 10, price: 100 });
    await world.submit(trade);
    const [first] = await world.waitForOutcomes(trade.tradeId);
    expect(first?.data.status).toBe('VALIDATED');

    // Now the symbol is restricted: judging the trade again would reject it.
    await world.publishReference([
      {
        kind: 'restricted',
        id: world.symbol(3),
        entity: { symbol: world.symbol(3), reason: 'Halted by compliance.', since: new Date().toISOString() },
      },
    ]);
    await eventually(() => instance.cache.restricted(world.symbol(3)), 'the restriction in the cache');
    await world.submit(trade);
    await world.submit(trade);

    const events = await world.waitForOutcomes(trade.tradeId, 3);
    expect(events.map((e) => e.data)).toEqual([first?.data, first?.data, first?.data]);
    expect(new Set(events.map((e) => e.id)).size).toBe(1);
    expect(await world.dailyTotal(accountId)).toEqual({ total: 1_000, rev: 1 });
    expect((await world.recordedEntries()).filter((e) => e.tradeId === trade.tradeId)).toEqual([
      expect.objectContaining({ version: 1, status: 'VALIDATED', counted: 1_000 }),
    ]);
  });

  it("when a trade is amended (and the amendment redelivered), then the new version's notional replaces the previous version's, once", async () => {
    const accountId = world.accountId('amended');
    const v1 = world.trade({ accountId, symbol: world.symbol(5), quantity: 10, price: 100 });
    await world.submit(v1);
    expect((await world.outcome(v1.tradeId)).status).toBe('VALIDATED');
    expect(await world.dailyTotal(accountId)).toEqual({ total: 1_000, rev: 1 });

    // In later batches, as trades publishes them: each names the version it replaces.
    const v2 = { ...v1, version: 2, price: 101, previous: { version: 1, price: 100, quantity: 10 } };
    await world.submit(v2);
    await world.submit(v2);
    const events = await world.waitForOutcomes(v1.tradeId, 3);
    expect(events.map((e) => [e.data.version, e.data.status])).toEqual([
      [1, 'VALIDATED'],
      [2, 'VALIDATED'],
      [2, 'VALIDATED'],
    ]);
    expect(events[2]?.data).toEqual(events[1]?.data);
    expect(await world.dailyTotal(accountId)).toEqual({ total: 1_010, rev: 2 });

    // Over the 10,000-share limit: rejected, so it releases version 2's amount and counts nothing.
    const v3 = {
      ...v1,
      version: 3,
      quantity: 20_000,
      price: 101,
      previous: { version: 2, price: 101, quantity: 10 },
    };
    await world.submit(v3);
    const [, , , last] = await world.waitForOutcomes(v1.tradeId, 4);
    expect(last?.data.failures.map((f) => f.ruleId)).toEqual(['MAX_QUANTITY', 'MAX_NOTIONAL_PER_TRADE']);
    expect(await world.dailyTotal(accountId)).toEqual({ total: 0, rev: 3 });
    expect((await world.recordedEntries()).filter((e) => e.tradeId === v1.tradeId)).toHaveLength(3);
  });

  it('when an identical trade arrives in a later batch after a restart, then it is a probable duplicate of the recorded one', async () => {
    const accountId = world.accountId('restart');
    const first = world.trade({ accountId, symbol: world.symbol(5), quantity: 33, price: 100 });
    await world.submit(first);
    expect((await world.outcome(first.tradeId)).status).toBe('VALIDATED');

    await instance.stop();
    instance = await world.startInstance();
    const second = world.trade({ accountId, symbol: world.symbol(5), quantity: 33, price: 100 });
    await world.submit(second);

    const outcome = await world.outcome(second.tradeId);
    expect(outcome.failures.map((f) => f.ruleId)).toEqual(['PROBABLE_DUPLICATE']);
    expect(outcome.failures[0]?.reason).toContain(`as trade ${first.tradeId} within`);
    expect(await world.dailyTotal(accountId)).toEqual({ total: 3_300, rev: 1 });
  });

  it('when a poison message sits between two trades of one batch, then it is dead-lettered and both trades are judged once', async () => {
    const accountId = world.accountId('poison');
    const before = world.trade({ accountId, quantity: 1, price: 100 });
    const after = world.trade({ accountId, quantity: 2, price: 100 });

    const dead = await world.poisonBetween(before, after, EventTypes.tradeSubmitted, {
      tradeId: 'X',
      quantity: -1,
    });

    expect((await world.outcome(before.tradeId)).status).toBe('VALIDATED');
    expect((await world.outcome(after.tradeId)).status).toBe('VALIDATED');
    expect(dead.headers[DLQ_HEADERS.errorMessage]).toMatch(/is not a submitted trade/);
    expect(dead.headers[CE_HEADERS.type]).toBe(EventTypes.tradeSubmitted);
    expect(await world.dailyTotal(accountId)).toEqual({ total: 300, rev: expect.any(Number) as number });
    // The next trade on the partition goes through as usual.
    const next = world.trade({ accountId, quantity: 3, price: 100 });
    await world.submit(next);
    expect((await world.outcome(next.tradeId)).status).toBe('VALIDATED');
    expect((await world.dailyTotal(accountId))?.total).toBe(600);
  });

  it('when a reference price changes, then a trade submitted a second later is judged against the new price', async () => {
    const accountId = world.accountId('price-change');
    const early = world.trade({ accountId, symbol: world.symbol(4), price: 110 });
    await world.submit(early);
    expect((await world.outcome(early.tradeId)).failures.map((f) => f.ruleId)).toEqual(['PRICE_COLLAR']);

    await world.publishReference([{ kind: 'price', id: world.symbol(4), entity: world.price(4, 109) }]);
    // The requirement under test: a change is honoured by validations that start a second after it.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const late = world.trade({ accountId, symbol: world.symbol(4), price: 110, quantity: 101 });
    await world.submit(late);

    expect(await world.outcome(late.tradeId)).toMatchObject({ status: 'VALIDATED', failures: [] });
  });

  it('when an account limit changes, then a trade submitted a second later is judged against the new limit', async () => {
    const accountId = world.accountId('limit-change');
    const early = world.trade({ accountId, quantity: 500 });
    await world.submit(early);
    expect((await world.outcome(early.tradeId)).status).toBe('VALIDATED');

    const lowered = world.account('limit-change', {
      limits: { maxQuantity: 400, maxNotionalPerTrade: 1_000_000, maxNotionalPerDay: 5_000_000 },
    });
    await world.publishReference([{ kind: 'account', id: accountId, entity: lowered }]);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const late = world.trade({ accountId, quantity: 501 });
    await world.submit(late);

    expect((await world.outcome(late.tradeId)).failures.map((f) => f.ruleId)).toEqual(['MAX_QUANTITY']);
  });

  it("when the account's currency differs from the trade's, then its day total is kept in the account's currency, and without a rate the trade is rejected", async () => {
    const converted = world.trade({ accountId: world.accountId('xts'), quantity: 100, price: 100 });
    const noRate = world.trade({ accountId: world.accountId('xxx'), quantity: 100, price: 100 });

    await world.submit(converted, noRate);

    // 10,000 USD at 1.25 USD per XTS is 8,000 XTS.
    expect((await world.outcome(converted.tradeId)).status).toBe('VALIDATED');
    expect(await world.dailyTotal(converted.accountId)).toEqual({ total: 8_000, rev: 1 });
    expect((await world.outcome(noRate.tradeId)).failures.map((f) => f.ruleId)).toEqual(['NO_FX_RATE']);
  });

  it('when asked for the rules without identity headers, then it is a 401 problem', async () => {
    const res = await request(instance.http.app).get('/v1/validation/rules').expect(401);
    expect(res.body).toMatchObject({ status: 401, code: 'AUTH.NO_IDENTITY' });
  });

  it('when the API document is asked for without identity headers, then it is the openapi.yaml as JSON', async () => {
    const res = await request(instance.http.app).get('/openapi.json').expect(200);
    expect(res.type).toBe('application/json');
    const document = res.body as { openapi: string; paths: Record<string, unknown> };
    expect(document.openapi).toMatch(/^3\./);
    expect(Object.keys(document.paths)).toContain('/v1/validation/rules');
  });

  it('when asked for the rules, then every rule id and description is listed in evaluation order', async () => {
    // Any authenticated caller reads them, whatever its accounts.
    const res = await requestAs(instance.http.app, asConsumer('rules-reader', []))
      .get('/v1/validation/rules')
      .expect(200);

    const body = res.body as {
      rules: { id: string; description: string }[];
      settings: Record<string, number>;
    };
    expect(body.rules.map((r) => r.id)).toContain('NO_FX_RATE');
    expect(body.rules[0]).toEqual({
      id: 'UNKNOWN_ACCOUNT',
      description: 'The account must be known to reference data.',
    });
    expect(body.settings).toEqual({
      priceCollarPercent: 5,
      stalePriceMaxAgeMs: 900_000,
      duplicateWindowMs: 60_000,
    });
  });

  it('when trades have been judged, then /metrics counts them by outcome and failed rule, with batch timings', async () => {
    const trade = world.trade({ quantity: 7 });
    await world.submit(trade);
    await world.waitForOutcomes(trade.tradeId);

    const res = await request(instance.http.app).get('/metrics').expect(200);

    expect(res.text).toMatch(/validations_total\{outcome="VALIDATED",service="validation"\} [1-9]/);
    expect(res.text).toMatch(
      /validation_rule_failures_total\{rule="PRICE_COLLAR",service="validation"\} [1-9]/,
    );
    expect(res.text).toMatch(/validation_batch_duration_seconds_count\{service="validation"\} [1-9]/);
  });
});
