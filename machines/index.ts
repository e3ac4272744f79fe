/**
 * `authcharts/machines`: the statecharts without the facade, to interpret with `createActor`,
 * watch in the Stately inspector, or test with `authcharts/testing`. Each machine's actors have
 * browser defaults; `machine.provide({ actors })` replaces them. Diagrams: `docs/machines/`.
 *
 * @module authcharts/machines
 */
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
export { type SessionContext, type SessionInput, sessionMachine } from './session.js';
