/**
 * Reads a V8 CPU profile (`node --cpu-prof`) and says where the time went: the functions with the most self
 * time, the same time summed by where the code lives (a package in node_modules, a service of ours, Node
 * itself), and by the nearest function of our own code above each sample (what our functions cost, the
 * libraries they call included).
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
  startTime: number;
  endTime: number;
}

/** A row of a profile summary: a function or a place, with its share of the sampled busy time. */
export interface HotSpot {
  name: string;
  selfMs: number;
  share: number;
}

/** Which samples count: those taken between `fromEndMs` and `toEndMs` before the profile ended (the load). */
export interface ProfileWindow {
  fromEndMs: number;
  toEndMs: number;
}

/** A profile's hot spots; `busyMs` is the sampled time outside `(idle)`, `(program)` and `(garbage collector)`. */
export interface ProfileSummary {
  functions: HotSpot[];
  places: HotSpot[];
  ours: HotSpot[];
  /** Share of the busy samples with a frame of the package (or of our module) anywhere on the stack. */
  onStack: HotSpot[];
  busyMs: number;
}

const NOT_BUSY = new Set(['(idle)', '(program)']);

/**
 * Summarises `file`. Sample times are wall time: a process the machine deschedules inflates every sample
 * alike, so the shares hold even where the milliseconds do not.
 */
export function summariseProfile(
  file: string,
  { top = 15, window }: { top?: number; window?: ProfileWindow } = {},
): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

  const selfUs = new Map<number, number>();
  const deltas = profile.timeDeltas ?? [];
  const from = window === undefined ? -Infinity : profile.endTime - window.fromEndMs * 1000;
  const to = window === undefined ? Infinity : profile.endTime - window.toEndMs * 1000;
  let at = profile.startTime;
  (profile.samples ?? []).forEach((id, i) => {
    const delta = deltas[i] ?? 0;
    at += delta;
    if (at >= from && at <= to) selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
  });

  const functions = new Map<string, number>();
  const places = new Map<string, number>();
  const ours = new Map<string, number>();
  const onStack = new Map<string, number>();
  let busyUs = 0;
  const add = (map: Map<string, number>, key: string, us: number): void => {
    map.set(key, (map.get(key) ?? 0) + us);
  };
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (frame === undefined || NOT_BUSY.has(frame.functionName)) continue;
    busyUs += us;
    const location = frame.url === '' ? '' : ` ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
    add(functions, `${frame.functionName || '(anonymous)'}${location}`, us);
    add(places, placeOf(frame), us);
    add(ours, ownFrame(id, byId, parentOf), us);
    const seen = new Set<string>();
    for (let up: number | undefined = id; up !== undefined; up = parentOf.get(up)) {
      const module = moduleOf(byId.get(up)?.callFrame.url ?? '');
      if (module !== undefined && !seen.has(module)) {
        seen.add(module);
        add(onStack, module, us);
      }
    }
  }
  const rows = (map: Map<string, number>): HotSpot[] =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({
        name,
        selfMs: Math.round(us / 100) / 10,
        share: busyUs === 0 ? 0 : us / busyUs,
      }));
  return {
    functions: rows(functions),
    places: rows(places),
    ours: rows(ours),
    onStack: rows(onStack),
    busyMs: Math.round(busyUs / 1000),
  };
}

function shortUrl(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) return path.slice(nm + '/node_modules/'.length);
  const services = path.indexOf('/services/');
  return services >= 0 ? path.slice(services + 1) : path;
}

/** A package in node_modules, or one of our modules (`gateway/proxy/proxy-handler`); undefined for Node's own. */
function moduleOf(url: string): string | undefined {
  const path = url.replace(/^file:\/\//, '');
  const nm = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path.slice(path.lastIndexOf('/node_modules/')));
  if (nm?.[1] !== undefined) return nm[1];
  return /\/services\/([^/]+)\/(?:dist|src)\/(.+)\.[jt]s$/.exec(path)?.slice(1, 3).join('/');
}

/** `<package>`, `services/<name>`, `node: (Node internals)` or the V8 category (GC, native). */
function placeOf(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node: (Node internals)';
  const path = url.replace(/^file:\/\//, '');
  const nm = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path.slice(path.lastIndexOf('/node_modules/')));
  if (nm?.[1] !== undefined) return nm[1];
  const service = /\/services\/([^/]+)\//.exec(path);
  return service?.[1] !== undefined ? `services/${service[1]}` : path;
}

/** The nearest frame of our own code at or above `id` (`function services/…:line`), or `(outside our code)`. */
function ownFrame(id: number, byId: Map<number, ProfileNode>, parentOf: Map<number, number>): string {
  for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
    const frame = byId.get(at)?.callFrame;
    if (
      frame !== undefined &&
      /\/services\/[^/]+\/(?:dist|src)\//.test(frame.url) &&
      !frame.url.includes('/node_modules/')
    )
      return `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
  }
  return '(outside our code)';
}
