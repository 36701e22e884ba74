// The demo wizard under faults injected with Playwright's request routing, against the real API
// (scripts/dev.sh). Each test is one of issue 11's: what a person typed survives.

import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { chromiumPerFile, eventually, jsonReply, openWizard, recordApiRequests, routeDraft, sessionId, stored, waitForDraft, waitForStatus } from './helpers';

const main = inject('main');

const browser = chromiumPerFile();

const value = (page: Page, name: string) => page.locator(`[name="${name}"]`).inputValue();

describe('a load that fails', () => {
  it.each([
    [500, 'retrying'],
    [403, 'error'],
    // A 200 whose JSON is not a draft (a proxy's, a portal's): it used to wedge the tab.
    [200, 'error'],
  ])('keeps the draft and its values through a %i, and shows them once the API recovers', async (status, shown) => {
    const page = await openWizard(browser.context(), main.webUrl);
    const id = await sessionId(page);
    await page.fill('[name="projectName"]', 'Kept through a failed load');
    await waitForStatus(page, 'saved');

    const unroute = await routeDraft(page, main.apiUrl, id, (route, method) =>
      method === 'GET' ? route.fulfill(jsonReply(status, { error: 'Injected' })) : route.continue(),
    );
    await page.reload();
    await waitForStatus(page, shown);
    expect(await sessionId(page)).toBe(id);
    expect(await page.locator('[name="projectName"]').count()).toBe(0);

    await unroute();
    await page.locator('[name="projectName"]').waitFor({ timeout: 20_000 });
    expect(await value(page, 'projectName')).toBe('Kept through a failed load');
    expect(await sessionId(page)).toBe(id);
    expect((await stored(main.apiUrl, id)).body.projectData).toEqual({ projectName: 'Kept through a failed load' });
  });
});

describe('a refused field', () => {
  it('is held beside its input with the message while the other fields are saved, also after a reload', async () => {
    const page = await openWizard(browser.context(), main.webUrl);
    const id = await sessionId(page);
    await page.fill('[name="squareFootage"]', '-5');
    await page.fill('[name="projectName"]', 'Riverside');
    await page.fill('[name="buildingType"]', 'office');
    const held = page.locator('[data-testid="held-squareFootage"]');
    await held.waitFor();
    expect(await held.textContent()).toContain('must be 0 or from');
    await eventually(async () => (await stored(main.apiUrl, id)).body.projectData.buildingType === 'office');
    expect((await stored(main.apiUrl, id)).body.projectData).toEqual({ projectName: 'Riverside', buildingType: 'office' });
    await waitForStatus(page, 'error');
    expect(await value(page, 'squareFootage')).toBe('-5');

    await page.reload();
    await waitForDraft(page);
    expect(await value(page, 'squareFootage')).toBe('-5');
    await held.waitFor();

    await page.fill('[name="squareFootage"]', '1200');
    await eventually(async () => (await stored(main.apiUrl, id)).body.projectData.squareFootage === 1200);
    expect(await held.count()).toBe(0);
  });
});

describe('local storage blocked', () => {
  it('keeps the draft id in the URL, says so, and a reload finds the saved draft', async () => {
    const context = browser.context();
    await context.addInitScript(() => {
      Object.defineProperty(window, 'localStorage', {
        get() {
          throw new DOMException('The operation is insecure.', 'SecurityError');
        },
      });
    });
    const page = await context.newPage();
    await page.goto(main.webUrl);
    await page.locator('[name="projectName"]').waitFor();
    await page.locator('[data-testid="storage-failed"]').waitFor();
    await page.fill('[name="projectName"]', 'Saved without storage');
    await waitForStatus(page, 'saved');
    const id = new URL(page.url()).searchParams.get('draft')!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await stored(main.apiUrl, id)).body.projectData).toEqual({ projectName: 'Saved without storage' });

    await page.reload();
    await page.locator('[name="projectName"]').waitFor();
    expect(await value(page, 'projectName')).toBe('Saved without storage');
    expect(new URL(page.url()).searchParams.get('draft')).toBe(id);
  });
});

describe('local storage full, then working again', () => {
  it('keeps one draft for the browser when two tabs made one each meanwhile, with what was typed', async () => {
    const context = browser.context();
    // Every write refused while the page's flag says storage is full (a quota), as from the start.
    await context.addInitScript(() => {
      const w = window as unknown as { storageFull: boolean };
      w.storageFull = true;
      const setItem = Storage.prototype.setItem;
      Storage.prototype.setItem = function (key: string, value: string) {
        if (w.storageFull) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        setItem.call(this, key, value);
      };
    });
    const first = await context.newPage();
    await first.goto(main.webUrl);
    await first.locator('[data-testid="storage-failed"]').waitFor();
    await first.locator('[name="projectName"]').waitFor();
    const id = new URL(first.url()).searchParams.get('draft')!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);

    // The second tab finds no draft in storage and makes its own; its answer is held back.
    const second = await context.newPage();
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let created = false;
    await second.route(
      (url) => url.pathname === '/project-session',
      async (route) => {
        if (route.request().method() !== 'POST') return route.continue();
        created = true;
        await released;
        await route.continue();
      },
    );
    await second.goto(main.webUrl);
    await eventually(async () => created);

    // Storage works again; the first tab's typing names its draft where a reload looks.
    for (const page of [first, second]) await page.evaluate(() => ((window as unknown as { storageFull: boolean }).storageFull = false));
    await first.fill('[name="projectName"]', 'Typed in the first tab');
    await waitForStatus(first, 'saved');
    release();
    // The second tab's draft answers after: it joins the browser's draft instead of naming its own.
    await eventually(async () => (await second.evaluate(() => localStorage.getItem('projectSessionId'))) === id && (await value(second, 'projectName')) === 'Typed in the first tab');

    await first.close();
    await second.close();
    const again = await openWizard(context, main.webUrl);
    expect(await sessionId(again)).toBe(id);
    expect(await value(again, 'projectName')).toBe('Typed in the first tab');
    expect((await stored(main.apiUrl, id)).body.projectData).toEqual({ projectName: 'Typed in the first tab' });
  });
});

describe('a create answered 422 every time', () => {
  it('is tried a few times and held, keeps what is typed, and makes the draft after a reload once the API recovers', async () => {
    const page = await browser.context().newPage();
    const api = new URL(main.apiUrl);
    const creates = (url: URL) => url.origin === api.origin && url.pathname === '/project-session';
    const refuse = (route: import('playwright-core').Route) =>
      route.request().method() === 'POST' ? route.fulfill(jsonReply(422, { error: 'Injected' })) : route.continue();
    await page.route(creates, refuse);
    const sent = recordApiRequests(page, main.apiUrl);
    await page.goto(main.webUrl);
    await page.locator('[name="projectName"]').waitFor();
    await page.fill('[name="projectName"]', 'Typed while every create is refused');
    // Ten seconds: before the fix, about two thousand POSTs.
    await page.waitForTimeout(10_000);
    expect(sent.filter((r) => r === 'POST /project-session').length).toBeLessThanOrEqual(4);
    await waitForStatus(page, 'error');
    expect(await value(page, 'projectName')).toBe('Typed while every create is refused');

    await page.unroute(creates, refuse);
    await page.reload();
    await waitForDraft(page);
    const id = await sessionId(page);
    expect(await value(page, 'projectName')).toBe('Typed while every create is refused');
    await eventually(async () => (await stored(main.apiUrl, id)).body.projectData?.projectName === 'Typed while every create is refused');
  });
});

describe('a save over the body limit (413)', () => {
  it('holds the field that does not fit beside its input and saves the others', async () => {
    const page = await openWizard(browser.context(), main.webUrl);
    const id = await sessionId(page);
    await routeDraft(page, main.apiUrl, id, (route, method) =>
      method === 'PUT' && (route.request().postData() ?? '').length > 2000 ? route.fulfill(jsonReply(413, { message: 'Request Entity Too Large' })) : route.continue(),
    );
    await page.fill('[name="projectName"]', 'Riverside');
    await page.fill('[name="projectDescription"]', 'long '.repeat(900));
    await page.fill('[name="buildingType"]', 'office');
    const held = page.locator('[data-testid="held-projectDescription"]');
    await held.waitFor();
    expect(await held.textContent()).toContain('Too large to save');
    await eventually(async () => (await stored(main.apiUrl, id)).body.projectData.buildingType === 'office');
    expect((await stored(main.apiUrl, id)).body.projectData).toEqual({ projectName: 'Riverside', buildingType: 'office' });
    expect(await value(page, 'projectDescription')).toBe('long '.repeat(900));
  });
});

describe('a 412 whose read fails', () => {
  it('backs off instead of looping, and saves once the read works', async () => {
    const page = await openWizard(browser.context(), main.webUrl);
    const id = await sessionId(page);
    const unroute = await routeDraft(page, main.apiUrl, id, (route, method) => {
      if (method === 'PUT') return route.fulfill(jsonReply(412, { error: 'The session was changed', currentVersion: 7 }));
      if (method === 'GET') return route.fulfill(jsonReply(500, { error: 'Injected' }));
      return route.continue();
    });
    const sent = recordApiRequests(page, main.apiUrl);
    await page.fill('[name="projectName"]', 'Sent once the read works');
    // Eight seconds of a PUT answered 412 and every GET 500: before the fix, about a thousand requests.
    await page.waitForTimeout(8000);
    expect(sent.length).toBeGreaterThanOrEqual(3);
    expect(sent.length).toBeLessThanOrEqual(8);
    expect(await page.locator('[data-testid="save-status"]').getAttribute('data-status')).toBe('retrying');

    await unroute();
    await eventually(async () => (await stored(main.apiUrl, id)).body.projectData.projectName === 'Sent once the read works', 30_000);
    await waitForStatus(page, 'saved');
  });
});

describe('a hung save', () => {
  it('is given up after the timeout and retried, and a retry that meets its own write settles as saved', async () => {
    const page = await openWizard(browser.context(), main.webUrl);
    const id = await sessionId(page);
    let first = true;
    await routeDraft(page, main.apiUrl, id, async (route, method) => {
      if (method !== 'PUT' || !first) return route.continue();
      first = false;
      // The server applies the save, but its answer never reaches the page.
      await route.fetch();
    });
    await page.fill('[name="projectName"]', 'Saved exactly once');
    await eventually(async () => (await stored(main.apiUrl, id)).body.version === 2);
    await waitForStatus(page, 'saving');
    await waitForStatus(page, 'saved', 30_000);
    const { body } = await stored(main.apiUrl, id);
    expect(body.projectData).toEqual({ projectName: 'Saved exactly once' });
    expect(body.version).toBe(2);
    expect(await page.locator('[data-testid="changed-elsewhere"]').count()).toBe(0);
  });
});

describe('two tabs', () => {
  it('showing two different drafts each keep typing into their own', async () => {
    const first = await openWizard(browser.context(), main.webUrl);
    const mine = await sessionId(first);
    await first.fill('[name="projectName"]', 'First project');
    await waitForStatus(first, 'saved');
    // Another draft, opened in a second tab (as a link or "Continue this draft" would).
    const made = await fetch(`${main.apiUrl}/project-session`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ projectData: { projectName: 'Second project' } }),
    });
    const other = ((await made.json()) as { sessionId: string }).sessionId;
    const second = await openWizard(browser.context(), main.webUrl);
    await second.evaluate((id) => localStorage.setItem('projectSessionId', id), other);
    await second.reload();
    await waitForDraft(second);
    expect(await value(second, 'projectName')).toBe('Second project');

    await first.fill('[name="buildingType"]', 'office');
    await waitForStatus(first, 'saved');
    expect(await sessionId(first).catch(() => null)).not.toBeNull();
    expect((await stored(main.apiUrl, mine)).body.projectData).toEqual({ projectName: 'First project', buildingType: 'office' });
    expect((await stored(main.apiUrl, other)).body.projectData).toEqual({ projectName: 'Second project' });
    expect(await value(first, 'projectName')).toBe('First project');
  });

  it("end in one new draft holding both tabs' edits when the draft is deleted while both are open", async () => {
    const first = await openWizard(browser.context(), main.webUrl);
    const second = await openWizard(browser.context(), main.webUrl);
    const old = await sessionId(first);
    expect(await sessionId(second)).toBe(old);
    await fetch(`${main.apiUrl}/project-session/${old}`, { method: 'DELETE' });

    await first.fill('[name="projectName"]', 'Typed in the first tab');
    await second.fill('[name="buildingType"]', 'Typed in the second tab');
    let id = '';
    await eventually(async () => {
      id = await sessionId(first);
      if (!id || id === old) return false;
      const { status, body } = await stored(main.apiUrl, id);
      return status === 200 && body.projectData.projectName !== undefined && body.projectData.buildingType !== undefined;
    }, 30_000);
    expect((await stored(main.apiUrl, id)).body.projectData).toEqual({
      projectName: 'Typed in the first tab',
      buildingType: 'Typed in the second tab',
    });
    for (const page of [first, second]) {
      await eventually(async () => (await value(page, 'projectName')) === 'Typed in the first tab' && (await value(page, 'buildingType')) === 'Typed in the second tab');
    }
  });

  it('"Create project" in one tab makes the other say so, and it makes no new draft', async () => {
    const page = await openWizard(browser.context(), main.webUrl);
    const other = await openWizard(browser.context(), main.webUrl);
    const id = await sessionId(page);
    const fromOther = recordApiRequests(other, main.apiUrl);
    await page.fill('[name="projectName"]', 'Riverside Clinic');
    await page.fill('[name="buildingType"]', 'healthcare');
    await page.click('button[type="submit"]');
    await page.fill('[name="clientName"]', 'Ada Lovelace');
    await page.click('button[type="submit"]');
    await page.click('button[type="submit"]');
    await page.click('button:has-text("Create project")');
    await page.locator('[data-testid="created"]').waitFor();

    await other.locator('[data-testid="ended-elsewhere"]').waitFor();
    expect((await stored(main.apiUrl, id)).status).toBe(404);
    // Given time to misbehave, the other tab still makes nothing.
    await other.waitForTimeout(2000);
    expect(fromOther.filter((request) => request.startsWith('POST'))).toEqual([]);
    expect(await sessionId(other)).toBeNull();
  });
});

describe('"Start over" while another tab has unsaved edits', () => {
  it('asks first, and keeps the draft and those edits when the person says no', async () => {
    const page = await openWizard(browser.context(), main.webUrl);
    const id = await sessionId(page);
    await page.fill('[name="projectName"]', 'From before');
    await waitForStatus(page, 'saved');
    // Another tab types while its saves fail: its edit is kept in storage, not on the server.
    const other = await openWizard(browser.context(), main.webUrl);
    await routeDraft(other, main.apiUrl, id, (route, method) => (method === 'PUT' ? route.fulfill(jsonReply(503, { error: 'Injected' })) : route.continue()));
    await other.fill('[name="buildingType"]', 'Not saved yet');
    await waitForStatus(other, 'retrying');

    // This tab is reloaded while the API fails its load: it offers to start over.
    await routeDraft(page, main.apiUrl, id, (route, method) => (method === 'GET' ? route.fulfill(jsonReply(500, { error: 'Injected' })) : route.continue()));
    await page.reload();
    const asked: string[] = [];
    page.once('dialog', (dialog) => {
      asked.push(dialog.message());
      void dialog.dismiss();
    });
    await page.locator('button:has-text("Start over")').click();
    await eventually(async () => asked.length === 1);
    expect(asked[0]).toContain('not saved yet');
    await page.waitForTimeout(1000);
    expect(await sessionId(page)).toBe(id);
    expect((await stored(main.apiUrl, id)).status).toBe(200);
    expect(await value(other, 'buildingType')).toBe('Not saved yet');
  });
});

describe('a restored draft', () => {
  it('offers to continue it or start over, and starting over leaves an empty draft and deletes the old one', async () => {
    const page = await openWizard(browser.context(), main.webUrl);
    const old = await sessionId(page);
    await page.fill('[name="projectName"]', 'From before');
    await waitForStatus(page, 'saved');
    await page.reload();
    await waitForDraft(page);
    const offer = page.locator('[data-testid="restored"]');
    expect(await offer.textContent()).toMatch(/Continue your draft from \d{1,2}:\d{2}/);

    await offer.locator('button:has-text("Start over")').click();
    await eventually(async () => ((await sessionId(page)) ?? old) !== old);
    expect(await value(page, 'projectName')).toBe('');
    expect((await stored(main.apiUrl, old)).status).toBe(404);
    expect(await offer.count()).toBe(0);
  });
});

describe('a tab closed with an edit it could not save', () => {
  it('hands the edit to the other tab of the draft, which saves it', async () => {
    const first = await openWizard(browser.context(), main.webUrl);
    const second = await openWizard(browser.context(), main.webUrl);
    const id = await sessionId(first);
    expect(await sessionId(second)).toBe(id);
    const fromSecond: string[] = [];
    second.on('request', (request) => {
      if (request.method() === 'PUT') fromSecond.push(request.postData() ?? '');
    });
    // Every save fails while the first tab is open, the one it sends as it closes too.
    let refusing = true;
    await browser.context().route(
      (url) => url.href.startsWith(main.apiUrl) && url.pathname.endsWith(id),
      (route) => (refusing && route.request().method() === 'PUT' ? route.abort() : route.continue()),
    );
    await first.fill('[name="projectName"]', 'Typed in a tab that could not save');
    await waitForStatus(first, 'retrying');
    await first.close({ runBeforeUnload: true });
    // Long enough for the closing tab's last request to have been refused too.
    await second.waitForTimeout(2000);
    refusing = false;

    // The other tab sends it after its own autosave pause (4 s).
    await eventually(async () => fromSecond.some((body) => body.includes('Typed in a tab that could not save')));
    await eventually(async () => (await stored(main.apiUrl, id)).body.projectData.projectName === 'Typed in a tab that could not save');
    expect(await value(second, 'projectName')).toBe('Typed in a tab that could not save');
  });
});
