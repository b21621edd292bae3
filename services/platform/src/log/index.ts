/** Structured logging: JSON lines carrying `trace_id`, `span_id` and the request id. */
export {
  createLogger,
  flushLogs,
  processLogDestination,
  REDACTED_PATHS,
  type Logger,
  type LoggerOptions,
} from './logger';
export { requestContext, type RequestContext } from './request-context';
