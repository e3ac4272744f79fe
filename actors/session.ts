import {
  processRefreshTokenResponse,
  processRevocationResponse,
  refreshTokenGrantRequest,
  revocationRequest,
} from 'oauth4webapi';
import { type EventObject, fromCallback, fromPromise } from 'xstate';
import type { ResolvedConfig } from '../src/config.js';
import { ProtocolError } from '../src/errors.js';
import { buildLogoutUrl } from '../src/logoutUrl.js';
import { isTokenUsable, type Token, type TokenResponse, tokenFromResponse } from '../src/token.js';
import { isStoredToken, loadToken, saveToken } from '../src/tokenStore.js';
import { toFlowError } from './flowErrors.js';
import type { GetRuntime, Runtime } from './runtime.js';
import { clientAuthentication, requestOptions, resolveServer, toAuthorizationServer } from './server.js';

/** What the store held when the session started. */
export type StoreLoaded = { type: 'STORE.LOADED'; token: Token | undefined };

/**
 * Reads the supertoken a previous page (or another tab) stored. A synchronous store (local or
 * session storage, memory) answers at once, so a reloaded page is authenticated as soon as
 * `createAuthorization` returns; an async adapter answers when it can.
 */
export function createLoadStoredToken(getRuntime: GetRuntime) {
  return fromCallback<EventObject, void, StoreLoaded>(({ sendBack, system }) => {
    let live = true;
    const store = getRuntime(system).tokenStore;
    let loaded: ReturnType<typeof store.load>;
    try {
      loaded = store.load();
    } catch {
      loaded = undefined;
    }
    if (loaded instanceof Promise) {
      loadToken({ ...store, load: () => loaded }).then((token) => {
        if (live) sendBack({ type: 'STORE.LOADED', token });
      });
    } else {
      sendBack({ type: 'STORE.LOADED', token: isStoredToken(loaded) ? loaded : undefined });
    }
    return () => {
      live = false;
    };
  });
}

export interface RefreshTokenInput {
  config: ResolvedConfig;
  token: Token;
}

/** A refreshed token, or (`refreshed: false`) the one another tab stored while this one waited. */
export interface RefreshResult {
  token: Token;
  refreshed: boolean;
}

/** A new token keeps the refresh token it was not given a new one for (RFC 6749 §6). */
function carryOver(previous: Token, next: Token): Token {
  if (next.refresh_token || !previous.refresh_token) return next;
  return {
    ...next,
    refresh_token: previous.refresh_token,
    ...(previous.refresh_token_expires === undefined
      ? {}
      : { refresh_token_expires: previous.refresh_token_expires }),
  };
}

async function refreshOnce(runtime: Runtime, input: RefreshTokenInput, token: Token, signal: AbortSignal) {
  if (runtime.refreshCallback) {
    const result = (await runtime.refreshCallback(token)) as TokenResponse | undefined;
    if (typeof result !== 'object' || result === null || typeof result.access_token !== 'string') {
      throw new ProtocolError('refreshCallback() must resolve to an object with an access_token');
    }
    return carryOver(token, tokenFromResponse(result, runtime.now()));
  }
  if (!token.refresh_token) throw new ProtocolError('There is no refresh token to refresh with');
  const server = await resolveServer(input.config, runtime, signal);
  const as = toAuthorizationServer(server);
  const client = { client_id: input.config.clientId };
  const response = await refreshTokenGrantRequest(
    as,
    client,
    clientAuthentication(runtime),
    token.refresh_token,
    requestOptions(runtime, server.tokenEndpoint, signal, input.config.requestTimeoutMs),
  );
  const body = (await processRefreshTokenResponse(as, client, response)) as TokenResponse;
  return carryOver(token, tokenFromResponse(body, runtime.now()));
}

/**
 * Refreshes the supertoken once for every tab (RFC 6749 §6; refresh tokens rotate, RFC 9700
 * §4.14): inside an exclusive `navigator.locks` lock it re-reads the shared store first and, if
 * another tab already stored a newer usable token, takes that one without a request; otherwise
 * it refreshes (through `refreshCallback` when the app gave one) and stores the result before the
 * lock is released, so the next tab in line finds it.
 */
export function createRefreshToken(getRuntime: GetRuntime) {
  return fromPromise<RefreshResult, RefreshTokenInput>(async ({ input, signal, system }) => {
    const runtime = getRuntime(system);
    const run = async (): Promise<RefreshResult> => {
      const stored = await loadToken(runtime.tokenStore);
      if (
        stored &&
        stored.access_token !== input.token.access_token &&
        isTokenUsable(stored, runtime.now())
      ) {
        return { token: stored, refreshed: false };
      }
      try {
        const token = await refreshOnce(runtime, input, stored ?? input.token, signal);
        await saveToken(runtime.tokenStore, token);
        return { token, refreshed: true };
      } catch (error) {
        throw toFlowError(error);
      }
    };
    if (!runtime.locks) return run();
    return runtime.locks.request(
      `authcharts:refresh:${input.config.clientId}`,
      { mode: 'exclusive', signal },
      run,
    );
  });
}

export interface RevokeInput {
  config: ResolvedConfig;
  token: Token | undefined;
}

/**
 * Logs out at the server and here: revokes the refresh token (or the access token) with a POST
 * (RFC 7009 §2.1; the Webex plugin put the refresh token in the logout URL) when there is a
 * revocation endpoint, then clears the store. A failed revocation does not stop the logout.
 */
export function createRevokeAndClear(getRuntime: GetRuntime) {
  return fromPromise<void, RevokeInput>(async ({ input, signal, system }) => {
    const runtime = getRuntime(system);
    const token = input.token?.refresh_token ?? input.token?.access_token;
    try {
      const server = await resolveServer(input.config, runtime, signal);
      if (server.revocationEndpoint && token) {
        const response = await revocationRequest(
          toAuthorizationServer(server),
          { client_id: input.config.clientId },
          clientAuthentication(runtime),
          token,
          {
            ...requestOptions(runtime, server.revocationEndpoint, signal, input.config.requestTimeoutMs),
            additionalParameters: {
              token_type_hint: input.token?.refresh_token ? 'refresh_token' : 'access_token',
            },
          },
        );
        await processRevocationResponse(response);
      }
    } catch {
      // The token is forgotten here either way; the server lets it expire.
    }
    await runtime.tokenStore.clear();
  });
}

export interface NavigateToEndSessionInput {
  config: ResolvedConfig;
  /** Where the end-session endpoint sends the user back; `redirectUri` when absent. */
  returnTo: string | undefined;
}

/** Sends the page to the end-session endpoint, when the server has one. */
export function createNavigateToEndSession(getRuntime: GetRuntime) {
  return fromPromise<void, NavigateToEndSessionInput>(async ({ input, signal, system }) => {
    const runtime = getRuntime(system);
    const server = await resolveServer(input.config, runtime, signal);
    if (server.endSessionEndpoint && runtime.window) {
      runtime.window.location.assign(buildLogoutUrl(server.endSessionEndpoint, input.config, input.returnTo));
    }
  });
}
