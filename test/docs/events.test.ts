import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import { getStateNodes } from 'xstate/graph';
import { authorizationMachine } from '../../machines/authorization.js';
import { deviceAuthorizationMachine } from '../../machines/deviceAuthorization.js';
import { loginMachine } from '../../machines/login.js';
import { redirectMachine } from '../../machines/redirect.js';
import { sessionMachine } from '../../machines/session.js';

const machines: AnyStateMachine[] = [
  authorizationMachine,
  deviceAuthorizationMachine,
  loginMachine,
  redirectMachine,
  sessionMachine,
];

/** A context and event rich enough for every emit expression to build its payload. */
const sample = {
  context: {
    token: { access_token: 'x', token_type: 'Bearer', scope: 's', expires: 1 },
    lastError: new Error('sample'),
    loginUrl: 'https://as.example/authorize',
    options: {},
    device: { userCode: 'U', verificationUri: 'https://as.example/verify' },
    error: new Error('sample'),
  },
  event: { type: 'LOGIN', options: {}, announce: true, output: { outcome: 'authorized', response: {} } },
};

const nameOf = (value: unknown): string | undefined => {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && 'type' in value) return String((value as { type: unknown }).type);
  return undefined;
};

/** Every transition of every machine that runs an `emit…` action, as table rows. */
function rowsFromMachines(): string[] {
  const rows: string[] = [];
  for (const machine of machines) {
    const nodes: AnyStateNode[] = [machine.root, ...getStateNodes(machine.root)];
    for (const node of nodes) {
      const transitions = [...node.transitions.values()].flat().concat(node.always ?? []);
      for (const transition of transitions) {
        for (const action of transition.actions) {
          const name = nameOf(action);
          if (!name?.startsWith('emit')) continue;
          type Emitted = { type: string; eventType: string };
          const implementation = machine.implementations.actions[name] as unknown as {
            event: Emitted | ((args: typeof sample) => Emitted);
          };
          const emitted =
            typeof implementation.event === 'function' ? implementation.event(sample) : implementation.event;
          const state = node.path.join('.');
          const guard = nameOf(transition.guard) ?? '';
          rows.push(
            [
              machine.id,
              state,
              transition.eventType,
              guard,
              name,
              `${emitted.type} · ${emitted.eventType}`,
            ].join(' | '),
          );
        }
      }
    }
  }
  return rows.sort();
}

function rowsFromDoc(): string[] {
  const text = readFileSync(new URL('../../docs/events.md', import.meta.url), 'utf8');
  const section = text.slice(text.indexOf('## Transition → event'));
  return section
    .split('\n')
    .filter((line) => line.startsWith('|') && !/^\|\s*machine\s*\|/.test(line) && !/^\|[\s-|]+$/.test(line))
    .map((line) =>
      line
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim())
        .join(' | '),
    )
    .sort();
}

describe('docs/events.md', () => {
  it.skipIf(!process.env.PRINT_EVENT_ROWS)('prints the rows (PRINT_EVENT_ROWS=1)', () => {
    console.log(
      rowsFromMachines()
        .map((row) => `| ${row} |`)
        .join('\n'),
    );
  });

  it('lists exactly the transitions that emit events, with the event each emits', () => {
    expect(rowsFromDoc()).toEqual(rowsFromMachines());
  });

  it('documents every eventType that a machine emits in the channel table', () => {
    const text = readFileSync(new URL('../../docs/events.md', import.meta.url), 'utf8');
    for (const row of rowsFromMachines()) {
      const [channel, eventType] = (row.split(' | ').at(-1) ?? '').split(' · ');
      expect(text).toMatch(new RegExp(`\\| \`${channel}\` +\\| \`${eventType}\` +\\|`));
    }
  });
});
