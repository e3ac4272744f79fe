/**
 * The suite every `*.real.test.ts` declares: one test per path (selected by `selectRealPaths`),
 * grouped like the stand-in suite, and a last test that replays any path a `-t` filter left out,
 * prints what ran on the real actors and what was skipped and why, and fails when a named reason
 * to skip is stale or when no path ran to its end.
 */
import { describe, expect, it } from 'vitest';
import type { EventObject } from 'xstate';
import { describePath } from '../../../src/testing/index.js';
import type { RealRunReport } from './realRunReport.js';
import type { RealRun } from './replayOnRealActors.js';
import { replaysEveryPath, selectRealPaths } from './selectPaths.js';

interface PathLike {
  readonly steps: readonly { readonly event: EventObject }[];
}

export interface RealRunsSpec<TSuite, TPath extends PathLike> {
  /** The describe block's title. */
  title: string;
  /** The machine's name in the printed summary. */
  machine: string;
  suites: readonly TSuite[];
  nameOf(suite: TSuite): string;
  pathsOf(suite: TSuite): readonly TPath[];
  /** How many paths the machine's model has. */
  pathCount: number;
  report: RealRunReport;
  replay(suite: TSuite, path: TPath): Promise<RealRun>;
  /** Registers `beforeEach`/`afterEach` hooks (fake interval timers), inside the describe block. */
  hooks?(): void;
}

export function describeRealRuns<TSuite, TPath extends PathLike>(spec: RealRunsSpec<TSuite, TPath>): void {
  const attempted = new Set<TPath>();
  const run = async (suite: TSuite, path: TPath) => {
    attempted.add(path);
    spec.report.add(await spec.replay(suite, path));
  };
  describe(spec.title, () => {
    spec.hooks?.();
    for (const suite of spec.suites) {
      describe(spec.nameOf(suite), () => {
        const paths = selectRealPaths(spec.pathsOf(suite));
        it.each(paths.map((path) => [describePath(path), path] as const))('%s', async (_name, path) => {
          await run(suite, path);
        });
      });
    }

    it('runs every path on the real actors, up to the steps they cannot take', async () => {
      for (const suite of spec.suites) {
        for (const path of selectRealPaths(spec.pathsOf(suite)))
          if (!attempted.has(path)) await run(suite, path);
      }
      console.log(spec.report.summary(spec.machine, spec.pathCount));
      // A reason no path needs is stale (a selection of the paths may not meet them all).
      if (replaysEveryPath()) expect(spec.report.unused(), 'named reasons that no path needs').toEqual([]);
      expect(spec.report.complete, 'paths that ran to their end on the real actors').toBeGreaterThan(0);
    });
  });
}
