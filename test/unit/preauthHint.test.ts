import { describe, expect, it } from 'vitest';
import { orgIdFromCode, preauthHint } from '../../src/preauthHint.js';

const HASH = '73062d872926c2a556f17b36f50e328ddf9bff9d403939bd14b6c3b7f5a33fc2';

describe('orgIdFromCode', () => {
  it('reads the third `_` segment of a Webex code', () => {
    expect(orgIdFromCode('authcode_clusterid_theOrgId')).toBe('theOrgId');
    expect(orgIdFromCode('abc_cluster_org42')).toBe('org42');
  });

  it('takes only the third segment when there are more', () => {
    expect(orgIdFromCode('authcode_clusterid_theOrgId_extra')).toBe('theOrgId');
  });

  it('gives nothing when the third segment is empty or missing', () => {
    expect(orgIdFromCode('authcode_clusterid_')).toBeUndefined();
    expect(orgIdFromCode('authcode_clusterid')).toBeUndefined();
    expect(orgIdFromCode('authcode')).toBeUndefined();
    expect(orgIdFromCode('')).toBeUndefined();
    expect(orgIdFromCode('a__')).toBeUndefined();
  });
});

describe('preauthHint', () => {
  const code = 'authcode_clusterid_theOrgId';

  it('prefers the emailhash carried in state', () => {
    expect(preauthHint({ csrf_token: 'c', emailhash: HASH }, code, true)).toEqual({ emailhash: HASH });
    expect(preauthHint({ emailhash: HASH }, code, false)).toEqual({ emailhash: HASH });
    expect(preauthHint({ emailhash: HASH }, 'plain', false)).toEqual({ emailhash: HASH });
  });

  it('falls back to the org id in the code, only when the profile asks for it', () => {
    expect(preauthHint({ csrf_token: 'c' }, code, true)).toEqual({ orgId: 'theOrgId' });
    expect(preauthHint(undefined, code, true)).toEqual({ orgId: 'theOrgId' });
    expect(preauthHint({ csrf_token: 'c' }, code, false)).toBeUndefined();
  });

  it('ignores an empty or non-string emailhash', () => {
    expect(preauthHint({ emailhash: '' }, code, true)).toEqual({ orgId: 'theOrgId' });
    expect(preauthHint({ emailhash: 42 }, code, true)).toEqual({ orgId: 'theOrgId' });
    expect(preauthHint({ emailhash: { hash: HASH } }, 'plain', true)).toBeUndefined();
  });

  it('gives undefined when there is nothing to hint with', () => {
    expect(preauthHint({}, 'authcode', true)).toBeUndefined();
    expect(preauthHint(undefined, 'authcode_clusterid_', true)).toBeUndefined();
    expect(preauthHint(undefined, code, false)).toBeUndefined();
  });

  it('never puts the code or anything else from state into the hint', () => {
    const hint = preauthHint({ csrf_token: 'csrf-value', emailhash: HASH, returnTo: '/x' }, code, true);
    expect(Object.keys(hint ?? {})).toEqual(['emailhash']);
    expect(Object.keys(preauthHint({ csrf_token: 'csrf-value' }, code, true) ?? {})).toEqual(['orgId']);
  });
});
