import type { RunnerTestCase, RunnerTestFile } from 'vitest';
import type { Reporter, TestModule } from 'vitest/node';

/**
 * For `npm run mutation` only. A mutant can make a module throw while it loads: a machine whose
 * `initial` state or a transition target no longer exists fails inside `createMachine`, so every
 * test file that imports it fails before it has collected a single test. Stryker's vitest runner
 * judges a mutant by the tests it collected, finds none failing, and reports that mutant as
 * surviving although the suite cannot even load (stryker-js#6150). This reporter gives each test
 * file that failed without collecting a test one failed test carrying the file's own error, so the
 * mutant counts as killed, by that file.
 */
export default class LoadFailureAsFailedTest implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    for (const testModule of testModules) {
      // The runner's task behind the reported module: Stryker reads these same objects afterwards.
      const file = (testModule as unknown as { task: RunnerTestFile }).task;
      if (file.result?.state !== 'fail' || file.tasks.length > 0) continue;
      const loadFailure = {
        type: 'test',
        id: `${file.id}_load`,
        name: 'the test file loads',
        mode: 'run',
        meta: {},
        file,
        suite: file,
        timeout: 0,
        annotations: [],
        artifacts: [],
        result: { state: 'fail', errors: file.result.errors ?? [] },
      };
      // The runner's own test objects carry a context only it can build; nothing reads it after the run.
      file.tasks.push(loadFailure as unknown as RunnerTestCase);
    }
  }
}
