/**
 * The tests' side of the page hooks (`window.e2e`, see page/contract.ts): typed calls, the
 * recorded events, and waits that end when the page says so.
 */
import type { Page } from 'playwright-core';
import type { RecordedEvent, TestPageHooks } from '../page/contract.js';

type HookName = {
  [K in keyof TestPageHooks]: TestPageHooks[K] extends () => unknown ? K : never;
}[keyof TestPageHooks];

type HookResult<K extends HookName> = Awaited<ReturnType<TestPageHooks[K]>>;

/** Calls one of the page's argument-less hooks and returns what it resolved to. */
export function callPage<K extends HookName>(page: Page, name: K): Promise<HookResult<K>> {
  return page.evaluate(
    (hook) => (window as unknown as { e2e: Record<string, () => unknown> }).e2e[hook]?.(),
    name,
  ) as Promise<HookResult<K>>;
}

/** Waits until the page's script has run (after a navigation or reload). */
export async function waitForApp(page: Page): Promise<void> {
  await page.waitForFunction(() => 'e2e' in window, undefined, { polling: 50 });
}

/** How the page's start-up (`auth.whenReady()`) ended. */
export const readyOf = (page: Page) =>
  page.evaluate(() => (window as unknown as { e2e: TestPageHooks }).e2e.ready);

/** Every event the page's instance has emitted so far. */
export const eventsOf = (page: Page): Promise<RecordedEvent[]> =>
  page.evaluate(() => (window as unknown as { e2e: TestPageHooks }).e2e.events);

/** How the last login started from the page settled, once it has. */
export async function lastLoginOf(page: Page) {
  await page.waitForFunction(
    () => (window as unknown as { e2e: TestPageHooks }).e2e.lastLogin !== undefined,
    undefined,
    { polling: 50 },
  );
  return page.evaluate(() => (window as unknown as { e2e: TestPageHooks }).e2e.lastLogin);
}

/** Waits until the page has emitted `eventType` on `channel` and returns that event. */
export async function waitForAppEvent(
  page: Page,
  channel: string,
  eventType: string,
): Promise<RecordedEvent> {
  await page.waitForFunction(
    ([c, t]) =>
      (window as unknown as { e2e: TestPageHooks }).e2e.events.some(
        (event) => event.channel === c && event.eventType === t,
      ),
    [channel, eventType] as const,
    { polling: 50 },
  );
  const events = await eventsOf(page);
  const event = events.find((e) => e.channel === channel && e.eventType === eventType);
  if (!event) throw new Error(`no ${channel}/${eventType} event`);
  return event;
}

/** The `channel/eventType` names of `events`, in order: readable in a failed assertion. */
export const eventNames = (events: RecordedEvent[]) => events.map((e) => `${e.channel}/${e.eventType}`);
