import {
  Account,
  FxRate,
  Instrument,
  Market,
  ReferenceChange,
  ReferencePrice,
  RestrictedEntry,
} from '@tradeflow/contracts';
import { accountIssues, fxIssues, instrumentIssues, marketIssues, priceIssues } from '../../src/domain';
import {
  DEFAULT_SEED,
  DEMO_ACCOUNT_ID,
  DEMO_ACCOUNT_LIMITS,
  DEMO_SYMBOL_APPLE,
  DEMO_SYMBOL_HALTED,
  DEMO_SYMBOL_IBM,
  DEMO_SYMBOL_MICROSOFT,
  DEMO_SYMBOL_RESTRICTED,
  SEED_FX_RATES,
  generateSeed,
  seedRecords,
} from '../../src/seed';

const now = new Date('2026-03-02T15:00:00.000Z');
const data = generateSeed({ seed: DEFAULT_SEED, now });

const bySymbol = new Map(data.instruments.map((i) => [i.symbol, i]));
const priceOf = new Map(data.prices.map((p) => [p.symbol, p]));
const marketOf = new Map(data.markets.map((m) => [m.code, m]));
const fxOf = new Map(data.fx.map((r) => [r.currency, r.usdPerUnit]));
const usdPerUnit = (currency: string): number => (currency === 'USD' ? 1 : (fxOf.get(currency) ?? NaN));

/** Tick-grid check written independently of the domain helper, so a bug there cannot hide here. */
const ticksIn = (price: number, tick: number) => price / tick;
const onGrid = (price: number, tick: number) =>
  Math.abs(ticksIn(price, tick) - Math.round(ticksIn(price, tick))) < 1e-6;

describe('seed data shape', () => {
  it('when generated, then every entity parses with its contract schema', () => {
    const parsed = [
      ...data.markets.map((e) => Market.safeParse(e)),
      ...data.instruments.map((e) => Instrument.safeParse(e)),
      ...data.prices.map((e) => ReferencePrice.safeParse(e)),
      ...data.fx.map((e) => FxRate.safeParse(e)),
      ...data.accounts.map((e) => Account.safeParse(e)),
      ...data.restricted.map((e) => RestrictedEntry.safeParse(e)),
    ];
    expect(parsed.filter((r) => !r.success).map((r) => r.error?.issues)).toEqual([]);
  });

  it('when generated, then every entity also obeys the domain rules the API enforces', () => {
    const known = new Set(marketOf.keys());
    const issues = [
      ...data.markets.flatMap((m) => marketIssues(m)),
      ...data.instruments.flatMap((i) => instrumentIssues(i, marketOf.get(i.market))),
      ...data.prices.flatMap((p) => priceIssues(p, bySymbol.get(p.symbol), now)),
      ...data.fx.flatMap((r) => fxIssues(r, now)),
      ...data.accounts.flatMap((a) => accountIssues(a, known)),
    ];
    expect(issues).toEqual([]);
  });

  it('when generated, then ids are unique within each kind', () => {
    expect(bySymbol.size).toBe(data.instruments.length);
    expect(priceOf.size).toBe(data.prices.length);
    expect(new Set(data.accounts.map((a) => a.accountId)).size).toBe(data.accounts.length);
    expect(new Set(data.restricted.map((r) => r.symbol)).size).toBe(data.restricted.length);
  });
});

describe('seed data volume and spread', () => {
  it('when generated, then there are at least 4 markets, 400 instruments and 36 accounts', () => {
    expect(data.markets.map((m) => m.code)).toEqual(expect.arrayContaining(['XNYS', 'XNAS', 'XLON', 'XTKS']));
    expect(data.instruments.length).toBeGreaterThanOrEqual(400);
    expect(data.accounts.length).toBeGreaterThanOrEqual(36);
  });

  it('when generated, then every market lists at least 80 instruments', () => {
    for (const market of data.markets) {
      expect(data.instruments.filter((i) => i.market === market.code).length).toBeGreaterThanOrEqual(80);
    }
  });

  it('when generated, then a handful are halted and a handful restricted, and restricted symbols exist', () => {
    const halted = data.instruments.filter((i) => i.status === 'HALTED');
    expect(halted.length).toBeGreaterThanOrEqual(3);
    expect(halted.length).toBeLessThanOrEqual(10);
    expect(data.restricted.length).toBeGreaterThanOrEqual(3);
    expect(data.restricted.length).toBeLessThanOrEqual(10);
    for (const entry of data.restricted) expect(bySymbol.has(entry.symbol)).toBe(true);
  });

  it('when generated, then account limits range from small retail to institutional (in US dollars)', () => {
    const perTrade = data.accounts.map((a) => a.limits.maxNotionalPerTrade * usdPerUnit(a.currency));
    expect(Math.min(...perTrade)).toBeLessThanOrEqual(25_000);
    expect(Math.max(...perTrade)).toBeGreaterThanOrEqual(5_000_000);
    expect(new Set(data.accounts.map((a) => a.permittedMarkets.join(','))).size).toBeGreaterThanOrEqual(4);
  });
});

describe('seed currencies', () => {
  it('when generated, then every currency other than USD that a market or account uses has one FX rate', () => {
    const used = new Set([...data.markets.map((m) => m.currency), ...data.accounts.map((a) => a.currency)]);
    used.delete('USD');
    expect(data.fx.map((r) => r.currency)).toEqual([...used].sort());
    expect(data.fx.map((r) => r.currency)).toEqual(['GBP', 'JPY']);
    for (const rate of data.fx) expect(rate.usdPerUnit).toBe(SEED_FX_RATES[rate.currency]);
  });

  it('when generated, then most accounts are in USD and a few institutional ones in GBP and JPY', () => {
    const foreign = data.accounts.filter((a) => a.currency !== 'USD');
    expect(new Set(foreign.map((a) => a.currency))).toEqual(new Set(['GBP', 'JPY']));
    expect(foreign.length).toBeLessThanOrEqual(data.accounts.length / 4);
    for (const account of foreign) expect(account.accountId).toMatch(/^INST-/);
  });

  it('when an account is in GBP or JPY, then its limits are as large in USD terms as its USD peers', () => {
    const inst = data.accounts.filter((a) => a.accountId.startsWith('INST-'));
    const usd = (a: Account) => a.limits.maxNotionalPerTrade * usdPerUnit(a.currency);
    for (const account of inst) {
      // The institutional menu is 5M-50M USD; two-significant-digit rounding stays within a few percent.
      expect(usd(account)).toBeGreaterThanOrEqual(4_800_000);
      expect(usd(account)).toBeLessThanOrEqual(52_000_000);
    }
    const jpy = inst.find((a) => a.currency === 'JPY');
    expect(jpy?.limits.maxNotionalPerTrade).toBeGreaterThanOrEqual(700_000_000);
  });

  it("when an account keeps its limits in GBP or JPY, then it may trade on that currency's home market", () => {
    const home: Record<string, string> = { GBP: 'XLON', JPY: 'XTKS' };
    for (const account of data.accounts.filter((a) => a.currency !== 'USD')) {
      expect(account.permittedMarkets).toContain(home[account.currency]);
    }
  });
});

describe('seed markets and listings', () => {
  it('when generated, then the markets have their real zones and sessions, Tokyo with its lunch break', () => {
    const session = (code: string) => {
      const m = marketOf.get(code);
      return m && [m.timeZone, m.open, m.close, m.currency, m.breaks ?? []];
    };
    expect(session('XNYS')).toEqual(['America/New_York', '09:30', '16:00', 'USD', []]);
    expect(session('XNAS')).toEqual(['America/New_York', '09:30', '16:00', 'USD', []]);
    expect(session('XLON')).toEqual(['Europe/London', '08:00', '16:30', 'GBP', []]);
    expect(session('XTKS')).toEqual([
      'Asia/Tokyo',
      '09:00',
      '15:30',
      'JPY',
      [{ start: '11:30', end: '12:30' }],
    ]);
  });

  it('when generated, then Tokyo trades in 100-share lots with yen ticks and 4-digit codes', () => {
    for (const i of data.instruments.filter((x) => x.market === 'XTKS')) {
      expect(i.lotSize).toBe(100);
      expect([0.1, 0.5, 1, 5]).toContain(i.tickSize);
      expect(i.symbol).toMatch(/^\d{4}$/);
    }
  });

  it('when generated, then every instrument has one price, on its tick grid, at most 5 minutes old', () => {
    for (const instrument of data.instruments) {
      const price = priceOf.get(instrument.symbol);
      expect(price).toBeDefined();
      if (!price) continue;
      expect({ symbol: instrument.symbol, onGrid: onGrid(price.price, instrument.tickSize) }).toEqual({
        symbol: instrument.symbol,
        onGrid: true,
      });
      const age = now.getTime() - Date.parse(price.asOf);
      expect(age).toBeGreaterThanOrEqual(0);
      expect(age).toBeLessThanOrEqual(300_000);
    }
    expect(data.prices).toHaveLength(data.instruments.length);
  });
});

describe('seed determinism', () => {
  it('when generated twice with the same seed and now, then the data is equal', () => {
    expect(generateSeed({ seed: DEFAULT_SEED, now })).toEqual(data);
  });

  it('when generated with another seed, then the generated listings differ but the fixtures do not', () => {
    const other = generateSeed({ seed: DEFAULT_SEED + 1, now });
    expect(other.instruments).not.toEqual(data.instruments);
    expect(other.accounts).not.toEqual(data.accounts);
    const fixture = (d: typeof data) => ({
      instruments: d.instruments.filter((i) => [DEMO_SYMBOL_APPLE, DEMO_SYMBOL_HALTED].includes(i.symbol)),
      account: d.accounts.find((a) => a.accountId === DEMO_ACCOUNT_ID),
    });
    expect(fixture(other)).toEqual(fixture(data));
  });

  it('when the caller mutates the result, then the next generation is unaffected', () => {
    const first = generateSeed({ seed: 7, now });
    first.markets[0]?.tradingDays.push(6);
    expect(generateSeed({ seed: 7, now }).markets[0]?.tradingDays).toEqual([1, 2, 3, 4, 5]);
  });

  it('when the seed is not an integer or now is not a date, then generation refuses', () => {
    expect(() => generateSeed({ seed: 1.5, now })).toThrow(RangeError);
    expect(() => generateSeed({ seed: 1, now: new Date('nope') })).toThrow(RangeError);
  });
});

describe('demo fixtures', () => {
  it('when generated, then DEMO-1 trades on XNYS and XNAS with the documented limits', () => {
    expect(data.accounts.find((a) => a.accountId === DEMO_ACCOUNT_ID)).toEqual({
      accountId: 'DEMO-1',
      name: expect.any(String) as string,
      currency: 'USD',
      limits: { maxQuantity: 10_000, maxNotionalPerTrade: 1_000_000, maxNotionalPerDay: 10_000_000 },
      permittedMarkets: ['XNYS', 'XNAS'],
    });
    expect(DEMO_ACCOUNT_LIMITS.maxQuantity).toBe(10_000);
  });

  it('when generated, then the well-known symbols have their venues and fixed reference prices', () => {
    const listing = (symbol: string) => {
      const i = bySymbol.get(symbol);
      return (
        i && { market: i.market, status: i.status, tickSize: i.tickSize, price: priceOf.get(symbol)?.price }
      );
    };
    expect(listing(DEMO_SYMBOL_APPLE)).toEqual({
      market: 'XNAS',
      status: 'ACTIVE',
      tickSize: 0.01,
      price: 190,
    });
    expect(listing(DEMO_SYMBOL_MICROSOFT)).toEqual({
      market: 'XNAS',
      status: 'ACTIVE',
      tickSize: 0.01,
      price: 420,
    });
    expect(listing(DEMO_SYMBOL_IBM)).toEqual({
      market: 'XNYS',
      status: 'ACTIVE',
      tickSize: 0.01,
      price: 180,
    });
    expect(priceOf.get(DEMO_SYMBOL_APPLE)?.asOf).toBe(now.toISOString());
  });

  it('when generated, then RSTR is active but restricted and HALT is halted but not restricted', () => {
    const restricted = new Set(data.restricted.map((r) => r.symbol));
    expect(bySymbol.get(DEMO_SYMBOL_RESTRICTED)?.status).toBe('ACTIVE');
    expect(restricted.has(DEMO_SYMBOL_RESTRICTED)).toBe(true);
    expect(bySymbol.get(DEMO_SYMBOL_HALTED)?.status).toBe('HALTED');
    expect(restricted.has(DEMO_SYMBOL_HALTED)).toBe(false);
  });
});

describe('seed as reference-topic records', () => {
  const records = seedRecords(data);

  it('when turned into records, then there is one valid record per entity with a unique key', () => {
    const total =
      data.markets.length +
      data.instruments.length +
      data.prices.length +
      data.fx.length +
      data.accounts.length +
      data.restricted.length;
    expect(records).toHaveLength(total);
    expect(new Set(records.map((r) => r.key)).size).toBe(total);
    expect(records.every((r) => ReferenceChange.safeParse(r.change).success)).toBe(true);
  });

  it('when turned into records, then markets come before instruments and instruments before prices', () => {
    const kinds: string[] = records.map((r) => r.change.kind);
    const firstOf = (kind: string) => kinds.indexOf(kind);
    const lastOf = (kind: string) => kinds.lastIndexOf(kind);
    expect(lastOf('market')).toBeLessThan(firstOf('instrument'));
    expect(lastOf('instrument')).toBeLessThan(firstOf('price'));
  });
});
