/**
 * Group commit: calls that arrive while earlier groups are being committed wait and go together as the next
 * group. A lone call is committed at once (no timer, so a quiet service adds no latency); under load groups
 * form by themselves, and one store call and one publish serve many requests instead of one each.
 *
 * Written here rather than taken from a library: DataLoader-style batchers collect within one tick or a
 * timer window, and requests arriving on separate sockets rarely share a tick; what this needs is "whatever
 * queued while the previous commit was in flight", with a bound on the queue.
 */
import { OverloadedError } from '@tradeflow/platform/errors';

export interface GroupCommitOptions {
  /** Items in one group at most. */
  maxGroup: number;
  /** Groups being committed at once. */
  maxInFlight: number;
  /** Items waiting at most; beyond it a call is refused at once (503 + Retry-After) instead of queued. */
  maxQueued: number;
}

interface Waiting<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (err: unknown) => void;
}

/** Commits items in groups; `commit` answers one result per item, in order, or throws for the whole group. */
export class GroupCommit<T, R> {
  private readonly queue: Waiting<T, R>[] = [];
  private inFlight = 0;

  constructor(
    private readonly commit: (items: T[]) => Promise<R[]>,
    private readonly options: GroupCommitOptions,
  ) {}

  /** Items waiting for a group. */
  get queued(): number {
    return this.queue.length;
  }

  /** Queues `item` and resolves with its result once its group is committed. */
  submit(item: T): Promise<R> {
    if (this.queue.length >= this.options.maxQueued) {
      return Promise.reject(
        new OverloadedError(
          1,
          `${this.queue.length} submissions are already waiting to be written; retry in a second.`,
          'TRADES.OVERLOADED',
        ),
      );
    }
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.drain();
    });
  }

  private drain(): void {
    while (this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      const group = this.queue.splice(0, this.options.maxGroup);
      this.inFlight += 1;
      void this.run(group);
    }
  }

  private async run(group: Waiting<T, R>[]): Promise<void> {
    try {
      const results = await this.commit(group.map((w) => w.item));
      group.forEach((w, i) => w.resolve(results[i] as R));
    } catch (err) {
      for (const w of group) w.reject(err);
    } finally {
      this.inFlight -= 1;
      this.drain();
    }
  }
}
