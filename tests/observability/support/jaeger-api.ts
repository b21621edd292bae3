/** A small client of Jaeger's HTTP query API (the one its UI uses: /api/traces, /api/dependencies). */

/** A span as the API returns it. */
export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: { refType: 'CHILD_OF' | 'FOLLOWS_FROM'; traceID: string; spanID: string }[];
  tags: { key: string; type: string; value: unknown }[];
  processID: string;
}

export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

/** A span with its service and kind resolved. */
export interface SpanView {
  service: string;
  name: string;
  kind: string;
  spanId: string;
  parentId: string | undefined;
  tags: Record<string, unknown>;
}

export interface DependencyLink {
  parent: string;
  child: string;
  callCount: number;
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (res.status !== 200) throw new Error(`GET ${url}: HTTP ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { data: T }).data;
}

/** The traces of `service` with a span tagged `tags`, started after `sinceMs`. */
export function findTraces(
  queryUrl: string,
  service: string,
  tags: Record<string, string>,
  sinceMs: number,
): Promise<JaegerTrace[]> {
  const params = new URLSearchParams({
    service,
    tags: JSON.stringify(tags),
    start: String(sinceMs * 1000),
    end: String((Date.now() + 60_000) * 1000),
    limit: '20',
  });
  return getJson<JaegerTrace[]>(`${queryUrl}/api/traces?${params.toString()}`);
}

/** The service edges Jaeger derives from parent/child spans of traces between `sinceMs` and now. */
export function dependencies(queryUrl: string, sinceMs: number): Promise<DependencyLink[]> {
  const now = Date.now();
  const params = new URLSearchParams({ endTs: String(now), lookback: String(now - sinceMs) });
  return getJson<DependencyLink[]>(`${queryUrl}/api/dependencies?${params.toString()}`);
}

/** Every span of `trace` with its service, kind (`server`, `client`, `producer`, `consumer`, `internal`) and parent. */
export function spansOf(trace: JaegerTrace): SpanView[] {
  return trace.spans.map((span) => {
    const tags = Object.fromEntries(span.tags.map((t) => [t.key, t.value]));
    return {
      service: trace.processes[span.processID]?.serviceName ?? '?',
      name: span.operationName,
      kind: typeof tags['span.kind'] === 'string' ? tags['span.kind'] : 'internal',
      spanId: span.spanID,
      parentId: span.references.find((r) => r.refType === 'CHILD_OF' && r.traceID === span.traceID)?.spanID,
      tags,
    };
  });
}
