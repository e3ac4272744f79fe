/**
 * Bundles the test page's script with esbuild. The entry imports the package's built output,
 * `dist/src/index.js` (what `npm run build` produces and npm publishes), and hands it to the
 * page script, so the browser runs the library exactly as an app would get it.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BUILT_LIBRARY = fileURLToPath(new URL('../../../dist/src/index.js', import.meta.url));
const PAGE_SCRIPT = fileURLToPath(new URL('../page/app.ts', import.meta.url));

/** Returns the page script as one ES module, ready to serve. */
export async function bundleTestPage(): Promise<string> {
  if (!existsSync(BUILT_LIBRARY)) {
    throw new Error('dist/src/index.js is missing: run `npm run build` first (`npm run test:e2e` does)');
  }
  const entry = [
    `import * as authcharts from ${JSON.stringify(BUILT_LIBRARY)};`,
    `import { startTestApp } from ${JSON.stringify(PAGE_SCRIPT)};`,
    'startTestApp(authcharts);',
  ].join('\n');
  const result = await build({
    stdin: { contents: entry, resolveDir: ROOT, sourcefile: 'test-page-entry.js', loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  const [output] = result.outputFiles;
  if (!output) throw new Error('esbuild produced no output for the test page');
  return output.text;
}
