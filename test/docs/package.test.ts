/**
 * What `npm publish` would ship, checked on the output of `npm pack` (the build runs first in
 * `npm test`): only the built library (`dist/src`, `dist/machines`, `dist/actors`: JavaScript and
 * declarations, every file reachable from an entry point), the README, the licence and
 * package.json; no tests, source maps, docs or API reference. `publint --strict` and
 * `@arethetypeswrong/cli` (profile `esm-only`: the package ships no CommonJS on purpose) must
 * find nothing. `npm run check:package` runs the same two tools by hand.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  exports: Record<string, string | { types?: string; import?: string }>;
};

const SHIPPED = /^(dist\/(src|machines|actors)\/.+\.(js|d\.ts)|README\.md|LICENSE(\.md)?|package\.json)$/;
const NEVER = /(\.test\.|\.spec\.|\.map$|^dist\/test\/|^docs\/|^test\/)/;

/** The files `npm pack` would put in the tarball. */
function packedFiles(): string[] {
  const output = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const [result] = JSON.parse(output) as Array<{ files: Array<{ path: string }> }>;
  return (result?.files ?? []).map((file) => file.path).sort();
}

/** The entry files of `exports` for one condition (`import` or `types`), without `./`. */
function entries(condition: 'import' | 'types'): string[] {
  return Object.values(pkg.exports).flatMap((target) =>
    typeof target === 'object' && target[condition] ? [target[condition].replace(/^\.\//, '')] : [],
  );
}

/** Relative module specifiers of a built file (`from './x.js'`, `import('./x.js')`). */
function relativeImports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"](\.\.?\/[^'"]+)['"]/g)];
  return specifiers.map(([, specifier = '']) => normalize(join(dirname(file), specifier)));
}

/** Every file reachable from `roots` through relative imports (`.js` → `.d.ts` for declarations). */
function reachable(roots: string[], declarations: boolean): Set<string> {
  const seen = new Set<string>();
  const queue = [...roots];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file) || !existsSync(join(ROOT, file))) continue;
    seen.add(file);
    for (const target of relativeImports(file)) {
      queue.push(declarations ? target.replace(/\.js$/, '.d.ts') : target);
    }
  }
  return seen;
}

describe('the published package', () => {
  let files: string[] = [];

  beforeAll(() => {
    if (!existsSync(join(ROOT, 'dist/src/index.js'))) {
      throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
    }
    files = packedFiles();
  });

  it('holds only the built library, README, licence and package.json', () => {
    expect(files.filter((file) => !SHIPPED.test(file) || NEVER.test(file))).toEqual([]);
    expect(files).toContain('README.md');
    expect(files).toContain('package.json');
  });

  it('holds every entry point of `exports`, code and declarations', () => {
    for (const entry of [...entries('import'), ...entries('types')]) expect(files).toContain(entry);
  });

  it('holds no module that no entry point reaches', () => {
    const code = reachable(entries('import'), false);
    const types = reachable(entries('types'), true);
    // A declaration file ships with its module, or because a public type refers to it.
    const unreachable = files.filter((file) =>
      file.endsWith('.d.ts')
        ? !types.has(file) && !code.has(file.replace(/\.d\.ts$/, '.js'))
        : file.endsWith('.js') && !code.has(file),
    );
    expect(unreachable).toEqual([]);
  });

  it('passes publint --strict', async () => {
    const { messages, pkg: manifest } = await publint({ pkgDir: ROOT, strict: true, level: 'suggestion' });
    expect(messages.map((message) => formatMessage(message, manifest, { color: false }))).toEqual([]);
  });

  it('has types that resolve for ESM consumers (are the types wrong?)', () => {
    // Exits non-zero, with the table of problems, when any entry point's types are wrong.
    const output = execFileSync(
      join(ROOT, 'node_modules/.bin/attw'),
      // --no-definitely-typed: the package ships its own types; no registry lookup for @types.
      [
        '--pack',
        '.',
        '--profile',
        'esm-only',
        '--no-definitely-typed',
        '--format',
        'ascii',
        '--no-color',
        '--no-emoji',
      ],
      { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    expect(output).toContain('"authcharts/webex"');
  });
});
