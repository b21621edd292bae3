import type { Market } from '@tradeflow/contracts';
import { outsideTradingHours } from '../../../src/domain/rules/outside-trading-hours';
import { aContext, XLON, XNYS, XTKS } from '../fixtures';

const tradedAt = (market: Market, tradeTime: string) =>
  outsideTradingHours.evaluate(aContext({ trade: { tradeTime }, reference: { market } }));

describe('OUTSIDE_TRADING_HOURS', () => {
  describe('America/New_York across the switch to daylight saving time (Sunday 2025-03-09)', () => {
    it('when a trade is at 14:15 UTC on the Friday before (09:15 EST), then it fails as before the open', () => {
      expect(tradedAt(XNYS, '2025-03-07T14:15:00Z')).toEqual({
        ruleId: 'OUTSIDE_TRADING_HOURS',
        reason:
          'Trade time 2025-03-07T14:15:00Z is Friday 2025-03-07 09:15 in America/New_York; ' +
          'XNYS trades Mon–Fri 09:30–16:00.',
      });
    });

    it('when a trade is at 14:15 UTC on the Monday after (10:15 EDT), then it passes', () => {
      expect(tradedAt(XNYS, '2025-03-10T14:15:00Z')).toBeUndefined();
    });

    it('when a trade is at 20:30 UTC, then it passes on the Friday (15:30 EST) and fails on the Monday (16:30 EDT)', () => {
      expect(tradedAt(XNYS, '2025-03-07T20:30:00Z')).toBeUndefined();
      expect(tradedAt(XNYS, '2025-03-10T20:30:00Z')?.reason).toContain('is Monday 2025-03-10 16:30 in');
    });

    it('when a trade time carries the local offset, then it is judged in the same absolute time', () => {
      expect(tradedAt(XNYS, '2025-03-10T09:45:00-04:00')).toBeUndefined();
      expect(tradedAt(XNYS, '2025-03-10T09:15:00-04:00')?.ruleId).toBe('OUTSIDE_TRADING_HOURS');
    });

    it('when a trade is on a Saturday during the session hours, then it fails naming the day', () => {
      expect(tradedAt(XNYS, '2025-03-08T15:00:00Z')?.reason).toBe(
        'Trade time 2025-03-08T15:00:00Z is Saturday 2025-03-08 10:00 in America/New_York; ' +
          'XNYS trades Mon–Fri 09:30–16:00.',
      );
    });

    it('when a trade is exactly at the open or the close, then it passes; a millisecond outside, it fails', () => {
      expect(tradedAt(XNYS, '2025-03-10T13:30:00.000Z')).toBeUndefined();
      expect(tradedAt(XNYS, '2025-03-10T20:00:00.000Z')).toBeUndefined();
      expect(tradedAt(XNYS, '2025-03-10T13:29:59.999Z')?.ruleId).toBe('OUTSIDE_TRADING_HOURS');
      expect(tradedAt(XNYS, '2025-03-10T20:00:00.001Z')?.ruleId).toBe('OUTSIDE_TRADING_HOURS');
    });
  });

  describe('Europe/London across both switches (2025-03-30 to BST, 2025-10-26 back to GMT)', () => {
    it('when a trade is at 07:30 UTC, then it fails on the Friday before BST (07:30 GMT) and passes on the Monday after (08:30 BST)', () => {
      expect(tradedAt(XLON, '2025-03-28T07:30:00Z')?.reason).toBe(
        'Trade time 2025-03-28T07:30:00Z is Friday 2025-03-28 07:30 in Europe/London; ' +
          'XLON trades Mon–Fri 08:00–16:30.',
      );
      expect(tradedAt(XLON, '2025-03-31T07:30:00Z')).toBeUndefined();
    });

    it('when a trade is at 15:45 UTC, then it fails on the last Friday of BST (16:45) and passes on the Monday after (15:45 GMT)', () => {
      expect(tradedAt(XLON, '2025-10-24T15:45:00Z')?.reason).toContain(
        'is Friday 2025-10-24 16:45 in Europe/London',
      );
      expect(tradedAt(XLON, '2025-10-27T15:45:00Z')).toBeUndefined();
    });
  });

  describe('Asia/Tokyo (UTC+9, no daylight saving time)', () => {
    it("when a trade is on Sunday evening UTC but Monday morning in Tokyo's session, then it passes", () => {
      expect(tradedAt(XTKS, '2025-03-10T00:30:00Z')).toBeUndefined();
      expect(tradedAt(XTKS, '2025-03-09T23:59:00Z')?.reason).toContain(
        'is Monday 2025-03-10 08:59 in Asia/Tokyo',
      );
    });

    it("when a trade is on Friday afternoon UTC, which is already Saturday in Tokyo, then it fails naming Tokyo's day", () => {
      expect(tradedAt(XTKS, '2025-03-14T15:30:00Z')).toEqual({
        ruleId: 'OUTSIDE_TRADING_HOURS',
        reason:
          'Trade time 2025-03-14T15:30:00Z is Saturday 2025-03-15 00:30 in Asia/Tokyo; ' +
          'XTKS trades Mon–Fri 09:00–11:30, 12:30–15:30.',
      });
    });

    it('when a trade is in the 11:30–12:30 lunch break, then it fails naming both sessions', () => {
      expect(tradedAt(XTKS, '2025-03-10T02:45:00Z')).toEqual({
        ruleId: 'OUTSIDE_TRADING_HOURS',
        reason:
          'Trade time 2025-03-10T02:45:00Z is Monday 2025-03-10 11:45 in Asia/Tokyo; ' +
          'XTKS trades Mon–Fri 09:00–11:30, 12:30–15:30.',
      });
    });

    it('when a trade is at either edge of the lunch break, then it passes (morning close and afternoon open)', () => {
      expect(tradedAt(XTKS, '2025-03-10T02:30:00Z')).toBeUndefined();
      expect(tradedAt(XTKS, '2025-03-10T03:30:00Z')).toBeUndefined();
      expect(tradedAt(XTKS, '2025-03-10T02:30:01Z')?.ruleId).toBe('OUTSIDE_TRADING_HOURS');
    });

    it('when a trade is at the 15:30 close, then it passes; a second later, it fails', () => {
      expect(tradedAt(XTKS, '2025-03-10T06:30:00Z')).toBeUndefined();
      expect(tradedAt(XTKS, '2025-03-10T06:30:01Z')?.ruleId).toBe('OUTSIDE_TRADING_HOURS');
    });
  });

  it("when a market's trading days are not Monday to Friday, then they decide and are described", () => {
    const sundayToThursday: Market = { ...XNYS, tradingDays: [7, 1, 2, 3, 4] };

    expect(tradedAt(sundayToThursday, '2025-03-09T15:00:00Z')).toBeUndefined();
    expect(tradedAt(sundayToThursday, '2025-03-07T15:00:00Z')?.reason).toContain(
      'XNYS trades Mon–Thu, Sun 09:30–16:00.',
    );
  });

  it("when the market's time zone is not a known IANA zone, then it fails saying the hours cannot be checked", () => {
    expect(tradedAt({ ...XNYS, timeZone: 'Mars/Olympus_Mons' }, '2025-03-10T14:30:00Z')).toEqual({
      ruleId: 'OUTSIDE_TRADING_HOURS',
      reason:
        "Market XNYS has the time zone 'Mars/Olympus_Mons', which is not a known IANA zone; its trading hours cannot be checked.",
    });
  });

  it('when the market is unknown, then it stays quiet (UNKNOWN_MARKET reports it)', () => {
    const ctx = aContext({ trade: { tradeTime: '2025-03-08T03:00:00Z' }, reference: { market: undefined } });

    expect(outsideTradingHours.evaluate(ctx)).toBeUndefined();
  });
});
