export {
  type AuthorizationContext,
  type AuthorizationEvent,
  type AuthorizationInput,
  authorizationMachine,
  type ReadyResult,
} from './authorization.js';
export { type LoginContext, type LoginInput, type LoginOutput, loginMachine } from './login.js';
export {
  type RedirectContext,
  type RedirectInput,
  type RedirectOutput,
  redirectMachine,
} from './redirect.js';
