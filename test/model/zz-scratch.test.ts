import { it } from 'vitest';
import { initialTransition, transition } from 'xstate';
import { authorizationMachine } from '../../machines/authorization.js';
import { CONFIG } from './support.js';
it('scratch', () => {
  const [s0] = initialTransition(authorizationMachine, { config: CONFIG, href: undefined });
  console.log(Object.keys(s0.children), JSON.stringify(s0.value));
  const ev = { type: 'xstate.done.actor.redirect', output: { outcome: 'authorized', token: { access_token: 'x', token_type: 'Bearer' } }, actorId: 'redirect' } as never;
  const [s1] = transition(authorizationMachine, s0, ev);
  console.log(Object.keys(s1.children), JSON.stringify(s1.value));
});
