import { STATUS_CODES } from 'node:http';
import {
  AppError,
  NotFoundError,
  OverloadedError,
  PayloadTooLargeError,
  TooManyRequestsError,
  ValidationError,
  type FieldIssue,
} from '../errors';

/** Media type of every error body (RFC 9457). */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** An RFC 9457 problem body with Tradeflow's extension members. */
export interface Problem {
  /** Identifies the kind of problem; one per `code`. */
  type: string;
  /** Short summary of the kind (the HTTP reason phrase). */
  title: string;
  status: number;
  /** What went wrong with this request, safe to show to the caller. */
  detail: string;
  /** The request path the problem happened on. */
  instance: string;
  /** Stable namespaced code (`REQUEST.INVALID`) for programs to switch on. */
  code: string;
  /** Every invalid field, for validation problems. */
  errors?: FieldIssue[];
  /** Quote this when reporting the problem; it is in every log line of the request. */
  requestId: string;
  [extension: string]: unknown;
}

/** Codes of the problems the HTTP layer itself raises. */
export const HttpProblemCode = {
  MALFORMED_JSON: 'REQUEST.MALFORMED_JSON',
  TOO_LARGE: 'REQUEST.TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'REQUEST.UNSUPPORTED_MEDIA_TYPE',
  BAD_REQUEST: 'REQUEST.BAD',
  ROUTE_NOT_FOUND: 'ROUTE.NOT_FOUND',
  INTERNAL: 'INTERNAL.UNEXPECTED',
} as const;

/** The `type` URI of a code: a tag URI (RFC 4151), an identifier that is not meant to be fetched. */
export function problemType(code: string): string {
  return `tag:tradeflow.dev,2025:problem:${code}`;
}

/** Thrown for a JSON route that received another media type. */
export class UnsupportedMediaTypeError extends AppError {
  constructor(accepted: readonly string[]) {
    super(
      HttpProblemCode.UNSUPPORTED_MEDIA_TYPE,
      `The request body must be one of: ${accepted.join(', ')}.`,
      415,
      {
        details: { accepted },
      },
    );
  }
}

/** The 404 for a request no route matched. */
export function routeNotFound(method: string, path: string): NotFoundError {
  return new NotFoundError(`No route matches ${method} ${path}.`, HttpProblemCode.ROUTE_NOT_FOUND);
}

/** The shape of the errors body-parser, raw-body and the router raise (the `http-errors` package). */
interface HttpErrorLike {
  status: number;
  expose: boolean;
  message: string;
  type?: unknown;
}

function asHttpError(err: unknown): HttpErrorLike | undefined {
  if (!(err instanceof Error)) return undefined;
  const { status, statusCode, expose } = err as { status?: unknown; statusCode?: unknown; expose?: unknown };
  const code = typeof status === 'number' ? status : statusCode;
  if (typeof code !== 'number' || code < 400 || code > 499 || expose !== true) return undefined;
  return { status: code, expose: true, message: err.message, type: (err as { type?: unknown }).type };
}

/**
 * Turns what an HTTP request failed with into an `AppError`: domain errors as they are, the body
 * parser's and router's client errors into ours, anything else into `undefined` (an unexpected error).
 */
export function toAppError(err: unknown, bodyLimit: string): AppError | undefined {
  if (err instanceof AppError) return err;
  const httpError = asHttpError(err);
  if (httpError === undefined) return undefined;
  switch (httpError.type) {
    case 'entity.parse.failed':
      return new AppError(
        HttpProblemCode.MALFORMED_JSON,
        `The request body is not valid JSON: ${httpError.message}`,
        400,
        { cause: err },
      );
    case 'entity.too.large':
      return new PayloadTooLargeError(bodyLimit);
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new AppError(HttpProblemCode.UNSUPPORTED_MEDIA_TYPE, `The request ${httpError.message}.`, 415, {
        cause: err,
      });
    default:
      return new AppError(HttpProblemCode.BAD_REQUEST, capitalise(httpError.message), httpError.status, {
        cause: err,
      });
  }
}

/** Where a problem happened, for its `instance` and `requestId` members. */
export interface ProblemContext {
  requestId: string;
  path: string;
}

/** What a 5xx problem says instead of its error's message, which may name hosts, tables or vendor errors. */
const SERVER_ERROR_DETAIL: Readonly<Record<number, string>> = {
  500: 'An unexpected error occurred. Quote the request id when reporting it.',
  502: 'An upstream service failed. Quote the request id when reporting it.',
  503: 'The service is temporarily unavailable; try again later. Quote the request id when reporting it.',
  504: 'An upstream service did not answer in time; try again later. Quote the request id when reporting it.',
};

/**
 * The problem body for `err`. A 4xx says what was wrong (message, details, invalid fields). A 5xx is the
 * server's business: it keeps its `code` and the request id, the detail is generic and nothing else of the
 * error leaves the process (the error handler logs it whole). An error that is not an `AppError` is a 500.
 */
export function toProblem(err: AppError | undefined, { requestId, path }: ProblemContext): Problem {
  if (err === undefined || err.status >= 500) {
    const status = err?.status ?? 500;
    const code = err?.code ?? HttpProblemCode.INTERNAL;
    return {
      type: problemType(code),
      title: titleOf(status),
      status,
      detail: SERVER_ERROR_DETAIL[status] ?? (SERVER_ERROR_DETAIL[500] as string),
      instance: path,
      code,
      requestId,
    };
  }
  // Extension members first, so no `details` key can overwrite a standard member.
  const { errors: _errors, ...extensions } = err.details ?? {};
  return {
    ...extensions,
    type: problemType(err.code),
    title: titleOf(err.status),
    status: err.status,
    detail: err.message,
    instance: path,
    code: err.code,
    ...(err instanceof ValidationError ? { errors: err.issues } : {}),
    requestId,
  };
}

/** Response headers a problem needs besides its content type. */
export function problemHeaders(err: AppError | undefined): Record<string, string> {
  if (err instanceof TooManyRequestsError || err instanceof OverloadedError)
    return { 'Retry-After': String(Math.max(0, Math.ceil(err.retryAfterSeconds))) };
  return {};
}

function titleOf(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}

function capitalise(message: string): string {
  const text = message.charAt(0).toUpperCase() + message.slice(1);
  return text.endsWith('.') ? text : `${text}.`;
}
