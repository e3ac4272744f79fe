import type { BrowserContext, Request, Route } from 'playwright-core';

export interface HeldRequest {
  /** Resolves when the first matching request has left the page (and is being held). */
  readonly arrived: Promise<Route>;
  /** Lets the held request go on to the server. */
  release(): Promise<void>;
}

/**
 * Holds the first request of `context` that `matches` before it reaches the server, as a slow
 * network or a user who has not clicked yet would: it stays unanswered until `release()` (or
 * until the context closes). Later matching requests go through untouched, so a test that
 * expects one request sees a second one at the server instead of waiting forever.
 */
export async function holdFirstRequest(
  context: BrowserContext,
  matches: (request: Request) => boolean,
): Promise<HeldRequest> {
  let arrive: (route: Route) => void = () => {};
  const arrived = new Promise<Route>((resolve) => {
    arrive = resolve;
  });
  let holding = false;
  await context.route('**/*', async (route) => {
    if (holding || !matches(route.request())) return route.fallback();
    holding = true;
    arrive(route);
  });
  return {
    arrived,
    async release() {
      await (await arrived).fallback();
    },
  };
}
