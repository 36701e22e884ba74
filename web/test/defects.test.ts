// The five defects of issue 11, each as the person met it. Every test here failed against the
// 765-line DraftController it replaced.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SESSION_ID_KEY } from '../src/unsaved';
import { browser, wait, type TestBrowser } from './harness';

let b: TestBrowser;

beforeEach(() => {
  vi.useFakeTimers();
  b = browser();
});

afterEach(() => {
  vi.useRealTimers();
});

const unsaved = (id: string) => JSON.parse(b.storage.getItem(`projectSession:unsaved:${id}`) ?? '{"fields":{}}').fields;

describe('1. a failed load', () => {
  it.each([500, 403, 400])(
    'keeps the draft, its id and its unsaved edits when the load answers %i, and shows them once the API recovers',
    async (status) => {
      const first = await b.started();
      const id = first.getState().sessionId!;
      first.setField('projectName', 'Saved');
      await wait(1000);
      // The tab is closed with an edit the server never got.
      b.api.offline = true;
      first.setField('budget', 5);
      first.detach();
      await wait(0);
      b.api.offline = false;

      b.api.failNext({ status }, { status });
      const reloaded = b.tab();
      void reloaded.start();
      await wait(0);
      expect(reloaded.getState().sessionId).toBe(id);
      expect(reloaded.getState().error?.status).toBe(status);
      expect(b.storage.getItem(SESSION_ID_KEY)).toBe(id);
      expect(unsaved(id).budget.value).toBe(5);

      await wait(5000);
      expect(reloaded.getState()).toMatchObject({ sessionId: id, loading: false, error: null });
      expect(reloaded.getState().projectData).toEqual({ projectName: 'Saved', budget: 5 });
      expect(b.api.sessions.get(id)!.projectData).toEqual({ projectName: 'Saved', budget: 5 });
      expect(b.api.requestsTo('POST')).toHaveLength(1);
    },
  );
});

describe('2. a refused field', () => {
  it('is held back with its message while the other fields are saved, and the expiry keeps sliding', async () => {
    const draft = await b.started();
    const id = draft.getState().sessionId!;
    draft.setField('squareFootage', -5);
    draft.setField('projectName', 'Riverside');
    await wait(1000);
    draft.setField('buildingType', 'office');
    await wait(1000);

    expect(b.api.sessions.get(id)!.projectData).toEqual({ projectName: 'Riverside', buildingType: 'office' });
    expect(b.api.sessions.get(id)!.version).toBe(3);
    expect(draft.getState().projectData).toEqual({ squareFootage: -5, projectName: 'Riverside', buildingType: 'office' });
    expect(draft.getState().held).toEqual({ squareFootage: 'must be 0 or from 0.000001 to 1000000000000000' });
    expect(draft.getState().saveStatus).toBe('error');
    expect(unsaved(id).squareFootage.value).toBe(-5);

    draft.setField('squareFootage', 1200);
    await wait(1000);
    expect(b.api.sessions.get(id)!.projectData).toMatchObject({ squareFootage: 1200 });
    expect(draft.getState().held).toEqual({});
    expect(draft.getState().saveStatus).toBe('saved');
  });
});

describe('3. a 412 whose read fails', () => {
  it('backs off instead of sending PUT and GET back to back, and saves once the read works', async () => {
    const draft = await b.started();
    const id = draft.getState().sessionId!;
    const before = b.api.requests.length;
    b.api.rule = (request) =>
      request.method === 'PUT' ? { status: 412, body: { error: 'changed', currentVersion: 1 } } : request.method === 'GET' ? { status: 500 } : undefined;
    draft.setField('projectName', 'Riverside');
    await wait(1000 + 8000);
    const sent = b.api.requests.length - before;
    expect(sent).toBeGreaterThanOrEqual(3);
    expect(sent).toBeLessThanOrEqual(8);
    expect(draft.getState().saveStatus).toBe('retrying');
    expect(draft.getState().sessionId).toBe(id);

    b.api.rule = null;
    await wait(30_000);
    expect(b.api.sessions.get(id)!.projectData).toEqual({ projectName: 'Riverside' });
    expect(draft.getState().saveStatus).toBe('saved');
  });
});

describe('4. tabs when the draft ends', () => {
  it("continue in one new draft holding both tabs' edits when the draft is deleted while both are open", async () => {
    const a = await b.started();
    const c = await b.started();
    const old = a.getState().sessionId!;
    b.api.sessions.delete(old);
    a.setField('projectName', 'From A');
    c.setField('clientName', 'From C');
    await wait(5000);

    const id = a.getState().sessionId!;
    expect(id).not.toBe(old);
    expect(c.getState().sessionId).toBe(id);
    expect(b.storage.getItem(SESSION_ID_KEY)).toBe(id);
    expect(b.api.sessions.size).toBe(1);
    expect(b.api.sessions.get(id)!.projectData).toEqual({ projectName: 'From A', clientName: 'From C' });
    expect(a.getState().projectData).toEqual({ projectName: 'From A', clientName: 'From C' });
    expect(c.getState().projectData).toEqual({ projectName: 'From A', clientName: 'From C' });
  });

  it('do not recreate a draft submitted in another tab, and say so', async () => {
    const a = await b.started();
    const c = await b.started();
    a.setField('clientName', 'Ada Lovelace');
    await wait(1000);
    await a.clearSession();
    c.setField('clientEmail', 'ada@example.com');
    await wait(5000);

    expect(b.api.requestsTo('POST')).toHaveLength(1);
    expect(b.api.sessions.size).toBe(0);
    expect(c.getState()).toMatchObject({ sessionId: null, endedElsewhere: 'submitted' });
    expect(b.storage.getItem(SESSION_ID_KEY)).toBeNull();
  });
});

describe('4. tabs when the draft ends, for a tab that missed the news (frozen in the background)', () => {
  it('join, when their own save meets the 404, the draft another tab made in its place, found in storage under the lock', async () => {
    const a = await b.started();
    const deaf = await b.started({ events: new EventTarget() });
    const old = a.getState().sessionId!;
    b.api.sessions.delete(old);
    a.setField('projectName', 'From A');
    await wait(500);
    deaf.setField('clientName', 'From the deaf tab'); // its save goes out after A has replaced the draft
    await wait(600);
    const id = a.getState().sessionId!;
    expect(id).not.toBe(old);
    expect(deaf.getState().sessionId).toBe(old);
    await wait(2000);
    expect(deaf.getState().sessionId).toBe(id);
    expect(b.api.sessions.size).toBe(1);
    expect(b.api.sessions.get(id)!.projectData).toEqual({ projectName: 'From A', clientName: 'From the deaf tab' });
  });

  it('join, before the next edit is written, the draft storage names instead of theirs', async () => {
    const a = await b.started();
    const deaf = await b.started({ events: new EventTarget() });
    const old = a.getState().sessionId!;
    b.api.sessions.delete(old);
    a.setField('projectName', 'From A');
    await wait(2000);
    const id = a.getState().sessionId!;
    deaf.setField('clientName', 'From the deaf tab');
    expect(deaf.getState().sessionId).toBe(id);
    expect(unsaved(id).clientName.value).toBe('From the deaf tab');
    await wait(2000);
    expect(b.api.sessions.get(id)!.projectData).toEqual({ projectName: 'From A', clientName: 'From the deaf tab' });
  });

  it('do not make again, when their own save meets the 404, a draft submitted in another tab', async () => {
    const a = await b.started();
    const deaf = await b.started({ events: new EventTarget() });
    deaf.setField('clientEmail', 'ada@example.com'); // its save goes out after the submit
    await a.clearSession();
    await wait(5000);
    expect(b.api.requestsTo('POST')).toHaveLength(1);
    expect(deaf.getState()).toMatchObject({ sessionId: null, endedElsewhere: 'submitted' });
  });

  it('do not make again a draft submitted in another tab when the person types in them', async () => {
    const a = await b.started();
    const deaf = await b.started({ events: new EventTarget() });
    await a.clearSession();
    deaf.setField('clientEmail', 'ada@example.com');
    expect(deaf.getState()).toMatchObject({ sessionId: null, endedElsewhere: 'submitted', projectData: null });
    await wait(5000);
    expect(b.api.requestsTo('POST')).toHaveLength(1);
  });
});

describe('5. a draft gone at load', () => {
  it('is replaced by a draft seeded with the edits still waiting in localStorage', async () => {
    const first = await b.started();
    const old = first.getState().sessionId!;
    b.api.offline = true;
    first.setField('projectName', 'Typed, never saved');
    first.detach();
    await wait(0);
    b.api.offline = false;
    b.api.sessions.delete(old);

    const reopened = await b.started();
    await wait(1000);
    const id = reopened.getState().sessionId!;
    expect(id).not.toBe(old);
    expect(reopened.getState().projectData).toEqual({ projectName: 'Typed, never saved' });
    expect(b.api.sessions.get(id)!.projectData).toEqual({ projectName: 'Typed, never saved' });
    expect(b.storage.getItem(`projectSession:unsaved:${old}`)).toBeNull();
  });
});
