import type {
  Account,
  FxRate,
  Instrument,
  Market,
  ReferencePrice,
  RestrictedEntry,
} from '@tradeflow/contracts';
import { referenceChangeFor, type ReferenceRecord } from '../domain/changes';
import { snapToTick } from '@tradeflow/contracts';
import {
  DEMO_ACCOUNT_CURRENCY,
  DEMO_ACCOUNT_ID,
  DEMO_ACCOUNT_LIMITS,
  DEMO_ACCOUNT_MARKETS,
  DEMO_ACCOUNT_NAME,
  DEMO_INSTRUMENTS,
  DEMO_RESTRICTED_REASON,
  DEMO_SYMBOL_RESTRICTED,
  SEED_FX_RATES,
  SEED_PRICE_SOURCE,
} from './fixtures';
import { LISTING_PROFILES, SEED_MARKETS, type ListingProfile } from './markets';
import { SeededRandom } from './random';
import {
  FUND_WORDS,
  JP_NAME_WORDS,
  PERSON_FIRST_NAMES,
  PERSON_LAST_NAMES,
  UK_NAME_WORDS,
  US_NAME_WORDS,
  type NameWords,
} from './word-lists';

/** What the seed depends on: the same seed and `now` always give the same data. */
export interface SeedOptions {
  /** Any 32-bit integer. */
  seed: number;
  /** Prices' `asOf` and restrictions' `since` are shortly before this. */
  now: Date;
}

/** The whole reference data set, in the order it must be loaded (what an entity refers to first). */
export interface SeedData {
  markets: Market[];
  instruments: Instrument[];
  prices: ReferencePrice[];
  /** A rate for every currency other than USD that a market or an account uses. */
  fx: FxRate[];
  accounts: Account[];
  restricted: RestrictedEntry[];
}

/** The seed used by `make seed` and the all-in-one start unless configured otherwise. */
export const DEFAULT_SEED = 20_240_601;

const HALTED_GENERATED = 5;
const RESTRICTED_GENERATED = 4;
/** Generated prices are at most this old, so a fresh seed never trips the stale-price rule. */
const MAX_PRICE_AGE_SECONDS = 300;
const DAY_MS = 86_400_000;

const NAME_WORDS: Record<string, NameWords> = {
  XNYS: US_NAME_WORDS,
  XNAS: US_NAME_WORDS,
  XLON: UK_NAME_WORDS,
  XTKS: JP_NAME_WORDS,
};

const RESTRICTION_REASONS = [
  'Insider list: pending merger announcement',
  'Research blackout: the firm is underwriting an offering',
  'Sanctions screening in progress',
  'Regulatory inquiry: no client or staff trading',
];

/** One kind of account: its id prefix, how it is named, and the menus its limits are drawn from. */
interface AccountTier {
  prefix: string;
  count: number;
  named: 'person' | 'fund';
  /** The menus below are in US dollars; the accounts at these positions keep their limits in another currency. */
  foreignCurrencies?: Readonly<Record<number, string>>;
  maxQuantity: readonly number[];
  maxNotionalPerTrade: readonly number[];
  /** maxNotionalPerDay is maxNotionalPerTrade times one of these. */
  dayMultiple: readonly number[];
  markets: readonly (readonly string[])[];
}

/** Account tiers, small retail to institutional. */
const ACCOUNT_TIERS: readonly AccountTier[] = [
  {
    prefix: 'RTL',
    count: 16,
    named: 'person',
    maxQuantity: [500, 1_000, 2_000, 5_000],
    maxNotionalPerTrade: [10_000, 25_000, 50_000, 100_000],
    dayMultiple: [3, 5, 10],
    markets: [['XNYS', 'XNAS'], ['XNYS', 'XNAS'], ['XLON'], ['XNYS', 'XNAS', 'XLON']],
  },
  {
    prefix: 'PRO',
    count: 12,
    named: 'fund',
    maxQuantity: [10_000, 25_000, 50_000],
    maxNotionalPerTrade: [250_000, 500_000, 1_000_000],
    dayMultiple: [10, 20],
    markets: [
      ['XNYS', 'XNAS'],
      ['XNYS', 'XNAS', 'XLON'],
      ['XLON', 'XTKS'],
      ['XNYS', 'XNAS', 'XTKS'],
    ],
  },
  {
    prefix: 'INST',
    count: 12,
    named: 'fund',
    foreignCurrencies: { 2: 'GBP', 5: 'JPY', 8: 'GBP', 11: 'JPY' },
    maxQuantity: [100_000, 250_000, 1_000_000],
    maxNotionalPerTrade: [5_000_000, 10_000_000, 25_000_000, 50_000_000],
    dayMultiple: [10, 20, 40],
    markets: [
      ['XNYS', 'XNAS', 'XLON', 'XTKS'],
      ['XNYS', 'XNAS', 'XLON', 'XTKS'],
      ['XNYS', 'XNAS', 'XLON'],
    ],
  },
];

/** Deterministic reference data: the demo fixtures plus generated markets' listings, prices and accounts. */
export function generateSeed({ seed, now }: SeedOptions): SeedData {
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  const nowMs = now.getTime();
  if (Number.isNaN(nowMs)) throw new RangeError('now must be a valid date');
  const random = new SeededRandom(seed);
  const iso = (ms: number) => new Date(ms).toISOString();

  const markets = structuredClone(SEED_MARKETS) as Market[];
  const instruments: Instrument[] = [];
  const prices: ReferencePrice[] = [];
  const symbols = new Set<string>();
  const names = new Set<string>();

  for (const { referencePrice, ...instrument } of DEMO_INSTRUMENTS) {
    instruments.push(instrument);
    prices.push({
      symbol: instrument.symbol,
      price: referencePrice,
      asOf: iso(nowMs),
      source: SEED_PRICE_SOURCE,
    });
    symbols.add(instrument.symbol);
    names.add(instrument.name);
  }
  const demoCount = instruments.length;

  for (const profile of LISTING_PROFILES) {
    const market = markets.find((m) => m.code === profile.market);
    const words = NAME_WORDS[profile.market];
    if (!market || !words) throw new Error(`no market or words for listing profile ${profile.market}`);
    for (let i = 0; i < profile.count; i++) {
      const name = uniqueName(random, words, names);
      const symbol = uniqueSymbol(random, name, profile.symbolStyle, symbols);
      const raw = random.logUniform(profile.minPrice, profile.maxPrice);
      const tickSize = tickFor(profile, raw);
      instruments.push({
        symbol,
        name,
        market: market.code,
        currency: market.currency,
        lotSize: profile.lotSize,
        tickSize,
        status: 'ACTIVE',
      });
      const asOf = iso(nowMs - random.int(0, MAX_PRICE_AGE_SECONDS) * 1000);
      prices.push({ symbol, price: snapToTick(raw, tickSize), asOf, source: SEED_PRICE_SOURCE });
    }
  }

  // Halted and restricted are drawn from the generated listings without overlap, so each rejects for one reason.
  const generated = instruments.slice(demoCount);
  const flagged = random.sample(generated, HALTED_GENERATED + RESTRICTED_GENERATED);
  for (const instrument of flagged.slice(0, HALTED_GENERATED)) instrument.status = 'HALTED';
  const restricted: RestrictedEntry[] = [
    { symbol: DEMO_SYMBOL_RESTRICTED, reason: DEMO_RESTRICTED_REASON, since: iso(nowMs - 30 * DAY_MS) },
    ...flagged.slice(HALTED_GENERATED).map((instrument, i) => ({
      symbol: instrument.symbol,
      reason: RESTRICTION_REASONS[i % RESTRICTION_REASONS.length] ?? 'Restricted',
      since: iso(nowMs - random.int(1, 90) * DAY_MS),
    })),
  ];

  const accounts = generateAccounts(random, markets);
  return {
    markets,
    instruments,
    prices,
    fx: fxRatesFor(markets, accounts, iso(nowMs)),
    accounts,
    restricted,
  };
}

/** The seed as reference-topic records in load order, ready to publish. */
export function seedRecords(data: SeedData): ReferenceRecord[] {
  return [
    ...data.markets.map((entity) => referenceChangeFor('market', entity)),
    ...data.instruments.map((entity) => referenceChangeFor('instrument', entity)),
    ...data.prices.map((entity) => referenceChangeFor('price', entity)),
    ...data.fx.map((entity) => referenceChangeFor('fx', entity)),
    ...data.accounts.map((entity) => referenceChangeFor('account', entity)),
    ...data.restricted.map((entity) => referenceChangeFor('restricted', entity)),
  ];
}

/** The seeded rate of every non-USD currency in use, sorted by currency; a currency without one is a seed bug. */
function fxRatesFor(markets: readonly Market[], accounts: readonly Account[], asOf: string): FxRate[] {
  const used = new Set([...markets.map((m) => m.currency), ...accounts.map((a) => a.currency)]);
  used.delete('USD');
  return [...used].sort().map((currency) => {
    const usdPerUnit = SEED_FX_RATES[currency];
    if (usdPerUnit === undefined) throw new Error(`the seed uses ${currency} but has no FX rate for it`);
    return { currency, usdPerUnit, asOf };
  });
}

/** A US-dollar amount in `currency` at the seeded rate, rounded to two significant digits as a limit would be. */
function limitIn(currency: string, usd: number): number {
  if (currency === 'USD') return usd;
  const usdPerUnit = SEED_FX_RATES[currency];
  if (usdPerUnit === undefined) throw new Error(`no seeded FX rate for ${currency}`);
  const amount = usd / usdPerUnit;
  const unit = 10 ** (Math.floor(Math.log10(amount)) - 1);
  return Math.round(amount / unit) * unit;
}

function generateAccounts(random: SeededRandom, markets: readonly Market[]): Account[] {
  const homeMarket = (currency: string) => markets.find((m) => m.currency === currency)?.code;
  const accounts: Account[] = [
    {
      accountId: DEMO_ACCOUNT_ID,
      name: DEMO_ACCOUNT_NAME,
      currency: DEMO_ACCOUNT_CURRENCY,
      limits: { ...DEMO_ACCOUNT_LIMITS },
      permittedMarkets: [...DEMO_ACCOUNT_MARKETS],
    },
  ];
  const names = new Set<string>();
  for (const tier of ACCOUNT_TIERS) {
    for (let i = 0; i < tier.count; i++) {
      const currency = tier.foreignCurrencies?.[i] ?? 'USD';
      const maxNotionalPerTrade = limitIn(currency, random.pick(tier.maxNotionalPerTrade));
      // An account keeping its books in a foreign currency trades on that currency's home market.
      const home = currency === 'USD' ? undefined : homeMarket(currency);
      const menus = home === undefined ? tier.markets : tier.markets.filter((m) => m.includes(home));
      accounts.push({
        accountId: `${tier.prefix}-${1001 + i}`,
        name: tier.named === 'person' ? personName(random, names) : fundName(random, names),
        currency,
        limits: {
          maxQuantity: random.pick(tier.maxQuantity),
          maxNotionalPerTrade,
          maxNotionalPerDay: maxNotionalPerTrade * random.pick(tier.dayMultiple),
        },
        permittedMarkets: [...random.pick(menus.length > 0 ? menus : tier.markets)],
      });
    }
  }
  return accounts;
}

function tickFor(profile: ListingProfile, price: number): number {
  const band =
    profile.tickBands.find((b) => price < b.below) ?? profile.tickBands[profile.tickBands.length - 1];
  if (!band) throw new Error(`listing profile ${profile.market} has no tick bands`);
  return band.tick;
}

function personName(random: SeededRandom, taken: Set<string>): string {
  return uniqueDraw(taken, () => `${random.pick(PERSON_FIRST_NAMES)} ${random.pick(PERSON_LAST_NAMES)}`);
}

function fundName(random: SeededRandom, taken: Set<string>): string {
  return uniqueDraw(
    taken,
    () =>
      `${random.pick(FUND_WORDS.first)} ${random.pick(FUND_WORDS.kind)} ${random.pick(FUND_WORDS.suffix)}`,
  );
}

/** Draws until the result is new; every list allows many times more names than are drawn, so this ends fast. */
function uniqueDraw(taken: Set<string>, draw: () => string): string {
  for (;;) {
    const value = draw();
    if (!taken.has(value)) {
      taken.add(value);
      return value;
    }
  }
}

/** A company name `first [middle] sector suffix`. */
function uniqueName(random: SeededRandom, words: NameWords, taken: Set<string>): string {
  return uniqueDraw(taken, () => {
    const parts = [random.pick(words.first)];
    if (random.chance(0.35)) parts.push(random.pick(words.middle));
    parts.push(random.pick(words.sector), random.pick(words.suffix));
    return parts.join(' ');
  });
}

/** A ticker derived from the name (initials, then word prefixes) as real ones are, else random letters. */
function uniqueSymbol(
  random: SeededRandom,
  name: string,
  style: ListingProfile['symbolStyle'],
  taken: Set<string>,
): string {
  const claim = (symbol: string) => {
    taken.add(symbol);
    return symbol;
  };
  if (style === 'digits') {
    // Tokyo securities codes: four digits, 1300 upwards.
    for (;;) {
      const code = String(random.int(1300, 9999));
      if (!taken.has(code)) return claim(code);
    }
  }
  const words = name
    .split(' ')
    .slice(0, -1)
    .map((w) => w.toUpperCase().replace(/[^A-Z]/g, ''))
    .filter((w) => w.length > 0);
  const [first = 'X', second = 'X'] = words;
  const initials = words.map((w) => w[0]).join('');
  const candidates = [
    initials.length >= 3 ? initials : '',
    first.slice(0, 4),
    first.slice(0, 3) + second.slice(0, 1),
    first.slice(0, 2) + second.slice(0, 2),
  ];
  const derived = candidates.find((c) => /^[A-Z]{3,5}$/.test(c) && !taken.has(c));
  if (derived) return claim(derived);
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  for (;;) {
    const symbol = first.slice(0, 1) + Array.from({ length: 3 }, () => random.pick([...letters])).join('');
    if (!taken.has(symbol)) return claim(symbol);
  }
}
