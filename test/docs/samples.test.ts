/**
 * Every TypeScript sample in README.md and docs/ (generated pages aside) compiles against the
 * current sources, with the repository's strict options: a renamed option, event or error class
 * breaks this test, not a reader's copy-paste. See `codeSamples.ts` for how samples are found.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type CodeSample, checkSamples, documentedFiles, extractSamples } from './codeSamples.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const samplesOf = (file: string): CodeSample[] => extractSamples(readFileSync(ROOT + file, 'utf8'), file);

describe('code samples in README.md and docs/', () => {
  const files = documentedFiles(ROOT);
  const samples = files.flatMap(samplesOf);

  it('are found in the README and in the guides', () => {
    const withSamples = new Set(samples.map((sample) => sample.file));
    expect(withSamples).toContain('README.md');
    expect(withSamples.size).toBeGreaterThan(5);
  });

  it('all compile', { timeout: 120_000 }, () => {
    const problems = checkSamples(samples, ROOT);
    expect(problems, `${problems.length} sample problem(s):\n${problems.join('\n')}`).toEqual([]);
  });
});

describe('the sample checker', () => {
  const doc = [
    '# Page', // 1
    '', // 2
    '<!-- preamble: declare function show(text: string): void; -->', // 3
    '', // 4
    '```ts', // 5
    "show('fine');", // 6
    'const count: number = show("oops");', // 7
    '```', // 8
    '', // 9
    '```js', // 10
    'not checked at all', // 11
    '```', // 12
    '', // 13
    '- a list item:', // 14
    '', // 15
    '  ```typescript', // 16
    "  import { Events } from 'authcharts';", // 17
    '  const channel: number = Events.login;', // 18
    '  ```', // 19
  ].join('\n');

  it('finds ts and typescript blocks, indented ones too, with their preamble and lines', () => {
    const samples = extractSamples(doc, 'page.md');
    expect(samples.map(({ line, preamble }) => ({ line, preamble: preamble.trim() }))).toEqual([
      { line: 6, preamble: 'declare function show(text: string): void;' },
      { line: 17, preamble: '' },
    ]);
  });

  it('names the document and line of each sample that does not compile', { timeout: 120_000 }, () => {
    const problems = checkSamples(extractSamples(doc, 'page.md'), ROOT);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^page\.md:7: TS2322 .*'void'.*'number'/);
    expect(problems[1]).toMatch(/^page\.md:18: TS2322 .*'number'/);
  });
});
