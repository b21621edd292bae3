import { Agent, get as httpGet, type IncomingHttpHeaders } from 'node:http';
import type { Express } from 'express';
import { createHttpServer, type HttpServer } from '../../src/http';
import { captureLogger } from './log-capture';

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function get(url: string, agent: Agent | false = false): Promise<Reply> {
  return new Promise((resolve, reject) => {
    httpGet(url, { agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

/** A promise with its resolve function, to hold a handler until the test lets it go. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('HttpServer stop', () => {
  const agents: Agent[] = [];
  let server: HttpServer | undefined;

  function keepAliveAgent(): Agent {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    agents.push(agent);
    return agent;
  }

  function start(routes: (app: Express) => void, shutdownTimeoutMs = 30_000): Promise<{ url: string }> {
    server = createHttpServer({ service: 'test', logger: captureLogger().logger, routes, shutdownTimeoutMs });
    return server.start();
  }

  afterEach(async () => {
    for (const agent of agents.splice(0)) agent.destroy();
    await server?.stop();
  });

  it('when started, then it listens on loopback on a free port', async () => {
    const { url } = await start(() => undefined);

    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await get(`${url}/livez`)).status).toBe(200);
  });

  it('when stopping with a request in flight, then new connections are refused and the request finishes first', async () => {
    const entered = gate();
    const release = gate();
    const { url } = await start((app) =>
      app.get('/slow', async (_req, res) => {
        entered.open();
        await release.promise;
        res.json({ done: true });
      }),
    );
    const inFlight = get(`${url}/slow`, keepAliveAgent());
    await entered.promise;

    let stopped = false;
    const stopping = server!.stop().then(() => (stopped = true));
    await expect(get(`${url}/livez`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(stopped).toBe(false);

    release.open();
    const reply = await inFlight;
    const releasedAt = Date.now();
    await stopping;

    expect(reply).toMatchObject({ status: 200, body: '{"done":true}' });
    // The keep-alive connection is closed once its response is done, not left to its idle timeout (5 s).
    expect(Date.now() - releasedAt).toBeLessThan(1_000);
  });

  it('when stopping with only idle keep-alive connections, then it stops at once', async () => {
    const { url } = await start(() => undefined);
    const agent = keepAliveAgent();
    expect((await get(`${url}/livez`, agent)).status).toBe(200);

    const started = Date.now();
    await server!.stop();

    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('when a request outlasts the shutdown timeout, then its connection is cut and stop resolves', async () => {
    const entered = gate();
    const { url } = await start(
      (app) =>
        app.get('/stuck', () => {
          entered.open();
          return new Promise(() => undefined);
        }),
      100,
    );
    const stuck = get(`${url}/stuck`);
    await entered.promise;

    await server!.stop();

    await expect(stuck).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it('when stop is called twice or before start, then it is harmless', async () => {
    const idle = createHttpServer({
      service: 'test',
      logger: captureLogger().logger,
      routes: () => undefined,
    });
    await expect(idle.stop()).resolves.toBeUndefined();

    await start(() => undefined);
    await Promise.all([server!.stop(), server!.stop()]);
  });
});
