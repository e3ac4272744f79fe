import { describe, expect, it } from 'vitest';
import { type AnyEventObject, createMachine, fromPromise, not, setup } from 'xstate';
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
  it.each(['root', 'state', 'note', 'direction', 'class', 'classDef', 'style', 'end', 'as', 'hide'])(
    'suffixes the Mermaid keyword %s with _ when a state id equals it',
    (word) => {
      const machine = createMachine({ id: word, initial: 'a', states: { a: {} } });
      const text = toMermaid(machine);
      expect(text).toContain(`  [*] --> ${word}_\n`);
      expect(text).toContain(`  state "${word}" as ${word}_ {\n`);
    },
  );

  it('keeps an id that only contains a keyword as it is', () => {
    const text = toMermaid(createMachine({ id: 'ending', initial: 'a', states: { a: {} } }));
    expect(text).toContain('  [*] --> ending\n');
  });
});

describe('toMermaid guards', () => {
  // A guard factory returns an anonymous function; `function isAdmin` keeps its name.
  const hasRole =
    (role: string) =>
    ({ event }: { event: AnyEventObject }) =>
      event.role === role;
  const guards = setup({
    guards: { hasScope: (_args, params: { scope: string }) => params.scope.length > 0 },
  }).createMachine({
    id: 'guards',
    initial: 'start',
    states: {
      start: {
        on: {
          NAMED: {
            guard: function isAdmin() {
              return true;
            },
            target: 'done',
          },
          FACTORY: { guard: hasRole('admin'), target: 'done' },
          ARROW: { guard: ({ event }) => event.type === 'ARROW', target: 'done' },
          OBJECT: { guard: { type: 'hasScope', params: { scope: 'admin' } }, target: 'done' },
          HELPER: { guard: not({ type: 'hasScope', params: { scope: 'admin' } }), target: 'done' },
        },
      },
      done: {},
    },
  });
  const text = toMermaid(guards);

  it('names a function guard by its function name, and an anonymous or arrow one inline', () => {
    expect(text).toContain('    guards__start --> guards__done : NAMED [isAdmin]\n');
    expect(text).toContain('    guards__start --> guards__done : FACTORY [inline]\n');
    // JavaScript names an arrow after the property it is written in: that is no name of the guard's.
    expect(text).toContain('    guards__start --> guards__done : ARROW [inline]\n');
  });

  it('names an object guard by its type, and a guard helper by the helper', () => {
    expect(text).toContain('    guards__start --> guards__done : OBJECT [hasScope]\n');
    expect(text).toContain('    guards__start --> guards__done : HELPER [not]\n');
  });

  it('treats a null guard as no guard, as xstate does, and still marks a guard it cannot name', () => {
    // Plain-JavaScript configs: a guard switched off with null, and a guard object whose type
    // constant was misspelled (undefined), which xstate only rejects when it evaluates it.
    const machine = createMachine({
      id: 'js',
      initial: 'a',
      states: {
        a: {
          on: {
            OFF: { guard: null as never, target: 'b' },
            ODD: { guard: { type: undefined, params: { scope: 'admin' } } as never, target: 'b' },
          },
        },
        b: {},
      },
    });
    const js = toMermaid(machine);
    expect(js).toContain('    js__a --> js__b : OFF\n');
    expect(js).toContain('    js__a --> js__b : ODD [inline]\n');
  });
});

describe('toMermaid placement and labels', () => {
  const machine = createMachine({
    id: 'app',
    initial: 'checking',
    on: { LOG: { actions: () => undefined } },
    states: {
      checking: {
        description: `
          Asks the server
          whether the session is valid
        `,
        initial: 'remote',
        states: {
          remote: { on: { VALID: 'verified' } },
          verified: { type: 'final' },
        },
        onDone: 'ready',
      },
      waiting: {
        initial: 'polling',
        states: { polling: { after: { 5000: '#app.ready' } } },
      },
      ready: {
        description: '\n  Signed in.\n',
        type: 'parallel',
        on: { NOOP: { target: [] } },
        states: {
          upload: { on: { PROGRESS: { actions: () => undefined } } },
          presence: { description: '\n  Online or away.\n' },
        },
      },
    },
  });
  const text = toMermaid(machine);
  const appLines = text.split('\n');

  it('labels a compound state’s onDone transition as done', () => {
    expect(appLines).toContain('    app__checking --> app__ready : done');
  });

  it('draws the root’s targetless transitions as a self-loop at the top level', () => {
    expect(appLines).toContain('  app --> app : LOG');
  });

  it('draws a targetless transition of a parallel region at the top level, not in the parallel block', () => {
    expect(appLines).toContain('  app__ready__upload --> app__ready__upload : PROGRESS');
  });

  it('draws a transition with an empty target list as a self-loop', () => {
    expect(appLines).toContain('    app__ready --> app__ready : NOOP');
  });

  it('draws a compound state whose children only leave it, with nothing placed in its block', () => {
    const start = appLines.indexOf('    state "waiting" as app__waiting {');
    expect(appLines.slice(start, start + 4)).toEqual([
      '    state "waiting" as app__waiting {',
      '      [*] --> app__waiting__polling',
      '      state "polling" as app__waiting__polling',
      '    }',
    ]);
    expect(appLines).toContain('  app__waiting__polling --> app__ready : after 5000');
  });

  it('writes multi-line descriptions on one line without surrounding whitespace, as text or comment', () => {
    expect(appLines).toContain('    %% app__checking: Asks the server whether the session is valid');
    expect(appLines).toContain('    %% app__ready: Signed in.');
    expect(appLines).toContain('      app__ready__presence : Online or away.');
  });

  it('leaves a user event that only contains an xstate event type as it is', () => {
    const relay = createMachine({
      id: 'relay',
      initial: 'a',
      states: {
        a: {
          on: {
            'child.xstate.done.actor.fetch': 'b',
            'child.xstate.error.actor.fetch': 'b',
            'child.xstate.done.state.relay.a': 'b',
            'child.xstate.after.500.relay.a': 'b',
          },
        },
        b: {},
      },
    });
    const labels = toMermaid(relay)
      .split('\n')
      .filter((line) => line.startsWith('    relay__a --> relay__b : '))
      .map((line) => line.slice('    relay__a --> relay__b : '.length));
    expect(labels).toEqual([
      'child.xstate.done.actor.fetch',
      'child.xstate.error.actor.fetch',
      'child.xstate.done.state.relay.a',
      'child.xstate.after.500.relay.a',
    ]);
  });
});
