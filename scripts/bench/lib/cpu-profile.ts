/**
 * Reads a V8 CPU profile (`node --cpu-prof`) and says where the time went: the functions with the most self time,
 * and the same time summed by where the code lives (a package in node_modules, a service of ours, Node itself).
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
  startTime: number;
  endTime: number;
}

/** A row of a profile summary: a function or a place, with its share of the sampled time. */
export interface HotSpot {
  name: string;
  selfMs: number;
  share: number;
}

/** The `top` functions by self time and the time summed by place. `(idle)` time is left out of the shares. */
export function summariseProfile(
  file: string,
  top = 15,
): { functions: HotSpot[]; places: HotSpot[]; busyMs: number } {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (deltas[i] ?? 0)));

  const functions = new Map<string, number>();
  const places = new Map<string, number>();
  let busyUs = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (frame === undefined || frame.functionName === '(idle)' || frame.functionName === '(program)')
      continue;
    busyUs += us;
    const location = frame.url === '' ? '' : ` ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
    const fn = `${frame.functionName || '(anonymous)'}${location}`;
    functions.set(fn, (functions.get(fn) ?? 0) + us);
    const place = placeOf(frame);
    places.set(place, (places.get(place) ?? 0) + us);
  }
  const rows = (map: Map<string, number>, limit: number): HotSpot[] =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([name, us]) => ({
        name,
        selfMs: Math.round(us / 100) / 10,
        share: busyUs === 0 ? 0 : us / busyUs,
      }));
  return { functions: rows(functions, top), places: rows(places, top), busyMs: Math.round(busyUs / 1000) };
}

function shortUrl(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) return path.slice(nm + '/node_modules/'.length);
  const services = path.indexOf('/services/');
  return services >= 0 ? path.slice(services + 1) : path;
}

/** `node_modules/<pkg>`, `services/<name>`, `node:<internal>` or the V8 category (GC, native). */
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
