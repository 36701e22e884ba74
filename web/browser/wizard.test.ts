// The demo wizard in real Chromium against the API on DynamoDB Local (scripts/dev.sh).

import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { chromiumPerFile, eventually, openWizard as open, recordApiRequests, seedFlow, sessionId, stored, waitForDraft, waitForStatus } from './helpers';

const main = inject('main');
const shortTtl = inject('shortTtl');

const browser = chromiumPerFile();

function openWizard(webUrl: string, page?: Page): Promise<Page> {
  return open(browser.context(), webUrl, page);
}

/**
 * Both tabs name the project within the autosave delay: one save lands, the other finds the
 * draft changed. Returns the tab that shows the conflict.
 */
async function nameInBoth(first: Page, second: Page): Promise<Page> {
  await first.fill('[name="projectName"]', 'Named in the first tab');
  await second.fill('[name="projectName"]', 'Named in the second tab');
  return Promise.any(
    [first, second].map(async (page) => {
      await waitForStatus(page, 'conflict');
      return page;
    }),
  );
}

describe('the demo wizard', () => {
  it('brings back what was typed after a reload (the seed\'s own test)', async () => {
    await seedFlow(await openWizard(main.webUrl), main.apiUrl);
  });

  it('asks the API once whether it may save a draft, not before every save', async () => {
    const page = await browser.context().newPage();
    // Preflights are the browser's own requests: only the DevTools protocol sees them.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    const preflights: string[] = [];
    cdp.on('Network.requestWillBeSent', (event: { request: { url: string; method: string } }) => {
      if (event.request.method === 'OPTIONS') preflights.push(new URL(event.request.url).pathname);
    });
    const sent = recordApiRequests(page, main.apiUrl);
    await open(browser.context(), `${main.webUrl}/?autosaveDelay=100`, page);
    const id = await sessionId(page);
    const saves = () => sent.filter((s) => s === `PUT /project-session/${id}`).length;
    for (const [i, field] of ['projectName', 'projectDescription', 'buildingType'].entries()) {
      await page.fill(`[name="${field}"]`, `Typed ${i}`);
      await eventually(async () => saves() === i + 1);
      await waitForStatus(page, 'saved');
    }
    expect((await stored(main.apiUrl, id)).body.projectData).toEqual({ projectName: 'Typed 0', projectDescription: 'Typed 1', buildingType: 'Typed 2' });
    // Each save carries If-Match; the API's CORS MaxAge covers all three.
    expect(preflights.filter((path) => path === `/project-session/${id}`)).toEqual([`/project-session/${id}`]);
  });

  it('keeps both fields when two tabs edit different fields of one draft', async () => {
    const first = await openWizard(main.webUrl);
    const second = await openWizard(main.webUrl);
    const id = await sessionId(first);
    expect(await sessionId(second)).toBe(id);

    await first.fill('[name="projectName"]', 'From the first tab');
    await waitForStatus(first, 'saved');
    // The second tab hears of the save (a storage event) and shows it before its user types.
    await second.locator('[data-testid="changed-elsewhere"]').waitFor();
    expect(await second.locator('[name="projectName"]').inputValue()).toBe('From the first tab');
    await second.fill('[name="buildingType"]', 'From the second tab');
    await waitForStatus(second, 'saved');

    await first.reload();
    await second.reload();
    for (const page of [first, second]) {
      await waitForDraft(page);
      expect(await page.locator('[name="projectName"]').inputValue()).toBe('From the first tab');
      expect(await page.locator('[name="buildingType"]').inputValue()).toBe('From the second tab');
    }
    const { body } = await stored(main.apiUrl, id);
    expect(body.projectData).toEqual({ projectName: 'From the first tab', buildingType: 'From the second tab' });
  });

  it('shows a conflict when two tabs change the same field at once, and saves the value kept', async () => {
    const first = await openWizard(main.webUrl);
    const second = await openWizard(main.webUrl);
    const id = await sessionId(first);
    const inConflict = await nameInBoth(first, second);
    const kept = await inConflict.locator('[name="projectName"]').inputValue();
    const other = kept === 'Named in the first tab' ? 'Named in the second tab' : 'Named in the first tab';
    const notice = await inConflict.locator('[data-testid="conflict"]').textContent();
    expect(notice).toContain(kept);
    expect(notice).toContain(other);
    // Nothing is overwritten until the user chooses.
    expect((await stored(main.apiUrl, id)).body.projectData.projectName).toBe(other);

    await inConflict.click('button:has-text("Keep mine")');
    await waitForStatus(inConflict, 'saved');
    expect((await stored(main.apiUrl, id)).body.projectData.projectName).toBe(kept);
  });

  it('keeps the conflict buttons beside values set aside, and the choice is saved', async () => {
    const context = await browser.newContext();
    // The draft holds a value this form cannot (another deploy's field): the API returns it under setAside.
    await context.route(
      (url) => url.pathname.startsWith('/project-session/'),
      async (route) => {
        if (route.request().method() !== 'GET') return route.continue();
        const response = await route.fetch();
        const body = await response.json();
        return route.fulfill({ response, json: response.ok() ? { ...body, setAside: { siteArea: 1200 } } : body });
      },
    );
    const first = await open(context, main.webUrl);
    const second = await open(context, main.webUrl);
    const id = await sessionId(first);
    const inConflict = await nameInBoth(first, second);
    expect(await inConflict.locator('[data-testid="set-aside"]').textContent()).toContain('siteArea');
    const kept = await inConflict.locator('[name="projectName"]').inputValue();
    await inConflict.click('button:has-text("Keep mine")');
    await waitForStatus(inConflict, 'saved');
    expect((await stored(main.apiUrl, id)).body.projectData.projectName).toBe(kept);
    // A tab may still be reading its draft: its routed GET must not outlive the context.
    await context.unrouteAll({ behavior: 'ignoreErrors' });
    await context.close();
  });

  it('sends what was typed while the network was down once it is back', async () => {
    const page = await openWizard(main.webUrl);
    const id = await sessionId(page);
    await browser.context().setOffline(true);
    await page.fill('[name="projectName"]', 'Typed offline');
    await waitForStatus(page, 'offline');
    expect((await stored(main.apiUrl, id)).body.projectData).toEqual({});

    await browser.context().setOffline(false);
    await eventually(async () => (await stored(main.apiUrl, id)).body.projectData.projectName === 'Typed offline');
    await waitForStatus(page, 'saved');
  });

  it('keeps what was typed offline in a tab closed before the network came back', async () => {
    const page = await openWizard(main.webUrl);
    const id = await sessionId(page);
    await browser.context().setOffline(true);
    await page.fill('[name="projectDescription"]', 'Typed offline, then the tab was closed');
    await waitForStatus(page, 'offline');
    await page.close();
    expect((await stored(main.apiUrl, id)).body.projectData).toEqual({});

    await browser.context().setOffline(false);
    const reopened = await openWizard(main.webUrl);
    expect(await sessionId(reopened)).toBe(id);
    expect(await reopened.locator('[name="projectDescription"]').inputValue()).toBe('Typed offline, then the tab was closed');
    await eventually(
      async () => (await stored(main.apiUrl, id)).body.projectData.projectDescription === 'Typed offline, then the tab was closed',
    );
  });

  it('clears the draft when the project is created', async () => {
    const page = await openWizard(main.webUrl);
    const id = await sessionId(page);
    await page.fill('[name="projectName"]', 'Riverside Clinic');
    await page.fill('[name="buildingType"]', 'healthcare');
    await page.click('button[type="submit"]');
    await page.fill('[name="clientName"]', 'Ada Lovelace');
    await page.fill('[name="clientEmail"]', 'ada@example.com');
    await page.click('button[type="submit"]');
    await page.fill('[name="budget"]', '250000');
    await page.selectOption('[name="priority"]', 'high');
    await page.click('button[type="submit"]');
    expect(await page.locator('[data-field="clientName"]').textContent()).toBe('Ada Lovelace');
    await page.click('button:has-text("Create project")');

    await page.locator('[data-testid="created"]').waitFor();
    expect((await stored(main.apiUrl, id)).status).toBe(404);
    expect(await page.evaluate(() => localStorage.getItem('projectSessionId'))).toBeNull();
  });
});

describe('an expired draft', () => {
  it('comes back from this browser into a new draft, and the page says it had expired', async () => {
    const page = await openWizard(shortTtl.webUrl);
    await page.fill('[name="projectName"]', 'Left for too long');
    await waitForStatus(page, 'saved');
    const expired = await sessionId(page);
    // The tab is closed; drafts on this stack expire 3 s after their last save.
    await page.close();
    await eventually(async () => (await stored(shortTtl.apiUrl, expired)).status === 404, 10_000);

    const reopened = await openWizard(shortTtl.webUrl);
    const fresh = await sessionId(reopened);
    expect(fresh).not.toBe(expired);
    expect(await reopened.locator('[name="projectName"]').inputValue()).toBe('Left for too long');
    await reopened.locator('[data-testid="restored-from-browser"]').waitFor();
    await eventually(async () => (await stored(shortTtl.apiUrl, fresh)).body.projectData?.projectName === 'Left for too long');
  });

  it('is replaced by an empty draft when the page keeps no copy (keepSavedCopy off)', async () => {
    const page = await openWizard(shortTtl.webUrl);
    // What a page with keepSavedCopy: false leaves: no copy of saved values.
    await page.fill('[name="projectName"]', 'Not kept');
    await waitForStatus(page, 'saved');
    const expired = await sessionId(page);
    await page.evaluate(() => {
      for (const key of Object.keys(localStorage)) if (key.startsWith('projectSession:saved:')) localStorage.removeItem(key);
    });
    await page.close();
    await eventually(async () => (await stored(shortTtl.apiUrl, expired)).status === 404, 10_000);
    const reopened = await openWizard(shortTtl.webUrl);
    expect(await sessionId(reopened)).not.toBe(expired);
    expect(await reopened.locator('[name="projectName"]').inputValue()).toBe('');
    expect(await reopened.locator('[data-testid="restored-from-browser"]').count()).toBe(0);
  });
});
