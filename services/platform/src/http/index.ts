/** The Express server factory and the pieces it is made of: request ids, problem+json errors, validation. */
export { createHttpServer, type HttpServer, type HttpServerOptions, type ListeningAddress } from './server';
export { parseWith, pointer, toFieldIssues } from './validate';
export {
  HttpProblemCode,
  PROBLEM_CONTENT_TYPE,
  problemType,
  toAppError,
  toProblem,
  UnsupportedMediaTypeError,
  type Problem,
} from './problem';
export { REQUEST_ID_HEADER, isAcceptableRequestId, requestIdMiddleware, requestIdOf } from './request-id';
export { traceResponseMiddleware } from './trace-response';
export type { Readiness, ReadinessCheck } from './health';
export { JSON_MEDIA_TYPES } from './json-body';
export { OPENAPI_PATH, openApiHandler } from './openapi-document';
export { routeTemplate, setRouteTemplate, UNMATCHED_ROUTE } from './route-template';
export { accessLogger, addAccessLogFields } from './access-log';
export { writeProblem } from './error-handler';
