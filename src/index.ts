/**
 * authcharts: browser OAuth 2.0 login (Authorization Code + PKCE, popup, device/QR, refresh)
 * with every flow an explicit XState v5 statechart, behind the Webex first-party plugin's API.
 * Start with {@link createAuthorization}; the guides are in the repository's `docs/` folder.
 *
 * @module authcharts
 */
export type { Runtime } from '../actors/runtime.js';
export { browserRuntime } from '../actors/runtime.js';
export type { ServerMetadata } from '../actors/server.js';
export {
  type AuthorizationContext,
  type AuthorizationEvent,
  type AuthorizationInput,
  authorizationMachine,
  type ReadyResult,
} from '../machines/authorization.js';
export {
  type DeviceAuthorizationInput,
  type DeviceAuthorizationOutput,
  deviceAuthorizationMachine,
} from '../machines/deviceAuthorization.js';
export { type LoginInput, type LoginOutput, loginMachine } from '../machines/login.js';
export { type RedirectInput, type RedirectOutput, redirectMachine } from '../machines/redirect.js';
export {
  type Authorization,
  type CodeGrantOptions,
  type Credentials,
  createAuthorization,
  type LogoutOptions,
} from './authorization.js';
export type {
  AuthorizationConfig,
  InspectOption,
  PopupConfig,
  PreauthHint,
  ResolvedConfig,
} from './config.js';
export {
  AuthchartsError,
  ConfigError,
  CsrfMismatchError,
  type ErrorCauseOptions,
  grantErrors,
  InteractionInProgressError,
  InvalidClientError,
  InvalidGrantError,
  InvalidOptionError,
  InvalidRequestError,
  InvalidScopeError,
  IssuerMismatchError,
  NetworkError,
  OAuthError,
  type OAuthErrorBody,
  type OAuthErrorClass,
  type OAuthErrorInput,
  PopupBlockedError,
  PopupClosedError,
  PopupTimeoutError,
  ProtocolError,
  RequestTimeoutError,
  StateDecodeError,
  type StateDecodeReason,
  TransactionMissingError,
  UnauthorizedClientError,
  UnsupportedGrantTypeError,
  UnsupportGrantTypeError,
} from './errors.js';
export {
  type AuthorizationEvents,
  type DeviceFailureData,
  Events,
  type LoginEvent,
  type LoginSuccessData,
  type QRCodeLoginEvent,
  type SessionEvent,
  type TokenData,
  type UserCodeData,
} from './events.js';
export {
  type InspectionRedaction,
  REDACTED,
  type RedactionOptions,
  redactInspection,
  SECRET_KEYS,
} from './inspection.js';
export { createAuthorizationLogic } from './logic.js';
export type { LoginOptions, PopupFeatures } from './loginOptions.js';
export { type Endpoints, type Profile, profiles, rfcProfile, webexProfile } from './profiles.js';
export type { Token, TokenResponse } from './token.js';
export type { TokenStorageAdapter, TokenStorageOption } from './tokenStore.js';
export type { TransactionStorage } from './transactionStore.js';
