import { fromPromise } from 'xstate';
import type { ResolvedConfig } from '../src/config.js';
import { toFlowError } from './flowErrors.js';
import type { GetRuntime } from './runtime.js';
import { resolveServer, type ServerMetadata } from './server.js';

export interface DiscoverServerInput {
  config: ResolvedConfig;
}

/** Resolves the server's endpoints and `iss` support (RFC 8414 discovery when an issuer is set). */
export function createDiscoverServer(getRuntime: GetRuntime) {
  return fromPromise<ServerMetadata, DiscoverServerInput>(async ({ input, signal, system }) => {
    try {
      return await resolveServer(input.config, getRuntime(system), signal);
    } catch (error) {
      throw toFlowError(error);
    }
  });
}
