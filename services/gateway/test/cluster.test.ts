/** GATEWAY_WORKERS: one process by default; 1-64 workers; anything else names the variable. */
import { loadConfig } from '@tradeflow/platform/config';
import { ConfigError } from '@tradeflow/platform/errors';
import { gatewayEnv, MAX_WORKERS } from '../src/config';

const config = { gateway: gatewayEnv };

function issuesOf(vars: Record<string, string>): string[] {
  try {
    loadConfig(config, vars);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map((i) => `${i.field}: ${i.message}`);
    throw err;
  }
  return [];
}

describe('GATEWAY_WORKERS', () => {
  it('when it is not set, then the gateway is one process', () => {
    expect(loadConfig(config, {}).gateway.workers).toBe(1);
  });

  it('when it names a number of workers up to the maximum, then that many', () => {
    expect(loadConfig(config, { GATEWAY_WORKERS: '2' }).gateway.workers).toBe(2);
    expect(loadConfig(config, { GATEWAY_WORKERS: `${MAX_WORKERS}` }).gateway.workers).toBe(MAX_WORKERS);
  });

  it('when it is zero, above the maximum or not a number, then the config names it', () => {
    for (const value of ['0', `${MAX_WORKERS + 1}`, 'two', '1.5']) {
      const issues = issuesOf({ GATEWAY_WORKERS: value });
      expect(issues).toHaveLength(1);
      expect(issues[0]).toMatch(/^GATEWAY_WORKERS: /);
    }
  });
});
