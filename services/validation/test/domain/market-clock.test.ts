import { Market } from '@tradeflow/contracts';
import {
  describeSessionHours,
  describeTradingDays,
  isInSession,
  isKnownTimeZone,
  localDateTime,
  tradingDay,
} from '../../src/domain/market-clock';

describe('market clock', () => {
  it("when a trade is late in the evening in New York, then its trading day is New York's date, not UTC's", () => {
    expect(tradingDay('2025-03-11T01:30:00Z', 'America/New_York')).toBe('2025-03-10');
    expect(tradingDay('2025-03-10T21:30:00-04:00', 'America/New_York')).toBe('2025-03-10');
  });

  it("when a trade is early in the Tokyo morning, then its trading day is Tokyo's date, a day ahead of UTC", () => {
    expect(tradingDay('2025-03-09T23:30:00Z', 'Asia/Tokyo')).toBe('2025-03-10');
  });

  it('when London is on summer time, then 23:30 UTC already belongs to the next day', () => {
    expect(tradingDay(new Date('2025-07-01T23:30:00Z'), 'Europe/London')).toBe('2025-07-02');
    expect(tradingDay(new Date('2025-01-01T23:30:00Z'), 'Europe/London')).toBe('2025-01-01');
  });

  it('when an instant is read in a zone, then date, ISO weekday, time and seconds of day are local', () => {
    expect(localDateTime(new Date('2025-03-10T00:00:00.250Z'), 'America/New_York')).toEqual({
      date: '2025-03-09',
      isoWeekday: 7,
      time: '20:00',
      secondsOfDay: 20 * 3600 + 0.25,
    });
    expect(localDateTime(new Date('2025-03-09T15:00:00Z'), 'Asia/Tokyo')).toMatchObject({
      date: '2025-03-10',
      isoWeekday: 1,
      time: '00:00',
      secondsOfDay: 0,
    });
  });

  it('when a zone name is checked, then IANA zones are known and made-up ones are not', () => {
    expect(isKnownTimeZone('Europe/London')).toBe(true);
    expect(isKnownTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(() => localDateTime(new Date(), 'Mars/Olympus_Mons')).toThrow(RangeError);
  });

  it('when trading days are described, then consecutive days collapse into ranges', () => {
    expect(describeTradingDays([1, 2, 3, 4, 5])).toBe('Mon–Fri');
    expect(describeTradingDays([5, 4, 3, 2, 1, 1])).toBe('Mon–Fri');
    expect(describeTradingDays([1, 3])).toBe('Mon, Wed');
    expect(describeTradingDays([1, 2])).toBe('Mon, Tue');
    expect(describeTradingDays([1, 2, 3, 5, 6, 7])).toBe('Mon–Wed, Fri–Sun');
  });
});

describe('session hours', () => {
  it('when a market has breaks, then they are cut out of the session in time order', () => {
    const market = Market.parse({
      code: 'XHKG',
      name: 'Hong Kong Exchanges',
      timeZone: 'Asia/Hong_Kong',
      open: '09:30',
      close: '16:00',
      breaks: [
        { start: '14:00', end: '14:10' },
        { start: '12:00', end: '13:00' },
      ],
      tradingDays: [1, 2, 3, 4, 5],
      currency: 'HKD',
    });

    expect(describeSessionHours(market)).toBe('09:30–12:00, 13:00–14:00, 14:10–16:00');
    expect(describeSessionHours({ ...market, breaks: undefined })).toBe('09:30–16:00');
    expect(isInSession(localDateTime(new Date('2025-03-10T06:05:00Z'), market.timeZone), market)).toBe(false);
    expect(isInSession(localDateTime(new Date('2025-03-10T06:15:00Z'), market.timeZone), market)).toBe(true);
  });

  it('when the contract is given a made-up time zone, then it refuses the market', () => {
    const result = Market.safeParse({
      code: 'XMAR',
      name: 'Mars Exchange',
      timeZone: 'Mars/Olympus_Mons',
      open: '09:00',
      close: '17:00',
      tradingDays: [1],
      currency: 'USD',
    });

    expect(result.success).toBe(false);
  });
});
