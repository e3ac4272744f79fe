/**
 * The two device-flow servers of the integration run (test/setup/globalSetup.ts), behind one
 * shape so the same tests run against both: oidc-provider, where the user approves on the
 * server's own verification pages, and the Webex-dialect server, where the Webex web app (played
 * by the server's test hook) approves the code from the QR deep link. Each test registers a
 * client of its own, so its pacing and lifetimes touch no other test.
 */
import { inject } from 'vitest';
import { type Authorization, createAuthorization, type UserCodeData } from '../../src/index.js';
import {
  approveDevice,
  type DevicePolicy,
  type DevicePoll,
  denyDevice,
  devicePolls,
  registerClient,
} from '../fixtures/authorizationServer.js';
import { decideWebexDevice, registerWebexClient, webexDevicePolls } from '../fixtures/webexServer.js';

export interface DeviceClientSettings {
  device?: DevicePolicy;
  /** Seconds the device code lives (the QR code expires). */
  codeTtl?: number;
}

export interface DeviceServer {
  name: string;
  /** Registers a client and creates a facade for it, as a device would (Node, no window). */
  start(settings: DeviceClientSettings, onFinished: (stop: () => void) => void): Promise<Authorization>;
  /** What the QR code must encode for `userCode`. */
  qrLink(userCode: string): string;
  /** The user approves (or denies) what the QR code shows. */
  approve(userData: UserCodeData): Promise<void>;
  deny(userData: UserCodeData): Promise<void>;
  /** What the server saw of the polls for `userCode`. */
  polls(userCode: string): Promise<DevicePoll[]>;
  tokenUrl: string;
  clientIdOf(auth: Authorization): string;
  /** An API that answers 200 to a live access token. */
  apiUrl: string;
}

const REDIRECT_URI = 'https://app.example/callback';
const clientIds = new WeakMap<Authorization, string>();

function facade(config: Parameters<typeof createAuthorization>[0], onFinished: (stop: () => void) => void) {
  const auth = createAuthorization({ ...config, tokenStorage: 'memory', refreshAhead: false });
  clientIds.set(auth, config.clientId);
  onFinished(() => auth.stop());
  return auth;
}

const verificationUriOf = (userData: UserCodeData) => {
  if (!userData.verificationUriComplete) throw new Error('the server sent no verification_uri_complete');
  return userData.verificationUriComplete;
};

export function oidcProviderDeviceServer(): DeviceServer {
  const { issuer } = inject('authorizationServer');
  return {
    name: 'oidc-provider',
    async start({ device, codeTtl }, onFinished) {
      const clientId = await registerClient(issuer, {
        redirectUris: [REDIRECT_URI],
        device,
        ...(codeTtl === undefined ? {} : { ttl: { DeviceCode: codeTtl } }),
      });
      return facade({ clientId, redirectUri: REDIRECT_URI, issuer, scope: 'openid' }, onFinished);
    },
    qrLink: (userCode) => `${issuer}/device?user_code=${userCode}`,
    approve: (userData) => approveDevice(verificationUriOf(userData)),
    deny: (userData) => denyDevice(verificationUriOf(userData)),
    polls: (userCode) => devicePolls(issuer, userCode),
    tokenUrl: `${issuer}/token`,
    clientIdOf: (auth) => clientIds.get(auth) ?? '',
    apiUrl: `${issuer}/me`,
  };
}

/** The Webex server can also expire a code early, as its test hook. */
export function webexDeviceServer(): DeviceServer & { expire(userData: UserCodeData): Promise<void> } {
  const webex = inject('webexServer');
  /** The Webex web app reads the user code from the QR deep link. */
  const userCodeIn = (userData: UserCodeData) =>
    new URL(verificationUriOf(userData)).searchParams.get('usercode') ?? '';
  return {
    name: 'webex',
    async start({ device, codeTtl }, onFinished) {
      const clientId = await registerWebexClient(webex.baseUrl, {
        redirectUris: [REDIRECT_URI],
        device,
        ...(codeTtl === undefined ? {} : { ttl: { DeviceCode: codeTtl } }),
      });
      return facade(
        {
          clientId,
          redirectUri: REDIRECT_URI,
          scope: 'spark:all',
          profile: 'webex',
          oauthHelperUrl: webex.oauthHelperUrl,
          endpoints: {
            authorization: webex.authorizeUrl,
            token: webex.tokenUrl,
            revocation: webex.revokeUrl,
            endSession: webex.logoutUrl,
          },
        },
        onFinished,
      );
    },
    qrLink: (userCode) =>
      `https://web.webex.com/deviceAuth?usercode=${userCode}&oauthhelper=${encodeURIComponent(webex.oauthHelperUrl)}`,
    approve: (userData) => decideWebexDevice(webex.baseUrl, userCodeIn(userData), 'approve'),
    deny: (userData) => decideWebexDevice(webex.baseUrl, userCodeIn(userData), 'deny'),
    expire: (userData) => decideWebexDevice(webex.baseUrl, userCodeIn(userData), 'expire'),
    polls: (userCode) => webexDevicePolls(webex.baseUrl, userCode),
    tokenUrl: webex.tokenUrl,
    clientIdOf: (auth) => clientIds.get(auth) ?? '',
    apiUrl: webex.peopleMeUrl,
  };
}
