// What the browser tests do to the demo wizard and ask of the API.

import type { Browser, BrowserContext, Page, Request, Route } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { launch } from './chromium';

/** One Chromium for the test file, and a fresh context (its own storage) for each test. */
export function chromiumPerFile(): { context: () => BrowserContext; newContext: () => Promise<BrowserContext> } {
  let browser: Browser;
  let context: BrowserContext;
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    context = await browser.newContext();
  });
  afterEach(async () => {
    await context?.close();
  });
  // Another context of the same Chromium: another device, its storage its own.
  return { context: () => context, newContext: () => browser.newContext() };
}

/** Opens the wizard and waits until it shows a draft. */
export async function openWizard(context: BrowserContext, webUrl: string, page?: Page): Promise<Page> {
  page ??= await context.newPage();
  await page.goto(webUrl);
  await waitForDraft(page);
  return page;
}

export async function waitForDraft(page: Page): Promise<void> {
  await page.locator('[name="projectName"], [data-testid="created"]').first().waitFor();
  await page.waitForFunction(() => localStorage.getItem('projectSessionId') !== null);
}

/** The draft's id in the page's localStorage (`null` at run time when it has none). */
export async function sessionId(page: Page): Promise<string> {
  return (await page.evaluate(() => localStorage.getItem('projectSessionId')))!;
}

export async function waitForStatus(page: Page, status: string, timeout = 10_000): Promise<void> {
  await page.locator(`[data-testid="save-status"][data-status="${status}"]`).waitFor({ timeout });
}

export async function stored(apiUrl: string, id: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${apiUrl}/project-session/${id}`);
  return { status: response.status, body: await response.json() };
}

/** Polls until `check` holds, for what the page sends in the background. */
export async function eventually(check: () => Promise<boolean>, timeout = 15_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('the condition did not hold in time');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Requests the page sends to the API, as `METHOD /path`, from now on. */
export function recordApiRequests(page: Page, apiUrl: string): string[] {
  const seen: string[] = [];
  page.on('request', (request: Request) => {
    if (request.url().startsWith(apiUrl)) seen.push(`${request.method()} ${new URL(request.url()).pathname}`);
  });
  return seen;
}

/** Routes the page's requests to one draft's path; `handle` answers or lets them through. */
export async function routeDraft(
  page: Page,
  apiUrl: string,
  id: string,
  handle: (route: Route, method: string) => Promise<void>,
): Promise<() => Promise<void>> {
  const matches = (url: URL) => url.origin === new URL(apiUrl).origin && url.pathname === `/project-session/${id}`;
  const handler = (route: Route) => handle(route, route.request().method());
  await page.route(matches, handler);
  return () => page.unroute(matches, handler);
}

export function jsonReply(status: number, body: unknown) {
  return { status, contentType: 'application/json', headers: { 'Cache-Control': 'no-store' }, body: JSON.stringify(body) };
}

/**
 * The seed's own integration test ("Project Creation Flow"), on a page showing a draft: fill three
 * fields of step 1, wait until the page says it saved (the seed waits 1.5 s), reload, and the
 * values are back, in the same draft, as stored.
 */
export async function seedFlow(page: Page, apiUrl: string): Promise<void> {
  await page.fill('[name="projectName"]', 'Test Project');
  await page.fill('[name="buildingType"]', 'office');
  await page.fill('[name="squareFootage"]', '1000');
  await waitForStatus(page, 'saved');
  const id = await sessionId(page);

  await page.reload();
  await waitForDraft(page);
  expect(await page.locator('[name="projectName"]').inputValue()).toBe('Test Project');
  expect(await page.locator('[name="buildingType"]').inputValue()).toBe('office');
  expect(await page.locator('[name="squareFootage"]').inputValue()).toBe('1000');
  expect(await sessionId(page)).toBe(id);
  const { body } = await stored(apiUrl, id);
  expect(body.projectData).toEqual({ projectName: 'Test Project', buildingType: 'office', squareFootage: 1000 });
}
