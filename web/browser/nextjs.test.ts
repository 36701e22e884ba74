// The original design's Next.js page (examples/nextjs, `next build` then `next start`, with the
// package installed from `npm pack`) in real Chromium against the API on DynamoDB Local.

import { describe, expect, inject, it } from 'vitest';
import { chromiumPerFile, seedFlow, sessionId, stored, waitForDraft, waitForStatus } from './helpers';

const main = inject('main');
const nextjs = inject('nextjs');

const browser = chromiumPerFile();

function url(path: string): string {
  if ('error' in nextjs) throw new Error(nextjs.error);
  return `${nextjs.url}${path}`;
}

describe("the original design's Next.js page", () => {
  // The seed's "Project Creation Flow" test, waiting for the page to say it saved instead of 1.5 s.
  it('brings back what was typed in step 1 after a reload', async () => {
    const page = await browser.context().newPage();
    await page.goto(url('/projects/new'));
    await waitForDraft(page);

    await seedFlow(page, main.apiUrl);
  });

  it('autosaves a react-hook-form form through useDraftForm and fills it again after a reload', async () => {
    const page = await browser.context().newPage();
    await page.goto(url('/projects/new-with-form'));
    await waitForDraft(page);

    await page.fill('[name="projectName"]', 'Form Project');
    await page.fill('[name="squareFootage"]', '2500');
    await waitForStatus(page, 'saved');
    const id = await sessionId(page);
    const { body } = await stored(main.apiUrl, id);
    expect(body.projectData).toEqual({ projectName: 'Form Project', squareFootage: 2500 });

    await page.reload();
    await waitForDraft(page);
    // The form mounts empty and is filled once the draft is read.
    await expect.poll(() => page.locator('[name="projectName"]').inputValue(), { timeout: 30_000 }).toBe('Form Project');
    expect(await page.locator('[name="squareFootage"]').inputValue()).toBe('2500');
    expect(await sessionId(page)).toBe(id);

    // A value the API refuses shows as the form's error for that field, and the rest is saved.
    await page.fill('[name="projectName"]', 'x'.repeat(201));
    await page.fill('[name="buildingType"]', 'office');
    await page.getByText('must be at most 200 characters').waitFor({ timeout: 30_000 });
    await expect
      .poll(async () => (await stored(main.apiUrl, id)).body.projectData.buildingType, { timeout: 30_000 })
      .toBe('office');
  });
});
