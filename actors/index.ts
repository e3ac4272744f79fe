import { createCleanCallbackUrl } from './cleanCallbackUrl.js';
import { createCollectPreauthCatalog } from './collectPreauthCatalog.js';
import { createDiscoverServer } from './discoverServer.js';
import { createExchangeCode } from './exchangeCode.js';
import { createNavigateToLoginUrl } from './navigateToLoginUrl.js';
import { createPollDeviceToken } from './pollDeviceToken.js';
import { createPopupWindow } from './popupWindow.js';
import { createPrepareLogin } from './prepareLogin.js';
import { createRelayToOpener } from './relayToOpener.js';
import { createRequestDeviceCode } from './requestDeviceCode.js';
import type { GetRuntime } from './runtime.js';
import {
  createLoadStoredToken,
  createNavigateToEndSession,
  createRefreshToken,
  createRevokeAndClear,
} from './session.js';
import { createTabSync } from './tabSync.js';
import { createTakeStoredTransaction } from './takeStoredTransaction.js';

/** The actors the redirect machine invokes, bound to one runtime. */
export function createRedirectActors(getRuntime: GetRuntime) {
  return {
    takeStoredTransaction: createTakeStoredTransaction(getRuntime),
    discoverServer: createDiscoverServer(getRuntime),
    cleanCallbackUrl: createCleanCallbackUrl(getRuntime),
    exchangeCode: createExchangeCode(getRuntime),
    collectPreauthCatalog: createCollectPreauthCatalog(getRuntime),
    relayToOpener: createRelayToOpener(getRuntime),
  };
}

/** The actors the login machine invokes (besides the redirect machine for popup results). */
export function createLoginActors(getRuntime: GetRuntime) {
  return {
    prepareLogin: createPrepareLogin(getRuntime),
    navigateToLoginUrl: createNavigateToLoginUrl(getRuntime),
    popupWindow: createPopupWindow(getRuntime),
  };
}

/** The actors the device authorization machine invokes, bound to one runtime. */
export function createDeviceAuthorizationActors(getRuntime: GetRuntime) {
  return {
    requestDeviceCode: createRequestDeviceCode(getRuntime),
    pollDeviceToken: createPollDeviceToken(getRuntime),
  };
}

/** The actors the session machine invokes, bound to one runtime. */
export function createSessionActors(getRuntime: GetRuntime) {
  return {
    loadStoredToken: createLoadStoredToken(getRuntime),
    refreshToken: createRefreshToken(getRuntime),
    revokeAndClear: createRevokeAndClear(getRuntime),
    navigateToEndSession: createNavigateToEndSession(getRuntime),
    tabSync: createTabSync(getRuntime),
  };
}

export type { GetRuntime, Runtime } from './runtime.js';
export { browserRuntime } from './runtime.js';
