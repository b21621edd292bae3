import type { Account } from '@tradeflow/contracts';
import { ValidationError } from '@tradeflow/platform/errors';
import {
  CreateInstrumentRequest,
  CreateMarketRequest,
  ListQuery,
  CreateFxRequest,
  UpdateAccountRequest,
  UpdateFxRequest,
  UpdateInstrumentRequest,
  UpdateMarketRequest,
  applyAccountUpdate,
  applyFxUpdate,
  applyInstrumentUpdate,
  parseOrThrow,
} from '../../src/domain';

const apple = {
  symbol: 'AAPL',
  name: 'Apple Inc.',
  market: 'XNAS',
  currency: 'USD',
  lotSize: 1,
  tickSize: 0.01,
  status: 'ACTIVE',
};

/** The ValidationError `run` throws; fails the test when it throws nothing or something else. */
function validationError(run: () => unknown): ValidationError {
  try {
    run();
  } catch (err) {
    if (err instanceof ValidationError) return err;
    throw err;
  }
  throw new Error('expected a ValidationError, nothing was thrown');
}

describe('create requests', () => {
  it('when the body is a whole valid instrument, then it parses to that instrument', () => {
    expect(parseOrThrow(CreateInstrumentRequest, apple)).toEqual(apple);
  });

  it('when the body has unknown fields, then a 400 ValidationError names each of them', () => {
    const err = validationError(() =>
      parseOrThrow(CreateInstrumentRequest, { ...apple, isin: 'US0378331005', venue: 'x' }),
    );
    expect(err.status).toBe(400);
    expect(err.issues).toEqual([
      { field: '/isin', message: 'is not a known field' },
      { field: '/venue', message: 'is not a known field' },
    ]);
  });

  it('when several fields are wrong, then every one is named in the same error', () => {
    const err = validationError(() =>
      parseOrThrow(CreateInstrumentRequest, { ...apple, lotSize: 0, tickSize: 'cent', status: 'OPEN' }),
    );
    expect(err.issues.map((i) => i.field).sort()).toEqual(['/lotSize', '/status', '/tickSize']);
  });

  it('when a market names a time zone the runtime does not know, then timeZone is named', () => {
    const market = {
      code: 'XGOT',
      name: 'Gotham Exchange',
      timeZone: 'America/Gotham',
      open: '09:30',
      close: '16:00',
      tradingDays: [1, 2, 3, 4, 5],
      currency: 'USD',
    };
    expect(parseOrThrow(CreateMarketRequest, { ...market, timeZone: 'America/Chicago' }).code).toBe('XGOT');
    expect(
      validationError(() => parseOrThrow(CreateMarketRequest, market)).issues.map((i) => i.field),
    ).toEqual(['/timeZone']);
  });

  it('when the body is not an object, then the error names the body itself', () => {
    const err = validationError(() => parseOrThrow(CreateInstrumentRequest, [apple]));
    expect(err.issues).toHaveLength(1);
    expect(err.issues[0]?.field).toBe('/');
  });
});

describe('update requests', () => {
  it('when an update names the id, then it is rejected as unchangeable, even with the same value', () => {
    const err = validationError(() => parseOrThrow(UpdateInstrumentRequest, { symbol: 'AAPL', name: 'x' }));
    expect(err.issues).toEqual([{ field: '/symbol', message: 'is the id in the URL and cannot be changed' }]);
  });

  it('when an update is empty, then it is rejected rather than published as a no-op change', () => {
    const err = validationError(() => parseOrThrow(UpdateMarketRequest, {}));
    expect(err.issues).toEqual([{ field: '/', message: 'must change at least one field' }]);
  });

  it('when an update has an unknown field, then only that field is named', () => {
    const err = validationError(() => parseOrThrow(UpdateMarketRequest, { colour: 'red' }));
    expect(err.issues).toEqual([{ field: '/colour', message: 'is not a known field' }]);
  });

  it('when an instrument update sets some fields, then the others and the symbol are kept', () => {
    const current = parseOrThrow(CreateInstrumentRequest, apple);
    const patch = parseOrThrow(UpdateInstrumentRequest, { status: 'HALTED', tickSize: 0.05 });
    expect(applyInstrumentUpdate(current, patch)).toEqual({ ...apple, status: 'HALTED', tickSize: 0.05 });
  });

  it('when an account update names one limit, then only that limit changes', () => {
    const current: Account = {
      accountId: 'ACC-1',
      name: 'A',
      currency: 'USD',
      limits: { maxQuantity: 100, maxNotionalPerTrade: 1_000, maxNotionalPerDay: 5_000 },
      permittedMarkets: ['XNYS'],
    };
    const patch = parseOrThrow(UpdateAccountRequest, { limits: { maxNotionalPerDay: 9_000 } });
    expect(applyAccountUpdate(current, patch)).toEqual({
      ...current,
      limits: { maxQuantity: 100, maxNotionalPerTrade: 1_000, maxNotionalPerDay: 9_000 },
    });
  });

  it('when an account update has an unknown limit, then it is named with its path', () => {
    const err = validationError(() => parseOrThrow(UpdateAccountRequest, { limits: { maxOrders: 3 } }));
    expect(err.issues).toEqual([{ field: '/limits/maxOrders', message: 'is not a known field' }]);
  });
});

describe('fx requests', () => {
  const gbp = { currency: 'GBP', usdPerUnit: 1.27, asOf: '2026-03-02T15:00:00Z' };

  it('when a rate update sets usdPerUnit, then the currency and asOf are kept', () => {
    const current = parseOrThrow(CreateFxRequest, gbp);
    const patch = parseOrThrow(UpdateFxRequest, { usdPerUnit: 1.3 });
    expect(applyFxUpdate(current, patch)).toEqual({ ...gbp, usdPerUnit: 1.3 });
  });

  it('when a rate is zero or negative or the currency is not ISO 4217, then those fields are named', () => {
    const err = validationError(() =>
      parseOrThrow(CreateFxRequest, { ...gbp, currency: 'pound', usdPerUnit: 0 }),
    );
    expect(err.issues.map((i) => i.field).sort()).toEqual(['/currency', '/usdPerUnit']);
  });

  it('when a rate update names the currency, then it is rejected as unchangeable', () => {
    const err = validationError(() => parseOrThrow(UpdateFxRequest, { currency: 'GBP', usdPerUnit: 2 }));
    expect(err.issues.map((i) => i.field)).toEqual(['/currency']);
  });
});

describe('list query', () => {
  it('when no limit is given, then the default page size applies', () => {
    expect(parseOrThrow(ListQuery, {})).toEqual({ limit: 100 });
  });

  it('when the limit is a query-string number, then it is coerced', () => {
    expect(parseOrThrow(ListQuery, { limit: '25', cursor: 'abc' })).toEqual({ limit: 25, cursor: 'abc' });
  });

  it('when the limit is out of range or not a number, then the error names limit', () => {
    for (const limit of ['0', '501', 'ten', '2.5']) {
      expect(validationError(() => parseOrThrow(ListQuery, { limit })).issues[0]?.field).toBe('/limit');
    }
  });
});
