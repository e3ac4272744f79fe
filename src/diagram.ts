import type { AnyStateMachine, AnyStateNode } from 'xstate';

/** A transition as the diagram needs it: where it starts, where it goes, what triggers it. */
interface Edge {
  source: AnyStateNode;
  /** `undefined`: a targetless transition, drawn as a self-loop. */
  target: AnyStateNode | undefined;
  label: string;
}

/** Words the Mermaid state-diagram grammar reserves; an id equal to one of them gets a `_` suffix. */
const RESERVED = new Set([
  'root',
  'state',
  'note',
  'direction',
  'class',
  'classDef',
  'style',
  'end',
  'as',
  'hide',
]);

/** A Mermaid identifier for a state node: its xstate id with `.` as `__` (other symbols as `_`). */
export function mermaidId(node: AnyStateNode): string {
  const id = node.id.replaceAll('.', '__').replace(/[^A-Za-z0-9_]/g, '_');
  return RESERVED.has(id) ? `${id}_` : id;
}

/**
 * Text Mermaid shows as is: one line, with the characters its grammar reacts to written as entity
 * codes (`#59;`, which Mermaid decodes when rendering). `#` goes first so codes are not re-escaped.
 */
export function escapeMermaid(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[#:;{}"'`<>%[\]|\\]/g, (char) => `#${char.codePointAt(0)};`);
}

/** The event type as a reader wants it: `done: <id>`, `error: <id>`, `after <delay>`, `always`. */
export function eventLabel(eventType: string, source: AnyStateNode): string {
  if (eventType === '') return 'always';
  const done = /^xstate\.done\.actor\.(.+)$/.exec(eventType);
  if (done) return `done: ${done[1]}`;
  const error = /^xstate\.error\.actor\.(.+)$/.exec(eventType);
  if (error) return `error: ${error[1]}`;
  const doneState = /^xstate\.done\.state\.(.+)$/.exec(eventType);
  if (doneState) return 'done';
  const after = /^xstate\.after\.(.+)$/.exec(eventType);
  if (after) {
    const rest = after[1] as string;
    const suffix = `.${source.id}`;
    return `after ${rest.endsWith(suffix) ? rest.slice(0, -suffix.length) : rest}`;
  }
  return eventType;
}

/**
 * The guard's name: a string, a `{ type }` object or a named function (`inline` when anonymous). An
 * arrow written as `guard: () => …` is named `guard` by JavaScript itself, so it is inline too.
 */
function guardName(guard: unknown): string | undefined {
  if (guard === undefined || guard === null) return undefined;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'function') return guard.name && guard.name !== 'guard' ? guard.name : 'inline';
  if (typeof guard === 'object' && 'type' in guard && typeof guard.type === 'string') return guard.type;
  return 'inline';
}

/**
 * `EVENT [guard] — description`: the event, the guard's name when there is one, and the
 * transition's description when it has one (the inspector shows it too). Every part is escaped but
 * the `: ` the short event forms use is kept.
 */
function transitionLabel(
  eventType: string,
  guard: unknown,
  description: string | undefined,
  source: AnyStateNode,
): string {
  const event = eventLabel(eventType, source)
    .split(': ')
    .map((part) => escapeMermaid(part))
    .join(': ');
  const name = guardName(guard);
  const guarded = name === undefined ? event : `${event} [${escapeMermaid(name)}]`;
  return description ? `${guarded} — ${escapeMermaid(description)}` : guarded;
}

const childrenOf = (node: AnyStateNode): AnyStateNode[] => Object.values(node.states) as AnyStateNode[];

/**
 * The block an edge is written in. Mermaid (checked in 11.17) re-parents a state to whichever
 * composite block mentions it last, except the top level: so an edge goes in the block of its ends'
 * common parent when they are siblings (or a self-loop), and at the top level otherwise, where it
 * moves nothing. Children of a parallel state sit in `--` sections, so their edges go top level too.
 * `undefined`: the top level, outside the root.
 */
function placementOf(edge: Edge): AnyStateNode | undefined {
  const parent = edge.source.parent;
  const targetParent = (edge.target ?? edge.source).parent;
  return parent !== undefined && parent === targetParent && parent.type !== 'parallel' ? parent : undefined;
}

function edgesOf(node: AnyStateNode): Edge[] {
  const edges: Edge[] = [];
  const add = (
    transitions: readonly {
      target?: readonly AnyStateNode[] | undefined;
      guard?: unknown;
      description?: string | undefined;
      eventType: string;
    }[],
  ) => {
    for (const transition of transitions) {
      const label = transitionLabel(transition.eventType, transition.guard, transition.description, node);
      const targets = transition.target && transition.target.length > 0 ? transition.target : [undefined];
      for (const target of targets) edges.push({ source: node, target, label });
    }
  };
  for (const transitions of node.transitions.values()) add(transitions);
  if (node.always) add(node.always.map((transition) => ({ ...transition, eventType: '' })));
  for (const child of childrenOf(node)) edges.push(...edgesOf(child));
  return edges;
}

function edgeLine(edge: Edge): string {
  const source = mermaidId(edge.source);
  const target = edge.target === undefined ? source : mermaidId(edge.target);
  return `${source} --> ${target} : ${edge.label}`;
}

/**
 * A state's declaration, its description and invoked actors, and (for a compound or parallel
 * state) its block with children and the edges placed in it.
 */
function renderState(
  node: AnyStateNode,
  placed: Map<AnyStateNode | undefined, Edge[]>,
  indent: string,
): string[] {
  const id = mermaidId(node);
  const name = `state "${escapeMermaid(node.key)}" as ${id}`;
  const children = childrenOf(node);
  // Mermaid refuses a description on a composite state ("Group nodes can only have label"): a
  // composite's details are `%%` comments (plain text, one line), kept in the source but not drawn.
  const detail =
    children.length === 0
      ? (text: string) => `${indent}${id} : ${escapeMermaid(text)}`
      : (text: string) => `${indent}%% ${id}: ${text.replace(/\s+/g, ' ').trim()}`;
  const details: string[] = [];
  if (node.description) details.push(detail(node.description));
  const invoked = node.invoke.map((definition) => definition.id);
  if (invoked.length > 0) details.push(detail(`invokes ${invoked.join(', ')}`));

  if (children.length === 0) return [`${indent}${name}`, ...details];

  const inner = `${indent}  `;
  const body: string[] = [];
  if (node.type === 'parallel') {
    children.forEach((child, index) => {
      if (index > 0) body.push(`${inner}--`);
      body.push(...renderState(child, placed, inner));
    });
  } else {
    for (const initial of node.initial.target) body.push(`${inner}[*] --> ${mermaidId(initial)}`);
    for (const child of children) body.push(...renderState(child, placed, inner));
    for (const child of children) {
      if (child.type === 'final') body.push(`${inner}${mermaidId(child)} --> [*]`);
    }
    for (const edge of placed.get(node) ?? []) body.push(`${inner}${edgeLine(edge)}`);
  }
  return [`${indent}${name} {`, ...body, `${indent}}`, ...details];
}

/**
 * A Mermaid `stateDiagram-v2` of an xstate v5 machine. The root is drawn as a composite state so
 * the machine's own transitions (and a parallel root's `--` sections) have somewhere to go. Output is
 * deterministic: states and transitions in the order the machine config lists them.
 */
export function toMermaid(machine: AnyStateMachine): string {
  const root = machine.root as AnyStateNode;
  const placed = new Map<AnyStateNode | undefined, Edge[]>();
  for (const edge of edgesOf(root)) {
    const block = placementOf(edge);
    placed.set(block, [...(placed.get(block) ?? []), edge]);
  }
  const lines = [
    'stateDiagram-v2',
    `  [*] --> ${mermaidId(root)}`,
    ...renderState(root, placed, '  '),
    ...(placed.get(undefined) ?? []).map((edge) => `  ${edgeLine(edge)}`),
  ];
  return `${lines.join('\n')}\n`;
}
