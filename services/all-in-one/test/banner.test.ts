// The banner's curl examples: valid JSON bodies that the real rule set, on the seed data, validates and rejects.
import type { TradeSubmitted } from '@tradeflow/contracts';
import { generateSeed } from '@tradeflow/reference-data/seed';
// The pure rule set (the package exports only its modules), so the examples are checked against the real rules.
import { DEFAULT_VALIDATION_SETTINGS, validateTrade } from '../../validation/src/domain';
import {
  demoTradeTime,
  demoTrades,
  KEY_VARIABLE,
  localUrl,
  startBanner,
  type DemoTrade,
} from '../src/banner';

const NOW = new Date('2025-06-09T08:00:00Z'); // a Monday

function judge(trade: DemoTrade): { status: string; ruleIds: string[] } {
  const seed = generateSeed({ seed: 20_240_601, now: NOW });
  const submitted: TradeSubmitted = {
    ...trade,
    tradeId: 'T-1',
    receivedAt: NOW.toISOString(),
    channel: 'single',
    version: 1,
  };
  const instrument = seed.instruments.find((i) => i.symbol === trade.symbol);
  const outcome = validateTrade({
    trade: submitted,
    reference: {
      instrument,
      market: seed.markets.find((m) => m.code === instrument?.market),
      price: seed.prices.find((p) => p.symbol === trade.symbol),
      account: seed.accounts.find((a) => a.accountId === trade.accountId),
      restricted: seed.restricted.find((r) => r.symbol === trade.symbol),
    },
    now: NOW,
    settings: DEFAULT_VALIDATION_SETTINGS,
    dailyNotionalBefore: 0,
  });
  return { status: outcome.status, ruleIds: outcome.failures.map((f) => f.ruleId).sort() };
}

describe('start banner', () => {
  it('when it is Monday, then the example trades happen on Friday at 15:30 UTC', () => {
    expect(demoTradeTime(NOW)).toBe('2025-06-06T15:30:00Z');
    expect(demoTradeTime(new Date('2025-06-11T23:59:00Z'))).toBe('2025-06-10T15:30:00Z');
  });

  it('when the rule set judges the examples on the seed data, then one is validated and the other rejected for the rules the banner names', () => {
    const demo = demoTrades(NOW);

    expect(judge(demo.validated)).toEqual({ status: 'VALIDATED', ruleIds: [] });
    expect(judge(demo.rejected)).toEqual({ status: 'REJECTED', ruleIds: demo.rejectedRuleIds });
  });

  const options = {
    shape: 'test',
    stop: 'Ctrl-C',
    gatewayUrl: 'http://127.0.0.1:18080',
    apiKey: 'tfk_demo0001_' + 'a'.repeat(43),
    demoAccounts: 'DEMO-1',
    adminUrl: 'http://127.0.0.1:18090',
    tradesUrl: 'http://127.0.0.1:18081',
    referenceDataUrl: 'http://127.0.0.1:18082',
    validationUrl: 'http://127.0.0.1:18083',
    now: NOW,
  };

  it('when printed, then each curl posts one of the examples as JSON through the gateway with the demo key', () => {
    const text = startBanner(options);
    const bodies = [...text.matchAll(/-d '([^']+)'/g)].map((m) => JSON.parse(m[1] ?? '') as unknown);

    expect(bodies).toEqual([demoTrades(NOW).validated, demoTrades(NOW).rejected]);
    expect(text).toContain(`export ${KEY_VARIABLE}=${options.apiKey}`);
    expect(text).toContain(`curl -s http://127.0.0.1:18080/v1/trades -H "x-api-key: $${KEY_VARIABLE}" `);
    expect(text).not.toMatch(/curl -s http:\/\/127\.0\.0\.1:1808[123]/);
    expect(text).toContain('"price":190.00');
    expect(text).toContain('Ctrl-C stops it.');
  });

  it('when there is no demo consumer, then the banner says how to get a key instead of printing one', () => {
    const text = startBanner({ ...options, apiKey: undefined });

    expect(text).toContain('No demo consumer');
    expect(text).not.toContain('tfk_');
  });

  it('when a service listens on every interface, then its URL points at loopback', () => {
    expect(localUrl({ host: '0.0.0.0', port: 8081 })).toBe('http://127.0.0.1:8081');
    expect(localUrl({ host: '127.0.0.1', port: 8081 })).toBe('http://127.0.0.1:8081');
  });
});
