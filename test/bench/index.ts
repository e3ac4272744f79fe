/**
 * `npm run bench`: measures what SPEC §8 promises and prints one table; the full run also writes
 * docs/benchmarks.md, so every number there comes from this command. Progress goes to stderr.
 * `--quick` runs every section with a fraction of the samples, to try the harness (nothing is
 * written). The library is measured from its sources (see bundleSize.ts for why that equals dist/).
 *
 * Run with `node --expose-gc --import tsx test/bench/index.ts` (the leak section needs `gc()`).
 */
import { writeFileSync } from 'node:fs';
import { startAuthorizationServer } from '../fixtures/authorizationServer.js';
import { measureAllBundles, REPO_ROOT } from './bundleSize.js';
import { facadeScenario, machineScenarios } from './leaks/cycles.js';
import { measureLeaks } from './leaks/measure.js';
import { runModelSuite } from './modelSuite.js';
import { measureOverheadInChromium } from './redirect/chromium.js';
import { nodePage } from './redirect/nodePage.js';
import { profileFacade } from './redirect/profile.js';
import { measureOverhead } from './redirect/sequences.js';
import { type BenchResults, benchmarksMarkdown, collectMeta, summaryTable } from './report.js';
import { REDIRECT_URI, SCENARIOS } from './requests/scenarios.js';

const quick = process.argv.includes('--quick');

/** How many samples each section takes: the full run takes 3–5 minutes on 2 cores, most of it leaks and the model suite. */
const PLAN = quick
  ? {
      requestRuns: 1,
      node: { rounds: 5, warmupRounds: 1, iterations: 5 },
      chromium: { rounds: 3, warmupRounds: 1, iterations: 3 },
      profileCallbacks: 50,
      machineCycles: 200,
      facadeCycles: 50,
      warmupCycles: 20,
      modelRuns: 1,
      modelBudgetMs: 0,
    }
  : {
      requestRuns: 3,
      node: { rounds: 40, warmupRounds: 5, iterations: 20 },
      chromium: { rounds: 25, warmupRounds: 5, iterations: 10 },
      profileCallbacks: 400,
      machineCycles: 10_000,
      facadeCycles: 1_000,
      warmupCycles: 300,
      modelRuns: 3,
      modelBudgetMs: 150_000,
    };

const progress = (message: string) => process.stderr.write(`bench: ${message}\n`);

async function requestCounts(): Promise<BenchResults['requests']> {
  const server = await startAuthorizationServer({ redirectUris: [REDIRECT_URI] });
  try {
    const runs: BenchResults['requests'] = [];
    for (let run = 0; run < PLAN.requestRuns; run++) {
      for (const { name, run: scenario } of SCENARIOS) {
        progress(`requests: ${name} (run ${run + 1}/${PLAN.requestRuns})`);
        for (const row of await scenario(server)) runs.push({ ...row, scenario: name, run });
      }
    }
    return runs;
  } finally {
    await server.stop();
  }
}

async function leaks(): Promise<BenchResults['leaks']> {
  const results: BenchResults['leaks'] = [];
  for (const scenario of machineScenarios()) {
    progress(`leaks: ${scenario.name}`);
    results.push(await measureLeaks(scenario, PLAN.machineCycles, PLAN.warmupCycles));
  }
  const facade = facadeScenario();
  progress(`leaks: ${facade.name}`);
  results.push(await measureLeaks(facade, PLAN.facadeCycles, PLAN.warmupCycles));
  return results;
}

/**
 * Up to `modelRuns` runs of the model suite, at least two (a median, not a single run) when not
 * quick, but no third one that would take the bench past its budget: the suite grows.
 */
async function modelSuite(): Promise<BenchResults['model']> {
  const runs: BenchResults['model'] = [];
  let spent = 0;
  for (let run = 0; run < PLAN.modelRuns; run++) {
    const expected = spent / Math.max(1, run);
    if (run >= 2 && spent + expected > PLAN.modelBudgetMs) break;
    progress(`model suite (run ${run + 1}/${PLAN.modelRuns})`);
    const result = await runModelSuite();
    spent += result.wallMs;
    runs.push(result);
  }
  return runs;
}

/** Seconds each section took, for the budget (about five minutes on 2 cores). */
const sectionSeconds: Record<string, number> = {};

async function timed<T>(section: string, run: () => Promise<T>): Promise<T> {
  const startedAt = performance.now();
  const result = await run();
  sectionSeconds[section] = (performance.now() - startedAt) / 1000;
  return result;
}

async function main() {
  const startedAt = performance.now();
  progress('bundle sizes');
  const bundles = await timed('bundle sizes', measureAllBundles);
  const requests = await timed('request counts', requestCounts);
  progress('redirect overhead in Node');
  const node = await timed('redirect overhead, Node', () => measureOverhead(nodePage(), PLAN.node));
  const profile = await timed('redirect profile, Node', () =>
    profileFacade(nodePage(), PLAN.profileCallbacks),
  );
  progress('redirect overhead in Chromium');
  const chromium = await timed('redirect overhead, Chromium', () => measureOverheadInChromium(PLAN.chromium));
  const leakResults = await timed('leaks', leaks);
  const model = await timed('model suite', modelSuite);
  const results: BenchResults = {
    meta: collectMeta(chromium.browserVersion, (performance.now() - startedAt) / 1000, sectionSeconds),
    plan: PLAN,
    bundles,
    requests,
    overhead: { node, chromium, profile },
    leaks: leakResults,
    model,
  };
  process.stdout.write(`${summaryTable(results)}\n`);
  if (quick) {
    progress('--quick: docs/benchmarks.md left as it is');
  } else {
    writeFileSync(`${REPO_ROOT}docs/benchmarks.md`, benchmarksMarkdown(results));
    progress(`wrote docs/benchmarks.md in ${Math.round(results.meta.seconds)} s`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : error}\n`);
  process.exit(1);
});
