import type {
  AnyMachineSnapshot,
  AnyStateMachine,
  AnyStateNode,
  AnyTransitionDefinition,
  InspectionEvent,
} from 'xstate';
import { getStateNodes } from 'xstate/graph';

/** Covered and total items of one kind, and the ids of those not covered. */
export interface CoverageCount {
  /** How many were reached. */
  readonly covered: number;
  /** How many the machine defines. */
  readonly total: number;
  /** The ids of those not reached. */
  readonly missing: readonly string[];
}

/** What the inspected actors reached of the machine's definition. */
export interface CoverageReport {
  /** State nodes below the root (the root is always active, so it is not counted), by state node id. */
  readonly states: CoverageCount;
  /**
   * Transitions of every state node, the root included: each entry of `node.transitions` (`on`,
   * `onDone`, invoke `onDone`/`onError`/`onSnapshot`, `after`) and of `node.always`, one per
   * guarded branch, as `<source id>:<event type | always>#<index in its list>`.
   */
  readonly transitions: CoverageCount;
}

/** Measures how much of a machine the inspected actors exercised. */
export interface Coverage {
  /** Inspection observer: pass it as `inspect` to `replayPath` (or `createActor`), for every run. */
  readonly inspect: (event: InspectionEvent) => void;
  /** The coverage so far. */
  report(): CoverageReport;
  /** `<name>: states a/b, transitions c/d`, plus the missing ids when something is not covered. */
  summary(name: string): string;
}

/** The coverage id of `transition`, or `undefined` if it does not belong to its source node. */
function transitionId(transition: AnyTransitionDefinition): string | undefined {
  const source: AnyStateNode = transition.source;
  const always = source.always?.indexOf(transition) ?? -1;
  if (always >= 0) return `${source.id}:always#${always}`;
  const index = source.transitions.get(transition.eventType)?.indexOf(transition) ?? -1;
  return index >= 0 ? `${source.id}:${transition.eventType}#${index}` : undefined;
}

function definitionOf(machine: AnyStateMachine): { states: string[]; transitions: string[] } {
  const descendants = getStateNodes(machine.root);
  const transitions: string[] = [];
  for (const node of [machine.root, ...descendants]) {
    for (const [eventType, list] of node.transitions) {
      for (const i of list.keys()) transitions.push(`${node.id}:${eventType}#${i}`);
    }
    for (const i of (node.always ?? []).keys()) transitions.push(`${node.id}:always#${i}`);
  }
  return { states: descendants.map((node) => node.id), transitions };
}

function count(all: readonly string[], seen: ReadonlySet<string>): CoverageCount {
  const missing = all.filter((id) => !seen.has(id));
  return { covered: all.length - missing.length, total: all.length, missing };
}

/**
 * Coverage of `machine` = its definition (state nodes from `getStateNodes`, transitions from
 * `node.transitions` and `node.always`) against what inspected actors running it took: the states of
 * every `@xstate.snapshot` (which includes the initial one) and `@xstate.microstep` (which includes
 * transient states left by `always`), and the transitions of every microstep. Only actors whose logic
 * is `machine` (or a `machine.provide(...)` of it) count, so children and other machines in the same
 * system are ignored.
 */
export function createCoverage(machine: AnyStateMachine): Coverage {
  const definition = definitionOf(machine);
  const seenStates = new Set<string>();
  const seenTransitions = new Set<string>();
  const runsMachine = (ref: unknown) => {
    const logic = (ref as { logic?: { config?: unknown } }).logic;
    return logic !== undefined && logic.config === machine.config;
  };

  const inspect = (event: InspectionEvent): void => {
    if (event.type !== '@xstate.microstep' && event.type !== '@xstate.snapshot') return;
    if (!runsMachine(event.actorRef)) return;
    for (const node of (event.snapshot as AnyMachineSnapshot)._nodes ?? []) seenStates.add(node.id);
    if (event.type === '@xstate.microstep') {
      for (const transition of event._transitions) {
        const id = transitionId(transition);
        if (id !== undefined) seenTransitions.add(id);
        // A transient state (left by `always` in the same macrostep, e.g. an initial check) is in
        // no snapshot; that a transition left it proves it was entered.
        for (let node: AnyStateNode | undefined = transition.source; node; node = node.parent) {
          if (node !== transition.source.machine.root) seenStates.add(node.id);
        }
      }
    }
  };

  const report = (): CoverageReport => ({
    states: count(definition.states, seenStates),
    transitions: count(definition.transitions, seenTransitions),
  });

  return {
    inspect,
    report,
    summary: (name) => {
      const { states, transitions } = report();
      const line = `${name}: states ${states.covered}/${states.total}, transitions ${transitions.covered}/${transitions.total}`;
      const missing = [
        states.missing.length ? `missing states: ${states.missing.join(', ')}` : '',
        transitions.missing.length ? `missing transitions: ${transitions.missing.join(', ')}` : '',
      ].filter(Boolean);
      return missing.length ? `${line} (${missing.join('; ')})` : line;
    },
  };
}
