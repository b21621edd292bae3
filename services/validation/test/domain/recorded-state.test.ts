import type { TradeSubmitted } from '@tradeflow/contracts';
import {
  duplicateFingerprint,
  fingerprintBucketKey,
  recordedState,
  type BucketEntry,
  type FingerprintBucket,
  type Judgement,
} from '../../src/domain';
import { aTrade, TRADE_TIME } from './fixtures';

const WINDOW = 60_000;
const AT = Date.parse(TRADE_TIME);
const DAY = 'ACC-001#2025-03-10';

const validated = (counted: number): Judgement => ({
  status: 'VALIDATED',
  failures: [],
  validatedAt: '2025-03-10T14:30:05.000Z',
  counted,
  dayKey: DAY,
});
const rejected: Judgement = {
  status: 'REJECTED',
  failures: [{ ruleId: 'PRICE_COLLAR', reason: 'Too far from the reference price.' }],
  validatedAt: '2025-03-10T14:30:06.000Z',
  counted: 0,
  dayKey: undefined,
};

/** The buckets holding `entries`, each in the bucket of `trade`'s fingerprint and time. */
function bucketsOf(...placed: [TradeSubmitted, BucketEntry][]): Map<string, FingerprintBucket> {
  const buckets = new Map<string, FingerprintBucket>();
  for (const [trade, entry] of placed) {
    const key = fingerprintBucketKey(duplicateFingerprint(trade), Date.parse(trade.tradeTime), WINDOW);
    const bucket = buckets.get(key) ?? { key, rev: 1, entries: [] };
    buckets.set(key, { ...bucket, entries: [...bucket.entries, entry] });
  }
  return buckets;
}

/** Version `version` of trade T-1 at `price`, replacing the version before it (quantity 100 throughout). */
const amendment = (version: number, price: number, previousPrice: number): TradeSubmitted =>
  aTrade({
    tradeId: 'T-1',
    version,
    price,
    previous: { version: version - 1, price: previousPrice, quantity: 100 },
  });

/** The buckets after version 1 of T-1 (at the fixture's price) was validated, counting 19,710. */
const version1Recorded = (): Map<string, FingerprintBucket> =>
  bucketsOf([
    aTrade({ tradeId: 'T-1', version: 1 }),
    { tradeId: 'T-1', version: 1, tradeTimeMs: AT, judgement: validated(19_710) },
  ]);

describe('recordedState', () => {
  it('when the trade version is in its own bucket, then its recorded outcome comes back unchanged and it is not judged again', () => {
    const trade = aTrade({ tradeId: 'T-1', version: 1 });
    const buckets = bucketsOf([trade, { tradeId: 'T-1', version: 1, tradeTimeMs: AT, judgement: rejected }]);

    const state = recordedState([trade], buckets, WINDOW);

    expect(state.recorded.get('T-1#1')).toEqual({
      tradeId: 'T-1',
      accountId: 'ACC-001',
      version: 1,
      status: 'REJECTED',
      failures: rejected.failures,
      validatedAt: rejected.validatedAt,
    });
    // A recorded version is neither a duplicate candidate of itself nor waiting for a contribution.
    expect(state.earlierTrades.size).toBe(0);
    expect(state.contributions.size).toBe(0);
  });

  it('when another version of the trade is in the bucket, then this version is not recorded', () => {
    const trade = aTrade({
      tradeId: 'T-1',
      version: 2,
      previous: { version: 1, price: 197.1, quantity: 100 },
    });
    const buckets = bucketsOf([
      trade,
      { tradeId: 'T-1', version: 1, tradeTimeMs: AT, judgement: validated(19_710) },
    ]);

    expect(recordedState([trade], buckets, WINDOW).recorded.size).toBe(0);
  });

  it("when an amendment names the version it replaces, then that version's record in its own bucket says what to release", () => {
    const v2 = amendment(2, 198, 197.1);
    const buckets = version1Recorded();

    const state = recordedState([v2], buckets, WINDOW);

    expect(state.contributions.get('T-1')).toEqual({ version: 1, dayKey: DAY, amount: 19_710 });
    expect(state.earlierTrades.size).toBe(0);
  });

  it('when the replaced version was never recorded (dead-lettered), then nothing is released for it', () => {
    const v3 = amendment(3, 199, 198);
    // Version 1 is recorded, but the event names version 2, whose bucket holds nothing.
    const buckets = version1Recorded();

    expect(recordedState([v3], buckets, WINDOW).contributions.size).toBe(0);
  });

  it('when two versions of a trade are pending in one batch, then the contribution is for the lower one (the plan carries it on)', () => {
    const v2 = amendment(2, 198, 197.1);
    const v3 = amendment(3, 199, 198);
    const buckets = version1Recorded();

    const state = recordedState([v2, v3], buckets, WINDOW);

    expect([...state.contributions]).toEqual([['T-1', { version: 1, dayKey: DAY, amount: 19_710 }]]);
  });

  it('when identical trades are recorded around the trade, then the earliest within the window is named; later ones, its own id and those outside the window are not', () => {
    const trade = aTrade({ tradeId: 'T-9' });
    const at = (offsetMs: number) => aTrade({ tradeTime: new Date(AT + offsetMs).toISOString() });
    const buckets = bucketsOf(
      [at(-61_000), { tradeId: 'T-OUT', version: 1, tradeTimeMs: AT - 61_000, judgement: validated(1) }],
      // Written before buckets held judgements: still an earlier trade.
      [at(-59_000), { tradeId: 'T-OLD', version: 1, tradeTimeMs: AT - 59_000 }],
      [at(-10_000), { tradeId: 'T-2', version: 1, tradeTimeMs: AT - 10_000, judgement: validated(1) }],
      [at(-70_000), { tradeId: 'T-9', version: 0, tradeTimeMs: AT - 70_000, judgement: validated(1) }],
      [at(30_000), { tradeId: 'T-3', version: 1, tradeTimeMs: AT + 30_000, judgement: rejected }],
    );

    const state = recordedState([trade], buckets, WINDOW);

    expect(state.earlierTrades.get('T-9#1')).toEqual({
      tradeId: 'T-OLD',
      version: 1,
      tradeTimeMs: AT - 59_000,
    });
    expect(state.recorded.size).toBe(0);
  });

  it('when an entry has no judgement (written before buckets held them), then its version is not taken as recorded', () => {
    const trade = aTrade({ tradeId: 'T-1' });
    const buckets = bucketsOf([trade, { tradeId: 'T-1', version: 1, tradeTimeMs: AT }]);

    expect(recordedState([trade], buckets, WINDOW).recorded.size).toBe(0);
  });
});
