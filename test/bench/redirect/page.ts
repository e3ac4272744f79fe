/**
 * The redirect bench inside Chromium: the real page lands on each callback (`history.replaceState`
 * plus sessionStorage), so the facade reads and cleans a real address bar. Bundled by esbuild
 * and loaded by chromium.ts, which calls `runRedirectBench`.
 */
import { CODE_VERIFIER_KEY, CSRF_TOKEN_KEY } from '../../../src/transactionStore.js';
import { type BenchPage, measureOverhead, type OverheadOptions, type OverheadSamples } from './sequences.js';

const page: BenchPage = {
  redirectUri: `${location.origin}/callback`,
  land(href, transaction) {
    history.replaceState(null, '', href);
    sessionStorage.setItem(CSRF_TOKEN_KEY, transaction.csrfToken);
    sessionStorage.setItem(CODE_VERIFIER_KEY, transaction.codeVerifier);
    return window;
  },
  now: () => performance.now(),
};

/** What some browser operations on the path cost here, in ms (median of batches). */
export interface BrowserPrimitives {
  replaceState: number;
  responseJson: number;
  /** What the request deadline does: read the body, then hand a rebuilt response on. */
  responseReadAndRebuild: number;
}

const BODY = JSON.stringify({ issuer: 'https://as.example', token_endpoint: 'https://as.example/token' });

async function perOperation(operation: () => unknown): Promise<number> {
  const batches: number[] = [];
  for (let batch = 0; batch < 9; batch++) {
    const startedAt = performance.now();
    for (let i = 0; i < 50; i++) await operation();
    batches.push((performance.now() - startedAt) / 50);
  }
  return batches.sort((a, b) => a - b)[4] as number;
}

async function measurePrimitives(): Promise<BrowserPrimitives> {
  const href = location.href;
  return {
    replaceState: await perOperation(() => history.replaceState(null, '', href)),
    responseJson: await perOperation(() => new Response(BODY).json()),
    responseReadAndRebuild: await perOperation(async () => {
      const bytes = await new Response(BODY).arrayBuffer();
      return new Response(bytes).json();
    }),
  };
}

declare global {
  interface Window {
    runRedirectBench(options: OverheadOptions): Promise<OverheadSamples>;
    measurePrimitives(): Promise<BrowserPrimitives>;
  }
}

window.runRedirectBench = (options) => measureOverhead(page, options);
window.measurePrimitives = measurePrimitives;
