// @ts-check
/**
 * `npm run mutation` (docs/mutation.md). A whole run takes hours on two cores, so a run can be
 * narrowed to one folder or file, and each target keeps its own report and incremental file, so
 * finished targets are kept however a later run ends:
 *
 *   MUTATE=actors npm run mutation                 → reports/mutation/actors.json
 *   MUTATE=machines/redirect.ts npm run mutation   → reports/mutation/machines-redirect.json
 *   MUTATE=src/config.ts,src/token.ts npm run mutation → reports/mutation/src-config+src-token.json
 *   MUTATE=src/a.ts,src/b.ts,… MUTATE_NAME=src-small npm run mutation → reports/mutation/src-small.json
 *
 * `npm run mutation:report` then counts every report under reports/mutation/.
 */

/**
 * The code under test: every module the package ships, including `authcharts/testing` (users
 * generate their own tests with it, so a mutant there that still lets our suites pass is a gap),
 * minus the entry points that only re-export.
 */
const EVERYTHING = [
  'machines/**/*.ts',
  'actors/**/*.ts',
  'src/**/*.ts',
  '!src/index.ts',
  '!src/testing/index.ts',
  '!machines/index.ts',
];

const targets = (process.env.MUTATE ?? '')
  .split(',')
  .map((target) => target.trim().replace(/\/+$/, ''))
  .filter(Boolean);

const ROOTS = ['machines', 'actors', 'src'];
const EXCLUDED = EVERYTHING.filter((pattern) => pattern.startsWith('!'));

/** @param {string} target a folder or a .ts file under machines/, actors/ or src/ */
const patternFor = (target) => {
  if (!ROOTS.some((root) => target === root || target.startsWith(`${root}/`)))
    throw new Error(`MUTATE=${target}: not a folder or .ts file under machines/, actors/ or src/`);
  return target.endsWith('.ts') ? target : `${target}/**/*.ts`;
};

// The exclusions go last: Stryker applies the patterns in order, so a later one wins.
const mutate = targets.length === 0 ? EVERYTHING : [...targets.map(patternFor), ...EXCLUDED];

const name =
  process.env.MUTATE_NAME ||
  (targets.length === 0
    ? 'all'
    : targets.map((target) => target.replace(/\.ts$/, '').replaceAll('/', '-')).join('+'));

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'vitest',
  // A mutant runs only the test files that import its file (directly or not): a test that never
  // loads the code cannot notice it. A static mutant would otherwise run the whole suite. Test files
  // that load code by a computed path must also import it statically (test/docs/diagrams.test.ts).
  vitest: { configFile: 'vitest.mutation.config.ts', related: true },
  checkers: [],
  coverageAnalysis: 'perTest',
  mutate,
  // The machines are built when their modules load: with ignoreStatic on, Stryker would activate
  // those mutants too late and count them as surviving (docs/mutation.md).
  ignoreStatic: false,
  concurrency: 2,
  timeoutMS: 20_000,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  clearTextReporter: { logTests: false, maxTestsToLog: 0 },
  thresholds: { high: 90, low: 85, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  incremental: true,
  incrementalFile: `reports/stryker-incremental-${name}.json`,
};
