/**
 * The error vocabulary shared by every service. Domain code throws these; the HTTP layer turns
 * them into RFC 9457 problem bodies, adapters translate vendor errors into them.
 */

/** One invalid input field: a JSON pointer-ish path (`/items/3/price`) and what is wrong with it. */
export interface FieldIssue {
  field: string;
  message: string;
}

export interface AppErrorOptions {
  cause?: unknown;
  /** Extra machine-readable members added to the problem body. */
  details?: Record<string, unknown>;
}

/** Base of every error raised on purpose: a stable namespaced `code`, an HTTP status and a safe message. */
export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, message: string, status = 500, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = status;
    this.details = options.details;
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, status: this.status, message: this.message, ...this.details };
  }
}

/** The request (or message) is malformed; `issues` names every invalid field. */
export class ValidationError extends AppError {
  readonly issues: FieldIssue[];

  constructor(issues: FieldIssue[], message = 'The request is invalid.', code = 'REQUEST.INVALID') {
    super(code, message, 400, { details: { errors: issues } });
    this.issues = issues;
  }
}

/** Authentication is missing or wrong. */
export class UnauthorizedError extends AppError {
  constructor(message = 'Authentication is required.', code = 'AUTH.UNAUTHORIZED') {
    super(code, message, 401);
  }
}

/** Authenticated, but not allowed to do this. */
export class ForbiddenError extends AppError {
  constructor(message = 'Not allowed.', code = 'AUTH.FORBIDDEN') {
    super(code, message, 403);
  }
}

/** The thing asked for does not exist (or the caller may not know that it does). */
export class NotFoundError extends AppError {
  constructor(message = 'Not found.', code = 'RESOURCE.NOT_FOUND') {
    super(code, message, 404);
  }
}

/** The write lost a race or contradicts the current state (a failed DynamoDB condition, a reused idempotency key). */
export class ConflictError extends AppError {
  constructor(
    message = 'The resource changed or already exists.',
    code = 'RESOURCE.CONFLICT',
    cause?: unknown,
  ) {
    super(code, message, 409, { cause });
  }
}

/** The body is larger than the limit. */
export class PayloadTooLargeError extends AppError {
  constructor(limit: string) {
    super('REQUEST.TOO_LARGE', `The request body is larger than ${limit}.`, 413, { details: { limit } });
  }
}

/** Too many requests; `retryAfterSeconds` becomes the Retry-After header. */
export class TooManyRequestsError extends AppError {
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number, message = 'Too many requests.', code = 'RATE.LIMITED') {
    super(code, message, 429, { details: { retryAfterSeconds } });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** A dependency is down or the process is shutting down; safe for the client to retry later. */
export class UnavailableError extends AppError {
  constructor(
    message = 'The service is temporarily unavailable.',
    code = 'SERVICE.UNAVAILABLE',
    cause?: unknown,
  ) {
    super(code, message, 503, { cause });
  }
}

/** The service sheds load: more work is waiting than it accepts; `retryAfterSeconds` becomes Retry-After. */
export class OverloadedError extends UnavailableError {
  constructor(
    readonly retryAfterSeconds: number,
    message = 'The service is overloaded; retry later.',
    code = 'SERVICE.OVERLOADED',
  ) {
    super(message, code);
  }
}

/** A dependency did not answer in time. */
export class TimeoutError extends AppError {
  constructor(message = 'The upstream did not answer in time.', code = 'SERVICE.TIMEOUT', cause?: unknown) {
    super(code, message, 504, { cause });
  }
}

/** Configuration is missing or invalid; `issues` lists every offending variable. */
export class ConfigError extends AppError {
  readonly issues: FieldIssue[];

  constructor(issues: FieldIssue[]) {
    const lines = issues.map((i) => `  - ${i.field}: ${i.message}`).join('\n');
    super('CONFIG.INVALID', `Invalid configuration:\n${lines}`, 500, { details: { errors: issues } });
    this.issues = issues;
  }
}

/** True when `err` is one of ours rather than an unexpected failure. */
export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}
