import { describe, expect, it } from 'vitest';
import { assign, createMachine, type EventObject, emit, fromPromise, type SnapshotFrom, setup } from 'xstate';
import {
  afterEvent,
  createCoverage,
  createEventCases,
  describePath,
  doneEvent,
  errorEvent,
  generatePaths,
  type Invocation,
  type ModelPath,
  replayPath,
} from '../../src/testing/index.js';
import { serializeEvent, stateValuesEqual } from '../../src/testing/serialize.js';
import { maxAttempts, type ThingResult, toyMachine } from './fixtures/toyMachine.js';

type ToySnapshot = SnapshotFrom<typeof toyMachine>;
type ToyPath = ModelPath<typeof toyMachine>;

const events = createEventCases<ToySnapshot>({
  user: (snapshot) =>
    snapshot.matches('idle')
      ? [
          { type: 'SEARCH', query: 'cats' },
          { type: 'SEARCH', query: '  ' },
        ]
      : [],
  done: {
    fetch: [{ found: true, thing: 'cat' } satisfies ThingResult, { found: false } satisfies ThingResult],
  },
  errors: { fetch: ['offline', 'forbidden'] },
});

/** The retry budget changes behaviour, so it is part of the key; it is bounded by `maxAttempts`. */
const serializeState = (snapshot: ToySnapshot) =>
  `${JSON.stringify(snapshot.value)} ${snapshot.status} attempts=${snapshot.context.attempts}`;

const paths = generatePaths(toyMachine, { events, serializeState });
const coverage = createCoverage(toyMachine);

/** Paths replayed so far (the coverage test replays any that a `-t` filter skipped). */
const replayed = new Set<ToyPath>();

const active = (invocations: readonly Invocation[]) => invocations.filter((i) => i.status === 'active');

/** Replays one path, asserting in every state what the machine's user would observe. */
async function replayToy(path: ToyPath) {
  let previous: ToySnapshot | undefined;
  let waits = 0;
  const replay = await replayPath(toyMachine, path, {
    inspect: coverage.inspect,
    onStep: (step, actor, { invocations, pendingTimers }) => {
      const state = step.state;
      const context = state.context;
      const entered = (value: Parameters<ToySnapshot['matches']>[0]) =>
        state.matches(value) && !previous?.matches(value);
      expect(actor.getSnapshot().context).toEqual(context);

      // A request goes out exactly when `fetching` is entered, with the query and attempt number.
      const fetches = step.invocations.filter((i) => i.src === 'fetchThing');
      expect(fetches).toEqual(
        entered({ busy: 'fetching' })
          ? [
              {
                id: 'fetch',
                src: 'fetchThing',
                input: { query: 'cats', attempt: context.attempts },
                received: [],
                status: 'active',
              },
            ]
          : [],
      );
      // The watcher runs for exactly as long as `busy` is active.
      const watchers = step.invocations.filter((i) => i.src === 'watcher');
      expect(watchers.map((i) => i.input)).toEqual(entered('busy') ? [{ query: 'cats' }] : []);
      expect(active(invocations).map((i) => i.id)).toEqual(
        state.matches('busy') ? ['watcher', ...(state.matches({ busy: 'fetching' }) ? ['fetch'] : [])] : [],
      );

      // Only `waiting` holds a timer: the retry delay, doubling with each attempt, announced to the watcher.
      if (entered({ busy: 'waiting' })) waits++;
      expect(pendingTimers()).toEqual(
        state.matches({ busy: 'waiting' })
          ? [
              {
                eventType: 'xstate.after.retryDelay.toy.busy.waiting',
                delay: 1000 * 2 ** (context.attempts - 1),
                target: actor.id,
              },
            ]
          : [],
      );
      if (state.matches('busy')) {
        expect(active(invocations).find((i) => i.src === 'watcher')?.received).toEqual(
          Array.from({ length: waits }, () => ({ type: 'retrying' })),
        );
      } else {
        waits = 0;
      }

      // Emitted events: `found` on success, `gaveUp` when the retry budget is spent.
      const gaveUp = state.matches('failed') && step.event.type !== 'WATCH_LOST' && previous?.matches('busy');
      expect(step.emitted).toEqual(
        entered('done')
          ? [{ type: 'found', thing: 'cat' }]
          : gaveUp && context.attempts >= maxAttempts
            ? [{ type: 'gaveUp', attempts: maxAttempts }]
            : [],
      );
      if (state.matches('done')) {
        expect(actor.getSnapshot().status).toBe('done');
        expect(actor.getSnapshot().output).toEqual({ thing: 'cat' });
      }
      previous = state;
    },
  });
  replay.stop();
  expect(replay.pendingTimers()).toEqual([]);
  expect(active(replay.invocations)).toEqual([]);
  replayed.add(path);
  return replay;
}

describe('model-based harness on the toy machine', () => {
  it('generates a bounded set of distinct paths', () => {
    expect(paths.length).toBeGreaterThan(10);
    expect(paths.length).toBeLessThan(200);
    const keys = paths.map((path) => JSON.stringify(path.steps.map((step) => step.event)));
    expect(new Set(keys).size).toBe(keys.length);
    for (const path of paths) {
      expect(path.steps[0]?.event).toEqual({ type: 'xstate.init' });
      expect(path.state).toBe(path.steps[path.steps.length - 1]?.state);
    }
  });

  it.each(paths.map((path) => [describePath(path), path] as const))('replays %s', async (_name, path) => {
    await replayToy(path);
  });

  it('reaches every state and transition', async () => {
    for (const path of paths) if (!replayed.has(path)) await replayToy(path);
    console.log(`${coverage.summary('toy')} (${paths.length} paths)`);
    const { states, transitions } = coverage.report();
    expect(states.missing).toEqual([]);
    expect(transitions.missing).toEqual([]);
    expect(states.total).toBe(7);
    expect(transitions.total).toBe(11);
    expect(coverage.summary('toy')).toBe('toy: states 7/7, transitions 11/11');
  });
});

describe('event cases', () => {
  const initial = paths[0]!.steps[0]!.state;
  const at = (value: string) => {
    const path = paths.find((p) => JSON.stringify(p.state.value) === value)!;
    return path.state;
  };

  it('adds payload cases, discovered events, done/error cases of active invokes and due delays', () => {
    expect(events(initial)).toEqual([
      { type: 'SEARCH', query: 'cats' },
      { type: 'SEARCH', query: '  ' },
    ]);
    expect(events(at('{"busy":"fetching"}'))).toEqual([
      { type: 'CANCEL' },
      { type: 'WATCH_LOST' },
      doneEvent('fetch', { found: true, thing: 'cat' }),
      doneEvent('fetch', { found: false }),
      errorEvent('fetch', 'offline'),
      errorEvent('fetch', 'forbidden'),
    ]);
    // No `done` for the watcher: nothing handles it. The delay keeps its name.
    expect(events(at('{"busy":"waiting"}'))).toEqual([
      { type: 'CANCEL' },
      { type: 'WATCH_LOST' },
      { type: 'xstate.after.retryDelay.toy.busy.waiting' },
    ]);
    expect(afterEvent('retryDelay', 'toy.busy.waiting')).toEqual({
      type: 'xstate.after.retryDelay.toy.busy.waiting',
    });
    expect(afterEvent(500, 'x.y')).toEqual({ type: 'xstate.after.500.x.y' });
    expect(doneEvent('fetch', 1)).toEqual({ type: 'xstate.done.actor.fetch', output: 1, actorId: 'fetch' });
    expect(errorEvent('fetch', 'e')).toEqual({
      type: 'xstate.error.actor.fetch',
      error: 'e',
      actorId: 'fetch',
    });
  });

  it('gives an invoke without output cases one done event, once, when its state handles it', () => {
    const machine = setup({ actors: { load: fromPromise(async () => 1) } }).createMachine({
      id: 'm',
      type: 'parallel',
      states: {
        a: {
          invoke: { id: 'load', src: 'load', onDone: '.ok' },
          initial: 'wait',
          states: { wait: {}, ok: {} },
        },
        b: { initial: 'wait', states: { wait: { on: { PING: 'wait' } } } },
        c: { initial: 'wait', states: { wait: { on: { PING: 'wait' } } } },
      },
    });
    const [start] = generatePaths(machine, { events: createEventCases(), strategy: 'shortest' });
    // PING is handled by two regions, and also listed twice by the test: it is still one case.
    const user = () => [{ type: 'PING' }, { type: 'PING' }];
    expect(createEventCases({ user })(start!.state)).toEqual([
      { type: 'PING' },
      doneEvent('load', undefined),
    ]);
  });

  it('describes paths in one line', () => {
    const path = paths.find((p) => p.state.matches('done') && p.steps.length === 3)!;
    expect(describePath(path)).toBe(
      'SEARCH{"query":"cats"} → done:fetch{"output":{"found":true,"thing":"cat"}}',
    );
    expect(describePath(paths.find((p) => p.steps.length === 1)!)).toBe('(initial state)');
    const retry = paths.find((p) => p.steps.some((s) => s.event.type.startsWith('xstate.after.')))!;
    expect(describePath(retry)).toContain('after:retryDelay@toy.busy.waiting');
  });
});

describe('describePath', () => {
  const describeEvents = (...events: object[]) =>
    describePath({
      steps: [
        { event: { type: 'xstate.init' } },
        ...events.map((event) => ({ event: event as EventObject })),
      ],
    });

  it('names an actor error by its actor and shows the error by name and message', () => {
    expect(describeEvents(errorEvent('fetch', new TypeError('boom')))).toBe(
      'error:fetch{"error":{"error":"TypeError","message":"boom"}}',
    );
  });

  it('leaves out payload fields that are undefined', () => {
    expect(describeEvents({ type: 'PICK', a: undefined, b: 1 })).toBe('PICK{"b":1}');
    expect(describeEvents({ type: 'PICK', a: undefined })).toBe('PICK');
  });

  it('takes a path with or without its initial step, and an empty one', () => {
    expect(describePath({ steps: [{ event: { type: 'A' } }] })).toBe('A');
    expect(describePath({ steps: [] })).toBe('(initial state)');
  });

  it('cuts a payload longer than 60 characters, and only such a payload', () => {
    const sixty = `{"q":"${'y'.repeat(52)}"}`;
    expect(sixty).toHaveLength(60);
    expect(describeEvents({ type: 'Q', q: 'y'.repeat(52) })).toBe(`Q${sixty}`);
    expect(describeEvents({ type: 'Q', q: 'y'.repeat(53) })).toBe(`Q{"q":"${'y'.repeat(51)}...`);
  });
});

describe('limit', () => {
  it('stops a search that would visit more states than the limit, saying so', () => {
    expect(() => generatePaths(toyMachine, { events, serializeState, limit: 2 })).toThrow(
      'Traversal limit exceeded',
    );
  });
});

describe('dropPrefixes', () => {
  it('keeps only the paths that no other path extends, and loses no step', () => {
    const eventsOf = (path: (typeof paths)[number]) =>
      path.steps.slice(1).map((step) => serializeEvent(step.event));
    const isExtendedBy = (long: string[], short: string[]) =>
      long.length > short.length && short.every((event, i) => long[i] === event);
    const longest = generatePaths(toyMachine, { events, serializeState, dropPrefixes: true }).map(eventsOf);
    expect(longest.length).toBeGreaterThan(0);
    expect(longest.length).toBeLessThan(paths.length);
    for (const kept of longest) expect(longest.some((other) => isExtendedBy(other, kept))).toBe(false);
    for (const path of paths.map(eventsOf)) {
      expect(longest.some((kept) => kept.join() === path.join() || isExtendedBy(kept, path))).toBe(true);
    }
  });
});

describe('path strategies', () => {
  it('"shortest" gives one path per vertex, "transitions" takes every edge and still covers everything', async () => {
    const shortest = generatePaths(toyMachine, { events, serializeState, strategy: 'shortest' });
    const vertices = new Set(paths.map((p) => serializeState(p.state)));
    expect(shortest).toHaveLength(vertices.size);

    const edges = generatePaths(toyMachine, {
      events,
      serializeState,
      strategy: 'transitions',
      dropPrefixes: true,
    });
    const edgeCoverage = createCoverage(toyMachine);
    for (const path of edges) {
      const replay = await replayPath(toyMachine, path, { inspect: edgeCoverage.inspect });
      replay.stop();
    }
    expect(edgeCoverage.summary('toy (transitions)')).toBe(
      'toy (transitions): states 7/7, transitions 11/11',
    );
    expect(edges.length).toBeLessThan(paths.length);
  });

  it('appends hand-picked sequences (loops), deduplicated', async () => {
    const loop = [
      { type: 'SEARCH', query: 'cats' },
      { type: 'CANCEL' },
      { type: 'SEARCH', query: 'cats' },
      { type: 'CANCEL' },
    ];
    const existing = paths[paths.length - 1]!.steps.slice(1).map((step) => step.event);
    const withLoops = generatePaths(toyMachine, { events, serializeState, sequences: [loop, existing] });
    expect(withLoops).toHaveLength(paths.length + 1);
    const looped = withLoops[withLoops.length - 1]!;
    expect(looped.steps.map((step) => step.state.value)).toEqual([
      'idle',
      { busy: 'fetching' },
      'idle',
      { busy: 'fetching' },
      'idle',
    ]);
    const replay = await replayToy(looped);
    expect(replay.invocations.map((i) => `${i.src}:${i.status}`)).toEqual([
      'watcher:stopped',
      'fetchThing:stopped',
      'watcher:stopped',
      'fetchThing:stopped',
    ]);
  });

  it('refuses a serializeState that merges snapshots which behave differently', () => {
    const flagged = setup({
      types: {
        context: {} as { flag: boolean },
        events: {} as { type: 'A' } | { type: 'B' } | { type: 'GO' },
      },
    }).createMachine({
      id: 'flagged',
      context: { flag: false },
      initial: 'start',
      states: {
        start: { on: { A: { target: 'mid', actions: assign({ flag: true }) }, B: 'mid' } },
        mid: { on: { GO: [{ guard: ({ context }) => context.flag, target: 'yes' }, { target: 'no' }] } },
        yes: {},
        no: {},
      },
    });
    const options = { events: [{ type: 'A' }, { type: 'B' }, { type: 'GO' }] } as const;
    // Keyed on the value alone, `mid` after A and `mid` after B are one vertex, but GO tells them apart.
    expect(() => generatePaths(flagged, options)).toThrow(
      'generatePaths: after step 2 of "B → GO" the graph holds "yes" active but the machine reaches "no" active: ' +
        'serializeState merges snapshots that behave differently; add the distinguishing (bounded) context to it',
    );
    const exact = generatePaths(flagged, {
      ...options,
      serializeState: (snapshot) => `${JSON.stringify(snapshot.value)} flag=${snapshot.context.flag}`,
    });
    expect(exact.map(describePath)).toEqual(expect.arrayContaining(['A → GO', 'B → GO']));
    expect(exact.find((p) => describePath(p) === 'B → GO')?.state.value).toBe('no');
  });
});

describe('replay failures are clear', () => {
  const toDone = paths.find((p) => p.state.matches('done') && p.steps.length === 3)!;
  /** `toDone`, but claiming that its last step ends in `failed`. */
  const tampered: ToyPath = {
    ...toDone,
    steps: toDone.steps.map((step, i) =>
      i === toDone.steps.length - 1 ? { ...step, state: { ...step.state, value: 'failed' } } : step,
    ),
  };

  it('names the step, event, expected and actual state when the actor diverges', async () => {
    await expect(replayPath(toyMachine, tampered)).rejects.toThrow(
      'replayPath: step 2 (xstate.done.actor.fetch) of "SEARCH{"query":"cats"} → done:fetch{"output":{"found":true,"thing":"cat"}}": ' +
        'expected "failed" (done) but the actor is in "done" (done)',
    );
  });

  it('fails when the path fires a delay that is not scheduled', async () => {
    const initial = toDone.steps[0]!;
    const early: ToyPath = {
      ...toDone,
      steps: [initial, { event: afterEvent('retryDelay', 'toy.busy.waiting'), state: initial.state }],
    };
    await expect(replayPath(toyMachine, early)).rejects.toThrow(
      /step 1 \(xstate\.after\.retryDelay\.toy\.busy\.waiting\).*no timer is scheduled for this event \(pending: none\)/,
    );
  });

  it('fails when the path settles an actor that is not running', async () => {
    const initial = toDone.steps[0]!;
    const early: ToyPath = {
      ...toDone,
      steps: [initial, { event: doneEvent('fetch', { found: true }), state: initial.state }],
    };
    await expect(replayPath(toyMachine, early)).rejects.toThrow(
      /step 1 \(xstate\.done\.actor\.fetch\).*no actor with invoke id "fetch" is running \(running: none\)/,
    );
  });

  it('lists the timers that are pending when the path fires another one', async () => {
    const waiting = paths.find((p) => p.state.matches({ busy: 'waiting' }))!;
    const wrong: ToyPath = {
      ...waiting,
      steps: [
        ...waiting.steps,
        { event: afterEvent('otherDelay', 'toy.busy.waiting'), state: waiting.state },
      ],
    };
    await expect(replayPath(toyMachine, wrong)).rejects.toThrow(
      /no timer is scheduled for this event \(pending: xstate\.after\.retryDelay\.toy\.busy\.waiting\)$/,
    );
  });

  it('says why when the actor itself failed (a guard threw), and keeps the error as the cause', async () => {
    const broken = toyMachine.provide({
      guards: {
        hasQuery: () => {
          throw new Error('guard exploded');
        },
      },
    });
    const failure = await replayPath(broken, toDone).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(
      /^replayPath: step 1 \(SEARCH\) .*but the actor is in "idle" \(error\) \(actor error: Error: .*guard exploded.*\)$/s,
    );
    expect(String((failure as Error).cause)).toContain('guard exploded');
  });

  it('gives no cause when the actor is healthy and only went elsewhere', async () => {
    const failure = (await replayPath(toyMachine, tampered).catch((error: unknown) => error)) as Error;
    expect(failure.message).toMatch(/but the actor is in "done" \(done\)$/);
    expect(failure.cause).toBeUndefined();
  });

  it('rejects unknown actor sources', async () => {
    await expect(replayPath(toyMachine, toDone, { actors: ['nope'] })).rejects.toThrow(
      'replayPath: "nope" is not an actor source of the machine (it has: fetchThing, watcher)',
    );
  });
});

describe('comparing state values', () => {
  // How replay tells that the actor went elsewhere than the model said.
  it.each<[unknown, unknown, boolean]>([
    ['idle', 'idle', true],
    [{ auth: { waiting: 'retry' } }, { auth: { waiting: 'retry' } }, true],
    ['idle', 'loading', false],
    [{ auth: 'idle' }, { auth: 'busy' }, false],
    [{ auth: 'idle' }, 'auth', false],
    ['auth', { auth: 'idle' }, false],
    [{ auth: 'idle' }, { auth: 'idle', sync: 'on' }, false],
    [null, {}, false],
    [{}, null, false],
  ])('%j and %j are the same: %s', (a, b, same) => {
    expect(stateValuesEqual(a, b)).toBe(same);
  });
});

describe('manual clock', () => {
  const twin = createMachine({
    id: 'twin',
    type: 'parallel',
    states: {
      a: { initial: 'wait', states: { wait: { after: { 1000: 'over' } }, over: {} } },
      b: { initial: 'wait', states: { wait: { after: { 1000: 'over' } }, over: {} } },
    },
  });

  it('fires exactly the timer of the path event, not another one with the same delay', async () => {
    const [path] = generatePaths(twin, {
      events: createEventCases(),
      strategy: 'shortest',
      sequences: [[afterEvent(1000, 'twin.b.wait')]],
    }).filter((p) => describePath(p) === 'after:1000@twin.b.wait');
    const replay = await replayPath(twin, path!);
    expect(replay.actor.getSnapshot().value).toEqual({ a: 'wait', b: 'over' });
    expect(replay.pendingTimers()).toEqual([
      { eventType: 'xstate.after.1000.twin.a.wait', delay: 1000, target: replay.actor.id },
    ]);
    replay.stop();
    expect(replay.pendingTimers()).toEqual([]);
  });

  it('lists every pending timer when the path fires one that is not scheduled', async () => {
    const [initial] = generatePaths(twin, { events: createEventCases(), strategy: 'shortest' })[0]!.steps;
    const wrong = {
      state: initial!.state,
      steps: [initial!, { event: afterEvent(500, 'twin.a.wait'), state: initial!.state }],
    };
    await expect(replayPath(twin, wrong as ModelPath<typeof twin>)).rejects.toThrow(
      '(pending: xstate.after.1000.twin.a.wait, xstate.after.1000.twin.b.wait)',
    );
  });
});

describe('steps and hooks', () => {
  const bootMachine = setup({
    types: { emitted: {} as { type: 'booted' } | { type: 'loaded' } },
    actors: { load: fromPromise<string>(async () => 'never called: replaced by a stand-in') },
  }).createMachine({
    id: 'boot',
    initial: 'loading',
    entry: emit({ type: 'booted' }),
    states: {
      loading: {
        invoke: { id: 'load', src: 'load', onDone: { target: 'ready', actions: emit({ type: 'loaded' }) } },
      },
      ready: { type: 'final' },
    },
  });
  const [bootPath] = generatePaths(bootMachine, { events: createEventCases(), strategy: 'shortest' }).filter(
    (p) => p.state.matches('ready'),
  );

  it('gives the initial step what starting the actor emitted and invoked, and calls beforeStep only for later steps', async () => {
    const seen: { index: number; emitted: string[]; invoked: string[] }[] = [];
    const before: number[] = [];
    const replay = await replayPath(bootMachine, bootPath!, {
      beforeStep: (step) => {
        before.push(step.index);
      },
      onStep: (step) => {
        seen.push({
          index: step.index,
          emitted: step.emitted.map((event) => event.type),
          invoked: step.invocations.map((invocation) => invocation.src),
        });
      },
    });
    expect(seen).toEqual([
      { index: 0, emitted: ['booted'], invoked: ['load'] },
      { index: 1, emitted: ['loaded'], invoked: [] },
    ]);
    expect(before).toEqual([1]);
    replay.stop();
  });

  it('waits for an asynchronous beforeStep before performing the step', async () => {
    const log: string[] = [];
    const replay = await replayPath(bootMachine, bootPath!, {
      beforeStep: async (step) => {
        await new Promise((resolve) => setTimeout(resolve, 0));
        log.push(`before ${step.index}`);
      },
      onStep: (step) => {
        log.push(`step ${step.index}`);
      },
    });
    expect(log).toEqual(['step 0', 'before 1', 'step 1']);
    replay.stop();
  });
});

describe('real actors', () => {
  it('waits for a provided (real) actor instead of settling a stand-in', async () => {
    let answer: ((result: ThingResult) => void) | undefined;
    const requests: unknown[] = [];
    const replay = await replayPath(
      toyMachine,
      paths.find((p) => p.state.matches('done') && p.steps.length === 3)!,
      {
        provide: {
          actors: {
            fetchThing: fromPromise<ThingResult, { query: string; attempt: number }>(({ input }) => {
              requests.push(input);
              return new Promise((resolve) => {
                answer = resolve;
              });
            }),
          },
        },
        beforeStep: (step) => {
          if (step.event.type === 'xstate.done.actor.fetch') answer?.({ found: true, thing: 'real cat' });
        },
      },
    );
    expect(requests).toEqual([{ query: 'cats', attempt: 0 }]);
    expect(replay.actor.getSnapshot().output).toEqual({ thing: 'real cat' });
    expect(replay.invocations.map((i) => i.src)).toEqual(['watcher']);
    replay.stop();
  });

  const found = () => paths.find((p) => p.state.matches('done') && p.steps.length === 3)!;
  const withFetch = (fetchThing: () => Promise<ThingResult>) => ({
    provide: {
      actors: { fetchThing: fromPromise<ThingResult, { query: string; attempt: number }>(fetchThing) },
    },
  });

  it('fails clearly when a real actor ends otherwise than the path says', async () => {
    let fail: (error: Error) => void = () => {};
    await expect(
      replayPath(toyMachine, found(), {
        ...withFetch(() => new Promise((_, reject) => (fail = reject))),
        beforeStep: (step) => {
          if (step.event.type === 'xstate.done.actor.fetch') fail(new Error('offline'));
        },
      }),
    ).rejects.toThrow('real actor "fetch" ended "error", the path expects "done"');
  });

  it('accepts a real actor that fails where the path expects it to fail', async () => {
    const offline = paths.find(
      (p) => describePath(p) === 'SEARCH{"query":"cats"} → error:fetch{"error":"offline"}',
    )!;
    let fail: (error: unknown) => void = () => {};
    const replay = await replayPath(toyMachine, offline, {
      ...withFetch(() => new Promise((_, reject) => (fail = reject))),
      beforeStep: (step) => {
        if (step.event.type === 'xstate.error.actor.fetch') fail('offline');
      },
    });
    expect(replay.actor.getSnapshot().value).toEqual({ busy: 'waiting' });
    replay.stop();
  });

  it('fails clearly when a real actor does not settle', async () => {
    await expect(
      replayPath(
        toyMachine,
        found(),
        withFetch(() => new Promise(() => {})),
      ),
    ).rejects.toThrow('actor "fetch" is a real actor (not a stand-in) and did not settle');
  });

  it('refuses a source that is both provided and replaced by a stand-in', async () => {
    await expect(
      replayPath(toyMachine, found(), {
        ...withFetch(() => new Promise(() => {})),
        actors: ['fetchThing'],
      }),
    ).rejects.toThrow('replayPath: actor source "fetchThing" is both provided and replaced by a stand-in');
  });
});

describe('coverage', () => {
  it('reports unreachable states and their transitions as missing', async () => {
    const unreachable = createMachine({
      id: 'unreach',
      initial: 'a',
      states: {
        a: { on: { GO: 'b' } },
        b: {},
        orphan: { on: { BACK: 'a' } },
        stray: { on: { BACK: 'a' } },
      },
    });
    const partial = createCoverage(unreachable);
    for (const path of generatePaths(unreachable, { events: createEventCases() })) {
      (await replayPath(unreachable, path, { inspect: partial.inspect })).stop();
    }
    const report = partial.report();
    expect(report.states).toEqual({ covered: 2, total: 4, missing: ['unreach.orphan', 'unreach.stray'] });
    expect(report.transitions).toEqual({
      covered: 1,
      total: 3,
      missing: ['unreach.orphan:BACK#0', 'unreach.stray:BACK#0'],
    });
    expect(partial.summary('unreach')).toBe(
      'unreach: states 2/4, transitions 1/3 (missing states: unreach.orphan, unreach.stray; missing transitions: unreach.orphan:BACK#0, unreach.stray:BACK#0)',
    );
  });
});
