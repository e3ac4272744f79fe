// biome-ignore-all lint/suspicious/noVar: the guide's snippets are run as written (`var webex = …`).
// biome-ignore-all lint/complexity/useArrowFunction: the guide's snippets are run as written.
// biome-ignore-all lint/style/useTemplate: the guide's snippets are run as written.
/**
 * The guide's backend snippets (`app.get('/oauth/redirect', …)` and `app.get('/oauth/refresh', …)`)
 * run in Node as written, on an Express-like `app`, against a token endpoint on 127.0.0.1 whose
 * address is in the portal URL (`…/v1/authorize` → `…/v1/access_token`). Only the import line and
 * `<your URL from the portal>` / `<your client secret from the portal>` differ from the guide.
 */
import assert from 'node:assert';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import querystring from 'node:querystring';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import Webex from '../../src/webex.js';
import { portalUrl, stopEveryInstanceAfterEachTest } from './support.js';

const CLIENT_ID = 'C-backend-client';
/** A made-up secret; only its HTTP Basic encoding is checked. */
const YOUR_CLIENT_SECRET_FROM_THE_PORTAL = 'portal-secret';
const REDIRECT_URI = 'http://localhost:8000/oauth/redirect';

interface TokenRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  contentType: string | undefined;
  form: URLSearchParams;
}

let server: Server;
let requests: TokenRequest[] = [];
let YOUR_URL_FROM_THE_PORTAL: string;

/** The token endpoint: a code gives AT-code/RT-code, a refresh gives AT-refreshed/RT-rotated. */
beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      const form = new URLSearchParams(body);
      requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        authorization: req.headers.authorization,
        contentType: req.headers['content-type'],
        form,
      });
      const answer = (status: number, json: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(JSON.stringify(json));
      };
      if (req.method !== 'POST' || req.url !== '/v1/access_token') return answer(404, { error: 'not_found' });
      if (form.get('grant_type') === 'authorization_code') {
        return answer(200, {
          access_token: 'AT-code',
          token_type: 'Bearer',
          expires_in: 3600,
          refresh_token: 'RT-code',
          refresh_token_expires_in: 7776000,
          scope: 'spark:all',
        });
      }
      if (form.get('grant_type') === 'refresh_token') {
        if (form.get('refresh_token') === 'RT-revoked') return answer(400, { error: 'invalid_grant' });
        return answer(200, {
          access_token: 'AT-refreshed',
          token_type: 'Bearer',
          expires_in: 3600,
          refresh_token: 'RT-rotated',
        });
      }
      answer(400, { error: 'unsupported_grant_type' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  YOUR_URL_FROM_THE_PORTAL = portalUrl(CLIENT_ID, {
    authorize: `http://127.0.0.1:${port}/v1/authorize`,
    redirectUri: REDIRECT_URI,
    scope: 'spark:all',
  });
});

afterAll(async () => {
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
});

// Every instance the snippets create is stopped after the test (its refresh timer included).
const instances = stopEveryInstanceAfterEachTest();
beforeEach(() => {
  requests = [];
});
afterEach(() => {
  vi.unstubAllEnvs();
});

type Handler = (req: { params: Record<string, string> }, res: FakeResponse) => void;

/** Just enough Express: `app.get(path, handler)` and a response that records what was sent. */
function createApp() {
  const routes = new Map<string, Handler>();
  return {
    get(path: string, handler: Handler) {
      routes.set(path, handler);
    },
    /** Calls the route with `req.params` and resolves once the handler called `res.end()`. */
    async call(path: string, params: Record<string, string>) {
      const handler = routes.get(path);
      if (!handler) throw new Error(`no route ${path}`);
      const res = new FakeResponse();
      handler({ params }, res);
      await res.ended;
      return res;
    },
  };
}

class FakeResponse {
  location: string | undefined;
  sent: unknown;
  #end: () => void = () => {};
  readonly ended = new Promise<void>((resolve) => {
    this.#end = resolve;
  });
  redirect(location: string) {
    this.location = location;
    return this;
  }
  send(body: unknown) {
    this.sent = body;
    return this;
  }
  end() {
    this.#end();
    return this;
  }
}

/** `client_id:secret` of an HTTP Basic header, each half form-decoded (RFC 6749 §2.3.1). */
function basicCredentials(header: string | undefined): string {
  expect(header).toMatch(/^Basic [A-Za-z0-9+/]+=*$/);
  const decoded = Buffer.from((header ?? '').slice('Basic '.length), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const formDecode = (part: string) => decodeURIComponent(part.replace(/\+/g, ' '));
  return `${formDecode(decoded.slice(0, colon))}:${formDecode(decoded.slice(colon + 1))}`;
}

describe('Authorization Code Grant Flow: the backend exchanges the code and redirects to the frontend', () => {
  /** The guide's handler, as written. */
  function registerGuideHandler(app: ReturnType<typeof createApp>) {
    app.get(`/oauth/redirect`, function (req, res) {
      assert(req.params.code);
      var webex = Webex.init({
        config: {
          credentials: {
            authorizationString: YOUR_URL_FROM_THE_PORTAL,
            clientType: 'confidential',
          },
        },
      });
      webex.requestAuthorizationCodeGrant(req.params).then(() => {
        // @ts-expect-error -- the guide's JavaScript takes the token for granted after the exchange.
        res.redirect('/#' + querystring.stringify(webex.credentials.supertoken.toJSON())).end();
      });
    });
  }

  function expectTokenFragment(location: string | undefined) {
    expect(location?.startsWith('/#')).toBe(true);
    const fragment = querystring.parse((location ?? '').slice(2));
    expect(fragment.access_token).toBe('AT-code');
    expect(fragment.token_type).toBe('Bearer');
    expect(Number(fragment.expires_in)).toBeGreaterThan(3590);
    expect(Number(fragment.expires_in)).toBeLessThanOrEqual(3600);
    expect(fragment.refresh_token).toBe('RT-code');
    expect(fragment.scope).toBe('spark:all');
    expect(Object.values(fragment)).not.toContain('undefined');
  }

  function expectCodeExchange(request: TokenRequest | undefined) {
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/v1/access_token');
    expect(request?.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    expect(basicCredentials(request?.authorization)).toBe(
      `${CLIENT_ID}:${YOUR_CLIENT_SECRET_FROM_THE_PORTAL}`,
    );
    expect(request?.form.get('grant_type')).toBe('authorization_code');
    expect(request?.form.get('code')).toBe('CODE-from-the-login-page');
    expect(request?.form.get('redirect_uri')).toBe(REDIRECT_URI);
    // The backend never saw the browser's PKCE verifier (see the report on code + PKCE).
    expect(request?.form.has('code_verifier')).toBe(false);
    // The secret goes in the header only.
    expect(request?.form.has('client_secret')).toBe(false);
    expect(request?.form.toString()).not.toContain(YOUR_CLIENT_SECRET_FROM_THE_PORTAL);
  }

  it('as written: the secret comes from WEBEX_CLIENT_SECRET (as in Webex), sent with HTTP Basic', async () => {
    vi.stubEnv('WEBEX_CLIENT_SECRET', YOUR_CLIENT_SECRET_FROM_THE_PORTAL);
    const app = createApp();
    registerGuideHandler(app);

    const res = await app.call('/oauth/redirect', { code: 'CODE-from-the-login-page' });

    expectTokenFragment(res.location);
    expect(requests).toHaveLength(1);
    expectCodeExchange(requests[0]);
  });

  it('with client_secret in the credentials config', async () => {
    const app = createApp();
    app.get(`/oauth/redirect`, function (req, res) {
      assert(req.params.code);
      var webex = Webex.init({
        config: {
          credentials: {
            authorizationString: YOUR_URL_FROM_THE_PORTAL,
            clientType: 'confidential',
            client_secret: YOUR_CLIENT_SECRET_FROM_THE_PORTAL,
          },
        },
      });
      webex.requestAuthorizationCodeGrant(req.params).then(() => {
        // @ts-expect-error -- the guide's JavaScript takes the token for granted after the exchange.
        res.redirect('/#' + querystring.stringify(webex.credentials.supertoken.toJSON())).end();
      });
    });

    const res = await app.call('/oauth/redirect', { code: 'CODE-from-the-login-page' });

    expectTokenFragment(res.location);
    expect(requests).toHaveLength(1);
    expectCodeExchange(requests[0]);
    expect(instances[0]?.config.credentials.tokenUrl).toBe(
      `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/access_token`,
    );
  });

  it('without any secret the exchange goes out as a public client (client_id in the body, no Basic)', async () => {
    const app = createApp();
    registerGuideHandler(app);
    await app.call('/oauth/redirect', { code: 'CODE-from-the-login-page' });
    expect(requests[0]?.authorization).toBeUndefined();
    expect(requests[0]?.form.get('client_id')).toBe(CLIENT_ID);
  });
});

describe('Token Refresh: the backend refreshes for its frontend with the client secret', () => {
  function registerGuideHandler(app: ReturnType<typeof createApp>) {
    app.get(`/oauth/refresh`, function (req, res) {
      assert(req.params.refresh_token);
      var webex = Webex.init({
        credentials: {
          refresh_token: req.params.refresh_token,
        },
        config: {
          credentials: {
            authorizationString: YOUR_URL_FROM_THE_PORTAL,
            client_secret: YOUR_CLIENT_SECRET_FROM_THE_PORTAL,
          },
        },
      });

      webex.refresh().then(() => {
        res.send(webex.credentials.supertoken).end();
      });
    });
  }

  it('refreshes once with HTTP Basic and sends the new token', async () => {
    const app = createApp();
    registerGuideHandler(app);

    const res = await app.call('/oauth/refresh', { refresh_token: 'RT-from-the-browser' });

    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request?.path).toBe('/v1/access_token');
    expect(basicCredentials(request?.authorization)).toBe(
      `${CLIENT_ID}:${YOUR_CLIENT_SECRET_FROM_THE_PORTAL}`,
    );
    expect(request?.form.get('grant_type')).toBe('refresh_token');
    expect(request?.form.get('refresh_token')).toBe('RT-from-the-browser');
    expect(request?.form.has('client_secret')).toBe(false);

    // Express's res.send(object) sends JSON: the token's toJSON().
    const sent = JSON.parse(JSON.stringify(res.sent)) as Record<string, unknown>;
    expect(sent).toMatchObject({
      access_token: 'AT-refreshed',
      token_type: 'Bearer',
      refresh_token: 'RT-rotated',
    });
    expect(sent.expires_in).toBeGreaterThan(3590);
    expect(instances[0]?.canAuthorize).toBe(true);
  });

  it('before the refresh, a refresh token alone can authorize (it can be refreshed) but has no access token', () => {
    const webex = Webex.init({
      credentials: { refresh_token: 'RT-from-the-browser' },
      config: {
        credentials: {
          authorizationString: YOUR_URL_FROM_THE_PORTAL,
          client_secret: YOUR_CLIENT_SECRET_FROM_THE_PORTAL,
        },
      },
    });
    expect(webex.ready).toBe(true);
    expect(webex.canAuthorize).toBe(true);
    expect(webex.credentials.canRefresh).toBe(true);
    expect(webex.credentials.supertoken?.toJSON()).toEqual({ refresh_token: 'RT-from-the-browser' });
  });

  it('a refused refresh token rejects with the OAuth error and leaves no token', async () => {
    const webex = Webex.init({
      credentials: { refresh_token: 'RT-revoked' },
      config: {
        credentials: {
          authorizationString: YOUR_URL_FROM_THE_PORTAL,
          client_secret: YOUR_CLIENT_SECRET_FROM_THE_PORTAL,
        },
      },
    });
    await expect(webex.refresh()).rejects.toMatchObject({
      name: 'InvalidGrantError',
      error: 'invalid_grant',
    });
    expect(webex.credentials.supertoken).toBeUndefined();
    expect(webex.canAuthorize).toBe(false);
  });
});

describe('Node specifics', () => {
  it('an access token to start with is usable at once', async () => {
    const webex = Webex.init({
      credentials: { access_token: 'Bearer AT-given', expires_in: 600 },
      config: { credentials: { authorizationString: YOUR_URL_FROM_THE_PORTAL } },
    });
    await expect(webex.credentials.getAccessToken()).resolves.toBe('AT-given');
    expect(webex.credentials.supertoken?.toString()).toBe('Bearer AT-given');
    expect(requests).toHaveLength(0);
  });

  it('a code parameter that is not a string is refused before any request', async () => {
    const webex = Webex.init({ config: { credentials: { authorizationString: YOUR_URL_FROM_THE_PORTAL } } });
    await expect(webex.requestAuthorizationCodeGrant({ code: ['a', 'b'] })).rejects.toMatchObject({
      name: 'InvalidOptionError',
      option: 'code',
    });
    expect(requests).toHaveLength(0);
  });

  it('needs a token or a refresh token in credentials', () => {
    expect(() =>
      Webex.init({
        credentials: {},
        config: { credentials: { authorizationString: YOUR_URL_FROM_THE_PORTAL } },
      }),
    ).toThrow(ConfigError);
  });
});
