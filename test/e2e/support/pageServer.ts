/**
 * Serves the browser test page on 127.0.0.1 (a free port): the page itself at every path (the
 * app's start page and its OAuth callback alike), the bundled script at `/app.js`, and the config
 * at `/config.js`. The page server starts first because the authorization server must know the
 * callback URL; the issuer reaches the page later through {@link TestPageServer.configure}.
 */
import { createServer } from 'node:http';
import { closeServer, listenOnLoopback } from '../../fixtures/loopbackServer.js';
import { CONFIG_GLOBAL, type TestPageConfig } from '../page/contract.js';
import { bundleTestPage } from './pageBundle.js';

export interface TestPageServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** The page's OAuth callback (`<origin>/callback`): the client's redirect URI. */
  readonly callbackUrl: string;
  /** Hands the page its config; until then `/config.js` answers 503 and the page cannot start. */
  configure(config: Omit<TestPageConfig, 'redirectUri'>): void;
  stop(): Promise<void>;
}

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>authcharts browser test</title>
    <link rel="icon" href="data:,">
    <script src="/config.js"></script>
    <script type="module" src="/app.js"></script>
  </head>
  <body>
    <button id="login-redirect">Log in</button>
    <button id="login-popup">Log in with a popup</button>
    <button id="login-qr">Log in with a QR code</button>
    <p id="status">Starting</p>
    <p id="user-code"></p>
  </body>
</html>
`;

export async function startTestPageServer(): Promise<TestPageServer> {
  const script = await bundleTestPage();
  let configScript: string | undefined;

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    res.setHeader('cache-control', 'no-store');
    if (req.method !== 'GET') {
      res.statusCode = 405;
      res.end();
    } else if (path === '/app.js') {
      res.setHeader('content-type', 'text/javascript; charset=utf-8');
      res.end(script);
    } else if (path === '/config.js') {
      res.statusCode = configScript === undefined ? 503 : 200;
      res.setHeader('content-type', 'text/javascript; charset=utf-8');
      res.end(configScript ?? '');
    } else {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(PAGE);
    }
  });
  const origin = await listenOnLoopback(server);
  const callbackUrl = `${origin}/callback`;

  return {
    origin,
    callbackUrl,
    configure(config) {
      const pageConfig: TestPageConfig = { ...config, redirectUri: callbackUrl };
      configScript = `globalThis[${JSON.stringify(CONFIG_GLOBAL)}] = ${JSON.stringify(pageConfig)};\n`;
    },
    stop: () => closeServer(server),
  };
}
