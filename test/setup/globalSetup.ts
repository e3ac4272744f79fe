/**
 * Starts the integration tests' servers once for the whole run (vitest `globalSetup`) and stops
 * them when it ends: a real authorization server (oidc-provider, test/fixtures/authorizationServer.ts)
 * and the Webex-dialect server (test/fixtures/webexServer.ts), both on 127.0.0.1. Test files read
 * their addresses with `inject('authorizationServer')` / `inject('webexServer')` and reach them
 * over HTTP only, since they run in other processes.
 *
 * Nothing a test switches on is server-wide: a test that needs its own pacing, lifetimes or
 * isolation registers a client of its own (`registerClient` / `registerWebexClient`); a test that
 * needs a differently configured server starts its own.
 */
import type { TestProject } from 'vitest/node';
import { startAuthorizationServer } from '../fixtures/authorizationServer.js';
import { startWebexServer } from '../fixtures/webexServer.js';

/** Where the global test servers listen, and their built-in clients. */
export interface ProvidedAuthorizationServer {
  issuer: string;
  /** A public client (PKCE, refresh tokens, device flow) whose only redirect URI is `redirectUri`. */
  clientId: string;
  redirectUri: string;
}

export interface ProvidedWebexServer {
  baseUrl: string;
  authorizeUrl: string;
  tokenUrl: string;
  revokeUrl: string;
  logoutUrl: string;
  oauthHelperUrl: string;
  peopleMeUrl: string;
  orgId: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    authorizationServer: ProvidedAuthorizationServer;
    webexServer: ProvidedWebexServer;
  }
}

const REDIRECT_URI = 'https://app.example/callback';

export default async function setup(project: TestProject) {
  const authorizationServer = await startAuthorizationServer({ redirectUris: [REDIRECT_URI] });
  const webexServer = await startWebexServer().catch(async (error: unknown) => {
    await authorizationServer.stop();
    throw error;
  });
  project.provide('authorizationServer', {
    issuer: authorizationServer.issuer,
    clientId: authorizationServer.clientId,
    redirectUri: REDIRECT_URI,
  });
  project.provide('webexServer', {
    baseUrl: webexServer.baseUrl,
    authorizeUrl: webexServer.authorizeUrl,
    tokenUrl: webexServer.tokenUrl,
    revokeUrl: webexServer.revokeUrl,
    logoutUrl: webexServer.logoutUrl,
    oauthHelperUrl: webexServer.oauthHelperUrl,
    peopleMeUrl: webexServer.peopleMeUrl,
    orgId: webexServer.orgId,
  });
  return async () => {
    await Promise.all([authorizationServer.stop(), webexServer.stop()]);
  };
}
