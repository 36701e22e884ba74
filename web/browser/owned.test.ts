// Owned mode in real Chromium: `AUTH_MODE=jwt ./scripts/dev.sh`, the demo signed in through the
// local token issuer. Two people in two browser contexts each see only their own drafts, and
// one of them resumes on a second device what they typed on the first.

import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { chromiumPerFile, waitForStatus } from './helpers';

const owned = inject('owned');
const browser = chromiumPerFile();

async function signIn(context: BrowserContext, who: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(owned.webUrl);
  await page.fill('#who', who);
  await page.click('button:has-text("Sign in")');
  await page.locator('[name="projectName"]').waitFor();
  return page;
}

/** What the API lists for `who`, with a token of the local issuer. */
async function listed(who: string): Promise<string[]> {
  const token = await fetch(`${owned.apiUrl}/local-auth/token`, {
    method: 'POST',
    body: JSON.stringify({ sub: who }),
  }).then((r) => r.json() as Promise<{ access_token: string }>);
  const list = await fetch(`${owned.apiUrl}/project-sessions`, {
    headers: { Authorization: `Bearer ${token.access_token}` },
  }).then((r) => r.json() as Promise<{ drafts: { projectName?: string }[] }>);
  return list.drafts.map((d) => d.projectName ?? '');
}

/** Every field of every draft the API lists for `who`, read with their token. */
async function draftsOf(who: string): Promise<Record<string, unknown>[]> {
  const token = await fetch(`${owned.apiUrl}/local-auth/token`, {
    method: 'POST',
    body: JSON.stringify({ sub: who }),
  }).then((r) => r.json() as Promise<{ access_token: string }>);
  const headers = { Authorization: `Bearer ${token.access_token}` };
  const list = await fetch(`${owned.apiUrl}/project-sessions`, { headers }).then((r) => r.json() as Promise<{ drafts: { sessionId: string }[] }>);
  return Promise.all(
    list.drafts.map((d) =>
      fetch(`${owned.apiUrl}/project-session/${d.sessionId}`, { headers })
        .then((r) => r.json() as Promise<{ projectData: Record<string, unknown> }>)
        .then((b) => b.projectData),
    ),
  );
}

describe('owned drafts', () => {
  it('keep two people apart and follow one of them to a second device', async () => {
    const run = Math.random().toString(36).slice(2, 8);
    const [ada, bob] = [`ada-${run}`, `bob-${run}`];
    const adaLaptop = await signIn(browser.context(), ada);
    const bobContext = await browser.newContext();
    const bobLaptop = await signIn(bobContext, bob);

    await adaLaptop.fill('[name="projectName"]', "Ada's depot");
    await bobLaptop.fill('[name="projectName"]', "Bob's bridge");
    await waitForStatus(adaLaptop, 'saved');
    await waitForStatus(bobLaptop, 'saved');
    expect(await listed(ada)).toEqual(["Ada's depot"]);
    expect(await listed(bob)).toEqual(["Bob's bridge"]);

    // Ada on another device: a browser with nothing stored, signed in as her.
    const phone = await browser.newContext();
    const adaPhone = await signIn(phone, ada);
    await expect.poll(() => adaPhone.locator('[name="projectName"]').inputValue(), { timeout: 30_000 }).toBe("Ada's depot");
    await adaPhone.fill('[name="buildingType"]', 'warehouse');
    await waitForStatus(adaPhone, 'saved');

    // Back on the laptop, a reload shows what the phone added; Bob never sees any of it.
    await adaLaptop.reload();
    await expect.poll(() => adaLaptop.locator('[name="buildingType"]').inputValue(), { timeout: 30_000 }).toBe('warehouse');
    await bobLaptop.reload();
    await bobLaptop.locator('[name="projectName"]').waitFor();
    expect(await bobLaptop.locator('[name="projectName"]').inputValue()).toBe("Bob's bridge");
    expect(await bobLaptop.locator('[data-testid="my-drafts"]').count()).toBe(0);
    await bobContext.close();
    await phone.close();
  });

  it("send nothing of one person's draft with another's token when someone else signs in in another tab", async () => {
    const run = Math.random().toString(36).slice(2, 8);
    const [ada, bob] = [`ada-${run}`, `bob-${run}`];
    const context = await browser.newContext();
    const adaTab = await signIn(context, ada);
    await adaTab.fill('[name="projectName"]', "Ada's depot");
    await waitForStatus(adaTab, 'saved');

    // Another tab of the same browser: Ada signs out there and Bob signs in. The sign-in is the
    // browser's, so Ada's tab's token getter now returns Bob's token.
    const other = await context.newPage();
    await other.goto(owned.webUrl);
    await other.click('button:has-text("Sign out")');
    await other.fill('#who', bob);
    await other.click('button:has-text("Sign in")');
    await other.locator('[name="projectName"]').waitFor();

    // Ada types on in her tab: it says she is signed out and keeps what she typed.
    await adaTab.fill('[name="projectDescription"]', 'A depot by the river');
    await waitForStatus(adaTab, 'signedOut', 30_000);
    expect(JSON.stringify(await draftsOf(bob))).not.toMatch(/depot/);
    expect(await draftsOf(ada)).toEqual([{ projectName: "Ada's depot" }]);
    const kept = await adaTab.evaluate((w) => Object.entries(localStorage).filter(([k, v]) => k.includes(encodeURIComponent(w)) && v.includes('A depot by the river')).length, ada);
    expect(kept).toBeGreaterThan(0);

    // Ada signs in again (in the other tab): her tab's next try saves her edit to her draft.
    await other.click('button:has-text("Sign out")');
    await other.fill('#who', ada);
    await other.click('button:has-text("Sign in")');
    await waitForStatus(adaTab, 'saved', 60_000);
    expect(await draftsOf(ada)).toEqual([{ projectName: "Ada's depot", projectDescription: 'A depot by the river' }]);
    expect(JSON.stringify(await draftsOf(bob))).not.toMatch(/depot/);
    await context.close();
  });

  it('forgets a person’s unsaved work in this browser at sign-out, not their drafts', async () => {
    const who = `carol-${Math.random().toString(36).slice(2, 8)}`;
    const page = await signIn(browser.context(), who);
    await page.fill('[name="projectName"]', 'Carol’s canal');
    await waitForStatus(page, 'saved');
    await page.click('button:has-text("Sign out")');
    const kept = await page.evaluate((w) => Object.keys(localStorage).filter((k) => k.includes(encodeURIComponent(w))), who);
    expect(kept).toEqual([]);
    expect(await listed(who)).toEqual(['Carol’s canal']);
  });
});
