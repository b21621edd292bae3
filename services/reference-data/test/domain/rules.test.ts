import type { Account, Instrument, Market, ReferencePrice } from '@tradeflow/contracts';
import { ValidationError } from '@tradeflow/platform/errors';
import {
  accountIssues,
  fxIssues,
  instrumentIssues,
  marketIssues,
  priceIssues,
  throwIfIssues,
} from '../../src/domain';

const xnys: Market = {
  code: 'XNYS',
  name: 'New York Stock Exchange',
  timeZone: 'America/New_York',
  open: '09:30',
  close: '16:00',
  tradingDays: [1, 2, 3, 4, 5],
  currency: 'USD',
};
const ibm: Instrument = {
  symbol: 'IBM',
  name: 'International Business Machines Corporation',
  market: 'XNYS',
  currency: 'USD',
  lotSize: 1,
  tickSize: 0.01,
  status: 'ACTIVE',
};
const now = new Date('2026-03-02T15:00:00.000Z');

const fields = (issues: { field: string }[]) => issues.map((i) => i.field);

describe('instrument rules', () => {
  it('when the market exists and the currency matches, then there is nothing to report', () => {
    expect(instrumentIssues(ibm, xnys)).toEqual([]);
  });

  it('when the market does not exist, then market is named', () => {
    expect(instrumentIssues({ ...ibm, market: 'XNOP' }, undefined)).toEqual([
      { field: '/market', message: 'is not a known market: XNOP' },
    ]);
  });

  it("when the currency differs from the market's, then currency is named with the one expected", () => {
    expect(instrumentIssues({ ...ibm, currency: 'EUR' }, xnys)).toEqual([
      { field: '/currency', message: 'must be USD, the currency of market XNYS' },
    ]);
  });

  it('when the tick is absurdly coarse or finer than six decimals, then tickSize is named', () => {
    expect(fields(instrumentIssues({ ...ibm, tickSize: 5000 }, xnys))).toEqual(['/tickSize']);
    expect(fields(instrumentIssues({ ...ibm, tickSize: 1e-7 }, xnys))).toEqual(['/tickSize']);
    expect(instrumentIssues({ ...ibm, tickSize: 1000 }, xnys)).toEqual([]);
  });

  it('when rules are broken, then throwIfIssues raises one 400 ValidationError listing them all', () => {
    const issues = instrumentIssues({ ...ibm, currency: 'EUR', lotSize: 5_000_000 }, xnys);
    let thrown: unknown;
    try {
      throwIfIssues(issues);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).status).toBe(400);
    expect(fields((thrown as ValidationError).issues)).toEqual(['/currency', '/lotSize']);
    expect(() => throwIfIssues([])).not.toThrow();
  });
});

describe('market rules', () => {
  it('when the market is sound, then there is nothing to report', () => {
    expect(marketIssues(xnys)).toEqual([]);
  });

  it('when the session closes before it opens, then close is named', () => {
    expect(fields(marketIssues({ ...xnys, close: '09:00' }))).toEqual(['/close']);
    expect(fields(marketIssues({ ...xnys, close: '09:30' }))).toEqual(['/close']);
  });

  it('when a break lies outside the session or ends before it starts, then the break is named', () => {
    expect(fields(marketIssues({ ...xnys, breaks: [{ start: '12:00', end: '13:00' }] }))).toEqual([]);
    expect(fields(marketIssues({ ...xnys, breaks: [{ start: '15:30', end: '16:30' }] }))).toEqual([
      '/breaks/0',
    ]);
    expect(fields(marketIssues({ ...xnys, breaks: [{ start: '13:00', end: '12:00' }] }))).toEqual([
      '/breaks/0/end',
    ]);
  });

  it('when a trading day is listed twice, then the repeat is named', () => {
    expect(fields(marketIssues({ ...xnys, tradingDays: [1, 2, 2] }))).toEqual(['/tradingDays/2']);
  });

  it("when an update changes the market's currency, then currency is named", () => {
    expect(fields(marketIssues({ ...xnys, currency: 'EUR' }, xnys))).toEqual(['/currency']);
    expect(marketIssues({ ...xnys, name: 'NYSE' }, xnys)).toEqual([]);
  });
});

describe('price rules', () => {
  const price: ReferencePrice = { symbol: 'IBM', price: 180.005, asOf: now.toISOString(), source: 'test' };

  it('when the price is off the tick grid, then it is still accepted (reference prices may be mids)', () => {
    expect(priceIssues(price, ibm, now)).toEqual([]);
  });

  it('when the instrument does not exist, then symbol is named', () => {
    expect(fields(priceIssues(price, undefined, now))).toEqual(['/symbol']);
  });

  it('when asOf is beyond the clock-skew allowance in the future, then asOf is named', () => {
    const inSkew = new Date(now.getTime() + 60_000).toISOString();
    const future = new Date(now.getTime() + 3_600_000).toISOString();
    expect(priceIssues({ ...price, asOf: inSkew }, ibm, now)).toEqual([]);
    expect(fields(priceIssues({ ...price, asOf: future }, ibm, now))).toEqual(['/asOf']);
  });
});

describe('account rules', () => {
  const account: Account = {
    accountId: 'RTL-1001',
    name: 'Sam Patel',
    currency: 'USD',
    limits: { maxQuantity: 1_000, maxNotionalPerTrade: 50_000, maxNotionalPerDay: 250_000 },
    permittedMarkets: ['XNYS', 'XNAS'],
  };
  const known = new Set(['XNYS', 'XNAS', 'XLON']);

  it('when every permitted market exists, then there is nothing to report', () => {
    expect(accountIssues(account, known)).toEqual([]);
  });

  it('when a permitted market is unknown or repeated, then its position is named', () => {
    const issues = accountIssues({ ...account, permittedMarkets: ['XNYS', 'XABC', 'XNYS'] }, known);
    expect(issues).toEqual([
      { field: '/permittedMarkets/1', message: 'is not a known market: XABC' },
      { field: '/permittedMarkets/2', message: 'lists XNYS twice' },
    ]);
  });

  it('when the per-trade notional exceeds the daily one, then maxNotionalPerTrade is named', () => {
    const limits = { ...account.limits, maxNotionalPerTrade: 300_000 };
    expect(fields(accountIssues({ ...account, limits }, known))).toEqual(['/limits/maxNotionalPerTrade']);
  });
});

describe('fx rules', () => {
  const gbp = { currency: 'GBP', usdPerUnit: 1.27, asOf: now.toISOString() };

  it('when the rate is for a currency other than USD and not from the future, then it is accepted', () => {
    expect(fxIssues(gbp, now)).toEqual([]);
  });

  it('when the rate is for USD, then currency is named: USD is always 1', () => {
    expect(fields(fxIssues({ ...gbp, currency: 'USD', usdPerUnit: 1 }, now))).toEqual(['/currency']);
  });

  it('when asOf is beyond the clock-skew allowance in the future, then asOf is named', () => {
    const future = new Date(now.getTime() + 3_600_000).toISOString();
    expect(fields(fxIssues({ ...gbp, asOf: future }, now))).toEqual(['/asOf']);
  });
});
