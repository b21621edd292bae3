import type { TradeSubmitted } from '@tradeflow/contracts';
import {
  chunkWrites,
  MAX_BUCKET_ENTRIES,
  DEFAULT_VALIDATION_SETTINGS,
  planBatch,
  type BatchState,
  type DailyTotal,
  type ReferenceData,
} from '../../src/domain';
import { AAPL, ACCOUNT, aTrade, GBP_RATE, NOW, PRICE, TRADE_TIME, XNYS } from './fixtures';

const DAY = 'ACC-001#2025-03-10';
const REFERENCE: ReferenceData = { instrument: AAPL, market: XNYS, price: PRICE, account: ACCOUNT };
const EMPTY: BatchState = { totals: new Map(), contributions: new Map(), earlierTrades: new Map() };

function plan(trades: TradeSubmitted[], state: Partial<BatchState> = {}, reference = REFERENCE) {
  return planBatch(
    trades,
    { ...EMPTY, ...state },
    {
      now: NOW,
      settings: DEFAULT_VALIDATION_SETTINGS,
      referenceOf: () => reference,
    },
  );
}

// 100 × 197.10 = 19,710 each; distinct quantities keep them from being probable duplicates of each other.
const t = (id: string, overrides: Partial<TradeSubmitted> = {}) => aTrade({ tradeId: id, ...overrides });

describe('planBatch', () => {
  it('when trades are validated, then each counts its notional once and the next one sees the running total', () => {
    const planned = plan([t('T-1'), t('T-2', { quantity: 200 })], {
      totals: new Map([[DAY, { key: DAY, total: 1_000, rev: 3 }]]),
    });

    expect(planned.map((p) => [p.outcome.status, p.dayKey, p.counted])).toEqual([
      ['VALIDATED', DAY, 19_710],
      ['VALIDATED', DAY, 39_420],
    ]);
    expect(planned.map((p) => p.deltas)).toEqual([
      [{ key: DAY, amount: 19_710 }],
      [{ key: DAY, amount: 39_420 }],
    ]);
  });

  it('when the running total of the batch reaches the daily limit, then the trade that crosses it is rejected and counts nothing', () => {
    // 5,000,000 limit: 4,970,000 stored + 19,710 = 4,989,710; the next 19,710 would cross it.
    const planned = plan([t('T-1'), t('T-2', { quantity: 101 }), t('T-3', { quantity: 1 })], {
      totals: new Map([[DAY, { key: DAY, total: 4_970_000, rev: 9 }]]),
    });

    expect(planned.map((p) => [p.outcome.status, p.counted])).toEqual([
      ['VALIDATED', 19_710],
      ['REJECTED', 0],
      ['VALIDATED', 197.1],
    ]);
    expect(planned[1]?.outcome.failures.map((f) => f.ruleId)).toEqual(['MAX_NOTIONAL_PER_DAY']);
    expect(planned[1]?.deltas).toEqual([]);
  });

  it('when a new version of a stored trade is validated, then it replaces what the earlier version counted', () => {
    const planned = plan([t('T-1', { version: 2, quantity: 50 })], {
      totals: new Map([[DAY, { key: DAY, total: 4_990_000, rev: 2 }]]),
      contributions: new Map([['T-1', { version: 1, dayKey: DAY, amount: 4_000_000 }]]),
    });

    // 4,990,000 - 4,000,000 already counted by version 1; the new 9,855 fits.
    expect(planned[0]?.outcome.status).toBe('VALIDATED');
    expect(planned[0]?.deltas).toEqual([
      { key: DAY, amount: -4_000_000 },
      { key: DAY, amount: 9_855 },
    ]);
  });

  it('when two versions of a trade arrive in one batch, then the second replaces the first and the first is no duplicate', () => {
    const planned = plan([t('T-1'), t('T-1', { version: 2 })]);

    expect(planned.map((p) => p.outcome.status)).toEqual(['VALIDATED', 'VALIDATED']);
    expect(planned[1]?.deltas).toEqual([
      { key: DAY, amount: -19_710 },
      { key: DAY, amount: 19_710 },
    ]);
  });

  it('when a new version is rejected, then the earlier version’s amount is released', () => {
    const planned = plan([t('T-1', { version: 2, quantity: 20_000 })], {
      contributions: new Map([['T-1', { version: 1, dayKey: DAY, amount: 19_710 }]]),
    });

    expect(planned[0]?.outcome.status).toBe('REJECTED');
    expect(planned[0]?.deltas).toEqual([{ key: DAY, amount: -19_710 }]);
  });

  it('when an identical trade follows within the window, then it is a probable duplicate of the first; outside it, not', () => {
    const planned = plan([
      t('T-1'),
      t('T-2', { tradeTime: '2025-03-10T14:30:59Z' }),
      t('T-3', { tradeTime: '2025-03-10T14:31:01Z' }),
    ]);

    expect(planned.map((p) => p.outcome.failures.map((f) => f.reason))).toEqual([
      [],
      [expect.stringContaining('as trade T-1 within the 1 min duplicate window')],
      // 61 s after T-1 but within a minute of T-2.
      [expect.stringContaining('as trade T-2 within')],
    ]);
    expect(planned[1]?.counted).toBe(0);
  });

  it('when the store knows an earlier identical trade, then the earliest candidate is named', () => {
    const planned = plan([t('T-1', { tradeTime: '2025-03-10T14:30:10Z' }), t('T-2')], {
      earlierTrades: new Map([
        ['T-2#1', { tradeId: 'T-0', version: 1, tradeTimeMs: Date.parse('2025-03-10T14:29:40Z') }],
      ]),
    });

    expect(planned[0]?.outcome.status).toBe('VALIDATED');
    // T-1 is within the window too, but T-0 is the earlier of the two.
    expect(planned[1]?.outcome.failures.map((f) => f.ruleId)).toEqual(['PROBABLE_DUPLICATE']);
    expect(planned[1]?.outcome.failures[0]?.reason).toContain('as trade T-0 within');
  });

  it("when the trade is in another currency, then it counts in the account's currency", () => {
    const reference = { ...REFERENCE, instrument: { ...AAPL, currency: 'GBP' }, fxRates: { GBP: GBP_RATE } };

    const planned = plan([t('T-1', { currency: 'GBP' })], {}, reference);

    expect(planned[0]?.outcome.status).toBe('VALIDATED');
    expect(planned[0]?.counted).toBe(25_031.7);
  });

  it('when the trade is traded late in New York, then it counts towards the New York day', () => {
    const planned = plan([t('T-1', { tradeTime: '2025-03-11T01:30:00Z' })], {}, { ...REFERENCE });

    expect(planned[0]?.dayKey).toBe(DAY);
  });
});

describe('chunkWrites', () => {
  const totals = new Map<string, DailyTotal>([[DAY, { key: DAY, total: 100, rev: 7 }]]);
  const read = { totals, buckets: new Map<string, { rev: number }>() };

  it('when a plan exceeds the item limit, then it is split in order with each total once per chunk and chained revisions', () => {
    const planned = plan([t('T-1'), t('T-2', { quantity: 200 }), t('T-3', { quantity: 300 })]);

    // Two fingerprint buckets (recording the trades) and one total = 3 items; the third trade needs a chunk of its own.
    const chunks = chunkWrites(planned, read, 3);

    expect(chunks.map((c) => c.trades.map((p) => p.trade.tradeId))).toEqual([['T-1', 'T-2'], ['T-3']]);
    expect(chunks.map((c) => c.totals)).toEqual([
      [{ key: DAY, total: 100 + 19_710 + 39_420, expectedRev: 7 }],
      [{ key: DAY, total: 100 + 19_710 + 39_420 + 59_130, expectedRev: 8 }],
    ]);
  });

  it('when a chunk holds only rejected trades, then it writes no totals; a new key expects no item (rev 0)', () => {
    // Over the 10,000-share limit: rejected, each in a bucket of its own.
    const rejected = [20_000, 20_001, 20_002].map((quantity, i) => t(`R-${i}`, { quantity }));
    const planned = plan([...rejected, t('T-2')]);

    const chunks = chunkWrites(planned, { totals: new Map(), buckets: new Map() }, 3);

    expect(chunks.map((c) => c.trades.length)).toEqual([3, 1]);
    expect(chunks.map((c) => c.totals)).toEqual([[], [{ key: DAY, total: 19_710, expectedRev: 0 }]]);
  });

  it('when a bucket is written by two chunks, then the first expects the revision read and the second the one the first wrote', () => {
    // T-1 and its duplicate T-2 share a bucket; T-3 and T-4 fill the first chunk in between.
    const planned = plan([
      t('T-1'),
      t('T-3', { quantity: 300 }),
      t('T-4', { quantity: 400 }),
      t('T-2', { tradeTime: '2025-03-10T14:30:10Z' }),
    ]);
    const bucket = planned[0]?.fingerprintKey as string;

    const chunks = chunkWrites(planned, { totals, buckets: new Map([[bucket, { rev: 4 }]]) }, 3);

    expect(chunks.map((c) => c.trades.map((p) => p.trade.tradeId))).toEqual([
      ['T-1', 'T-3'],
      ['T-4', 'T-2'],
    ]);
    expect(chunks.map((c) => c.fingerprints.find((f) => f.key === bucket)?.expectedRev)).toEqual([4, 5]);
    expect(chunks.map((c) => c.fingerprints.map((f) => f.expectedRev))).toEqual([
      [4, 0],
      [0, 5],
    ]);
  });

  it('when a bucket is full, then a further duplicate (counting nothing) is not recorded and what counted still is', () => {
    const planned = plan([t('T-1'), t('T-2', { tradeTime: '2025-03-10T14:30:10Z' })]);
    const bucket = planned[0]?.fingerprintKey as string;
    const withEntries = (n: number) => ({
      totals: new Map<string, DailyTotal>(),
      buckets: new Map([[bucket, { rev: 9, entries: Array.from({ length: n }) }]]),
    });
    expect(planned.map((p) => p.counted > 0)).toEqual([true, false]);

    // One place left: T-1 takes it; T-2, a duplicate that counted nothing, is left out.
    const [roomForOne] = chunkWrites(planned, withEntries(MAX_BUCKET_ENTRIES - 1), 100);
    expect(roomForOne?.fingerprints.map((f) => [f.expectedRev, f.entries.map((e) => e.tradeId)])).toEqual([
      [9, ['T-1']],
    ]);
    // Full: T-1 counted, so it is still recorded (its amount must be releasable); T-2 is not.
    const [full] = chunkWrites(planned, withEntries(MAX_BUCKET_ENTRIES), 100);
    expect(full?.fingerprints.flatMap((f) => f.entries.map((e) => e.tradeId))).toEqual(['T-1']);
    // Only a duplicate in a full bucket: no bucket write at all, its outcome is still published.
    const [onlyDuplicate] = chunkWrites(
      [planned[1] as (typeof planned)[number]],
      withEntries(MAX_BUCKET_ENTRIES),
      100,
    );
    expect(onlyDuplicate?.fingerprints).toEqual([]);
    expect(onlyDuplicate?.trades.map((p) => p.trade.tradeId)).toEqual(['T-2']);
  });

  it('when trades share a fingerprint bucket, then the bucket is one item listing them all', () => {
    // Identical trades 10 s apart: same fingerprint, same minute-wide bucket.
    const planned = plan([t('T-1'), t('T-2', { tradeTime: '2025-03-10T14:30:10Z' })]);

    const [chunk] = chunkWrites(planned, { totals: new Map(), buckets: new Map() }, 100);

    // Each entry is the version's record: its outcome and what it counted (the duplicate counted nothing).
    expect(chunk?.fingerprints).toEqual([
      {
        key: expect.stringMatching(/^ACC-001\|AAPL\|BUY\|100\|197\.1#60000#\d+$/) as string,
        accountId: 'ACC-001',
        expectedRev: 0,
        entries: [
          {
            tradeId: 'T-1',
            version: 1,
            tradeTimeMs: Date.parse(TRADE_TIME),
            judgement: {
              status: 'VALIDATED',
              failures: [],
              validatedAt: NOW.toISOString(),
              counted: 19_710,
              dayKey: DAY,
            },
          },
          {
            tradeId: 'T-2',
            version: 1,
            tradeTimeMs: Date.parse('2025-03-10T14:30:10Z'),
            judgement: {
              status: 'REJECTED',
              failures: planned[1]?.outcome.failures,
              validatedAt: NOW.toISOString(),
              counted: 0,
              dayKey: undefined,
            },
          },
        ],
      },
    ]);
    expect(planned[1]?.outcome.failures.map((f) => f.ruleId)).toEqual(['PROBABLE_DUPLICATE']);
  });

  it('when everything fits, then there is one chunk', () => {
    expect(chunkWrites(plan([t('T-1'), t('T-2', { quantity: 2 })]), read, 100)).toHaveLength(1);
  });
});
