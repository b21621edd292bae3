/** The outcome of a conditional write as a boolean, for the writes whose failed condition is an answer. */
import { StoreConflictError } from '@tradeflow/platform/store';

/**
 * Runs `write` (a conditional write through `withStoreErrors`): true when it was applied, false when its
 * condition did not hold (a StoreConflictError); any other error is thrown.
 */
export async function conditionHeld(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (err) {
    if (err instanceof StoreConflictError) return false;
    throw err;
  }
}
