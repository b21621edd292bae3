/**
 * A fix for kafkajs 2.2.4 (the latest release), applied once when the Kafka adapter loads.
 *
 * `RequestQueue#scheduleCheckPendingRequests` re-arms its timer after every check even when nothing is
 * pending, with a delay of `throttledUntil - now`: negative without throttling, which Node runs after 1 ms.
 * So every open broker connection (producer, admin, each consumer's coordinator and fetch connections) spins
 * a 1 ms timer for as long as it lives: most of a service's CPU when it is idle (33-40 ms per second per
 * process here) and a timer (with its async-hooks bookkeeping) every millisecond under load
 * (tulios/kafkajs#1556, #1704; the fix proposed in #1667 was never released).
 *
 * The replacement arms the timer only while requests are waiting (for the throttle to end, or at kafkajs'
 * own 10 ms interval behind a full in-flight window), which is all the check is for: `push` arms it when it
 * queues a request, and every response already runs the check.
 */
import { createRequire } from 'node:module';

/** kafkajs' own retry interval of a queued request when nothing else will run the check. */
export const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10;

/** The part of kafkajs' internal RequestQueue the fix touches. */
export interface KafkajsRequestQueue {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

type RequestQueueClass = { prototype: KafkajsRequestQueue } & (new (options: object) => KafkajsRequestQueue);

/** kafkajs' RequestQueue class: the copy the `kafkajs` package this module imports uses. */
export function kafkajsRequestQueue(): RequestQueueClass {
  return createRequire(__filename)('kafkajs/src/network/requestQueue') as RequestQueueClass;
}

/** Arms the pending-request check only while a request waits; kafkajs 2.2.4 armed it always. */
function scheduleCheckPendingRequests(this: KafkajsRequestQueue): void {
  if (this.throttleCheckTimeoutId !== null || this.pending.length === 0) return;
  const throttledForMs = this.throttledUntil - Date.now();
  this.throttleCheckTimeoutId = setTimeout(
    () => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    },
    throttledForMs > 0 ? throttledForMs : CHECK_PENDING_REQUESTS_INTERVAL_MS,
  );
}

let applied = false;

/** Replaces kafkajs' `scheduleCheckPendingRequests` (once; later calls do nothing). */
export function fixKafkajsRequestQueue(): void {
  if (applied) return;
  applied = true;
  const { prototype } = kafkajsRequestQueue();
  // A kafkajs whose queue looks otherwise keeps its own (a release that changed it may have fixed it).
  if (typeof prototype.scheduleCheckPendingRequests !== 'function') return;
  prototype.scheduleCheckPendingRequests = scheduleCheckPendingRequests;
}
