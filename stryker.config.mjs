// @ts-check
/**
 * `npm run mutation` (docs/mutation.md). A whole run takes hours on two cores, so a run can be
 * narrowed to one folder or file, and each target keeps its own report and incremental file, so
 * finished targets are kept however a later run ends:
 *
 *   MUTATE=actors npm run mutation                 → reports/mutation/actors.json
 *   MUTATE=machines/redirect.ts npm run mutation   → reports/mutation/machines-redirect.json
 *
 * `npm run mutation:report` then counts every report under reports/mutation/.
 */

/** The code under test: the package's own modules, minus pure re-exports and the test harness. */
const EVERYTHING = [
  'machines/**/*.ts',
  'actors/**/*.ts',
  'src/**/*.ts',
  '!src/testing/**',
  '!src/index.ts',
  '!machines/index.ts',
];

const target = process.env.MUTATE?.replace(/\/+$/, '');

/** @param {string} folder */
const inFolder = (folder) =>
  EVERYTHING.filter((pattern) => pattern.replace(/^!/, '').startsWith(`${folder}/`));

const mutate = !target ? EVERYTHING : target.endsWith('.ts') ? [target] : inFolder(target);
if (mutate.length === 0)
  throw new Error(`MUTATE=${target}: not a folder or .ts file under machines/, actors/ or src/`);

const name = target ? target.replace(/\.ts$/, '').replaceAll('/', '-') : 'all';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
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
