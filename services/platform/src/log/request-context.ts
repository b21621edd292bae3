/** The per-request context (its id) carried across awaits, so log lines can name the request they belong to. */
import { AsyncLocalStorage } from 'node:async_hooks';

/** What is known about the request being handled. */
export interface RequestContext {
  readonly requestId: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Runs code inside a request context; everything it awaits sees the same context. */
export const requestContext = {
  /** Calls `fn` with `ctx` as the current request context and returns what it returns. */
  run<T>(ctx: RequestContext, fn: () => T): T {
    return storage.run(ctx, fn);
  },
  /** The current request context, or undefined outside a request. */
  get(): RequestContext | undefined {
    return storage.getStore();
  },
};
