/**
 * authcharts: browser OAuth 2.0 login (Authorization Code + PKCE, popup, device/QR, refresh)
 * with every flow an explicit XState v5 statechart, behind the Webex first-party plugin's API.
 *
 * @packageDocumentation
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
  PopupBlockedError,
  PopupClosedError,
  PopupTimeoutError,
  ProtocolError,
  StateDecodeError,
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
  type UserCodeData,
} from './events.js';
export { createAuthorizationLogic } from './logic.js';
export type { LoginOptions, PopupFeatures } from './loginOptions.js';
export { type Endpoints, type Profile, profiles, rfcProfile, webexProfile } from './profiles.js';
export type { Token } from './token.js';
