import type { Market } from '@tradeflow/contracts';

const WEEKDAYS = [1, 2, 3, 4, 5];

/**
 * The seeded markets: real ISO 10383 MICs with their regular sessions in local time. Exchange
 * holidays and auctions are not modelled. Tokyo's lunch break is, as a session break, so a trade at
 * 12:00 JST is outside trading hours; Tokyo closes at 15:30 since the TSE extended its session on
 * 5 November 2024.
 */
export const SEED_MARKETS: readonly Market[] = [
  {
    code: 'XNYS',
    name: 'New York Stock Exchange',
    timeZone: 'America/New_York',
    open: '09:30',
    close: '16:00',
    tradingDays: WEEKDAYS,
    currency: 'USD',
  },
  {
    code: 'XNAS',
    name: 'Nasdaq Stock Market',
    timeZone: 'America/New_York',
    open: '09:30',
    close: '16:00',
    tradingDays: WEEKDAYS,
    currency: 'USD',
  },
  {
    code: 'XLON',
    name: 'London Stock Exchange',
    timeZone: 'Europe/London',
    open: '08:00',
    close: '16:30',
    tradingDays: WEEKDAYS,
    currency: 'GBP',
  },
  {
    code: 'XTKS',
    name: 'Tokyo Stock Exchange',
    timeZone: 'Asia/Tokyo',
    open: '09:00',
    close: '15:30',
    breaks: [{ start: '11:30', end: '12:30' }],
    tradingDays: WEEKDAYS,
    currency: 'JPY',
  },
];

/** How each seeded market lists its instruments: how many, lot, price range and tick by price band. */
export interface ListingProfile {
  market: string;
  count: number;
  lotSize: number;
  minPrice: number;
  maxPrice: number;
  /** Tick for a price: the first band whose `below` exceeds the price wins. */
  tickBands: readonly { below: number; tick: number }[];
  symbolStyle: 'letters' | 'digits';
}

/**
 * US: one-cent ticks (Reg NMS, prices over $1), odd lots allowed. London: prices in pounds (GBP,
 * the ISO code, not pence), a tenth of a penny below £5 and a penny above. Tokyo: 100-share units
 * and the TOPIX 500 tick table; 4-digit securities codes.
 */
export const LISTING_PROFILES: readonly ListingProfile[] = [
  {
    market: 'XNYS',
    count: 130,
    lotSize: 1,
    minPrice: 3,
    maxPrice: 600,
    tickBands: [{ below: Infinity, tick: 0.01 }],
    symbolStyle: 'letters',
  },
  {
    market: 'XNAS',
    count: 130,
    lotSize: 1,
    minPrice: 3,
    maxPrice: 600,
    tickBands: [{ below: Infinity, tick: 0.01 }],
    symbolStyle: 'letters',
  },
  {
    market: 'XLON',
    count: 90,
    lotSize: 1,
    minPrice: 0.4,
    maxPrice: 80,
    tickBands: [
      { below: 5, tick: 0.001 },
      { below: Infinity, tick: 0.01 },
    ],
    symbolStyle: 'letters',
  },
  {
    market: 'XTKS',
    count: 90,
    lotSize: 100,
    minPrice: 400,
    maxPrice: 30000,
    tickBands: [
      { below: 1000, tick: 0.1 },
      { below: 3000, tick: 0.5 },
      { below: 10000, tick: 1 },
      { below: Infinity, tick: 5 },
    ],
    symbolStyle: 'digits',
  },
];
