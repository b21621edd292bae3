import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { HttpServer } from '../../src/http';
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

  describe('openapi', () => {
    const dir = mkdtempSync(join(tmpdir(), 'http-module-openapi-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    function moduleWith(file: string) {
      return new ModuleManager([
        metricsModule('http-module-test'),
        httpModule({
          name: 'api',
          service: 'http-module-test',
          deps: [],
          http: { host: '127.0.0.1', port: 0, bodyLimit: '1kb' },
          shutdownTimeoutMs: 1000,
          openapi: file,
          routes: () => () => undefined,
        }),
      ]);
    }

    it('when the module is given its OpenAPI YAML, then GET /openapi.json answers the document as JSON', async () => {
      const file = join(dir, 'openapi.yaml');
      writeFileSync(
        file,
        'openapi: 3.1.0\ninfo:\n  title: Test\n  version: 1.0.0\npaths:\n  /v1/x:\n    get: {}\n',
      );
      const manager = moduleWith(file);
      await manager.start();
      try {
        const res = await request(manager.get<HttpServer>('api').app).get('/openapi.json').expect(200);
        expect(res.headers['content-type']).toMatch(/^application\/json/);
        expect(res.body).toEqual({
          openapi: '3.1.0',
          info: { title: 'Test', version: '1.0.0' },
          paths: { '/v1/x': { get: {} } },
        });
      } finally {
        await manager.stop();
      }
    });

    it('when the document is not OpenAPI, then the module fails to start naming the file', async () => {
      const file = join(dir, 'not-openapi.yaml');
      writeFileSync(file, 'title: nothing\n');
      await expect(moduleWith(file).start()).rejects.toThrow(file);
    });
  });
});
