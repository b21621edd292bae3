import { ReferenceChange, type Account, type Instrument } from '@tradeflow/contracts';
import { entityId, referenceChangeFor, referenceTombstoneFor } from '../../src/domain';

const aapl: Instrument = {
  symbol: 'AAPL',
  name: 'Apple Inc.',
  market: 'XNAS',
  currency: 'USD',
  lotSize: 1,
  tickSize: 0.01,
  status: 'ACTIVE',
};
const account: Account = {
  accountId: 'DEMO-1',
  name: 'Demo trader',
  currency: 'USD',
  limits: { maxQuantity: 10, maxNotionalPerTrade: 100, maxNotionalPerDay: 1_000 },
  permittedMarkets: ['XNAS'],
};

describe('reference change records', () => {
  it('when an instrument change is accepted, then the record is keyed by kind and symbol with the full entity', () => {
    const record = referenceChangeFor('instrument', aapl);
    expect(record.key).toBe('instrument:AAPL');
    expect(record.change).toEqual({ kind: 'instrument', id: 'AAPL', entity: aapl });
    expect(ReferenceChange.safeParse(record.change).success).toBe(true);
  });

  it('when an account change is accepted, then its id is the account id', () => {
    expect(entityId('account', account)).toBe('DEMO-1');
    expect(referenceChangeFor('account', account).key).toBe('account:DEMO-1');
  });

  it('when an FX rate change is accepted, then it is keyed by its currency', () => {
    const rate = { currency: 'JPY', usdPerUnit: 0.0067, asOf: '2026-03-02T15:00:00Z' };
    expect(referenceChangeFor('fx', rate)).toEqual({
      key: 'fx:JPY',
      change: { kind: 'fx', id: 'JPY', entity: rate },
    });
  });

  it('when an entity is deleted, then the tombstone has the same key and a null entity', () => {
    expect(referenceTombstoneFor('instrument', 'AAPL')).toEqual({
      key: referenceChangeFor('instrument', aapl).key,
      change: { kind: 'instrument', id: 'AAPL', entity: null },
    });
  });

  it('when the entity does not match its kind, then no record is produced', () => {
    expect(() => referenceChangeFor('instrument', { ...aapl, lotSize: -1 })).toThrow();
  });
});
