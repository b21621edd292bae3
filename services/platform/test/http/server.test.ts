import { Router, type Express } from 'express';
import request from 'supertest';
import { z } from 'zod';
import { AppError, TooManyRequestsError, UnavailableError, ValidationError } from '../../src/errors';
import {
  addAccessLogFields,
  createHttpServer,
  parseWith,
  PROBLEM_CONTENT_TYPE,
  setRouteTemplate,
  type HttpServerOptions,
} from '../../src/http';
import { requestContext } from '../../src/log';
import { captureLogger } from './log-capture';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const Order = z.strictObject({
  account: z.string().min(1),
  items: z.array(z.strictObject({ sku: z.string(), price: z.number().positive() })).min(1),
});

function routes(app: Express): void {
  app.post('/orders', (req, res) => {
    const order = parseWith(Order, req.body);
    res.status(201).json({ accepted: order.items.length, requestId: requestContext.get()?.requestId });
  });
  app.get('/limited', () => {
    throw new TooManyRequestsError(7);
  });
  app.get('/boom', () => {
    throw new Error('connection string postgres://admin:hunter2@db leaked');
  });
  app.get('/async-boom', async () => {
    await Promise.resolve();
    throw new Error('async internals');
  });
  app.post('/upload', (req, res) => {
    res.json({ parsed: req.body !== undefined });
  });
  const trades = Router();
  trades.get('/:id', (req, res) => {
    res.json({ id: req.params.id });
  });
  app.use('/trades', trades);
}

function build(overrides: Partial<HttpServerOptions> = {}) {
  const { logger, lines } = captureLogger();
  const server = createHttpServer({ service: 'test', logger, routes, bodyLimit: '1kb', ...overrides });
  return { app: server.app, lines };
}

function bodyOf(res: request.Response): Record<string, unknown> {
  return res.body as Record<string, unknown>;
}

function expectProblem(res: request.Response, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({
    status,
    code,
    type: expect.stringContaining(code) as unknown,
    title: expect.any(String) as unknown,
  });
  expect(bodyOf(res).requestId).toBe(res.headers['x-request-id']);
}

describe('createHttpServer', () => {
  describe('request ids', () => {
    it('when the client sends a sane x-request-id, then it is echoed and used in the problem and the context', async () => {
      const { app } = build();

      const ok = await request(app)
        .post('/orders')
        .set('x-request-id', 'abc.DEF_123-x')
        .send({ account: 'A', items: [{ sku: 's', price: 1 }] });
      const bad = await request(app).get('/nowhere').set('x-request-id', 'client-42');

      expect(ok.headers['x-request-id']).toBe('abc.DEF_123-x');
      expect(ok.body).toEqual({ accepted: 1, requestId: 'abc.DEF_123-x' });
      expect(bodyOf(bad).requestId).toBe('client-42');
    });

    it.each([
      ['too long', 'a'.repeat(129)],
      ['with forbidden characters', 'id with spaces'],
      ['injecting a log line', 'x\\n{"level":"fatal"}'],
    ])('when the x-request-id is %s, then a fresh UUID replaces it', async (_why, offered) => {
      const { app } = build();

      const res = await request(app).get('/livez').set('x-request-id', offered);

      expect(res.headers['x-request-id']).toMatch(UUID);
    });

    it('when there is no x-request-id, then each request gets its own UUID', async () => {
      const { app } = build();

      const [a, b] = await Promise.all([request(app).get('/livez'), request(app).get('/livez')]);

      expect(a.headers['x-request-id']).toMatch(UUID);
      expect(b.headers['x-request-id']).not.toBe(a.headers['x-request-id']);
    });
  });

  describe('health', () => {
    it('when asked /livez, then it answers 200 ok', async () => {
      const res = await request(build().app).get('/livez');

      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ok' });
    });

    it('when the readiness check says ready, then /readyz is 200 with its detail', async () => {
      const { app } = build({ readiness: () => ({ ready: true, detail: { modules: ['a'] } }) });

      const res = await request(app).get('/readyz');

      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ready', detail: { modules: ['a'] } });
    });

    it('when the readiness check says not ready, then /readyz is 503 with its detail', async () => {
      const { app } = build({
        readiness: () => Promise.resolve({ ready: false, detail: { store: 'starting' } }),
      });

      const res = await request(app).get('/readyz');

      expect(res.status).toBe(503);
      expect(res.body).toEqual({ status: 'not ready', detail: { store: 'starting' } });
    });

    it('when the readiness check throws, then /readyz is 503', async () => {
      const { app } = build({
        readiness: () => {
          throw new Error('broken check');
        },
      });

      expect((await request(app).get('/readyz')).status).toBe(503);
    });
  });

  describe('problems (RFC 9457)', () => {
    it('when no route matches, then it answers a 404 problem naming method and path', async () => {
      const res = await request(build().app).delete('/nowhere?secret=1');

      expectProblem(res, 404, 'ROUTE.NOT_FOUND');
      expect(res.body).toMatchObject({
        title: 'Not Found',
        detail: 'No route matches DELETE /nowhere.',
        instance: '/nowhere',
      });
    });

    it('when the body fails validation, then a 400 problem lists every invalid and unknown field', async () => {
      const res = await request(build().app)
        .post('/orders')
        .send({
          account: '',
          items: [
            { sku: 's', price: 1 },
            { sku: 's', price: -5, colour: 'red' },
          ],
          extra: true,
        });

      expectProblem(res, 400, 'REQUEST.INVALID');
      const fields = (res.body as { errors: { field: string }[] }).errors.map((e) => e.field).sort();
      expect(fields).toEqual(['/account', '/extra', '/items/1/colour', '/items/1/price']);
      expect(res.body).toMatchObject({ instance: '/orders' });
    });

    it('when the body is malformed JSON, then a 400 problem says so', async () => {
      const res = await request(build().app)
        .post('/orders')
        .set('Content-Type', 'application/json')
        .send('{"account": "A",');

      expectProblem(res, 400, 'REQUEST.MALFORMED_JSON');
      expect(bodyOf(res).detail).toMatch(/^The request body is not valid JSON: /);
    });

    it('when the body is larger than the limit, then a 413 problem names the limit', async () => {
      const res = await request(build().app)
        .post('/orders')
        .send({ account: 'x'.repeat(2048), items: [] });

      expectProblem(res, 413, 'REQUEST.TOO_LARGE');
      expect(res.body).toMatchObject({ detail: 'The request body is larger than 1kb.', limit: '1kb' });
    });

    it('when the body is not JSON, then a 415 problem lists the accepted media types', async () => {
      const res = await request(build().app)
        .post('/orders')
        .set('Content-Type', 'text/plain')
        .send('account=A');

      expectProblem(res, 415, 'REQUEST.UNSUPPORTED_MEDIA_TYPE');
      expect(bodyOf(res).accepted).toContain('application/json');
    });

    it('when a POST has no body and no content type, then the route runs (no 415)', async () => {
      const res = await request(build().app).post('/upload');

      expect(res.status).toBe(200);
    });

    it('when a +json media type is sent, then it is parsed as JSON', async () => {
      const res = await request(build().app)
        .post('/orders')
        .set('Content-Type', 'application/merge-patch+json')
        .send(JSON.stringify({ account: 'A', items: [{ sku: 's', price: 1 }] }));

      expect(res.status).toBe(201);
    });

    it('when a media type is declared as extra, then it passes unparsed to the route', async () => {
      const { app } = build({ extraBodyTypes: ['text/csv'] });

      const res = await request(app).post('/upload').set('Content-Type', 'text/csv').send('a,b\n1,2');

      expect(res.status).toBe(200);
      expect(res.body).toEqual({ parsed: false });
    });

    it('when body parsing is off, then any media type reaches the routes unread (a proxy streams it on)', async () => {
      const { app } = build({ parseBodies: false });

      const json = await request(app).post('/upload').set('Content-Type', 'application/json').send('{"a":1}');
      const csv = await request(app).post('/upload').set('Content-Type', 'text/csv').send('x'.repeat(4096));

      expect(json.body).toEqual({ parsed: false });
      expect(csv.status).toBe(200);
    });

    it('when a route throws TooManyRequestsError, then the 429 problem carries Retry-After', async () => {
      const res = await request(build().app).get('/limited');

      expectProblem(res, 429, 'RATE.LIMITED');
      expect(res.headers['retry-after']).toBe('7');
    });

    it.each(['/boom', '/async-boom'])(
      'when %s throws an unexpected error, then a generic 500 reveals nothing and the log has the stack and request id',
      async (path) => {
        const { app, lines } = build();

        const res = await request(app).get(path).set('x-request-id', 'req-500');

        expectProblem(res, 500, 'INTERNAL.UNEXPECTED');
        expect(res.text).not.toMatch(/hunter2|internals|stack|\.ts:\d/);
        const logged = lines.find((l) => l.msg === 'unexpected error while handling a request');
        expect(logged).toMatchObject({ level: 'error', request_id: 'req-500', path });
        expect((logged?.err as { stack: string }).stack).toContain(
          path === '/boom' ? 'hunter2' : 'async internals',
        );
      },
    );

    it.each([
      [
        500,
        'STORE.INVALID_REQUEST',
        () =>
          new AppError(
            'STORE.INVALID_REQUEST',
            'DynamoDB PutItem on "prod-trades" was rejected: key schema',
            500,
            {
              details: { table: 'prod-trades' },
            },
          ),
      ],
      [
        503,
        'BUS.CONNECT_FAILED',
        () =>
          new AppError('BUS.CONNECT_FAILED', 'Cannot connect to Kafka at kafka-0.internal:9092', 503, {
            details: { retriable: true, kafkaError: 'KafkaJSConnectionError' },
          }),
      ],
      [503, 'SERVICE.UNAVAILABLE', () => new UnavailableError('The circuit "ledger-db" is open.')],
    ])(
      'when a route throws a domain error with status %i, then the problem keeps its code and request id but no internals',
      async (status, code, error) => {
        const { app, lines } = build({
          routes: (a) =>
            a.get('/down', () => {
              throw error();
            }),
        });

        const res = await request(app).get('/down').set('x-request-id', 'req-5xx');

        expectProblem(res, status, code);
        expect(res.body).toEqual({
          type: `tag:tradeflow.dev,2025:problem:${code}`,
          title: status === 500 ? 'Internal Server Error' : 'Service Unavailable',
          status,
          detail: expect.stringContaining('Quote the request id') as unknown,
          instance: '/down',
          code,
          requestId: 'req-5xx',
        });
        expect(res.text).not.toMatch(/prod-trades|kafka-0|ledger-db|KafkaJS|retriable/);
        const logged = lines.find((l) => l.request_id === 'req-5xx' && l.code === code);
        expect(logged).toMatchObject({ level: 'error', msg: error().message });
      },
    );

    it('when a ValidationError is thrown directly, then its issues become `errors`', async () => {
      const { app } = build({
        routes: (a) =>
          a.get('/v', () => {
            throw new ValidationError([{ field: '/q', message: 'Required.' }]);
          }),
      });

      const res = await request(app).get('/v');

      expect(bodyOf(res).errors).toEqual([{ field: '/q', message: 'Required.' }]);
    });
  });

  describe('access log', () => {
    it('when a request finishes, then one line names method, route template, status, duration and request id', async () => {
      const { app, lines } = build();

      await request(app).get('/trades/T-1?x=1').set('x-request-id', 'req-1');
      await request(app).get('/nowhere').set('x-request-id', 'req-2');

      const access = lines.filter((l) => l.msg === 'request completed');
      expect(access).toHaveLength(2);
      expect(access[0]).toMatchObject({
        level: 'info',
        method: 'GET',
        route: '/trades/:id',
        path: '/trades/T-1',
        status: 200,
        request_id: 'req-1',
      });
      expect(access[0]?.duration_ms).toEqual(expect.any(Number));
      expect(access[1]).toMatchObject({
        route: 'unmatched',
        status: 404,
        code: 'ROUTE.NOT_FOUND',
        request_id: 'req-2',
      });
    });

    it('when a handler routes by itself and adds fields, then the line carries its route template and fields', async () => {
      const { app, lines } = build({
        routes: (a) =>
          a.use((req, res) => {
            setRouteTemplate(req, '/v1/things/*');
            addAccessLogFields(req, { consumer: 'alice' });
            addAccessLogFields(req, { upstream: 'things' });
            res.json({});
          }),
      });

      await request(app).get('/v1/things/1');

      expect(lines.find((l) => l.msg === 'request completed')).toMatchObject({
        route: '/v1/things/*',
        consumer: 'alice',
        upstream: 'things',
        status: 200,
      });
    });

    it('when a probe succeeds, then its line is at debug level', async () => {
      const { app, lines } = build();

      await request(app).get('/livez');

      expect(lines.find((l) => l.msg === 'request completed')).toMatchObject({
        level: 'debug',
        route: '/livez',
      });
    });
  });

  it('when the client accepts only HTML, then errors are still problem+json', async () => {
    const res = await request(build().app).get('/limited').set('Accept', 'text/html');

    expect(res.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
  });
});
