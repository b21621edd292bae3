import { context, propagation, ProxyTracerProvider, trace } from '@opentelemetry/api';
import { getBooleanFromEnv, getStringFromEnv } from '@opentelemetry/core';
import { AwsInstrumentation } from '@opentelemetry/instrumentation-aws-sdk';
import { ExpressInstrumentation, ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation, type UndiciRequest } from '@opentelemetry/instrumentation-undici';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK, type NodeSDKConfiguration } from '@opentelemetry/sdk-node';
import {
  NoopSpanProcessor,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

export interface TracingOptions {
  /** `service.name` of every span, unless `OTEL_SERVICE_NAME` says otherwise. */
  serviceName: string;
  /**
   * Export spans here, one by one, instead of the exporter the `OTEL_*` variables choose (the OTLP
   * exporter over HTTP by default). For tests: pass an `InMemorySpanExporter`.
   */
  exporter?: SpanExporter;
  /**
   * Default true: `@opentelemetry/instrumentation-http` makes the SERVER span of every incoming request. False
   * leaves node:http servers unpatched (the module's server side costs a context switch and a bound request and
   * response per request, even for requests it ignores): the service starts its own server spans, e.g. with
   * `startServerSpan`, as the gateway's front door does.
   */
  incomingHttp?: boolean;
}

/** A running tracing SDK. */
export interface Tracing {
  /** Exports every ended span now (spans wait for slow resource attributes, batches for their timer). */
  forceFlush(): Promise<void>;
  /** Flushes pending spans and stops the SDK; safe to call more than once. */
  shutdown(): Promise<void>;
}

/** Probe and scrape requests; tracing them would bury the traces that matter. */
export const UNTRACED_PATHS: ReadonlySet<string> = new Set(['/livez', '/readyz', '/metrics']);

let running: Tracing | undefined;

/** True when an undici request already has a `traceparent` header (headers as a string or a flat list). */
function carriesTraceparent(request: UndiciRequest): boolean {
  const { headers } = request;
  if (typeof headers === 'string') return /(^|\r\n)traceparent:/i.test(headers);
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i];
    if (typeof name === 'string' && name.toLowerCase() === 'traceparent') return true;
  }
  return false;
}

/**
 * Starts the OpenTelemetry Node SDK: traces to the exporter the standard variables select
 * (`OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_TRACES_EXPORTER`, `OTEL_TRACES_SAMPLER`, `OTEL_SDK_DISABLED`, …,
 * which the SDK reads itself), or nowhere when none of `EXPORT_VARIABLES` is set (spans are recorded, not
 * exported), W3C trace-context and baggage propagation (unless `OTEL_PROPAGATORS`
 * chooses others), and the http, express, aws-sdk and undici instrumentations. A second call returns the
 * running instance.
 *
 * Call it first in the composition root, before anything requires `http`, `express` or the AWS SDK:
 * instrumentation patches those modules as they load, and cannot patch a module already loaded.
 */
export function startTracing({ serviceName, exporter, incomingHttp = true }: TracingOptions): Tracing {
  if (running !== undefined) return running;
  const sdk = new NodeSDK({
    // Ours is the default; the environment detector (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES) wins.
    resource: defaultResource().merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName })),
    ...spanProcessorsFor(exporter),
    // Metrics are prom-client's /metrics and logs are pino's stdout; without these the SDK would also
    // push OTLP metrics and logs by default, to a collector that is not there.
    metricReaders: [],
    logRecordProcessors: [],
    // Off (OTEL_SDK_DISABLED), the SDK registers nothing, but an instrumentation patches its module as soon as
    // it is constructed: every request would still pay for no-op spans and context switches. So none then.
    instrumentations: getBooleanFromEnv('OTEL_SDK_DISABLED') ? [] : instrumentations(incomingHttp),
  });
  sdk.start();

  let stopped: Promise<void> | undefined;
  const forceFlush = async (): Promise<void> => {
    const global = trace.getTracerProvider();
    const provider: object = global instanceof ProxyTracerProvider ? global.getDelegate() : global;
    if ('forceFlush' in provider && typeof provider.forceFlush === 'function') {
      await (provider.forceFlush as () => Promise<void>).call(provider);
    }
  };
  const tracing: Tracing = {
    forceFlush,
    shutdown: () =>
      // The SDK's shutdown does not wait for spans still waiting on resource attributes; a flush first does.
      (stopped ??= forceFlush()
        .catch(() => undefined)
        .then(() => sdk.shutdown())
        .finally(() => {
          // Unregister the globals so a later startTracing (a test, a restart) can register its own.
          trace.disable();
          propagation.disable();
          context.disable();
          running = undefined;
        })),
  };
  running = tracing;
  return tracing;
}

/** The variables that name where spans go; without any of them the SDK would export to localhost:4318. */
export const EXPORT_VARIABLES = [
  'OTEL_TRACES_EXPORTER',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
] as const;

/** Whether the environment (read through `read`) names an exporter or an OTLP endpoint for the spans. */
export function exportConfigured(read: (name: string) => string | undefined = getStringFromEnv): boolean {
  return EXPORT_VARIABLES.some((name) => (read(name) ?? '').trim() !== '');
}

/**
 * The span processors: the given exporter's, else the SDK's own choice when the variables name an exporter or
 * endpoint, else one that drops every span. Spans are still recorded then (trace ids in the logs and the
 * `traceresponse` header, context across HTTP and Kafka), but none is serialised or sent: the SDK's default
 * would batch every span and post it to an OTLP collector on localhost:4318 that nothing runs, every 5 s.
 */
function spanProcessorsFor(exporter: SpanExporter | undefined): { spanProcessors?: SpanProcessor[] } {
  if (exporter !== undefined) return { spanProcessors: [new SimpleSpanProcessor(exporter)] };
  return exportConfigured() ? {} : { spanProcessors: [new NoopSpanProcessor()] };
}

/** The http, express, aws-sdk and undici instrumentations (constructing one patches its module). */
function instrumentations(incomingHttp: boolean): NonNullable<NodeSDKConfiguration['instrumentations']> {
  return [
    new HttpInstrumentation({
      // Off, node:http's Server.emit is not patched at all (ignoring every request would still bind each one).
      disableIncomingRequestInstrumentation: !incomingHttp,
      ignoreIncomingRequestHook: (req) => UNTRACED_PATHS.has((req.url ?? '').split('?')[0] ?? ''),
      // The only node:http client is the AWS SDK's, whose call already has its span (the aws-sdk one, which
      // suppresses its HTTP span); the wrapper still parsed, injected and bound every DynamoDB request.
      // Outgoing HTTP of our own goes through undici, traced below.
      disableOutgoingRequestInstrumentation: true,
    }),
    // Router and handler spans name the route; a span per middleware would only add noise.
    new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE] }),
    // The AWS call's span is enough; its underlying HTTP request adds nothing.
    new AwsInstrumentation({ suppressInternalInstrumentation: true }),
    // undici (the gateway's upstream pools, fetch): a client span per request, trace context injected;
    // not for probes, nor into a request whose caller set a traceparent itself (a second would void both).
    new UndiciInstrumentation({
      ignoreRequestHook: (request) =>
        UNTRACED_PATHS.has(request.path.split('?')[0] ?? '') || carriesTraceparent(request),
    }),
  ];
}
