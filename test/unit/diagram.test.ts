import { describe, expect, it } from 'vitest';
import { createMachine, fromPromise, setup } from 'xstate';
import { escapeMermaid, toMermaid } from '../../src/diagram.js';

const toy = setup({
  actors: { fetchThing: fromPromise(async () => 1) },
  guards: { isReady: () => true, isBroken: () => false },
  delays: { patience: 1000 },
}).createMachine({
  id: 'toy',
  description: 'The root: not drawn as a description',
  initial: 'idle',
  on: { RESET: { target: '.idle' } },
  states: {
    idle: {
      description: 'Wait: {a; b} #1 "quoted" `code`\n  second line',
      always: { guard: 'isReady', target: 'working' },
      on: { PING: { actions: () => undefined } },
    },
    working: {
      type: 'parallel',
      states: {
        left: {
          initial: 'fetching',
          states: {
            fetching: {
              invoke: {
                id: 'fetchThing',
                src: 'fetchThing',
                onDone: { target: 'fetched' },
                onError: { guard: 'isBroken', target: '#toy.broken' },
              },
            },
            fetched: { type: 'final' },
          },
        },
        right: {
          initial: 'ticking',
          states: {
            ticking: {
              after: {
                patience: { target: 'ticking', reenter: true },
                500: { target: 'done', description: 'Half a second: {enough}' },
              },
            },
            done: {},
          },
        },
      },
    },
    broken: { type: 'final' },
  },
});

const lines = toMermaid(toy).split('\n');

describe('toMermaid', () => {
  it('starts a stateDiagram-v2 with the root as a composite state entered from [*]', () => {
    expect(lines.slice(0, 4)).toEqual([
      'stateDiagram-v2',
      '  [*] --> toy',
      '  state "toy" as toy {',
      '    [*] --> toy__idle',
    ]);
  });

  it('nests compound and parallel states, separating parallel regions with --', () => {
    const working = lines.indexOf('    state "working" as toy__working {');
    expect(working).toBeGreaterThan(0);
    expect(lines.slice(working, working + 4)).toEqual([
      '    state "working" as toy__working {',
      '      state "left" as toy__working__left {',
      '        [*] --> toy__working__left__fetching',
      '        state "fetching" as toy__working__left__fetching',
    ]);
    const separator = lines.indexOf('      --');
    expect(separator).toBeGreaterThan(working);
    expect(lines[separator + 1]).toBe('      state "right" as toy__working__right {');
  });

  it('marks final states with --> [*] in their parent block', () => {
    expect(lines).toContain('        toy__working__left__fetched --> [*]');
    expect(lines).toContain('    toy__broken --> [*]');
  });

  it('shortens done, error, after and always events and adds guard names', () => {
    expect(lines).toContain(
      '        toy__working__left__fetching --> toy__working__left__fetched : done: fetchThing',
    );
    expect(lines).toContain('    toy__idle --> toy__working : always [isReady]');
    expect(lines).toContain(
      '        toy__working__right__ticking --> toy__working__right__ticking : after patience',
    );
  });

  it('adds a transition’s description after its event and guard, escaped like a state’s', () => {
    expect(lines).toContain(
      '        toy__working__right__ticking --> toy__working__right__done : after 500 — Half a second#58; #123;enough#125;',
    );
  });

  it('draws a targetless transition as a self-loop', () => {
    expect(lines).toContain('    toy__idle --> toy__idle : PING');
  });

  it('writes sibling edges in their parent block and edges across levels at the top level', () => {
    // Mermaid moves a state into whichever composite block mentions it last, except the top level.
    expect(lines).toContain('  toy__working__left__fetching --> toy__broken : error: fetchThing [isBroken]');
    expect(lines).toContain('  toy --> toy__idle : RESET');
    expect(lines.indexOf('  toy --> toy__idle : RESET')).toBeGreaterThan(lines.indexOf('  }'));
    expect(lines).toContain(
      '        toy__working__right__ticking --> toy__working__right__done : after 500 — Half a second#58; #123;enough#125;',
    );
    expect(lines.at(-1)).toBe('');
  });

  it('writes descriptions on one line with the characters Mermaid reacts to as entity codes', () => {
    expect(lines).toContain(
      '    toy__idle : Wait#58; #123;a#59; b#125; #35;1 #34;quoted#34; #96;code#96; second line',
    );
    expect(escapeMermaid('a:b;c')).toBe('a#58;b#59;c');
  });

  it('keeps a composite state’s description and invocations as comments (Mermaid rejects them)', () => {
    expect(lines).toContain('  %% toy: The root: not drawn as a description');
    expect(lines).toContain('        toy__working__left__fetching : invokes fetchThing');
  });

  it('is deterministic', () => {
    expect(toMermaid(toy)).toBe(toMermaid(toy));
  });

  it('makes ids Mermaid accepts from custom state ids', () => {
    const machine = createMachine({
      id: 'state',
      initial: 'a',
      states: { a: { id: 'my-id', on: { GO: 'b' } }, b: {} },
    });
    const text = toMermaid(machine);
    expect(text).toContain('  [*] --> state_\n');
    expect(text).toContain('    state "a" as my_id\n');
    expect(text).toContain('    my_id --> state__b : GO\n');
  });
});
