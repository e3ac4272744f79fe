/**
 * Wall time of the model-based suite (`npx vitest run test/model`, as a developer runs it, server
 * start-up included), run several times for a median, and the coverage every suite prints
 * (`<machine>: states a/b, transitions c/d`).
 */
import { spawn } from 'node:child_process';
import { REPO_ROOT } from './bundleSize.js';

export interface ModelSuiteRun {
  wallMs: number;
  passed: boolean;
  /** `vitest: N passed, N failed, N skipped` (test/setup/summaryReporter.ts). */
  summary: string;
  /** One line per machine, as the suites print it. */
  coverage: string[];
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes in vitest's output.
const ANSI = /\u001b\[[0-9;]*m/g;
const COVERAGE_LINE = /^\w+: states \d+\/\d+, transitions \d+\/\d+/;
const SUMMARY_LINE = /^vitest: \d+ passed, \d+ failed, \d+ skipped$/;

export function runModelSuite(): Promise<ModelSuiteRun> {
  const startedAt = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['vitest', 'run', 'test/model'], {
      cwd: REPO_ROOT,
      env: { ...process.env, FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const lines = output
        .replace(ANSI, '')
        .split('\n')
        .map((line) => line.trim());
      resolve({
        wallMs: performance.now() - startedAt,
        passed: code === 0,
        summary: lines.find((line) => SUMMARY_LINE.test(line)) ?? `vitest exited with ${code}`,
        coverage: [...new Set(lines.filter((line) => COVERAGE_LINE.test(line)))].sort(),
      });
    });
  });
}
