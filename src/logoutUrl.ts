import type { ResolvedConfig } from './config.js';

/**
 * The end-session URL the page goes to after logout (OpenID Connect RP-Initiated Logout §2, or
 * the webex profile's IdBroker `logout?cisService=webex&goto=…`). It never carries a token: the
 * Webex plugin put the refresh token in it, where history, logs and Referer see it.
 */
export function buildLogoutUrl(
  endpoint: string,
  config: ResolvedConfig,
  returnTo: string | undefined,
): string {
  const url = new URL(endpoint);
  const { logout } = config.profile;
  for (const [name, value] of Object.entries(logout.parameters)) url.searchParams.set(name, value);
  if (logout.sendClientId) url.searchParams.set('client_id', config.clientId);
  url.searchParams.set(logout.redirectParameter, returnTo ?? config.redirectUri);
  return url.href;
}
