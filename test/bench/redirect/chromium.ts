/**
 * Runs the redirect bench in headless Chromium (the e2e suite's `launchChromium`): the page
 * and its bundle (esbuild, as an app would ship it) come from a server on 127.0.0.1 that sends
 * COOP/COEP, so the page is cross-origin isolated and `performance.now()` is fine-grained.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import { launchChromium } from '../../e2e/support/chromium.js';
import { REPO_ROOT } from '../bundleSize.js';
import type { BrowserPrimitives } from './page.js';
import type { OverheadOptions, OverheadSamples } from './sequences.js';

const HTML =
  '<!doctype html><meta charset="utf-8"><title>redirect bench</title><script src="/bench.js"></script>';

async function bundlePage(): Promise<string> {
  const result = await build({
    entryPoints: [`${REPO_ROOT}test/bench/redirect/page.ts`],
    bundle: true,
    minify: true,
    format: 'iife',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
}

export interface ChromiumOverhead {
  browserVersion: string;
  /** Whether the page was cross-origin isolated (5 µs timer resolution instead of 100 µs). */
  crossOriginIsolated: boolean;
  samples: OverheadSamples;
  primitives: BrowserPrimitives;
}

export async function measureOverheadInChromium(options: OverheadOptions): Promise<ChromiumOverhead> {
  const script = await bundlePage();
  const server = createServer((req, res) => {
    res.setHeader('cross-origin-opener-policy', 'same-origin');
    res.setHeader('cross-origin-embedder-policy', 'require-corp');
    const isScript = req.url === '/bench.js';
    res.setHeader('content-type', isScript ? 'text/javascript' : 'text/html');
    res.end(isScript ? script : HTML);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/callback`);
    await page.waitForFunction(() => typeof window.runRedirectBench === 'function');
    const crossOriginIsolated = await page.evaluate(() => window.crossOriginIsolated);
    const samples = await page.evaluate((opts) => window.runRedirectBench(opts), options);
    const primitives = await page.evaluate(() => window.measurePrimitives());
    return { browserVersion: browser.version(), crossOriginIsolated, samples, primitives };
  } finally {
    await browser.close();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}
