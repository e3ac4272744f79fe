export {
  type AuthorizationContext,
  type AuthorizationEvent,
  type AuthorizationInput,
  authorizationMachine,
  type ReadyResult,
} from './authorization.js';
export {
  type DeviceAuthorizationContext,
  type DeviceAuthorizationInput,
  type DeviceAuthorizationOutput,
  deviceAuthorizationMachine,
} from './deviceAuthorization.js';
export { type LoginContext, type LoginInput, type LoginOutput, loginMachine } from './login.js';
export {
  type RedirectContext,
  type RedirectInput,
  type RedirectOutput,
  redirectMachine,
} from './redirect.js';
