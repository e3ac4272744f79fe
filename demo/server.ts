/**
 * The authcharts demo: one command starts a real authorization server (the tests' oidc-provider,
 * with the device flow and its own verification pages) and the demo page, both on 127.0.0.1.
 *
 *   npm start               # prints the page's URL
 *   npm start -- --port 8080
 *
 * The page is bundled from the library's sources with esbuild when the server starts, so the demo
 * always runs the code in this checkout. Ctrl+C stops both servers.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { type AuthorizationServer, startAuthorizationServer } from '../test/fixtures/authorizationServer.js';
import { closeServer, listenOnLoopback } from '../test/fixtures/loopbackServer.js';

export interface DemoOptions {
  /** The page's port (default: a free one). */
  port?: number;
  /** The interval the server asks device clients to wait between polls, in seconds (default 2). */
  deviceInterval?: number;
}

export interface Demo {
  /** The demo page, e.g. `http://127.0.0.1:41234/`. */
  readonly url: string;
  /** The authorization server (issuer, requests it received). */
  readonly authorizationServer: AuthorizationServer;
  stop(): Promise<void>;
}

/** What the page needs to know about the server; served as `/config.json`. */
export interface DemoConfig {
  issuer: string;
  clientId: string;
  redirectUri: string;
}

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/** Bundles the page script (and the library it imports) for the browser. */
async function bundlePage(): Promise<string> {
  const result = await build({
    entryPoints: [here('./app.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    sourcemap: 'inline',
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error('esbuild produced no output for the demo page');
  return output.text;
}

/** Starts the authorization server and the page server; resolves once both listen. */
export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const [script, html] = await Promise.all([bundlePage(), readFile(here('./index.html'), 'utf8')]);
  let config: DemoConfig | undefined;
  const send = (res: ServerResponse, status: number, type: string, body: string) => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(body);
  };
  const page = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://demo').pathname;
    if (path === '/app.js') send(res, 200, 'text/javascript; charset=utf-8', script);
    else if (path === '/config.json' && config) send(res, 200, 'application/json', JSON.stringify(config));
    else if (path === '/' || path === '/index.html') send(res, 200, 'text/html; charset=utf-8', html);
    else send(res, 404, 'text/plain', 'not found');
  });
  const url = `${await listenOnLoopback(page, options.port)}/`;
  // The page is its own callback: it processes the redirect (or relays a popup's) on load.
  const authorizationServer = await startAuthorizationServer({
    redirectUris: [url],
    device: { interval: options.deviceInterval ?? 2 },
  }).catch(async (error: unknown) => {
    await closeServer(page);
    throw error;
  });
  config = { issuer: authorizationServer.issuer, clientId: authorizationServer.clientId, redirectUri: url };
  return {
    url,
    authorizationServer,
    async stop() {
      await Promise.all([authorizationServer.stop(), closeServer(page)]);
    },
  };
}

function portArgument(argv: readonly string[]): number | undefined {
  const index = argv.indexOf('--port');
  if (index === -1) return undefined;
  const port = Number(argv[index + 1]);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error('--port takes a port number');
  return port;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const demo = await startDemo({ port: portArgument(process.argv.slice(2)) });
  console.log(`authcharts demo: ${demo.url}`);
  console.log(`authorization server: ${demo.authorizationServer.issuer} (oidc-provider, test accounts only)`);
  console.log('Ctrl+C stops both.');
  const stop = () => {
    void demo.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
