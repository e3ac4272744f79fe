import { describe, expect, it } from 'vitest';
import { type AuthorizationConfig, resolveConfig } from '../../src/config.js';
import { InvalidOptionError } from '../../src/errors.js';
import { checkLoginOptions, popupFeatures, wantsPopup } from '../../src/loginOptions.js';

/** The option `checkLoginOptions` names for `options`, or undefined when it accepts them. */
function rejectedOption(options: unknown): string | undefined {
  const error = checkLoginOptions(options);
  if (error === undefined) return undefined;
  expect(error).toBeInstanceOf(InvalidOptionError);
  expect(error.name).toBe('InvalidOptionError');
  expect(error.code).toBe('invalid_option');
  expect(error.message).toContain(`"${error.option}"`);
  return error.option;
}

class AppState {
  returnTo = '/home';
}

describe('checkLoginOptions: accepted', () => {
  it.each<[string, unknown]>([
    ['no options', undefined],
    ['empty options', {}],
    ['an email', { email: 'Test@Email.com ' }],
    ['a plain state', { state: { returnTo: '/home', nested: { a: [1, 2] } } }],
    ['an empty state', { state: {} }],
    ['a null-prototype state', { state: Object.assign(Object.create(null), { page: 'x' }) }],
    ['separateWindow true', { separateWindow: true }],
    ['separateWindow false', { separateWindow: false }],
    [
      'plain window features',
      { separateWindow: { width: 800, height: 600, menubar: 'no', toolbar: 'no', resizable: true } },
    ],
    ['a login hint', { loginHint: 'user@example.com' }],
  ])('%s', (_name, options) => {
    expect(checkLoginOptions(options)).toBeUndefined();
  });
});

describe('checkLoginOptions: refused, naming the option', () => {
  const cyclic: Record<string, unknown> = { page: 'x' };
  cyclic.self = cyclic;

  it.each<[string, unknown, string]>([
    ['options a string', 'test@email.com', 'options'],
    ['options an array', [{ email: 'a@b.c' }], 'options'],
    ['options null', null, 'options'],
    ['a string state', { state: 'returnTo=/home' }, 'state'],
    ['a number state', { state: 7 }, 'state'],
    ['a null state', { state: null }, 'state'],
    ['an array state', { state: ['/home'] }, 'state'],
    ['a class instance state', { state: new AppState() }, 'state'],
    ['a Date state', { state: new Date(0) }, 'state'],
    ['a Map state', { state: new Map([['returnTo', '/home']]) }, 'state'],
    ['a state holding a BigInt', { state: { count: 1n } }, 'state'],
    ['a cyclic state', { state: cyclic }, 'state'],
    ['an empty email', { email: '' }, 'email'],
    ['a blank email', { email: '   ' }, 'email'],
    ['a non-string email', { email: ['a@b.c'] }, 'email'],
    ['a non-string loginHint', { loginHint: 42 }, 'loginHint'],
    ['separateWindow a string', { separateWindow: 'width=1' }, 'separateWindow'],
    ['separateWindow an array', { separateWindow: ['width=1'] }, 'separateWindow'],
    [
      'a feature name with a comma',
      { separateWindow: { 'width,noopener': 1 } },
      'separateWindow.width,noopener',
    ],
    ['a feature name with =', { separateWindow: { 'width=1,left': 1 } }, 'separateWindow.width=1,left'],
    ['a feature name with a space', { separateWindow: { 'left top': 1 } }, 'separateWindow.left top'],
    [
      'a feature value with a comma',
      { separateWindow: { menubar: 'no,noopener' } },
      'separateWindow.menubar',
    ],
    ['a feature value with =', { separateWindow: { width: '800,height=1' } }, 'separateWindow.width'],
    [
      'a feature value that is an object',
      { separateWindow: { width: { toString: () => '1' } } },
      'separateWindow.width',
    ],
    ['a feature value that is null', { separateWindow: { width: null } }, 'separateWindow.width'],
  ])('%s → %s', (_name, options, option) => {
    expect(rejectedOption(options)).toBe(option);
  });

  it.each<[unknown, string]>([
    ['test@email.com', 'Invalid option "options": must be an object'],
    [{ email: ' ' }, 'Invalid option "email": must be a non-empty string'],
    [{ state: [] }, 'Invalid option "state": must be an object'],
    [{ state: { count: 1n } }, 'Invalid option "state": must be JSON-serialisable'],
    [{ state: { toJSON: () => 'x' } }, 'Invalid option "state": must serialise to a JSON object'],
    [{ loginHint: 42 }, 'Invalid option "loginHint": must be a string'],
    [
      { separateWindow: 'x' },
      'Invalid option "separateWindow": must be a boolean or an object of window features',
    ],
    [
      { separateWindow: { width: '1,x' } },
      'Invalid option "separateWindow.width": must be a window feature with a plain value',
    ],
  ])('says what is wrong with %o', (options, message) => {
    expect(checkLoginOptions(options)?.message).toBe(message);
  });

  it('does not throw itself for a state whose getter throws', () => {
    const state = {
      get boom(): never {
        throw new Error('getter');
      },
    };
    expect(rejectedOption({ state })).toBe('state');
  });

  // encodeState refuses a state whose JSON is not an object; the option check should catch it
  // first, so the caller gets an InvalidOptionError naming `state` rather than a TypeError from
  // deep inside the login (src/loginOptions.ts checks only that JSON.stringify does not throw).
  it('refuses a state whose toJSON does not give an object', () => {
    expect(rejectedOption({ state: { toJSON: () => 'returnTo=/home' } })).toBe('state');
  });

  it('never echoes the value it refuses', () => {
    const error = checkLoginOptions({ email: 42, state: { returnTo: '/home' } });
    expect(error?.message).not.toContain('42');
    const stateError = checkLoginOptions({ state: 'private-app-state-value' });
    expect(stateError?.message).not.toContain('private-app-state-value');
  });
});

describe('wantsPopup', () => {
  it('is true for separateWindow true or a features object, false otherwise', () => {
    expect(wantsPopup({ separateWindow: true })).toBe(true);
    expect(wantsPopup({ separateWindow: { width: 1 } })).toBe(true);
    expect(wantsPopup({ separateWindow: {} })).toBe(true);
    expect(wantsPopup({ separateWindow: false })).toBe(false);
    expect(wantsPopup({})).toBe(false);
    expect(wantsPopup(undefined)).toBe(false);
  });
});

describe('popupFeatures', () => {
  const defaults = { width: 600, height: 800 };

  it("true → Webex's default size", () => {
    expect(popupFeatures(true, defaults)).toBe('width=600,height=800');
  });

  it('an object overrides the defaults key by key and appends the rest in order', () => {
    expect(popupFeatures({ width: 800, height: 600, menubar: 'no', toolbar: 'no' }, defaults)).toBe(
      'width=800,height=600,menubar=no,toolbar=no',
    );
    expect(popupFeatures({ menubar: 'no', width: 800 }, defaults)).toBe('width=800,height=800,menubar=no');
    expect(popupFeatures({ left: 10, top: 20 }, defaults)).toBe('width=600,height=800,left=10,top=20');
  });

  it('writes booleans as yes/no', () => {
    expect(popupFeatures({ resizable: true, scrollbars: false }, defaults)).toBe(
      'width=600,height=800,resizable=yes,scrollbars=no',
    );
  });

  it("takes its defaults from the config's popup size", () => {
    const { popup } = resolveConfig(
      {
        clientId: 'c',
        redirectUri: 'https://app.example/cb',
        endpoints: { authorization: 'https://as.example/a', token: 'https://as.example/t' },
        popup: { width: 480 },
      } satisfies AuthorizationConfig,
      true,
    );
    expect(popupFeatures(true, popup)).toBe('width=480,height=800');
    expect(popupFeatures({ height: 500 }, popup)).toBe('width=480,height=500');
  });
});
