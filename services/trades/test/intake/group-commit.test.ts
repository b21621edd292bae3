import { OverloadedError } from '@tradeflow/platform/errors';
import { GroupCommit } from '../../src/intake/group-commit';

/** A commit the test finishes by hand, recording each group it was given. */
function manualCommit() {
  const groups: number[][] = [];
  const pending: { resolve: () => void; reject: (err: unknown) => void }[] = [];
  const commit = (items: number[]): Promise<string[]> => {
    groups.push(items);
    return new Promise<string[]>((resolve, reject) => {
      pending.push({ resolve: () => resolve(items.map((i) => `done-${i}`)), reject });
    });
  };
  return { groups, pending, commit };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('GroupCommit', () => {
  it('when a call arrives alone, then it is committed at once in a group of one', async () => {
    const { groups, pending, commit } = manualCommit();
    const gc = new GroupCommit(commit, { maxGroup: 10, maxInFlight: 1, maxQueued: 100 });
    const result = gc.submit(1);
    expect(groups).toEqual([[1]]);
    pending[0]?.resolve();
    await expect(result).resolves.toBe('done-1');
  });

  it('when calls arrive while a group is in flight, then they wait and go together as the next group, at most maxGroup each', async () => {
    const { groups, pending, commit } = manualCommit();
    const gc = new GroupCommit(commit, { maxGroup: 3, maxInFlight: 1, maxQueued: 100 });
    const results = [1, 2, 3, 4, 5].map((i) => gc.submit(i));
    expect(groups).toEqual([[1]]);
    expect(gc.queued).toBe(4);
    pending[0]?.resolve();
    await flush();
    expect(groups).toEqual([[1], [2, 3, 4]]);
    pending[1]?.resolve();
    await flush();
    expect(groups).toEqual([[1], [2, 3, 4], [5]]);
    pending[2]?.resolve();
    await expect(Promise.all(results)).resolves.toEqual(['done-1', 'done-2', 'done-3', 'done-4', 'done-5']);
  });

  it('when a group fails, then every caller of that group gets its error and the next group still runs', async () => {
    const { groups, pending, commit } = manualCommit();
    const gc = new GroupCommit(commit, { maxGroup: 10, maxInFlight: 1, maxQueued: 100 });
    const first = gc.submit(1);
    const second = [gc.submit(2), gc.submit(3)];
    const third = gc.submit(4);
    pending[0]?.resolve();
    await flush();
    expect(groups[1]).toEqual([2, 3, 4]);
    pending[1]?.reject(new Error('store down'));
    await expect(first).resolves.toBe('done-1');
    await expect(Promise.allSettled([...second, third])).resolves.toEqual([
      { status: 'rejected', reason: new Error('store down') },
      { status: 'rejected', reason: new Error('store down') },
      { status: 'rejected', reason: new Error('store down') },
    ]);
    const later = gc.submit(5);
    expect(groups[2]).toEqual([5]);
    pending[2]?.resolve();
    await expect(later).resolves.toBe('done-5');
  });

  it('when maxInFlight groups are running, then the queue is bounded and a call beyond it is refused at once with a Retry-After', async () => {
    const { groups, pending, commit } = manualCommit();
    const gc = new GroupCommit(commit, { maxGroup: 10, maxInFlight: 2, maxQueued: 2 });
    const running = [gc.submit(1), gc.submit(2)];
    expect(groups).toEqual([[1], [2]]);
    const waiting = [gc.submit(3), gc.submit(4)];
    const refused = gc.submit(5);
    await expect(refused).rejects.toBeInstanceOf(OverloadedError);
    await expect(refused).rejects.toMatchObject({
      status: 503,
      code: 'TRADES.OVERLOADED',
      retryAfterSeconds: 1,
    });
    for (const p of pending) p.resolve();
    await flush();
    pending[2]?.resolve();
    await expect(Promise.all([...running, ...waiting])).resolves.toEqual([
      'done-1',
      'done-2',
      'done-3',
      'done-4',
    ]);
    expect(groups).toEqual([[1], [2], [3, 4]]);
  });
});
