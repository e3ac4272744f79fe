/**
 * Where `createAuthorization`'s redirect processing spends its time: a V8 CPU profile (the
 * inspector's sampling profiler, in this process) of many callbacks, with self time summed by
 * where the code lives (xstate, oauth4webapi, authcharts' machines/actors/src, Node, GC) and the
 * hottest functions. Samples cover each callback from the start to `stop()`.
 */
import { Session } from 'node:inspector/promises';
import { REPO_ROOT } from '../bundleSize.js';
import { type BenchPage, runVariant } from './sequences.js';

export interface ProfileShare {
  name: string;
  /** Share of all samples, 0–1. */
  share: number;
}

export interface FacadeProfile {
  callbacks: number;
  byOrigin: ProfileShare[];
  hottest: ProfileShare[];
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** `xstate`, `authcharts machines/`, `node internals` … for a sampled function's script. */
function originOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : 'V8 builtins';
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (dependency) return dependency[1] as string;
  if (url.startsWith('node:')) return 'Node internals';
  const path = url.replace(/^file:\/\//, '').replace(REPO_ROOT, '');
  if (/^(machines|actors|src)\//.test(path)) return `authcharts ${path.split('/')[0]}/`;
  if (path.startsWith('test/')) return 'bench harness (fake window, stub fetch)';
  return 'other';
}

/** Nodes under the inspector's own calls (collecting the profile), which are not the library's time. */
function profilerNodes(nodes: ProfileNode[]): Set<number> {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const excluded = new Set<number>();
  const exclude = (id: number) => {
    excluded.add(id);
    for (const child of byId.get(id)?.children ?? []) exclude(child);
  };
  for (const node of nodes) if (node.callFrame.url === 'node:inspector') exclude(node.id);
  return excluded;
}

function shares(totals: Map<string, number>, all: number, limit: number): ProfileShare[] {
  return [...totals]
    .map(([name, time]) => ({ name, share: time / all }))
    .sort((a, b) => b.share - a.share)
    .slice(0, limit);
}

export async function profileFacade(page: BenchPage, callbacks: number): Promise<FacadeProfile> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    await session.post('Profiler.start');
    await runVariant(page, 'createAuthorization', callbacks);
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
    const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
    const profiler = profilerNodes(profile.nodes);
    const byOrigin = new Map<string, number>();
    const byFunction = new Map<string, number>();
    let all = 0;
    profile.samples.forEach((id, index) => {
      const frame = nodes.get(id)?.callFrame;
      const time = profile.timeDeltas[index] ?? 0;
      if (!frame || frame.functionName === '(idle)' || profiler.has(id)) return;
      all += time;
      const origin = originOf(frame.url, frame.functionName);
      byOrigin.set(origin, (byOrigin.get(origin) ?? 0) + time);
      const name =
        origin === frame.functionName ? origin : `${frame.functionName || '(anonymous)'} (${origin})`;
      byFunction.set(name, (byFunction.get(name) ?? 0) + time);
    });
    return { callbacks, byOrigin: shares(byOrigin, all, 8), hottest: shares(byFunction, all, 8) };
  } finally {
    session.disconnect();
  }
}
