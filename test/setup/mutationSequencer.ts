import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Test-file order for `npm run mutation` only. Stryker runs each mutant with `bail: 1`, so a mutant
 * costs as long as it takes to reach the first failing test. Vitest's own order runs the longest
 * files first (good for a full suite on many workers, bad here): a static mutant (one chosen while
 * a module loads, such as a machine's config) runs the whole suite and would wait for the slowest
 * integration and property files before the quick model test that kills it. This order runs the
 * file that failed last first (neighbouring mutants tend to die in the same file), then the rest
 * from fastest to slowest, timed by the first full run (Stryker's dry run), because later runs stop
 * early and would make every file look fast.
 */
export default class MutationSequencer extends BaseSequencer {
  private readonly fullRunDurations = new Map<string, number>();

  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const results = this.ctx.cache;
    const keyOf = (file: TestSpecification): string =>
      `${file.project.name}:${relative(this.ctx.config.root, file.moduleId)}`;
    for (const file of files) {
      const key = keyOf(file);
      const last = results.getFileTestResults(key);
      if (last !== undefined && !this.fullRunDurations.has(key))
        this.fullRunDurations.set(key, last.duration);
    }
    const failedLast = (file: TestSpecification): number =>
      results.getFileTestResults(keyOf(file))?.failed === true ? 0 : 1;
    const duration = (file: TestSpecification): number =>
      this.fullRunDurations.get(keyOf(file)) ?? Number.POSITIVE_INFINITY;
    return [...files].sort((a, b) => failedLast(a) - failedLast(b) || duration(a) - duration(b));
  }
}
