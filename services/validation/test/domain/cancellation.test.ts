import { tradeCancelled, type TradeCancelled } from '@tradeflow/contracts';
import {
  cancelledBucketKey,
  duplicateFingerprint,
  fingerprintBucketKey,
  planCancellation,
  recordedState,
  type BucketEntry,
  type FingerprintBucket,
  type Judgement,
} from '../../src/domain';
import { aTrade } from './fixtures';

const WINDOW = 60_000;
const DAY = 'ACC-001#2025-03-10';
const trade = aTrade({ tradeId: 'T-1', version: 2 });
const cancellation: TradeCancelled = tradeCancelled(trade, '2025-03-10T15:00:00.000Z');
const judged = (counted: number, releasedAt?: string): Judgement => ({
  status: counted === 0 ? 'REJECTED' : 'VALIDATED',
  failures: [],
  validatedAt: '2025-03-10T14:30:05.000Z',
  counted,
  dayKey: counted === 0 ? undefined : DAY,
  ...(releasedAt === undefined ? {} : { releasedAt }),
});
const entry = (version: number, judgement?: Judgement): BucketEntry => ({
  tradeId: 'T-1',
  version,
  tradeTimeMs: Date.parse(trade.tradeTime),
  ...(judgement === undefined ? {} : { judgement }),
});
const bucket = (...entries: BucketEntry[]): FingerprintBucket => ({
  key: cancelledBucketKey(cancellation, WINDOW),
  rev: 3,
  entries,
});

describe('planCancellation', () => {
  it("when the cancelled version's record is found in the trade's own bucket, then its amount and day are released at its index", () => {
    expect(cancelledBucketKey(cancellation, WINDOW)).toBe(
      fingerprintBucketKey(duplicateFingerprint(trade), Date.parse(trade.tradeTime), WINDOW),
    );
    const other = { ...entry(1, judged(500)), tradeId: 'T-0' };
    expect(
      planCancellation(cancellation, bucket(other, entry(1, judged(900)), entry(2, judged(1_000)))),
    ).toEqual({
      result: 'release',
      index: 2,
      dayKey: DAY,
      amount: 1_000,
    });
  });

  it('when the version was released already, then nothing is released again', () => {
    expect(planCancellation(cancellation, bucket(entry(2, judged(1_000, '2025-03-10T15:00:01Z'))))).toEqual({
      result: 'already_released',
    });
  });

  it('when the version counted nothing, then nothing is released', () => {
    expect(planCancellation(cancellation, bucket(entry(2, judged(0))))).toEqual({
      result: 'nothing_counted',
    });
  });

  it('when the version has no judged record (no bucket, another version only, or an entry without a judgement), then it is unknown', () => {
    expect(planCancellation(cancellation, undefined)).toEqual({ result: 'unknown' });
    expect(planCancellation(cancellation, bucket(entry(1, judged(900))))).toEqual({ result: 'unknown' });
    expect(planCancellation(cancellation, bucket(entry(2)))).toEqual({ result: 'unknown' });
  });
});

describe('recordedState of a released version', () => {
  it('when a later version of a cancelled trade arrives, then the released version counts nothing for it to release', () => {
    const next = { ...trade, version: 3 };
    const buckets = new Map([[bucket().key, bucket(entry(2, judged(1_000, '2025-03-10T15:00:01Z')))]]);
    expect(recordedState([next], buckets, WINDOW).contributions.get('T-1')).toEqual({
      version: 2,
      dayKey: undefined,
      amount: 0,
    });
  });
});
