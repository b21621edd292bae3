import { OverloadedError } from '@tradeflow/platform/errors';
import { GroupCommit } from '../../src/intake/group-commit';

/** A commit the test finishes by hand, recording each group it was given. */
function manualCommit() {
  const groups: number[][] = [];
  const finishers: (() => void)[] = [];
  const commit = (items: number[]) => {
    groups.push(items);
    return new Promise<number[]>((resolve) => finishers.push(() => resolve(items.map((i) => i * 10))));
  };
  return { groups, finishers, commit };
}

describe('GroupCommit', () => {
  it('when a call arrives alone, then it is committed at once without waiting for others', async () => {
    const m = manualCommit();
    const gc = new GroupCommit(m.commit, { maxGroup: 10, maxInFlight: 1, maxQueued: 10 });
    const first = gc.submit(1);
    expect(m.groups).toEqual([[1]]);
    m.finishers[0]?.();
    await expect(first).resolves.toBe(10);
  });

  it('when calls arrive while a group is in flight, then they go together as the next group, capped', async () => {
    const m = manualCommit();
    const gc = new GroupCommit(m.commit, { maxGroup: 3, maxInFlight: 1, maxQueued: 10 });
    const all = [1, 2, 3, 4, 5].map((i) => gc.submit(i));
    expect(m.groups).toEqual([[1]]);
    m.finishers[0]?.();
    await all[0];
    expect(m.groups).toEqual([[1], [2, 3, 4]]);
    m.finishers[1]?.();
    await all[3];
    expect(m.groups).toEqual([[1], [2, 3, 4], [5]]);
    m.finishers[2]?.();
    await expect(Promise.all(all)).resolves.toEqual([10, 20, 30, 40, 50]);
  });

  it('when the queue is full, then a further call is refused with a Retry-After instead of queued', async () => {
    const m = manualCommit();
    const gc = new GroupCommit(m.commit, { maxGroup: 10, maxInFlight: 1, maxQueued: 2 });
    const accepted = [gc.submit(1), gc.submit(2), gc.submit(3)];
    await expect(gc.submit(4)).rejects.toBeInstanceOf(OverloadedError);
    m.finishers[0]?.();
    await accepted[0];
    m.finishers[1]?.();
    await expect(Promise.all(accepted)).resolves.toEqual([10, 20, 30]);
  });

  it('when a group commit throws, then every caller of that group gets the error and later groups still run', async () => {
    let calls = 0;
    const gc = new GroupCommit<number, number>(
      (items) => {
        calls += 1;
        return calls === 1 ? Promise.reject(new Error('boom')) : Promise.resolve(items);
      },
      { maxGroup: 10, maxInFlight: 1, maxQueued: 10 },
    );
    const failed = gc.submit(1);
    await expect(failed).rejects.toThrow('boom');
    await expect(gc.submit(2)).resolves.toBe(2);
  });
});
