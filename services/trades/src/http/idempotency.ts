/**
 * `Idempotency-Key` on the intake POSTs. The first request with a key puts an in-progress marker and runs;
 * its successful answer is stored and replayed (status, body, Location) for every later request with the
 * same key and the same body. The same key with another body is a 409; a duplicate that arrives while the
 * first still runs is a 409 too (it does not run twice). A request that fails (4xx or 5xx) keeps nothing, so
 * the client may correct it or retry with the same key. Keys belong to the consumer that sent them: two
 * consumers using the same key never see each other's answers.
 */
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import { ConflictError, ValidationError } from '@tradeflow/platform/errors';
import type { Identity } from '@tradeflow/platform/identity';
import { requestFingerprint } from '../domain';
import type { IdempotencyRepository, StoredResponse } from '../store';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
/** Set on a replayed answer. */
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';

/** What a handler answers: status, JSON body and extra headers. */
export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** Structural logger (pino fits). */
export interface IdempotencyLogger {
  error(obj: object, msg: string): void;
}

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
// A marker can vanish between our failed put and our read (its holder failed and released it): try again.
const MAX_ACQUIRE_ROUNDS = 3;

/** Runs handlers at most once per key. */
export class IdempotencyGuard {
  constructor(
    private readonly repo: IdempotencyRepository,
    private readonly logger: IdempotencyLogger,
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * Answers `req` with `handle`'s reply, guarded by its Idempotency-Key when it has one. A key is scoped to
   * the caller's consumer and to `operation` (the endpoint).
   */
  async run(
    req: Request,
    res: Response,
    caller: Identity,
    operation: string,
    handle: () => Promise<Reply>,
  ): Promise<void> {
    const key = req.get(IDEMPOTENCY_KEY_HEADER);
    if (key === undefined) {
      send(res, await handle());
      return;
    }
    if (!KEY_PATTERN.test(key)) {
      throw new ValidationError([
        { field: IDEMPOTENCY_KEY_HEADER, message: 'must be 1-255 visible ASCII characters' },
      ]);
    }
    // JSON, not a separator: no consumer id can make its keys collide with another consumer's.
    const storeKey = JSON.stringify([caller.consumerId, operation, key]);
    const fingerprint = requestFingerprint(operation, req.body);
    const token = randomUUID();
    for (let round = 1; ; round++) {
      const attempt = await this.repo.acquire(storeKey, fingerprint, token, this.clock());
      if (attempt.acquired) break;
      const { record } = attempt;
      if (record === undefined) {
        if (round < MAX_ACQUIRE_ROUNDS) continue;
        throw inProgress();
      }
      if (record.fingerprint !== fingerprint) {
        throw new ConflictError(
          'This Idempotency-Key was used with a different request body; use a new key for a new request.',
          'IDEMPOTENCY.KEY_REUSED',
        );
      }
      if (record.state === 'IN_PROGRESS') throw inProgress();
      replay(res, record.response);
      return;
    }

    let reply: Reply;
    try {
      reply = await handle();
    } catch (err) {
      await this.repo
        .release(storeKey, token)
        .catch((releaseError: unknown) =>
          this.logger.error(
            { err: releaseError },
            'could not release an Idempotency-Key after a failed request',
          ),
        );
      throw err;
    }
    const stored: StoredResponse = {
      status: reply.status,
      body: JSON.stringify(reply.body),
      contentType: 'application/json; charset=utf-8',
      headers: reply.headers ?? {},
    };
    try {
      const kept = await this.repo.complete(storeKey, fingerprint, token, stored, this.clock());
      if (!kept)
        this.logger.error(
          { operation },
          'an Idempotency-Key marker was taken over before its request finished',
        );
    } catch (err) {
      // The work is done and must be answered; the key stays locked until its marker lapses.
      this.logger.error({ err, operation }, 'could not store the response of an Idempotency-Key');
    }
    replay(res, stored, false);
  }
}

function inProgress(): ConflictError {
  return new ConflictError(
    'A request with this Idempotency-Key is still being processed; retry shortly.',
    'IDEMPOTENCY.IN_PROGRESS',
  );
}

/** Sends a reply as JSON. */
export function send(res: Response, reply: Reply): void {
  res.status(reply.status);
  if (reply.headers !== undefined) res.set(reply.headers);
  res.json(reply.body);
}

function replay(res: Response, stored: StoredResponse, replayed = true): void {
  res.status(stored.status).set(stored.headers).set('Content-Type', stored.contentType);
  if (replayed) res.set(IDEMPOTENT_REPLAYED_HEADER, 'true');
  res.send(stored.body);
}
