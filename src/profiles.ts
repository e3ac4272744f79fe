/**
 * Profiles describe an authorization server's dialect as data, so the machines stay generic.
 * `rfc` follows the RFCs to the letter; `webex` speaks Webex IdBroker and the oauth-helper
 * device endpoints the way the first-party web client does.
 */

/** The endpoints a flow may need. Any of them may be discovered from the issuer instead. */
export interface Endpoints {
  /** Authorization endpoint (RFC 6749 §3.1): where the browser is sent to log in. */
  authorization?: string;
  /** Token endpoint (RFC 6749 §3.2): code exchange and refresh. */
  token?: string;
  /** Device authorization endpoint (RFC 8628 §3.1): where the QR login gets its codes. */
  deviceAuthorization?: string;
  /** Defaults to `token` (RFC 8628 §3.4 polls the token endpoint). */
  deviceToken?: string;
  /** Revocation endpoint (RFC 7009 §2): `logout()` revokes the token here with a POST. */
  revocation?: string;
  /** End-session endpoint (OpenID Connect RP-Initiated Logout §2): where `logout()` navigates. */
  endSession?: string;
}

/** How a server dialect differs from the RFCs. Plain data: it travels in machine context. */
export interface Profile {
  /** `'rfc'`, `'webex'`, or the custom profile's name (`'custom'` when it has none). */
  name: string;
  /** Endpoints used when neither config nor discovery names one. */
  endpoints: Endpoints;
  /** Device endpoints as paths below `oauthHelperUrl` (Webex oauth-helper). */
  deviceEndpointPaths?: {
    /** Path of the device authorization endpoint (Webex: `/actions/device/authorize`). */
    deviceAuthorization: string;
    /** Path of the device token endpoint (Webex: `/actions/device/token`). */
    deviceToken: string;
  };
  /** Send `emailHash` as a top-level authorize parameter (Webex "redirectCI"). */
  sendEmailHash: boolean;
  /** Extra form fields on the code exchange (Webex: `self_contained_token=true`). */
  codeExchangeParameters: Record<string, string>;
  /** Derive the preauth-catalog `orgId` hint from the third `_` segment of the code (Webex). */
  orgIdFromCode: boolean;
  /** How the end-session (logout) URL is built; it never carries a token. */
  logout: {
    /** The parameter that names where to come back (OIDC RP-Initiated Logout: `post_logout_redirect_uri`). */
    redirectParameter: string;
    /** Send `client_id` (OIDC RP-Initiated Logout §2). */
    sendClientId: boolean;
    /** Fixed extra parameters (Webex: `cisService=webex`). */
    parameters: Record<string, string>;
  };
  /** Device flow dialect (RFC 8628 §3.5 unless stated). */
  device: {
    /** Seconds between polls when the server sends no `interval` (RFC 8628 §3.2: 5). */
    defaultInterval: number;
    /** HTTP statuses that mean "authorization pending" besides 400 `authorization_pending`. */
    pendingStatuses: number[];
    /** Also recognise `slow_down` in the body's `message` field (Webex). */
    slowDownInMessage: boolean;
    /** Deep link that replaces `verification_uri_complete` when it carries `userCode` (Webex). */
    verificationDeepLink?: string;
  };
}

const IDBROKER = 'https://idbroker.webex.com/idb/oauth2/v1';

/** The RFC profile: discovery from `issuer`, public client, RFC 8628 defaults. */
export const rfcProfile: Profile = {
  name: 'rfc',
  endpoints: {},
  sendEmailHash: false,
  codeExchangeParameters: {},
  orgIdFromCode: false,
  logout: { redirectParameter: 'post_logout_redirect_uri', sendClientId: true, parameters: {} },
  device: { defaultInterval: 5, pendingStatuses: [], slowDownInMessage: false },
};

/** The Webex profile: IdBroker endpoints, oauth-helper device endpoints, Webex quirks. */
export const webexProfile: Profile = {
  name: 'webex',
  endpoints: {
    authorization: `${IDBROKER}/authorize`,
    token: `${IDBROKER}/access_token`,
    revocation: `${IDBROKER}/revoke`,
    endSession: `${IDBROKER}/logout`,
  },
  deviceEndpointPaths: {
    deviceAuthorization: '/actions/device/authorize',
    deviceToken: '/actions/device/token',
  },
  sendEmailHash: true,
  codeExchangeParameters: { self_contained_token: 'true' },
  orgIdFromCode: true,
  logout: { redirectParameter: 'goto', sendClientId: false, parameters: { cisService: 'webex' } },
  device: {
    defaultInterval: 2,
    pendingStatuses: [428],
    slowDownInMessage: true,
    verificationDeepLink: 'https://web.webex.com/deviceAuth',
  },
};

/** The built-in profiles by name. */
export const profiles = {
  /** {@link rfcProfile} */
  rfc: rfcProfile,
  /** {@link webexProfile} */
  webex: webexProfile,
} as const;

/** The names of the built-in profiles, as `profile` in the config takes them. */
export type ProfileName = keyof typeof profiles;
