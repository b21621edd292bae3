/**
 * DynamoDB errors translated into the platform's error vocabulary, so repositories and HTTP handlers only
 * ever see `AppError`s: a failed condition is a 409, an overloaded or unreachable store a retriable 503,
 * a malformed request a 500 that says what was wrong.
 */
import { AppError, ConflictError, TimeoutError, UnavailableError, isAppError } from '../errors';

/** Where a store call was made; names the table and operation in translated messages. */
export interface StoreErrorContext {
  table?: string | undefined;
  operation?: string | undefined;
}

/** A condition (on a single write or inside a transaction) did not hold: the write lost a race or the item exists. */
export class StoreConflictError extends ConflictError {
  // ConflictError takes no details; ours carries which transaction items failed.
  override readonly details: Record<string, unknown> | undefined;

  constructor(message: string, details?: Record<string, unknown>, cause?: unknown) {
    super(message, 'STORE.CONDITION_FAILED', cause);
    this.details = details;
  }
}

/** The store is throttled, overloaded or unreachable; retrying later may succeed. */
export class StoreUnavailableError extends UnavailableError {
  readonly retriable = true;

  constructor(message: string, code = 'STORE.UNAVAILABLE', cause?: unknown) {
    super(message, code, cause);
  }
}

/** A request to the store did not complete within the client's request timeout; safe to retry. */
export class StoreTimeoutError extends TimeoutError {
  readonly retriable = true;

  constructor(message: string, cause?: unknown) {
    super(message, 'STORE.TIMEOUT', cause);
  }
}

/** A batch helper gave up with items still unprocessed; `unprocessed` holds them so the caller can decide. */
export class StoreBatchIncompleteError<T = unknown> extends StoreUnavailableError {
  // UnavailableError takes no details; ours carries the counts into the problem body.
  override readonly details: Record<string, unknown>;

  constructor(
    message: string,
    readonly remaining: number,
    readonly unprocessed: readonly T[],
    cause?: unknown,
  ) {
    super(message, 'STORE.BATCH_INCOMPLETE', cause);
    this.details = { remaining };
  }
}

/** The table does not exist: a deployment or bootstrap problem (was `ensureTables` run?), never the caller's fault. */
export class StoreTableMissingError extends AppError {
  constructor(
    readonly table: string | undefined,
    cause?: unknown,
  ) {
    super(
      'STORE.TABLE_MISSING',
      table === undefined
        ? 'A DynamoDB table used by this request does not exist; were the tables created at start (ensureTables)?'
        : `DynamoDB table "${table}" does not exist; were the tables created at start (ensureTables)?`,
      500,
      { cause },
    );
  }
}

/** DynamoDB rejected the request as malformed: a bug in the calling code, so a 500 with DynamoDB's reason. */
export class StoreRequestInvalidError extends AppError {
  constructor(message: string, cause?: unknown) {
    super('STORE.INVALID_REQUEST', message, 500, { cause });
  }
}

/** Vendor error names (the SDK sets `name` to the DynamoDB error type) that mean "overloaded, try later". */
const UNAVAILABLE_NAMES = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'LimitExceededException',
  'TransactionConflictException',
  'TransactionInProgressException',
  'ReplicatedWriteConflictException',
]);

/** Socket-level error codes from Node and undici: the store could not be reached or dropped the connection. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_SOCKET',
]);

/**
 * The network code named in a message. The SDK's retry layer re-wraps an error it does not recognise as an
 * `Error` (a socket error from another realm, as under Jest) into "AWS SDK error wrapper for Error: connect
 * ECONNREFUSED …", keeping only the text.
 */
function networkCodeIn(message: string): string | undefined {
  return [...message.matchAll(/\b[A-Z][A-Z_]{3,}\b/g)]
    .map((m) => m[0])
    .find((word) => NETWORK_CODES.has(word));
}

/** Cancellation reason codes of TransactWriteItems that mean "try again later". */
const RETRIABLE_REASONS = new Set([
  'TransactionConflict',
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
]);

interface VendorError {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: unknown;
  $fault?: unknown;
  CancellationReasons?: unknown;
}

function asVendor(err: unknown): VendorError | undefined {
  return typeof err === 'object' && err !== null ? err : undefined;
}

function describeCall(ctx: StoreErrorContext): string {
  const op = ctx.operation ?? 'request';
  return ctx.table === undefined ? `DynamoDB ${op}` : `DynamoDB ${op} on "${ctx.table}"`;
}

function cancellationCodes(err: VendorError): (string | undefined)[] {
  if (!Array.isArray(err.CancellationReasons)) return [];
  return err.CancellationReasons.map((reason: unknown) => {
    const code = (asVendor(reason) as { Code?: unknown } | undefined)?.Code;
    return typeof code === 'string' ? code : undefined;
  });
}

function translateCancellation(err: VendorError, ctx: StoreErrorContext, message: string): AppError {
  const codes = cancellationCodes(err);
  const indexesOf = (wanted: (code: string | undefined) => boolean): number[] =>
    codes.flatMap((code, index) => (wanted(code) ? [index] : []));

  const failedIndexes = indexesOf((c) => c === 'ConditionalCheckFailed');
  if (failedIndexes.length > 0) {
    return new StoreConflictError(
      `${describeCall(ctx)}: the condition of transaction item ${failedIndexes.join(', ')} failed.`,
      { failedIndexes },
      err,
    );
  }
  if (indexesOf((c) => c !== undefined && RETRIABLE_REASONS.has(c)).length > 0) {
    return new StoreUnavailableError(
      `${describeCall(ctx)}: the transaction was cancelled by a conflict or throttling (${codes.join(', ')}); retry.`,
      'STORE.UNAVAILABLE',
      err,
    );
  }
  return new StoreRequestInvalidError(`${describeCall(ctx)}: the transaction was cancelled: ${message}`, err);
}

/**
 * Turns whatever a DynamoDB call threw into an `AppError`. `AppError`s pass through unchanged, and so do
 * errors that did not come from the SDK or the network (a `TypeError` in the caller's own code stays one).
 */
export function translateDynamoError(err: unknown, ctx: StoreErrorContext = {}): unknown {
  if (isAppError(err)) return err;
  const vendor = asVendor(err);
  if (vendor === undefined) return err;
  const name = typeof vendor.name === 'string' ? vendor.name : '';
  const code = typeof vendor.code === 'string' ? vendor.code : '';
  const message = typeof vendor.message === 'string' ? vendor.message : String(err);
  const fromSdk = vendor.$metadata !== undefined || vendor.$fault !== undefined;

  switch (name) {
    case 'ConditionalCheckFailedException':
      return new StoreConflictError(`${describeCall(ctx)}: the condition did not hold.`, undefined, err);
    case 'TransactionCanceledException':
      return translateCancellation(vendor, ctx, message);
    case 'ResourceNotFoundException':
      return new StoreTableMissingError(ctx.table, err);
    case 'ValidationException':
      return new StoreRequestInvalidError(`${describeCall(ctx)} was rejected as invalid: ${message}`, err);
    case 'TimeoutError':
      return new StoreTimeoutError(`${describeCall(ctx)} did not complete in time: ${message}`, err);
    case 'AbortError':
      return new StoreUnavailableError(`${describeCall(ctx)} was aborted.`, 'STORE.ABORTED', err);
    case 'CredentialsProviderError':
      return new AppError(
        'STORE.NO_CREDENTIALS',
        `${describeCall(ctx)}: no AWS credentials: ${message}`,
        500,
        {
          cause: err,
        },
      );
  }
  if (UNAVAILABLE_NAMES.has(name)) {
    return new StoreUnavailableError(
      `${describeCall(ctx)} failed with ${name}; retry later.`,
      'STORE.UNAVAILABLE',
      err,
    );
  }
  const networkCode = NETWORK_CODES.has(code) ? code : networkCodeIn(message);
  if (networkCode !== undefined) {
    return new StoreUnavailableError(
      `${describeCall(ctx)} could not reach DynamoDB (${networkCode}).`,
      'STORE.UNREACHABLE',
      err,
    );
  }
  if (fromSdk) {
    // A modelled or unmodelled service error (or a credentials failure) we have no better word for.
    const status = (vendor.$metadata as { httpStatusCode?: unknown } | undefined)?.httpStatusCode;
    if (vendor.$fault === 'server' || (typeof status === 'number' && status >= 500)) {
      return new StoreUnavailableError(
        `${describeCall(ctx)} failed with ${name}; retry later.`,
        'STORE.UNAVAILABLE',
        err,
      );
    }
    return new AppError(
      'STORE.FAILED',
      `${describeCall(ctx)} failed with ${name || 'an error'}: ${message}`,
      500,
      {
        cause: err,
      },
    );
  }
  return err;
}

/** True when retrying the same store call later may succeed (throttling, network, timeouts, transaction races). */
export function isRetriableStoreError(err: unknown): boolean {
  return err instanceof StoreUnavailableError || err instanceof StoreTimeoutError;
}

/** Runs a store call and rethrows any failure translated, so repositories never handle vendor errors. */
export async function withStoreErrors<T>(fn: () => Promise<T>, ctx: StoreErrorContext = {}): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw translateDynamoError(err, ctx);
  }
}
