/** Bounded parallelism for store calls. */

/**
 * Runs `fn` over `items` with at most `limit` in flight. After a failure no new item starts; it rejects with
 * the first error once the calls already in flight have settled, so nothing keeps running behind the caller.
 */
export async function forEachLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const state: { failure?: { error: unknown } } = {};
  const worker = async (): Promise<void> => {
    while (state.failure === undefined && next < items.length) {
      const item = items[next++] as T;
      try {
        await fn(item);
      } catch (error) {
        state.failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (state.failure !== undefined) throw state.failure.error;
}
