import { ModuleManager } from '../../src/lifecycle';
import { httpModule, metricsModule } from '../../src/runtime';
import { captureLogger } from '../http/log-capture';

describe('httpModule', () => {
  it('when the process stops with a request that never ends, then the drain gives up at half the shutdown budget', async () => {
    const budgetMs = 1000;
    let entered = false;
    const { logger, lines } = captureLogger();
    const manager = new ModuleManager(
      [
        metricsModule('http-module-test'),
        httpModule({
          name: 'api',
          service: 'http-module-test',
          deps: [],
          http: { host: '127.0.0.1', port: 0, bodyLimit: '1kb' },
          shutdownTimeoutMs: budgetMs,
          routes: () => (app) =>
            app.get('/hang', () => {
              entered = true;
            }),
        }),
      ],
      { logger },
    );
    await manager.start();
    const listening = lines.filter((l) => l.msg === 'http-module-test listening');
    expect(listening).toHaveLength(1);
    const url = listening[0]?.url as string;
    const hanging = fetch(`${url}/hang`).catch((err: unknown) => err);
    for (const deadline = Date.now() + 5000; !entered;) {
      if (Date.now() > deadline) throw new Error('the request never reached its route');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }

    const began = Date.now();
    await manager.stop();
    const took = Date.now() - began;

    expect(took).toBeGreaterThanOrEqual(budgetMs / 2 - 50);
    expect(took).toBeLessThan(budgetMs - 100);
    // Cut, not answered: the client sees its connection drop.
    expect(String(await hanging)).toContain('fetch failed');
  });
});
