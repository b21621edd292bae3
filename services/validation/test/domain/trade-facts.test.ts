import {
  dailyTotalKey,
  duplicateFingerprint,
  fingerprintBucketKey,
  fingerprintBucketKeysAround,
  fingerprintBucketKeysToRead,
  parseDailyTotalKey,
  referenceFor,
  tradeDayOf,
  tradeKey,
} from '../../src/domain';
import type { ReferenceLookup } from '../../src/domain';
import { AAPL, ACCOUNT, aTrade, GBP_RATE, PRICE, XNYS, XTKS } from './fixtures';

describe('trade facts', () => {
  it('when two trades differ only in id, time or channel, then they share a duplicate fingerprint; a price change does not', () => {
    const a = aTrade({ tradeId: 'A', tradeTime: '2025-03-10T14:30:00Z' });
    const b = aTrade({ tradeId: 'B', tradeTime: '2025-03-10T14:30:30Z', channel: 'bulk' });

    expect(duplicateFingerprint(a)).toBe(duplicateFingerprint(b));
    expect(duplicateFingerprint(a)).toBe('ACC-001|AAPL|BUY|100|197.1');
    expect(duplicateFingerprint(aTrade({ price: 197.11 }))).not.toBe(duplicateFingerprint(a));
  });

  it('when keyed, then a trade version and an account day have readable keys that parse back', () => {
    expect(tradeKey(aTrade({ tradeId: 'T-9', version: 2 }))).toBe('T-9#2');
    expect(parseDailyTotalKey(dailyTotalKey('ACC-001', '2025-03-10'))).toEqual({
      accountId: 'ACC-001',
      day: '2025-03-10',
    });
  });

  it('when two trades are within the window of each other, then the buckets around one include the bucket of the other', () => {
    const fp = 'ACC-001|AAPL|BUY|100|197.1';
    const at = Date.parse('2025-03-10T14:30:59.999Z');

    expect(fingerprintBucketKey(fp, at, 60_000)).toBe(`${fp}#60000#${Math.floor(at / 60_000)}`);
    for (const other of [at - 60_000, at - 1, at + 1, at + 60_000]) {
      expect(fingerprintBucketKeysAround(fp, at, 60_000)).toContain(fingerprintBucketKey(fp, other, 60_000));
    }
    // A window of 0 still yields usable keys (only trades at the same millisecond match then).
    expect(fingerprintBucketKeysAround(fp, at, 0)).toHaveLength(3);
  });

  it("when an amendment names the version it replaces, then that version's own bucket is read with the buckets around the trade", () => {
    const amended = aTrade({ version: 2, price: 198, previous: { version: 1, price: 197.1, quantity: 100 } });
    const at = Date.parse(amended.tradeTime);

    expect(fingerprintBucketKeysToRead(amended, 60_000)).toEqual([
      ...fingerprintBucketKeysAround('ACC-001|AAPL|BUY|100|198', at, 60_000),
      fingerprintBucketKey('ACC-001|AAPL|BUY|100|197.1', at, 60_000),
    ]);
    expect(fingerprintBucketKeysToRead(aTrade(), 60_000)).toEqual(
      fingerprintBucketKeysAround('ACC-001|AAPL|BUY|100|197.1', at, 60_000),
    );
  });

  it("when the market is known, then the day is the market's; otherwise it is the UTC date", () => {
    const trade = aTrade({ tradeTime: '2025-03-10T23:30:00Z' });

    expect(tradeDayOf(trade, XTKS)).toBe('2025-03-11');
    expect(tradeDayOf(trade, XNYS)).toBe('2025-03-10');
    expect(tradeDayOf(aTrade({ tradeTime: '2025-03-11T01:00:00+05:00' }), undefined)).toBe('2025-03-10');
  });
});

describe('referenceFor', () => {
  const lookup: ReferenceLookup = {
    account: (id) => (id === ACCOUNT.accountId ? { ...ACCOUNT, currency: 'GBP' } : undefined),
    instrument: (symbol) => (symbol === 'AAPL' ? AAPL : undefined),
    market: (code) => (code === 'XNYS' ? XNYS : undefined),
    price: (symbol) => (symbol === 'AAPL' ? PRICE : undefined),
    restricted: () => undefined,
    fx: (currency) => (currency === 'GBP' ? GBP_RATE : undefined),
  };

  it("when everything is known, then the trade's instrument, market, price, account and both currencies' rates are gathered", () => {
    expect(referenceFor(aTrade(), lookup)).toEqual({
      account: { ...ACCOUNT, currency: 'GBP' },
      instrument: AAPL,
      market: XNYS,
      price: PRICE,
      restricted: undefined,
      fxRates: { GBP: GBP_RATE },
    });
  });

  it('when the instrument is unknown, then its market is not looked up', () => {
    const reference = referenceFor(aTrade({ symbol: 'MSFT' }), lookup);

    expect(reference.instrument).toBeUndefined();
    expect(reference.market).toBeUndefined();
  });
});
