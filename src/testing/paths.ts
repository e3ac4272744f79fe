import {
  type AnyMachineSnapshot,
  type AnyStateMachine,
  type EventObject,
  type InputFrom,
  initialTransition,
  type SnapshotFrom,
  transition,
} from 'xstate';
import {
  type AdjacencyMap,
  getAdjacencyMap,
  getShortestPaths,
  getSimplePaths,
  type StatePath,
} from 'xstate/graph';
import { doneActorId, errorActorId } from './events.js';
import { serializeEvent } from './serialize.js';

/**
 * A path through a machine: `steps[0]` is `{ event: { type: 'xstate.init' }, state: <initial snapshot> }`,
 * every later step is an event and the snapshot the pure `transition()` fold reaches with it; `state`
 * is the last snapshot. The same shape as xstate/graph's `StatePath`.
 */
export type ModelPath<TMachine extends AnyStateMachine> = StatePath<SnapshotFrom<TMachine>, EventObject>;

/** Options of {@link generatePaths}. */
export interface GeneratePathsOptions<TMachine extends AnyStateMachine> {
  /** The events to try in each snapshot (see `createEventCases`); an array tries the same ones everywhere. */
  events: ((snapshot: SnapshotFrom<TMachine>) => readonly EventObject[]) | readonly EventObject[];
  /**
   * The key that identifies a vertex of the graph. Default: the state value and the status. Add the
   * bounded context flags that change behaviour (a retry budget, a "has token" flag), never unbounded
   * counters: they make the graph infinite.
   */
  serializeState?: (snapshot: SnapshotFrom<TMachine>) => string;
  /** The machine's input. */
  input?: InputFrom<TMachine>;
  /**
   * `'simple'` (default): every cycle-free path to every vertex. `'shortest'`: one shortest path per
   * vertex (covers states, not necessarily transitions). `'transitions'`: a shortest path to each vertex
   * followed by each of its events, so every edge of the graph is taken once.
   */
  strategy?: 'simple' | 'shortest' | 'transitions';
  /** Hand-picked event sequences (loops the strategy leaves out), replayed from the initial state. */
  sequences?: readonly (readonly EventObject[])[];
  /** The maximum number of vertices explored (xstate/graph's `limit`); exceeding it throws. */
  limit?: number;
  /** Drop every path whose events are a prefix of another path's (each step is checked anyway). */
  dropPrefixes?: boolean;
}

const INIT_EVENT: EventObject = { type: 'xstate.init' };

/** The default `serializeState`: the state value and the snapshot's status. */
export function serializeStateValue(snapshot: { value: unknown; status: string }): string {
  return `${JSON.stringify(snapshot.value)} ${snapshot.status}`;
}

interface Candidate {
  events: EventObject[];
  /** The snapshots the graph computed: initial, then one after each event. */
  states: AnyMachineSnapshot[];
}

/**
 * Enumerates paths through `machine` with xstate/graph (`getSimplePaths` / `getShortestPaths`), adds
 * each of `sequences` as one path (the loops a graph search visits once), drops duplicates (same event sequence), and recomputes every
 * step with the pure `transition()` fold from the initial snapshot. The fold is what replays compare
 * against; if it disagrees with the graph, `serializeState` merges snapshots that behave differently
 * and this throws, naming the path.
 */
export function generatePaths<TMachine extends AnyStateMachine>(
  machine: TMachine,
  options: GeneratePathsOptions<TMachine>,
): ModelPath<TMachine>[] {
  const logic: AnyStateMachine = machine;
  // xstate's graph types are those of `AnyStateMachine`; the options are typed for `TMachine`.
  const serialize = (options.serializeState ?? serializeStateValue) as (
    snapshot: AnyMachineSnapshot,
  ) => string;
  const events = options.events as
    | ((snapshot: AnyMachineSnapshot) => readonly EventObject[])
    | readonly EventObject[];
  const [initial] = initialTransition(logic, options.input);
  const traversal = {
    events,
    serializeState: (snapshot: AnyMachineSnapshot) => serialize(snapshot),
    serializeEvent,
    fromState: initial,
    limit: options.limit ?? Number.POSITIVE_INFINITY,
  };
  const fromGraph = (path: StatePath<AnyMachineSnapshot, EventObject>): Candidate => {
    const steps = path.steps[0]?.event.type === INIT_EVENT.type ? path.steps.slice(1) : path.steps;
    return { events: steps.map((step) => step.event), states: [initial, ...steps.map((step) => step.state)] };
  };

  const candidates: Candidate[] = [];
  const strategy = options.strategy ?? 'simple';
  if (strategy === 'simple') {
    candidates.push(...getSimplePaths(logic, traversal).map(fromGraph));
  } else {
    const shortest = getShortestPaths(logic, traversal).map(fromGraph);
    if (strategy === 'shortest') {
      candidates.push(...shortest);
    } else {
      const toVertex = new Map(shortest.map((c) => [serialize(c.states[c.states.length - 1]!), c]));
      const adjacency: AdjacencyMap<AnyMachineSnapshot, EventObject> = getAdjacencyMap(logic, traversal);
      for (const [vertex, { transitions }] of Object.entries(adjacency)) {
        const base = toVertex.get(vertex);
        if (!base) continue;
        const edges = Object.values(transitions) as { event: EventObject; state: AnyMachineSnapshot }[];
        for (const { event, state } of edges) {
          candidates.push({ events: [...base.events, event], states: [...base.states, state] });
        }
      }
    }
  }
  // A sequence is one path as given: folded with the machine's own `transition` below. (xstate's
  // getPathsFromEvents tries each event in every reachable state, and an unhandled error event
  // there leaves a snapshot whose children are stopped, so a later sendTo throws.)
  for (const sequence of options.sequences ?? []) candidates.push({ events: [...sequence], states: [] });

  const unique = dedupe(candidates, options.dropPrefixes ?? false);
  const fold = createFold(logic, initial);
  return unique.map((candidate) => {
    const states = fold(candidate.events);
    states.forEach((state, i) => {
      const graphState = candidate.states[i];
      if (graphState && serialize(graphState) !== serialize(state)) {
        throw new Error(
          `generatePaths: after step ${i} of "${describeEvents(candidate.events)}" the graph holds ` +
            `${serialize(graphState)} but the machine reaches ${serialize(state)}: serializeState merges ` +
            'snapshots that behave differently; add the distinguishing (bounded) context to it',
        );
      }
    });
    const steps = states.map((state, i) => ({
      state,
      event: i === 0 ? INIT_EVENT : candidate.events[i - 1]!,
    }));
    return {
      state: states[states.length - 1]!,
      steps,
      weight: candidate.events.length,
    } as ModelPath<TMachine>;
  });
}

function dedupe(candidates: Candidate[], dropPrefixes: boolean): Candidate[] {
  const byKey = new Map<string, Candidate>();
  for (const candidate of candidates) {
    const key = candidate.events.map(serializeEvent).join('\n');
    if (!byKey.has(key)) byKey.set(key, candidate);
  }
  if (!dropPrefixes) return [...byKey.values()];
  const keys = [...byKey.keys()];
  return keys
    .filter((key) => !keys.some((other) => other !== key && (key === '' || other.startsWith(`${key}\n`))))
    .map((key) => byKey.get(key)!);
}

/** Folds event sequences with the pure `transition()`, sharing the work between common prefixes. */
function createFold(machine: AnyStateMachine, initial: AnyMachineSnapshot) {
  const cache = new Map<string, AnyMachineSnapshot>();
  return (events: readonly EventObject[]): AnyMachineSnapshot[] => {
    const states = [initial];
    let snapshot = initial;
    let key = '';
    for (const event of events) {
      key += `\n${serializeEvent(event)}`;
      let next = cache.get(key);
      if (!next) {
        [next] = transition(machine, snapshot, event);
        cache.set(key, next);
      }
      states.push(next);
      snapshot = next;
    }
    return states;
  };
}

function formatEvent(event: EventObject): string {
  const { type, ...payload } = event as EventObject & Record<string, unknown>;
  const doneId = doneActorId(type);
  const errorId = errorActorId(type);
  let name = type;
  if (doneId !== undefined) {
    name = `done:${doneId}`;
    delete payload.actorId;
  } else if (errorId !== undefined) {
    name = `error:${errorId}`;
    delete payload.actorId;
  } else if (type.startsWith('xstate.after.')) {
    const rest = type.slice('xstate.after.'.length);
    const dot = rest.indexOf('.');
    name = `after:${rest.slice(0, dot)}@${rest.slice(dot + 1)}`;
  }
  const values = Object.entries(payload).filter(([, value]) => value !== undefined);
  if (values.length === 0) return name;
  const json = serializeEvent(Object.fromEntries(values) as EventObject);
  return `${name}${json.length > 60 ? `${json.slice(0, 57)}...` : json}`;
}

function describeEvents(events: readonly EventObject[]): string {
  return events.length === 0 ? '(initial state)' : events.map(formatEvent).join(' → ');
}

/**
 * A one-line description of a path for test names: its events (without `xstate.init`) joined by
 * ` → `, internal events shortened (`done:fetch`, `error:fetch`, `after:retryDelay@machine.waiting`),
 * payloads as compact JSON.
 */
export function describePath(path: {
  readonly steps: ReadonlyArray<{ readonly event: EventObject }>;
}): string {
  const steps = path.steps[0]?.event.type === INIT_EVENT.type ? path.steps.slice(1) : path.steps;
  return describeEvents(steps.map((step) => step.event));
}
