/**
 * Type-checks the TypeScript code samples of Markdown documents, so a sample cannot drift from
 * the API it shows. Every ```ts / ```typescript block becomes one module of a single TypeScript
 * program (fast: the library is checked once), compiled with the repository's strict options,
 * where `authcharts`, `authcharts/webex`, `authcharts/testing` and `authcharts/machines` resolve to
 * the sources behind the package's `exports`. The modules are virtual: nothing is written to disk.
 *
 * A sample that needs names it does not define (an Express `app`, a page's own function) takes
 * them from a preamble: an HTML comment right before the fence, invisible on GitHub:
 *
 *     <!-- preamble: declare function showQrCode(uri: string): void; -->
 *
 * A block that is not meant to compile uses another fence language (```js, ```sh …).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';

/** One TypeScript block of a Markdown document. */
export interface CodeSample {
  /** The document, relative to the repository root. */
  readonly file: string;
  /** The 1-based line of the document where the code starts (after the opening fence). */
  readonly line: number;
  readonly code: string;
  /** Declarations from a `<!-- preamble: … -->` comment before the fence ('' if none). */
  readonly preamble: string;
  /** The 1-based line of the preamble comment, if any. */
  readonly preambleLine: number | undefined;
}

const TS_FENCE = /^(\s*)(`{3,})\s*(ts|typescript)(\s.*)?$/;
const ANY_FENCE = /^(\s*)(`{3,}|~{3,})/;
const PREAMBLE_START = /^\s*<!--\s*preamble:?/;

/** The TypeScript samples of one Markdown document, with their positions. */
export function extractSamples(markdown: string, file: string): CodeSample[] {
  const lines = markdown.split('\n');
  const samples: CodeSample[] = [];
  let preamble: { text: string; line: number } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (PREAMBLE_START.test(line)) {
      const start = i;
      const parts = [line.replace(PREAMBLE_START, '')];
      while (!parts.at(-1)?.includes('-->') && i + 1 < lines.length) parts.push(lines[++i] ?? '');
      const text = parts.join('\n');
      preamble = { text: text.slice(0, text.lastIndexOf('-->')), line: start + 1 };
      continue;
    }
    const open = ANY_FENCE.exec(line);
    if (!open) {
      // A preamble belongs to the block right after it (blank lines aside).
      if (line.trim() !== '') preamble = undefined;
      continue;
    }
    const [, indent = '', fence = '```'] = open;
    const isTs = TS_FENCE.test(line);
    const body: string[] = [];
    const start = i + 1;
    while (i + 1 < lines.length) {
      const next = lines[++i] ?? '';
      if (next.trim().startsWith(fence) && next.trim().replace(/[`~]/g, '') === '') break;
      body.push(next.startsWith(indent) ? next.slice(indent.length) : next.trimStart());
    }
    if (isTs) {
      samples.push({
        file,
        line: start + 1,
        code: body.join('\n'),
        preamble: preamble?.text ?? '',
        preambleLine: preamble?.line,
      });
    }
    preamble = undefined;
  }
  return samples;
}

/** `exports` of package.json mapped to the sources they are built from (`./dist/src/x.d.ts` → `src/x.ts`). */
export function sourcePathsOfExports(root: string): Record<string, string[]> {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    name: string;
    exports: Record<string, string | { types?: string }>;
  };
  const paths: Record<string, string[]> = {};
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    const types = typeof target === 'string' ? undefined : target.types;
    if (!types?.endsWith('.d.ts')) continue;
    const source = types.replace(/^\.\/dist\//, './').replace(/\.d\.ts$/, '.ts');
    paths[subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`] = [join(root, source)];
  }
  return paths;
}

function compilerOptions(root: string): ts.CompilerOptions {
  const configPath = join(root, 'tsconfig.json');
  const config = ts.readConfigFile(configPath, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, dirname(configPath));
  return {
    ...parsed.options,
    noEmit: true,
    declaration: false,
    sourceMap: false,
    // Samples show one thing; a destructured value they do not use is not a mistake.
    noUnusedLocals: false,
    noUnusedParameters: false,
    moduleDetection: ts.ModuleDetectionKind.Force,
    baseUrl: root,
    paths: sourcePathsOfExports(root),
  };
}

/**
 * Type-checks `samples` in one program and returns one line per problem, naming the document and
 * line (`docs/flows/popup.md:42: TS2345 …`); `[]` when every sample compiles.
 */
export function checkSamples(samples: readonly CodeSample[], root: string): string[] {
  const options = compilerOptions(root);
  // Virtual modules beside the tests, so the repository's package.json (type: module) applies.
  const virtualDir = join(root, 'test', 'docs', '.samples');
  const byPath = new Map<string, { sample: CodeSample; text: string; preambleLines: number }>();
  samples.forEach((sample, index) => {
    const name = `${sample.file.replace(/[^A-Za-z0-9]+/g, '_')}_${sample.line}_${index}.ts`;
    const preamble = sample.preamble ? `${sample.preamble}\n` : '';
    byPath.set(join(virtualDir, name), {
      sample,
      text: preamble + sample.code,
      preambleLines: preamble === '' ? 0 : preamble.split('\n').length - 1,
    });
  });

  const host = ts.createCompilerHost(options, true);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (path) => byPath.has(path) || fileExists.call(host, path);
  host.readFile = (path) => byPath.get(path)?.text ?? readFile.call(host, path);
  host.getSourceFile = (path, languageVersion, onError, shouldCreate) => {
    const virtual = byPath.get(path);
    return virtual
      ? ts.createSourceFile(path, virtual.text, languageVersion, true)
      : getSourceFile.call(host, path, languageVersion, onError, shouldCreate);
  };

  const program = ts.createProgram([...byPath.keys()], options, host);
  const located: Array<{ order: number; line: number; text: string }> = [];
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    if (!diagnostic.file) {
      located.push({ order: -1, line: 0, text: `(compiler options): TS${diagnostic.code} ${message}` });
      continue;
    }
    const virtual = byPath.get(diagnostic.file.fileName);
    // Problems inside the library are for its own type check (npm run typecheck) to report.
    if (!virtual) continue;
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
    const { sample, preambleLines } = virtual;
    const where =
      line < preambleLines
        ? `${sample.file}:${sample.preambleLine} (preamble)`
        : `${sample.file}:${sample.line + line - preambleLines}`;
    const source = virtual.text.split('\n')[line]?.trim() ?? '';
    located.push({
      order: samples.indexOf(sample),
      line,
      text: `${where}: TS${diagnostic.code} ${message}\n    ${source}`,
    });
  }
  // In the order of the documents, so the report reads top to bottom.
  return located.sort((a, b) => a.order - b.order || a.line - b.line).map((problem) => problem.text);
}

/** The documents whose samples are checked: README.md and docs/**\/*.md but the generated ones. */
export function documentedFiles(root: string): string[] {
  const generated = ['docs/machines/', 'docs/api/'];
  const docs = ts.sys
    .readDirectory(join(root, 'docs'), ['.md'], undefined, ['**/*.md'])
    .map((path) => relative(root, path).split('\\').join('/'))
    .filter((path) => !generated.some((prefix) => path.startsWith(prefix)));
  return ['README.md', ...docs.sort()];
}
