import { type AddressInfo } from 'node:net';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  type DynamoClients,
  StoreTimeoutError,
  StoreUnavailableError,
  createDynamoClients,
  pingStore,
} from '../../src/store';

/** A stand-in for DynamoDB on loopback: answers by X-Amz-Target, counts TCP connections, records bodies. */
interface FakeDynamo {
  endpoint: string;
  connections: () => number;
  bodies: Record<string, unknown>[];
  close: () => Promise<void>;
}

async function startFakeDynamo(
  answer: (target: string, res: ServerResponse) => void = (_t, res) => res.end('{}'),
): Promise<FakeDynamo> {
  let connections = 0;
  const bodies: Record<string, unknown>[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>);
      res.setHeader('content-type', 'application/x-amz-json-1.0');
      answer(String(req.headers['x-amz-target']), res);
    });
  });
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    connections: () => connections,
    bodies,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('createDynamoClients', () => {
  let fake: FakeDynamo | undefined;
  let clients: DynamoClients | undefined;

  afterEach(async () => {
    clients?.client.destroy();
    await fake?.close();
    fake = undefined;
    clients = undefined;
  });

  it('when several calls are made one after another, then they reuse one kept-alive connection', async () => {
    fake = await startFakeDynamo((_t, res) => res.end('{"TableNames":[]}'));
    clients = createDynamoClients({ endpoint: fake.endpoint, region: 'us-east-1' });

    for (let i = 0; i < 5; i += 1) await pingStore(clients.client);

    expect(fake.bodies).toHaveLength(5);
    expect(fake.connections()).toBe(1);
  });

  it('when an item has undefined attributes, then the document client drops them instead of failing', async () => {
    fake = await startFakeDynamo();
    clients = createDynamoClients({ endpoint: fake.endpoint, region: 'us-east-1' });

    await clients.doc.send(
      new PutCommand({ TableName: 'orders', Item: { pk: 'a', note: undefined, qty: 3 } }),
    );

    expect(fake.bodies[0]).toEqual({ TableName: 'orders', Item: { pk: { S: 'a' }, qty: { N: '3' } } });
  });

  it('when DynamoDB does not answer, then the call fails with a retriable timeout within the request timeout', async () => {
    fake = await startFakeDynamo(() => undefined); // never responds
    clients = createDynamoClients({
      endpoint: fake.endpoint,
      region: 'us-east-1',
      requestTimeoutMs: 200,
      maxAttempts: 1,
    });
    const started = Date.now();

    const error = await pingStore(clients.client, { timeoutMs: 5000 }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(StoreTimeoutError);
    expect(error).toMatchObject({ retriable: true });
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('pingStore', () => {
  it('when nothing listens at the endpoint, then it rejects with a retriable UnavailableError', async () => {
    const closed = await startFakeDynamo();
    const endpoint = closed.endpoint;
    await closed.close(); // the port is now free: connections are refused
    const { client } = createDynamoClients({ endpoint, region: 'us-east-1', maxAttempts: 1 });

    try {
      await expect(pingStore(client)).rejects.toMatchObject({
        constructor: StoreUnavailableError,
        code: 'STORE.UNREACHABLE',
        retriable: true,
      });
    } finally {
      client.destroy();
    }
  });

  it('when the store does not answer within the ping deadline, then it rejects with a timeout naming the deadline', async () => {
    const fake = await startFakeDynamo(() => undefined);
    const { client } = createDynamoClients({ endpoint: fake.endpoint, region: 'us-east-1' });

    try {
      await expect(pingStore(client, { timeoutMs: 150 })).rejects.toMatchObject({
        constructor: StoreTimeoutError,
        message: 'DynamoDB did not answer ListTables within 150 ms.',
      });
    } finally {
      client.destroy();
      await fake.close();
    }
  });
});
