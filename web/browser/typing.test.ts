// A person typing the wizard (the benchmark's seeded person, web/bench/person.ts, at five times
// their speed) whose tab is closed, or crashes, at a random moment: between keys, mid-pause,
// while a save is on its way. The next open of the wizard shows everything typed before.

import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { perform, plan, seeded, WIZARD } from '../bench/person';
import { chromiumPerFile, eventually, openWizard, sessionId, stored } from './helpers';

const main = inject('main');
const browser = chromiumPerFile();

/** Five times faster than the person: the same order of keys, pauses and steps. */
const SPEED = 5;


/** Every field's value as the wizard shows it, step by step (the step buttons move between them). */
async function shown(page: Page): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  for (const { step, fields } of WIZARD) {
    await page.locator('.steps button').nth(step - 1).click({ force: true });
    for (const { name } of fields) {
      const input = page.locator(`[name="${name}"]`);
      await input.waitFor();
      values[name] = await input.inputValue();
    }
  }
  return values;
}

describe('a tab closed while the person types', () => {
  // Each seed picks the person and the moment the tab goes.
  it.each([
    [11, 'closed'],
    [12, 'crashed'],
    [13, 'closed'],
    [14, 'crashed'],
    [15, 'crashed'],
  ] as const)('keeps everything typed before the tab went, at a random moment (seed %i, %s)', async (seed, how) => {
    const acts = plan(seed).filter((act) => act.kind !== 'create');
    const cut = Math.floor(seeded(seed * 7919)() * acts.length);
    const page = await openWizard(browser.context(), main.webUrl);
    const typed: Record<string, string> = {};
    for (const act of acts.slice(0, cut)) {
      await new Promise((resolve) => setTimeout(resolve, act.waitMs / SPEED));
      await perform(page, act);
      if (act.kind === 'key') typed[act.field] = (typed[act.field] ?? '') + act.text;
      if (act.kind === 'set') typed[act.field] = act.value;
    }
    if (how === 'closed') {
      // As a person closes a tab: `pagehide`, and the page is gone, whatever was on its way.
      await page.close({ runBeforeUnload: false });
    } else {
      // As a browser discards a tab, or the tab crashes: no `pagehide`, no last request.
      const crashed = new Promise((resolve) => page.once('crash', resolve));
      const cdp = await page.context().newCDPSession(page);
      void cdp.send('Page.crash').catch(() => undefined);
      await crashed;
      await page.close();
    }

    // Opened again, on whichever step the person had reached.
    const next = await browser.context().newPage();
    await next.goto(main.webUrl);
    await next.locator('.steps').waitFor();
    await next.waitForFunction(() => localStorage.getItem('projectSessionId') !== null);
    const values = await shown(next);
    const expected = Object.fromEntries(WIZARD.flatMap((s) => s.fields).map(({ name }) => [name, typed[name] ?? '']));
    expect(values, `closed after ${cut} of ${acts.length} acts`).toEqual(expected);
  }, 120_000);

  it('sends what waits for a pause at once when the page is hidden (another tab, another app)', async () => {
    // Delays of ten minutes: a save can only come from the page being hidden.
    const page = await openWizard(browser.context(), `${main.webUrl}/?autosaveDelay=600000&maxAutosaveDelay=600000`);
    const id = await sessionId(page);
    await page.locator('[name="projectName"]').pressSequentially('Hidden at once');
    const put = page.waitForRequest((request) => request.method() === 'PUT');
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    expect(JSON.parse((await put).postData()!)).toEqual({ projectData: { projectName: 'Hidden at once' } });
    await eventually(async () => (await stored(main.apiUrl, id)).body.projectData?.projectName === 'Hidden at once');
  });
});
