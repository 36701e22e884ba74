import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DraftController, DraftOptions } from '../src';
import { SessionClient } from '../src/client';
import { SESSION_ID_KEY } from '../src/unsaved';
import { MemoryBroadcast, type FakeApi, type MemoryStorage } from './fakeApi';
import { browser, wait, type TestBrowser } from './harness';

let b: TestBrowser;
let api: FakeApi;
let storage: MemoryStorage;
let online: boolean;
let events: EventTarget;

/** One browser tab: its own controller on the browser's shared localStorage. */
function tab(extra: Partial<DraftOptions> = {}): DraftController {
  return b.tab({ isOnline: () => online, ...extra });
}

async function started(extra: Partial<DraftOptions> = {}): Promise<DraftController> {
  const draft = tab(extra);
  await draft.start();
  return draft;
}

beforeEach(() => {
  vi.useFakeTimers();
  b = browser();
  ({ api, storage, events } = b);
  online = true;
});

afterEach(() => {
  vi.useRealTimers();
});

describe('starting', () => {
  it('creates a draft and keeps its id under the seed key', async () => {
    const draft = await started();
    const { sessionId, version, projectData, loading } = draft.getState();
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(storage.getItem(SESSION_ID_KEY)).toBe(sessionId);
    expect(version).toBe(1);
    expect(projectData).toEqual({});
    expect(loading).toBe(false);
  });

  it('resumes the saved draft after a reload', async () => {
    const first = await started();
    first.setField('projectName', 'Riverside');
    await wait(1000);
    const reloaded = await started();
    expect(reloaded.getState().sessionId).toBe(first.getState().sessionId);
    expect(reloaded.getState().projectData).toEqual({ projectName: 'Riverside' });
    expect(api.requestsTo('POST')).toHaveLength(1);
  });

  it('starts a fresh draft when the saved one expired', async () => {
    const first = await started();
    const oldId = first.getState().sessionId!;
    api.sessions.delete(oldId); // what expiry looks like from outside: 404
    const reloaded = await started();
    const { sessionId, projectData, error, saveStatus } = reloaded.getState();
    expect(sessionId).not.toBe(oldId);
    expect(storage.getItem(SESSION_ID_KEY)).toBe(sessionId);
    expect(projectData).toEqual({});
    expect(error).toBeNull();
    expect(saveStatus).toBe('idle');
  });

  it("restores a draft that expired while its tabs were closed from this browser's copy, and says so", async () => {
    const first = await started();
    const oldId = first.getState().sessionId!;
    first.setProjectData({ projectName: 'Riverside', clientEmail: 'ada@example.com' } as never);
    first.setCurrentStep(2);
    await wait(1500);
    expect(api.sessions.get(oldId)!.projectData).toEqual({ projectName: 'Riverside', clientEmail: 'ada@example.com' });
    first.detach();
    api.sessions.delete(oldId); // expired: the server answers 404

    const reloaded = await started();
    const { sessionId, projectData, restoredFromBrowser, currentStep } = reloaded.getState();
    expect(sessionId).not.toBe(oldId);
    expect(projectData).toEqual({ projectName: 'Riverside', clientEmail: 'ada@example.com' });
    expect(currentStep).toBe(2);
    expect(restoredFromBrowser).toBe(true);
    await wait(1500);
    expect(api.sessions.get(sessionId!)!.projectData).toEqual({ projectName: 'Riverside', clientEmail: 'ada@example.com' });
    // The old draft's copy went with it.
    expect([...storage.items.keys()].filter((k) => k.includes(oldId))).toEqual([]);
  });

  it('keeps no copy of saved values with keepSavedCopy off, nor of a field kept out of storage', async () => {
    for (const [options, restored] of [
      [{ keepSavedCopy: false }, {}],
      [{ excludeFromStorage: ['clientEmail'] as const }, { projectName: 'Riverside' }],
    ] as const) {
      storage.items.clear();
      const first = b.tab(options as never);
      await first.start();
      const oldId = first.getState().sessionId!;
      first.setProjectData({ projectName: 'Riverside', clientEmail: 'ada@example.com' } as never);
      await wait(1500);
      expect([...storage.items.values()].join()).not.toContain('ada@example.com');
      first.detach();
      api.sessions.delete(oldId);
      const reloaded = b.tab(options as never);
      await reloaded.start();
      expect(reloaded.getState().projectData).toEqual(restored);
      expect(reloaded.getState().restoredFromBrowser).toBe(Object.keys(restored).length > 0);
    }
  });

  it('keeps trying to load while the API cannot be reached, and keeps the draft', async () => {
    const first = await started();
    const id = first.getState().sessionId;
    api.failNext('network', { status: 503 });
    const reloaded = tab();
    await reloaded.start();
    expect(reloaded.getState().saveStatus).toBe('retrying');
    expect(reloaded.getState().loading).toBe(true);
    await wait(2000);
    expect(reloaded.getState().loading).toBe(false);
    expect(reloaded.getState().sessionId).toBe(id);
    expect(api.requestsTo('POST')).toHaveLength(1);
  });

  it("starts over at step 1 with only the given data when createSession is called (the seed's)", async () => {
    const draft = await started();
    const oldId = draft.getState().sessionId!;
    await draft.updateSession({ projectName: 'Old' }, 1);
    draft.setCurrentStep(2);
    draft.setField('clientName', 'Unsaved in the old draft');
    const id = await draft.createSession({ projectName: 'New' });
    expect(id).not.toBe(oldId);
    expect(draft.getState()).toMatchObject({ sessionId: id, projectData: { projectName: 'New' }, currentStep: 1, completedSteps: [] });
    await wait(2000);
    expect(api.sessions.get(id)).toMatchObject({ projectData: { projectName: 'New' }, currentStep: 1, completedSteps: [] });
    expect(api.sessions.get(oldId)!.projectData).toEqual({ projectName: 'Old' });
  });

  it('starts one draft however many times start is called at once (React StrictMode)', async () => {
    const draft = tab();
    await Promise.all([draft.start(), draft.start()]);
    expect(api.requestsTo('POST')).toHaveLength(1);
  });
});

describe('autosave', () => {
  it('waits one second after the last edit and sends only the fields that changed', async () => {
    const draft = await started();
    const id = draft.getState().sessionId!;
    draft.setField('projectName', 'R');
    await wait(600);
    draft.setField('projectName', 'Ri');
    draft.setField('budget', 1200);
    await wait(999);
    expect(api.requestsTo('PUT')).toHaveLength(0);
    expect(draft.getState().saveStatus).toBe('pending');
    expect(draft.getState().unsavedFields.sort()).toEqual(['budget', 'projectName']);
    await wait(1);
    const puts = api.requestsTo('PUT');
    expect(puts).toHaveLength(1);
    expect(puts[0].body).toEqual({ projectData: { projectName: 'Ri', budget: 1200 } });
    expect(puts[0].headers['If-Match']).toBe('"1"');
    expect(draft.getState().saveStatus).toBe('saved');
    expect(draft.getState().unsavedFields).toEqual([]);
    expect(api.sessions.get(id)!.projectData).toEqual({ projectName: 'Ri', budget: 1200 });

    draft.setField('clientName', 'Ada');
    await wait(1000);
    expect(api.requestsTo('PUT')[1].body).toEqual({ projectData: { clientName: 'Ada' } });
    expect(api.requestsTo('PUT')[1].headers['If-Match']).toBe('"2"');
  });

  it('coalesces typing into one save per pause, and sends by the bound while the typing goes on', async () => {
    const draft = await started({ autosaveDelay: 4000, maxAutosaveDelay: 10_000 });
    // A person typing 'Riverside Medical' at a key every 240 ms, with a 2 s pause at the space.
    const typed = 'Riverside Medical';
    for (let i = 1; i <= typed.length; i++) {
      draft.setField('projectName', typed.slice(0, i));
      await wait(typed[i] === ' ' ? 2000 : 240);
    }
    // 17 keys over 5.84 s: no pause of 4 s, and the first key is less than 10 s old: nothing sent.
    expect(api.requestsTo('PUT')).toHaveLength(0);
    expect(draft.getState().saveStatus).toBe('pending');
    // The person goes on without a pause: the first key waits 10 s, no more (the save at 10 s
    // carries the 18 keys typed by then, at 5.84 s + 240 ms each).
    draft.setField('projectDescription', '');
    for (let i = 0; i < 20; i++) {
      draft.setField('projectDescription', `${draft.getState().projectData?.projectDescription ?? ''}x`);
      await wait(240);
    }
    const puts = api.requestsTo('PUT');
    expect(puts).toHaveLength(1);
    expect(puts[0].body).toEqual({ projectData: { projectName: 'Riverside Medical', projectDescription: 'x'.repeat(18) } });
    // Then a pause: what was typed since goes 4 s after the last key (240 ms ago), in one more save.
    await wait(4000 - 240 - 1);
    expect(api.requestsTo('PUT')).toHaveLength(1);
    await wait(1);
    expect(api.requestsTo('PUT')).toHaveLength(2);
    expect(api.requestsTo('PUT')[1].body).toEqual({ projectData: { projectDescription: 'x'.repeat(20) } });
    expect(draft.getState().saveStatus).toBe('saved');
  });

  it('sends what waits for a pause as soon as the page is hidden, as a request that outlives the page', async () => {
    const page = Object.assign(new EventTarget(), { visibilityState: 'visible' });
    const hide = () => {
      page.visibilityState = 'hidden';
      page.dispatchEvent(new Event('visibilitychange'));
    };
    const draft = await started({ autosaveDelay: 4000, visibility: page });
    draft.setField('clientName', 'Ada');
    await wait(100);
    hide();
    await wait(0);
    const puts = api.requestsTo('PUT');
    expect(puts).toHaveLength(1);
    expect(puts[0]).toMatchObject({ body: { projectData: { clientName: 'Ada' } }, keepalive: true });
    expect(draft.getState().saveStatus).toBe('saved');
    // Nothing waits: shown and hidden again, the page sends nothing.
    page.visibilityState = 'visible';
    page.dispatchEvent(new Event('visibilitychange'));
    hide();
    await wait(5000);
    expect(api.requestsTo('PUT')).toHaveLength(1);
  });

  it('sends nothing when a field is set to the value it already has', async () => {
    const draft = await started();
    draft.setField('projectName', 'Same');
    await wait(1000);
    draft.setField('projectName', 'Same');
    draft.setProjectData((previous) => ({ ...previous }));
    await wait(2000);
    expect(api.requestsTo('PUT')).toHaveLength(1);
  });

  it('removes a field emptied by the user', async () => {
    const draft = await started();
    const id = draft.getState().sessionId!;
    draft.setField('clientPhone', '555');
    await wait(1000);
    draft.setField('clientPhone', '');
    await wait(1000);
    expect(api.requestsTo('PUT')[1].body).toEqual({ projectData: { clientPhone: null } });
    expect(api.sessions.get(id)!.projectData).toEqual({});
    expect(draft.getState().projectData).toEqual({});
  });

  it('keeps an edit typed while a save was on its way, and sends it next', async () => {
    const draft = await started();
    const id = draft.getState().sessionId!;
    draft.setField('projectName', 'Riv');
    await wait(999);
    const saving = draft.saveNow();
    draft.setField('projectName', 'Riverside'); // typed while the PUT is out
    await saving;
    expect(draft.getState().projectData).toEqual({ projectName: 'Riverside' });
    await wait(1000);
    expect(api.sessions.get(id)!.projectData).toEqual({ projectName: 'Riverside' });
    expect(draft.getState().unsavedFields).toEqual([]);
  });

  it("saves a step at once and lists each completed step once (the seed's updateSession)", async () => {
    const draft = await started();
    const id = draft.getState().sessionId!;
    await draft.updateSession({ projectName: 'Riverside', buildingType: 'office' }, 1);
    await draft.updateSession({ projectName: 'Riverside', buildingType: 'office' }, 1);
    expect(api.sessions.get(id)!.completedSteps).toEqual([1]);
    draft.setCurrentStep(2);
    await draft.updateSession({ clientName: 'Ada' }, 2);
    const stored = api.sessions.get(id)!;
    expect(stored.completedSteps).toEqual([1, 2]);
    expect(stored.currentStep).toBe(2);
    expect(draft.getState().completedSteps).toEqual([1, 2]);
    // The second call for step 1 changed nothing, so it sent nothing.
    expect(api.requestsTo('PUT').map((r) => r.body)).toEqual([
      { projectData: { projectName: 'Riverside', buildingType: 'office' }, completedSteps: [1] },
      { projectData: { clientName: 'Ada' }, currentStep: 2, completedSteps: [1, 2] },
    ]);
  });
});

describe('another tab', () => {
  it('merges edits of different fields made in two tabs', async () => {
    const a = await started();
    const b = await started();
    const id = a.getState().sessionId!;
    expect(b.getState().sessionId).toBe(id);
    a.setField('projectName', 'From A');
    await wait(1000);
    b.setField('clientName', 'From B');
    await wait(1000);
    expect(api.sessions.get(id)!.projectData).toEqual({ projectName: 'From A', clientName: 'From B' });
    expect(b.getState().projectData).toEqual({ projectName: 'From A', clientName: 'From B' });
    expect(b.getState().changedElsewhere).toBe(true);
    expect(b.getState().conflicts).toEqual([]);
    expect(b.getState().saveStatus).toBe('saved');
  });

  it("shows another tab's save at once when nothing is unsaved here, on the step it shows", async () => {
    const a = await started();
    const b = await started();
    b.setCurrentStep(3);
    await wait(1000);
    a.setField('projectName', 'From A');
    await wait(1000);
    await wait(0);
    expect(b.getState().projectData).toEqual({ projectName: 'From A' });
    expect(b.getState().version).toBe(a.getState().version);
    expect(b.getState().changedElsewhere).toBe(true);
    expect(b.getState().currentStep).toBe(3);
    expect(api.requestsTo('GET').length).toBeGreaterThan(0);
  });

  it('keeps both fields when two tabs save different fields within the same second', async () => {
    const a = await started();
    const b = await started();
    const id = a.getState().sessionId!;
    b.setField('clientName', 'Typing in B');
    a.setField('projectName', 'From A');
    await wait(1000);
    expect(b.getState().projectData).toEqual({ projectName: 'From A', clientName: 'Typing in B' });
    expect(api.sessions.get(id)!.projectData).toEqual({ projectName: 'From A', clientName: 'Typing in B' });
  });

  it('shows a conflict when both tabs changed the same field, and goes on saving the other fields', async () => {
    const a = await started();
    const id = a.getState().sessionId!;
    api.changeElsewhere(id, { projectName: 'Theirs' });
    a.setField('projectName', 'Mine');
    a.setField('budget', 10);
    await wait(1000);
    const state = a.getState();
    expect(state.saveStatus).toBe('conflict');
    expect(state.conflicts).toEqual([{ field: 'projectName', mine: 'Mine', theirs: 'Theirs' }]);
    expect(state.projectData).toEqual({ projectName: 'Mine', budget: 10 });
    // The field in conflict waits for the person; the other is saved.
    expect(api.sessions.get(id)!.projectData).toEqual({ projectName: 'Theirs', budget: 10 });
    a.setField('clientName', 'Typed while the conflict is open');
    await wait(5000);
    expect(api.sessions.get(id)!.projectData).toEqual({ projectName: 'Theirs', budget: 10, clientName: 'Typed while the conflict is open' });
    expect(a.getState().saveStatus).toBe('conflict');
    expect(api.requestsTo('PUT')).toHaveLength(3);
  });

  it('saves this tab\'s value over the other tab\'s when the user keeps mine', async () => {
    const a = await started();
    const id = a.getState().sessionId!;
    api.changeElsewhere(id, { projectName: 'Theirs' });
    a.setField('projectName', 'Mine');
    await wait(1000);
    await a.resolveConflicts('mine');
    expect(api.sessions.get(id)!.projectData).toEqual({ projectName: 'Mine' });
    expect(a.getState().saveStatus).toBe('saved');
    expect(a.getState().conflicts).toEqual([]);
  });

  it('takes the other tab\'s value and still saves the rest', async () => {
    const a = await started();
    const id = a.getState().sessionId!;
    api.changeElsewhere(id, { projectName: 'Theirs' });
    a.setField('projectName', 'Mine');
    a.setField('budget', 10);
    await wait(1000);
    await a.resolveConflicts('theirs');
    expect(api.sessions.get(id)!.projectData).toEqual({ projectName: 'Theirs', budget: 10 });
    expect(a.getState().projectData).toEqual({ projectName: 'Theirs', budget: 10 });
  });

  it('is saved, not in conflict, once the user takes the other tab\'s value for the only edit', async () => {
    const a = await started();
    const id = a.getState().sessionId!;
    api.changeElsewhere(id, { projectName: 'Theirs' });
    a.setField('projectName', 'Mine');
    await wait(1000);
    expect(a.getState().saveStatus).toBe('conflict');
    await a.resolveConflicts('theirs');
    expect(a.getState()).toMatchObject({ saveStatus: 'saved', conflicts: [], unsavedFields: [] });
    expect(a.getState().projectData).toEqual({ projectName: 'Theirs' });
  });
});

describe('failures', () => {
  it('retries a 503 with growing delays and saves once the API is back', async () => {
    const draft = await started();
    const id = draft.getState().sessionId!;
    api.failNext({ status: 503 }, { status: 503 });
    draft.setField('projectName', 'Riverside');
    await wait(1000);
    expect(draft.getState().saveStatus).toBe('retrying');
    await wait(499); // first retry after 500 ms (random() = 1 here)
    expect(api.requestsTo('PUT')).toHaveLength(1);
    await wait(1);
    expect(api.requestsTo('PUT')).toHaveLength(2);
    await wait(999); // then after 1 s
    expect(api.requestsTo('PUT')).toHaveLength(2);
    await wait(1);
    expect(api.sessions.get(id)!.projectData).toEqual({ projectName: 'Riverside' });
    expect(draft.getState().saveStatus).toBe('saved');
  });

  it('waits at least as long as Retry-After asks', async () => {
    const draft = await started();
    api.failNext({ status: 503, retryAfter: 5 });
    draft.setField('projectName', 'Riverside');
    await wait(1000);
    await wait(4999);
    expect(api.requestsTo('PUT')).toHaveLength(1);
    await wait(1);
    expect(api.requestsTo('PUT')).toHaveLength(2);
  });

  it('keeps edits made offline and sends them as soon as the browser is back online', async () => {
    const draft = await started();
    const id = draft.getState().sessionId!;
    online = false;
    api.offline = true;
    draft.setField('projectName', 'Typed offline');
    await wait(1000);
    expect(draft.getState().saveStatus).toBe('offline');
    expect(JSON.parse(storage.getItem(`projectSession:unsaved:${id}`)!).fields.projectName.value).toBe('Typed offline');
    online = true;
    api.offline = false;
    events.dispatchEvent(new Event('online'));
    await wait(0);
    expect(api.sessions.get(id)!.projectData).toEqual({ projectName: 'Typed offline' });
    expect(draft.getState().saveStatus).toBe('saved');
    expect(storage.getItem(`projectSession:unsaved:${id}`)).toBeNull();
  });

  it('sends edits a closed tab never saved when the draft is opened again', async () => {
    const first = await started();
    const id = first.getState().sessionId!;
    api.offline = true;
    first.setField('projectName', 'Never sent');
    first.detach(); // the tab is closed; its last try fails
    await wait(0);
    api.offline = false;
    const reopened = await started();
    expect(reopened.getState().projectData).toEqual({ projectName: 'Never sent' });
    await wait(0);
    expect(api.sessions.get(id)!.projectData).toEqual({ projectName: 'Never sent' });
  });

  it('keeps what is on screen in a new draft when the draft expires while the page is open', async () => {
    const draft = await started();
    const oldId = draft.getState().sessionId!;
    draft.setField('projectName', 'Riverside');
    await wait(1000);
    api.sessions.delete(oldId);
    draft.setField('budget', 99);
    await wait(1000);
    const { sessionId, projectData, saveStatus } = draft.getState();
    expect(sessionId).not.toBe(oldId);
    expect(storage.getItem(SESSION_ID_KEY)).toBe(sessionId);
    expect(api.sessions.get(sessionId!)!.projectData).toEqual({ projectName: 'Riverside', budget: 99 });
    expect(projectData).toEqual({ projectName: 'Riverside', budget: 99 });
    // What was typed is saved, in the new draft: not 'idle', which says nothing was typed.
    expect(saveStatus).toBe('saved');
  });

  it('shows a refused edit as an error, does not retry it, and tries again after the next edit', async () => {
    const draft = await started();
    draft.setField('projectName', 'x'.repeat(201));
    await wait(1000);
    expect(draft.getState().saveStatus).toBe('error');
    expect(draft.getState().error?.details).toEqual({ 'projectData.projectName': 'must be at most 200 characters' });
    await wait(10_000);
    expect(api.requestsTo('PUT')).toHaveLength(1);
    draft.setField('projectName', 'Short');
    await wait(1000);
    expect(draft.getState().saveStatus).toBe('saved');
  });
});

describe('clearing', () => {
  it('deletes the draft and forgets it in this browser', async () => {
    const draft = await started();
    const id = draft.getState().sessionId!;
    draft.setField('projectName', 'Done');
    await draft.clearSession();
    expect(api.sessions.has(id)).toBe(false);
    expect(storage.getItem(SESSION_ID_KEY)).toBeNull();
    // Nothing of the draft stays in this browser but its id among the submitted ones.
    expect([...storage.items.keys()].filter((key) => key !== 'projectSession:message')).toEqual(['projectSession:ended']);
    expect(JSON.parse(storage.getItem('projectSession:ended')!)).toEqual([id]);
    expect(draft.getState()).toMatchObject({ sessionId: null, projectData: null, currentStep: 1, completedSteps: [] });
    await wait(5000);
    expect(api.requestsTo('PUT')).toHaveLength(0);
  });

  it('does not bring the draft back when a save was on its way', async () => {
    const draft = await started();
    const id = draft.getState().sessionId!;
    draft.setField('projectName', 'Done');
    const saving = draft.saveNow();
    await draft.clearSession();
    await saving;
    await wait(5000);
    expect(api.sessions.size).toBe(0);
    expect(api.sessions.has(id)).toBe(false);
  });
});

describe('exactly once', () => {
  it('repeats a create whose reply was lost with the same Idempotency-Key, and ends with one draft', async () => {
    api.failNext('lost');
    const draft = tab();
    void draft.start();
    await wait(10_000); // the client gives up on the first POST
    await wait(1000); // and repeats it after a backoff
    const posts = api.requestsTo('POST');
    expect(posts).toHaveLength(2);
    expect(posts[0].headers['Idempotency-Key']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(posts[1].headers['Idempotency-Key']).toBe(posts[0].headers['Idempotency-Key']);
    expect(api.sessions.size).toBe(1);
    expect(draft.getState().sessionId).toBe([...api.sessions.keys()][0]);
  });

  it('repeats a create cut short by a reload with the key it kept in local storage', async () => {
    api.failNext('lost');
    const first = tab();
    void first.start();
    await wait(0);
    first.detach(); // the page is reloaded before the reply
    const key = api.requestsTo('POST')[0].headers['Idempotency-Key'];
    const reloaded = await started();
    expect(api.requestsTo('POST')[1].headers['Idempotency-Key']).toBe(key);
    expect(api.sessions.size).toBe(1);
    expect(storage.getItem('projectSession:create')).toBeNull();
    expect(reloaded.getState().sessionId).toBe([...api.sessions.keys()][0]);
  });

  it('recognises its own save when the retry of a save that got no answer meets a 412', async () => {
    const draft = await started();
    const id = draft.getState().sessionId!;
    api.failNext('lost');
    draft.setField('projectName', 'Riverside');
    await wait(1000 + 10_000 + 500);
    const puts = api.requestsTo('PUT');
    expect(puts).toHaveLength(2);
    expect(puts[1].headers['If-Match']).toBe('"1"');
    expect(api.sessions.get(id)).toMatchObject({ version: 2, projectData: { projectName: 'Riverside' } });
    expect(draft.getState()).toMatchObject({ saveStatus: 'saved', changedElsewhere: false, conflicts: [], version: 2 });
  });
});

describe('timeouts', () => {
  it('gives up on a request after 10 s, longer than the functions\' 8 s timeout, and retries it', async () => {
    const draft = await started();
    api.failNext('hang');
    draft.setField('projectName', 'Riverside');
    await wait(1000 + 9_999);
    expect(draft.getState().saveStatus).toBe('saving');
    await wait(1);
    expect(draft.getState()).toMatchObject({ saveStatus: 'retrying', error: { status: 0 } });
    expect(draft.getState().error?.message).toContain('10 s');
    await wait(500);
    expect(draft.getState().saveStatus).toBe('saved');
  });
});

describe('local storage that refuses writes', () => {
  it('keeps working from memory and says so', async () => {
    const draft = await started();
    const id = draft.getState().sessionId!;
    storage.full = true;
    draft.setField('projectName', 'Riverside');
    expect(draft.getState()).toMatchObject({ storageFailed: true, projectData: { projectName: 'Riverside' }, saveStatus: 'pending' });
    await wait(1000);
    expect(api.sessions.get(id)!.projectData).toEqual({ projectName: 'Riverside' });
    expect(draft.getState()).toMatchObject({ storageFailed: true, saveStatus: 'saved' });
  });
});

describe('no usable storage at all', () => {
  it('keeps the draft id in the URL when asked to, so that a reload finds the draft', async () => {
    history.replaceState(null, '', '/projects/new?ref=mail');
    const draft = b.tab({ storage: null, urlParam: 'draft' });
    await draft.start();
    const id = draft.getState().sessionId!;
    expect(draft.getState().storageFailed).toBe(true);
    expect(new URL(location.href).searchParams.get('draft')).toBe(id);
    expect(new URL(location.href).searchParams.get('ref')).toBe('mail');
    draft.setField('projectName', 'No storage here');
    await wait(1500);
    draft.detach();

    const reloaded = b.tab({ storage: null, urlParam: 'draft' });
    await reloaded.start();
    expect(reloaded.getState().sessionId).toBe(id);
    expect(reloaded.getState().projectData).toEqual({ projectName: 'No storage here' });
    expect(api.requestsTo('POST')).toHaveLength(1);

    // Without the option, a reload cannot find it: a new draft.
    history.replaceState(null, '', '/projects/new');
    const without = b.tab({ storage: null });
    await without.start();
    expect(without.getState().sessionId).not.toBe(id);
  });
});

describe('tabs', () => {
  it('showing two different drafts each keep their own when one types', async () => {
    const a = await started();
    const x = a.getState().sessionId!;
    const other = await new SessionClient({ fetch: api.fetch }).create({ projectData: { projectName: 'Other project' } });
    // Another tab opens another draft (a link, "Continue this draft"): storage now names it.
    const c = tab();
    await c.loadSession(other.sessionId);
    expect(storage.getItem(SESSION_ID_KEY)).toBe(other.sessionId);

    a.setField('clientName', 'Typed in the first tab');
    await wait(1500);
    expect(a.getState().sessionId).toBe(x);
    expect(api.sessions.get(x)!.projectData).toEqual({ clientName: 'Typed in the first tab' });
    expect(api.sessions.get(other.sessionId)!.projectData).toEqual({ projectName: 'Other project' });
    expect(c.getState().projectData).toEqual({ projectName: 'Other project' });
  });

  it('hear each other on a BroadcastChannel where there is one, and write nothing to storage for it', async () => {
    const bus = new MemoryBroadcast();
    const a = await b.started({ broadcast: () => bus.channel(), isOnline: () => online });
    const c = await b.started({ broadcast: () => bus.channel(), isOnline: () => online });
    a.setField('projectName', 'From A');
    await wait(1000);
    expect(c.getState().projectData).toEqual({ projectName: 'From A' });
    expect(bus.posted).toContainEqual(expect.objectContaining({ message: { type: 'saved', id: a.getState().sessionId, version: 2 } }));
    expect(storage.getItem('projectSession:message')).toBeNull();
  });

  it('join the new empty draft when one tab starts over, dropping their edits of the old one', async () => {
    const a = await started();
    const c = await started();
    const old = a.getState().sessionId!;
    a.setField('projectName', 'Old project');
    await wait(1000);
    c.setField('clientName', 'Typed in C');
    await a.discardDraft();
    await wait(1000);
    const id = a.getState().sessionId!;
    expect(id).not.toBe(old);
    expect(api.sessions.has(old)).toBe(false);
    expect(api.sessions.size).toBe(1);
    expect(c.getState().sessionId).toBe(id);
    expect(a.getState().projectData).toEqual({});
    expect(c.getState().projectData).toEqual({});
    expect(api.sessions.get(id)!.projectData).toEqual({});
  });
});

describe('held fields at create', () => {
  it('creates the draft without a refused field and holds that one with its message', async () => {
    const draft = tab();
    const id = await draft.createSession({ projectName: 'Riverside', squareFootage: -5 });
    expect(api.sessions.get(id)!.projectData).toEqual({ projectName: 'Riverside' });
    expect(draft.getState()).toMatchObject({ projectData: { projectName: 'Riverside', squareFootage: -5 }, saveStatus: 'error' });
    expect(draft.getState().held).toEqual({ squareFootage: 'must be 0 or from 0.000001 to 1000000000000000' });
    expect(JSON.parse(storage.getItem(`projectSession:unsaved:${id}`)!).fields.squareFootage.value).toBe(-5);
  });
});

describe('the browser going offline', () => {
  it('says offline as soon as the browser does, and keeps the edits', async () => {
    const draft = await started();
    api.offline = true;
    draft.setField('projectName', 'Riverside');
    await wait(1000);
    online = false;
    events.dispatchEvent(new Event('offline'));
    expect(draft.getState().saveStatus).toBe('offline');
    expect(draft.getState().projectData).toEqual({ projectName: 'Riverside' });
  });
});

describe('found in review', () => {
  it('takes its own unconfirmed save for its own, not a conflict, and saves the newer typing', async () => {
    const draft = await started();
    const id = draft.getState().sessionId!;
    api.failNext('lost');
    draft.setField('clientName', 'a');
    await wait(1000 + 500);
    draft.setField('clientName', 'ab');
    await wait(10_000 + 1000 + 2000);
    expect(draft.getState().conflicts).toEqual([]);
    expect(api.sessions.get(id)!.projectData).toEqual({ clientName: 'ab' });
    expect(draft.getState().saveStatus).toBe('saved');
  });

  it('holds the fields a capped 400 lists and does not take its count for a field', async () => {
    const draft = await started();
    const id = draft.getState().sessionId!;
    api.failNext({
      status: 400,
      body: { error: 'Invalid request body', details: { 'projectData.squareFootage': 'must be at least 0', '…': '3 more problems not listed' } },
    });
    draft.setProjectData({ squareFootage: -5, projectName: 'Kept' } as never);
    await wait(1000 + 500);
    expect(draft.getState().held).toEqual({ squareFootage: 'must be at least 0' });
    expect(api.sessions.get(id)!.projectData).toEqual({ projectName: 'Kept' });
  });

  it('makes a new create with a new key when its key was used with another body (422)', async () => {
    api.failNext({ status: 422, body: { error: 'This Idempotency-Key was already used: make a new one for a new create' } });
    const draft = await started();
    const posts = api.requestsTo('POST');
    expect(posts).toHaveLength(2);
    expect(posts[1].headers['Idempotency-Key']).not.toBe(posts[0].headers['Idempotency-Key']);
    expect(draft.getState().sessionId).not.toBeNull();
  });

  it('holds a create answered 422 every time after a few tries, keeps what is typed, and creates it once online again', async () => {
    api.failNext(...Array.from({ length: 50 }, () => ({ status: 422, body: { error: 'Unprocessable' } })));
    const draft = tab();
    void draft.start();
    await wait(100);
    // Typed while the creates are being refused and retried.
    draft.setField('clientName', 'Ada');
    await wait(60_000);
    // Four creates (the second at once, then with backoff), then none.
    expect(api.requestsTo('POST')).toHaveLength(4);
    expect(draft.getState().saveStatus).toBe('error');
    // The form is there to type in, draft or not.
    expect(draft.getState().projectData).toEqual({ clientName: 'Ada' });
    draft.setField('projectName', 'Typed while refused');
    await wait(60_000);
    expect(api.requestsTo('POST')).toHaveLength(4);
    expect(draft.getState().projectData).toEqual({ clientName: 'Ada', projectName: 'Typed while refused' });
    // Kept where a reload finds it: under the held create's key.
    const pending = JSON.parse(storage.getItem('projectSession:create')!);
    const kept = JSON.parse(storage.getItem(`projectSession:unsaved:new:${pending.key}`)!);
    expect(kept.fields).toEqual({
      clientName: { value: 'Ada', base: null, at: expect.any(Number) },
      projectName: { value: 'Typed while refused', base: null, at: expect.any(Number) },
    });

    api.clearFailures();
    online = true;
    events.dispatchEvent(new Event('online'));
    await wait(5000);
    const id = draft.getState().sessionId!;
    expect(id).not.toBeNull();
    expect(api.sessions.get(id)!.projectData).toEqual({ clientName: 'Ada', projectName: 'Typed while refused' });
    expect(draft.getState().saveStatus).toBe('saved');
  });

  it('retries a load answered 200 with something that is not a draft, and shows the draft once the API answers', async () => {
    const first = await started();
    first.setField('projectName', 'Behind a portal');
    await wait(1500);
    api.failNext({ status: 200, body: { welcome: 'Sign in to the hotel Wi-Fi' } }, { status: 200, body: [] });
    const reloaded = await started();
    expect(reloaded.getState().saveStatus).toBe('error');
    await wait(5000);
    expect(reloaded.getState().projectData).toEqual({ projectName: 'Behind a portal' });
    expect(reloaded.getState().saveStatus).not.toBe('error');
    expect(reloaded.getState().sessionId).toBe(first.getState().sessionId);
  });

  it.each([
    ['a getToken', { getToken: () => new Promise<string>(() => {}) }],
    ['a fetch that ignores its abort signal', { fetch: () => new Promise<Response>(() => {}) }],
  ])('times out the whole request when %s never settles, and saves once it answers again', async (_, stuck) => {
    const first = await started();
    const id = first.getState().sessionId!;
    let hung = true;
    const hangs = {
      getToken: () => (hung && 'getToken' in stuck ? stuck.getToken!() : Promise.resolve('token')),
      fetch: (input: RequestInfo | URL, init?: RequestInit) => (hung && 'fetch' in stuck ? stuck.fetch!() : api.fetch(input, init)),
    };
    const draft = b.tab({ client: new SessionClient({ fetch: hangs.fetch, getToken: 'getToken' in stuck ? hangs.getToken : undefined }) });
    void draft.start();
    await wait(10_000 + 100);
    expect(draft.getState().saveStatus).toBe('retrying');
    hung = false;
    await wait(2000);
    expect(draft.getState().sessionId).toBe(id);
    draft.setField('projectName', 'After the hang');
    await wait(1500);
    expect(api.sessions.get(id)!.projectData).toEqual({ projectName: 'After the hang' });
  });

  it('holds the one field a 413 is about and goes on saving the others', async () => {
    const draft = await started();
    const id = draft.getState().sessionId!;
    // A gateway's body limit: any request carrying the huge value is refused.
    api.rule = (request) => (JSON.stringify(request.body ?? {}).length > 10_000 ? { status: 413 } : undefined);
    draft.setProjectData({ projectName: 'x'.repeat(20_000), clientName: 'Ada' } as never);
    await wait(1000 + 500);
    expect(draft.getState().held).toEqual({ projectName: 'Too large to save: shorten it' });
    expect(api.sessions.get(id)!.projectData).toEqual({ clientName: 'Ada' });
    draft.setField('buildingType', 'office');
    await wait(1500);
    expect(api.sessions.get(id)!.projectData).toEqual({ clientName: 'Ada', buildingType: 'office' });
    expect(draft.getState().projectData?.projectName).toBe('x'.repeat(20_000));
    // Shortened: saved, and no longer held.
    draft.setField('projectName', 'Riverside');
    await wait(1500);
    expect(api.sessions.get(id)!.projectData.projectName).toBe('Riverside');
    expect(draft.getState().held).toEqual({});
  });

  it('replaces a stored id the API never hands out, keeping what was typed for it', async () => {
    const bad = 'NOT-A-DRAFT';
    storage.setItem(SESSION_ID_KEY, bad);
    storage.setItem(`projectSession:unsaved:${bad}`, JSON.stringify({ fields: { projectName: { value: 'Typed', base: null } } }));
    const draft = await started();
    await wait(1000);
    expect(api.requests.filter((r) => r.path.includes(bad))).toEqual([]);
    const id = draft.getState().sessionId!;
    expect(id).not.toBe(bad);
    expect(api.sessions.get(id)!.projectData).toEqual({ projectName: 'Typed' });
  });
});
