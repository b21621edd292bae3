import { createBus } from '@tradeflow/platform/bus';

describe('createBus', () => {
  it('when the memory adapter is configured, then it works without ever loading kafkajs', async () => {
    jest.doMock('kafkajs', () => {
      throw new Error('kafkajs was loaded');
    });
    try {
      await jest.isolateModulesAsync(async () => {
        const { createBus: isolatedCreateBus } = await import('@tradeflow/platform/bus');
        const bus = await isolatedCreateBus({ adapter: 'memory' });
        await bus.init();
        await bus.publish({ topic: 't', key: 'k', type: 'x', data: 1 });
        await bus.close();
        expect(bus.name).toBe('memory');
        await expect(
          isolatedCreateBus({ adapter: 'kafka', brokers: ['127.0.0.1:1'], clientId: 'c' }),
        ).rejects.toThrow('kafkajs was loaded');
      });
    } finally {
      jest.dontMock('kafkajs');
    }
  });

  it('when the kafka adapter is configured, then it is built unconnected and refuses use before init', async () => {
    const bus = await createBus({ adapter: 'kafka', brokers: ['127.0.0.1:1'], clientId: 'c' });
    expect(bus.name).toBe('kafka');
    expect(bus.capabilities.has('durable')).toBe(true);
    await expect(bus.publish({ topic: 't', key: 'k', type: 'x', data: 1 })).rejects.toMatchObject({
      code: 'BUS.NOT_INITIALISED',
    });
    await bus.close();
    await expect(bus.publish({ topic: 't', key: 'k', type: 'x', data: 1 })).rejects.toMatchObject({
      code: 'BUS.CLOSED',
    });
  });
});
