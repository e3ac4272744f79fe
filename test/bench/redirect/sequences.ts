/**
 * Redirect-processing overhead (SPEC §8): the time from "the page has landed on the callback" to
 * "the token request leaves", for authcharts and for a hand-written oauth4webapi sequence doing
 * the same steps. Every request is answered in memory (discovery from a constant, the token
 * request is where the clock stops). The page supplies the clock: CPU time in Node, wall time in
 * Chromium (a page has no CPU clock). Runs in Node and, bundled by esbuild, in Chromium: nothing
 * here touches Node APIs.
 */
import {
  authorizationCodeGrantRequest,
  customFetch,
  discoveryRequest,
  None,
  processDiscoveryResponse,
  skipStateCheck,
  validateAuthResponse,
} from 'oauth4webapi';
import { assign, createActor, fromPromise, setup } from 'xstate';
import { createRedirectActors } from '../../../actors/index.js';
import { browserRuntime, type Runtime } from '../../../actors/runtime.js';
import { redirectMachine } from '../../../machines/redirect.js';
import { resolveConfig } from '../../../src/config.js';
import { createAuthorization, createAuthorizationLogic } from '../../../src/index.js';
import { encodeState } from '../../../src/stateCodec.js';
import { CODE_VERIFIER_KEY, CSRF_TOKEN_KEY } from '../../../src/transactionStore.js';

const ISSUER = 'https://as.example';
const TOKEN_ENDPOINT = `${ISSUER}/token`;
const CLIENT_ID = 'bench-client';
const CODE = 'bench-code-0123456789';
const CSRF = 'bench-csrf-0123456789abcdefghijklmnopqrstuv';
const VERIFIER = 'bench-verifier-0123456789abcdefghijklmnopqrstuvwxyz';

const DISCOVERY = JSON.stringify({
  issuer: ISSUER,
  authorization_endpoint: `${ISSUER}/authorize`,
  token_endpoint: TOKEN_ENDPOINT,
  revocation_endpoint: `${ISSUER}/revoke`,
  authorization_response_iss_parameter_supported: true,
  code_challenge_methods_supported: ['S256'],
});

/** Where the bench runs: a fake window in Node, the real page in Chromium. */
export interface BenchPage {
  /** The app's redirect URI; its origin is the page's. */
  redirectUri: string;
  /**
   * Puts the page where the authorization server's redirect leaves it: at `href`, with the login
   * transaction in sessionStorage. Returns the window to process.
   */
  land(href: string, transaction: { csrfToken: string; codeVerifier: string }): Window;
  /** The clock, in ms: process CPU time in Node (immune to other processes), `performance.now()` in a page. */
  now(): number;
}

/** One way of processing the callback; resolves once the token request has been sent. */
type Sequence = (win: Window, fetch: typeof globalThis.fetch, redirectUri: string) => Promise<void>;

const base64UrlDecode = (value: string): string =>
  atob(
    value
      .replace(/-/g, '+')
      .replace(/_/g, '/')
      .padEnd(Math.ceil(value.length / 4) * 4, '='),
  );

type DiscoveredServer = Awaited<ReturnType<typeof processDiscoveryResponse>>;

/** What the callback page read and took from storage: its URL and the PKCE verifier. */
interface CallbackTransaction {
  url: URL;
  verifier: string;
}

/** Step 1: parse the callback, take and remove the stored CSRF token and verifier, check `state`. */
function takeTransaction(win: Window): CallbackTransaction {
  const url = new URL(win.location.href);
  const storage = win.sessionStorage;
  const verifier = storage.getItem(CODE_VERIFIER_KEY);
  const csrf = storage.getItem(CSRF_TOKEN_KEY);
  storage.removeItem(CODE_VERIFIER_KEY);
  storage.removeItem(CSRF_TOKEN_KEY);
  const state = JSON.parse(base64UrlDecode(url.searchParams.get('state') ?? '')) as { csrf_token?: unknown };
  if (!csrf || !verifier || state.csrf_token !== csrf) throw new Error('CSRF check failed');
  return { url, verifier };
}

/** Step 2: discover the server. */
async function discover(fetch: typeof globalThis.fetch): Promise<DiscoveredServer> {
  const issuer = new URL(ISSUER);
  return processDiscoveryResponse(issuer, await discoveryRequest(issuer, { [customFetch]: fetch }));
}

/**
 * Step 3: check `iss` (RFC 9207, in `validateAuthResponse`), clean the address bar, and send the
 * token request with the PKCE verifier (RFC 7636 §4.5).
 */
async function requestToken(
  win: Window,
  fetch: typeof globalThis.fetch,
  redirectUri: string,
  transaction: CallbackTransaction,
  server: DiscoveredServer,
): Promise<void> {
  const client = { client_id: CLIENT_ID };
  const parameters = validateAuthResponse(server, client, transaction.url.searchParams, skipStateCheck);
  const url = new URL(transaction.url);
  for (const name of ['code', 'state', 'iss']) url.searchParams.delete(name);
  win.history.replaceState(win.history.state, '', url.href);
  await authorizationCodeGrantRequest(server, client, None(), parameters, redirectUri, transaction.verifier, {
    [customFetch]: fetch,
  });
}

/** What a careful hand-written client does with oauth4webapi: the three steps, one after the other. */
const handWritten: Sequence = async (win, fetch, redirectUri) => {
  const transaction = takeTransaction(win);
  const server = await discover(fetch);
  await requestToken(win, fetch, redirectUri, transaction, server);
};

interface MinimalInput {
  win: Window;
  fetch: typeof globalThis.fetch;
  redirectUri: string;
}

/**
 * The same three steps inside the smallest statechart that models them: three states, each
 * invoking a promise actor, and nothing else: no configuration, no events, no child machines. What
 * modelling this flow in XState (SPEC §3) costs before a library adds anything of its own; the
 * report compares the ×1.2 target with it.
 */
const minimalStatechart = setup({
  types: {} as {
    input: MinimalInput;
    context: MinimalInput & { transaction?: CallbackTransaction; server?: DiscoveredServer };
  },
  actors: {
    takeTransaction: fromPromise<CallbackTransaction, MinimalInput>(async ({ input }) =>
      takeTransaction(input.win),
    ),
    discover: fromPromise<DiscoveredServer, MinimalInput>(({ input }) => discover(input.fetch)),
    requestToken: fromPromise<
      void,
      MinimalInput & { transaction: CallbackTransaction; server: DiscoveredServer }
    >(({ input }) =>
      requestToken(input.win, input.fetch, input.redirectUri, input.transaction, input.server),
    ),
  },
}).createMachine({
  context: ({ input }) => input,
  initial: 'takingTransaction',
  states: {
    takingTransaction: {
      invoke: {
        src: 'takeTransaction',
        input: ({ context }) => context,
        onDone: { target: 'discovering', actions: assign({ transaction: ({ event }) => event.output }) },
        onError: 'failed',
      },
    },
    discovering: {
      invoke: {
        src: 'discover',
        input: ({ context }) => context,
        onDone: { target: 'exchanging', actions: assign({ server: ({ event }) => event.output }) },
        onError: 'failed',
      },
    },
    exchanging: {
      invoke: {
        src: 'requestToken',
        input: ({ context }) => ({
          ...context,
          transaction: context.transaction as CallbackTransaction,
          server: context.server as DiscoveredServer,
        }),
        onDone: 'done',
        onError: 'failed',
      },
    },
    done: { type: 'final' },
    failed: { type: 'final' },
  },
});

/** The hand-written steps run by {@link minimalStatechart}. */
const minimalMachine = (tokenRequestSent: Promise<void>): Sequence => {
  return async (win, fetch, redirectUri) => {
    const actor = createActor(minimalStatechart, { input: { win, fetch, redirectUri } });
    actor.start();
    await tokenRequestSent;
    actor.stop();
  };
};

const configFor = (win: Window, fetch: typeof globalThis.fetch, redirectUri: string) => ({
  clientId: CLIENT_ID,
  redirectUri,
  issuer: ISSUER,
  scope: 'openid',
  window: win,
  fetch,
  tokenStorage: 'memory' as const,
  refreshAhead: false,
});

/** The whole facade: what an app calls on page load. */
const facade = (tokenRequestSent: Promise<void>): Sequence => {
  return async (win, fetch, redirectUri) => {
    const auth = createAuthorization(configFor(win, fetch, redirectUri));
    await tokenRequestSent;
    auth.stop();
  };
};

/** The redirect machine alone, with its actors on a runtime for this page: where the facade's time goes. */
const machineOnly = (tokenRequestSent: Promise<void>): Sequence => {
  return async (win, fetch, redirectUri) => {
    const runtime: Runtime = {
      ...browserRuntime(),
      window: win,
      fetch,
      storage: win.sessionStorage,
      discoveryCache: new Map(),
    };
    const logic = redirectMachine.provide({ actors: createRedirectActors(() => runtime) });
    const config = resolveConfig(configFor(win, fetch, redirectUri), true);
    const actor = createActor(logic, { input: { config, href: win.location.href, source: 'location' } });
    actor.start();
    await tokenRequestSent;
    actor.stop();
  };
};

export const VARIANTS = [
  'handWritten',
  'minimalStatechart',
  'redirectMachine',
  'createAuthorization',
  'authorizationLogic',
] as const;
export type Variant = (typeof VARIANTS)[number];

const CALLBACK_QUERY = `code=${CODE}&state=${encodeState({ csrf_token: CSRF })}&iss=${encodeURIComponent(ISSUER)}`;

/**
 * Runs one callback through `sequence` and returns the milliseconds (of the page's clock) from
 * the start of processing to the moment the token request is handed to fetch. The token request then fails (it has been
 * measured), which the sequences survive.
 */
async function timeToTokenRequest(
  page: BenchPage,
  variant: string,
  sequenceFor: (tokenRequestSent: Promise<void>) => Sequence,
): Promise<number> {
  const win = page.land(`${page.redirectUri}?${CALLBACK_QUERY}`, { csrfToken: CSRF, codeVerifier: VERIFIER });
  let sentAt = Number.NaN;
  let markSent = () => {};
  const tokenRequestSent = new Promise<void>((resolve) => {
    markSent = resolve;
  });
  const fetch: typeof globalThis.fetch = async (input) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url === TOKEN_ENDPOINT) {
      sentAt = page.now();
      markSent();
      throw new TypeError('measured: the token request is not answered');
    }
    return new Response(DISCOVERY, { headers: { 'content-type': 'application/json' } });
  };
  const sequence = sequenceFor(tokenRequestSent);
  const startedAt = page.now();
  await sequence(win, fetch, page.redirectUri).catch(() => {});
  if (Number.isNaN(sentAt)) throw new Error(`${variant} never sent the token request`);
  return sentAt - startedAt;
}

/**
 * The part of `createAuthorization` that builds its machines: every machine `provide`d with
 * actors bound to this instance's runtime, which rebuilds each machine's state-node tree.
 */
function timeLogicConstruction(page: BenchPage): number {
  const win = page.land(`${page.redirectUri}?${CALLBACK_QUERY}`, { csrfToken: CSRF, codeVerifier: VERIFIER });
  const runtime: Runtime = { ...browserRuntime(), window: win, storage: win.sessionStorage };
  const startedAt = page.now();
  createAuthorizationLogic(runtime);
  return page.now() - startedAt;
}

/** Milliseconds of one callback (or, for `authorizationLogic`, one construction) with `variant`. */
async function timeOnce(page: BenchPage, variant: Variant): Promise<number> {
  switch (variant) {
    case 'handWritten':
      return timeToTokenRequest(page, variant, () => handWritten);
    case 'minimalStatechart':
      return timeToTokenRequest(page, variant, minimalMachine);
    case 'redirectMachine':
      return timeToTokenRequest(page, variant, machineOnly);
    case 'createAuthorization':
      return timeToTokenRequest(page, variant, facade);
    case 'authorizationLogic':
      return timeLogicConstruction(page);
  }
}

export interface OverheadOptions {
  /** Rounds measured; each round measures every variant once, in a rotating order. */
  rounds: number;
  /** Rounds run first and thrown away (JIT warm-up). */
  warmupRounds: number;
  /** Callbacks per variant per round; a sample is their mean (coarse browser clocks need a few). */
  iterations: number;
}

/** Per variant, one sample (mean ms per callback) per measured round. */
export type OverheadSamples = Record<Variant, number[]>;

/** Runs `iterations` callbacks through `variant`; resolves with their mean in ms. */
export async function runVariant(page: BenchPage, variant: Variant, iterations: number): Promise<number> {
  let total = 0;
  for (let i = 0; i < iterations; i++) total += await timeOnce(page, variant);
  return total / iterations;
}

/** Interleaves the variants round by round, so drift and GC hit them alike. */
export async function measureOverhead(page: BenchPage, options: OverheadOptions): Promise<OverheadSamples> {
  const samples: OverheadSamples = {
    handWritten: [],
    minimalStatechart: [],
    redirectMachine: [],
    createAuthorization: [],
    authorizationLogic: [],
  };
  for (let round = 0; round < options.warmupRounds + options.rounds; round++) {
    for (let k = 0; k < VARIANTS.length; k++) {
      const variant = VARIANTS[(round + k) % VARIANTS.length] as Variant;
      const sample = await runVariant(page, variant, options.iterations);
      if (round >= options.warmupRounds) samples[variant].push(sample);
    }
  }
  return samples;
}
