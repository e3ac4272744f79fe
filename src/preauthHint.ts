import type { PreauthHint } from './config.js';
import type { StateObject } from './stateCodec.js';

/**
 * Webex's org id is the third `_`-separated segment of its authorization codes
 * (`authcode_clusterid_theOrgId` → `theOrgId`); a missing or empty segment gives nothing.
 */
export function orgIdFromCode(code: string): string | undefined {
  const orgId = code.split('_')[2];
  return orgId ? orgId : undefined;
}

/**
 * The hint handed to `collectPreauthCatalog` while the code is exchanged, as the Webex client
 * builds it: the `emailhash` carried in state, else (webex profile) the org id in the code.
 */
export function preauthHint(
  state: StateObject | undefined,
  code: string,
  useOrgIdFromCode: boolean,
): PreauthHint {
  const emailhash = state?.emailhash;
  if (typeof emailhash === 'string' && emailhash !== '') return { emailhash };
  const orgId = useOrgIdFromCode ? orgIdFromCode(code) : undefined;
  return orgId === undefined ? undefined : { orgId };
}
