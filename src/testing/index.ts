/**
 * Model-based testing for XState v5 machines that invoke actors and use delays (`authcharts/testing`).
 *
 * `createTestModel` from xstate/graph refuses such machines, so: enumerate paths with
 * {@link generatePaths} (events from {@link createEventCases}), replay each on a real actor with
 * {@link replayPath} (settleable stand-ins for the actors, a manual clock for the delays), and measure
 * {@link createCoverage} through the replay's `inspect`.
 *
 * @example
 * ```ts
 * const coverage = createCoverage(machine);
 * const paths = generatePaths(machine, { events: createEventCases({ done: { fetch: [{ ok: true }] } }) });
 * for (const path of paths) {
 *   test(describePath(path), async () => {
 *     const replay = await replayPath(machine, path, { inspect: coverage.inspect });
 *     replay.stop();
 *     expect(replay.pendingTimers()).toEqual([]);
 *   });
 * }
 * afterAll(() => console.log(coverage.summary('machine')));
 * ```
 *
 * @module authcharts/testing
 */
export type { PendingTimer } from './clock.js';
export { type Coverage, type CoverageCount, type CoverageReport, createCoverage } from './coverage.js';
export {
  type AfterEvent,
  afterEvent,
  createEventCases,
  type DoneActorEvent,
  doneEvent,
  type ErrorActorEvent,
  type EventCasesOptions,
  errorEvent,
} from './events.js';
export {
  describePath,
  type GeneratePathsOptions,
  generatePaths,
  type ModelPath,
  serializeStateValue,
} from './paths.js';
export { type Replay, type ReplayOptions, type ReplayStep, replayPath } from './replay.js';
export type { Invocation } from './standIns.js';
