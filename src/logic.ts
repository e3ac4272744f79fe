import { createExchangeCode } from '../actors/exchangeCode.js';
import {
  createDeviceAuthorizationActors,
  createLoginActors,
  createRedirectActors,
  createSessionActors,
} from '../actors/index.js';
import { type GetRuntime, type Runtime, runtimeOfSystem } from '../actors/runtime.js';
import { authorizationMachine } from '../machines/authorization.js';
import { deviceAuthorizationMachine } from '../machines/deviceAuthorization.js';
import { loginMachine } from '../machines/login.js';
import { redirectMachine } from '../machines/redirect.js';
import { sessionMachine } from '../machines/session.js';

/**
 * The root machine with every actor bound to one runtime (window, fetch, storage, hooks). Apps
 * that drive the machines themselves can use it the same way:
 * `createActor(createAuthorizationLogic(runtime), { input })`.
 */
export function createAuthorizationLogic(runtime: Runtime) {
  return provideActors(() => runtime);
}

let sharedLogic: ReturnType<typeof provideActors> | undefined;

/**
 * The root machine with every actor reading its runtime from the actor system it runs in
 * (`attachRuntime`). `createAuthorization` interprets this one: built once, not per instance,
 * because `provide()` rebuilds every machine's state-node tree (about half of what creating an
 * instance costs).
 */
export function sharedAuthorizationLogic() {
  sharedLogic ??= provideActors(runtimeOfSystem);
  return sharedLogic;
}

function provideActors(getRuntime: GetRuntime) {
  const redirect = redirectMachine.provide({ actors: createRedirectActors(getRuntime) });
  const login = loginMachine.provide({
    actors: { ...createLoginActors(getRuntime), processCallback: redirect },
  });
  const deviceAuthorization = deviceAuthorizationMachine.provide({
    actors: createDeviceAuthorizationActors(getRuntime),
  });
  const session = sessionMachine.provide({ actors: createSessionActors(getRuntime) });
  return authorizationMachine.provide({
    actors: { redirect, login, deviceAuthorization, session, exchangeCode: createExchangeCode(getRuntime) },
  });
}
