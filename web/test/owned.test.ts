// Owned mode (AuthMode=jwt) in the hook: bearer tokens renewed on a 401 without losing an edit,
// storage kept per person, the person's drafts from any device, and the per-person cap.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SessionClient } from '../src/client';
import type { DraftController } from '../src/draft';
import { TabChannel, tabNames } from '../src/draft/tabs';
import { forgetOwner, hasUnsaved, ownerPrefix } from '../src/unsaved';
import type { FakeApi, MemoryStorage } from './fakeApi';
import { browser, wait, type TestBrowser } from './harness';

let b: TestBrowser;
let api: FakeApi;
let storage: MemoryStorage;

beforeEach(() => {
  vi.useFakeTimers();
  b = browser();
  ({ api, storage } = b);
  api.tokens = new Map([
    ['ada-token', 'ada'],
    ['bob-token', 'bob'],
  ]);
});

afterEach(() => {
  vi.useRealTimers();
});

/** A tab signed in as `owner`, whose token source is `getToken`. */
function tab(owner: string, getToken: (o: { forceRefresh: boolean }) => string | null): DraftController {
  return b.tab({ owner, client: new SessionClient({ fetch: api.fetch, getToken }) });
}

const signedIn = (owner: string) => tab(owner, () => `${owner}-token`);

describe('tokens', () => {
  it('renews an expired token after a 401 and sends the same edit again, nothing lost', async () => {
    const asked: boolean[] = [];
    const draft = tab('ada', ({ forceRefresh }) => {
      asked.push(forceRefresh);
      return forceRefresh ? 'ada-token' : 'expired-token';
    });
    await draft.start();
    draft.setField('projectName', 'Depot');
    await wait(1000);
    const id = draft.getState().sessionId!;
    expect(api.sessions.get(id)?.projectData).toEqual({ projectName: 'Depot' });
    expect(api.sessions.get(id)?.owner).toBe('ada');
    expect(asked).toContain(true);
    expect(draft.getState().saveStatus).toBe('saved');
  });

  it('keeps the draft and every edit while no valid token comes, and saves once one does', async () => {
    let valid = true;
    const draft = tab('ada', () => (valid ? 'ada-token' : 'revoked'));
    await draft.start();
    const id = draft.getState().sessionId!;
    valid = false;
    draft.setField('clientName', 'Ada');
    await wait(1000);
    expect(draft.getState()).toMatchObject({ sessionId: id, saveStatus: 'signedOut' });
    const puts = api.requestsTo('PUT').length;
    await wait(60_000);
    // Backing off, not a loop: a few tries a minute (each a request and its renewed repeat).
    expect(api.requestsTo('PUT').length - puts).toBeLessThanOrEqual(16);
    expect(draft.getState().projectData).toEqual({ clientName: 'Ada' });
    valid = true;
    await wait(31_000);
    expect(api.sessions.get(id)?.projectData).toEqual({ clientName: 'Ada' });
    expect(draft.getState().sessionId).toBe(id);
  });
});

describe('a browser shared by two people', () => {
  it('keeps each person’s unsaved edits apart, and sign-out forgets one person’s only', async () => {
    const ada = signedIn('ada');
    await ada.start();
    api.offline = true;
    ada.setField('projectName', "Ada's");
    await wait(1000);
    ada.detach();

    const bob = signedIn('bob');
    api.offline = false;
    await bob.start();
    expect(bob.getState().projectData).toEqual({});
    expect(bob.getState().sessionId).not.toBe(ada.getState().sessionId);
    bob.setField('projectName', "Bob's");
    bob.detach();

    // Bob's edit never reached the server: an app asks before it erases it.
    expect(hasUnsaved(storage, 'bob')).toBe(true);
    expect(hasUnsaved(storage, 'ada')).toBe(true);
    expect(hasUnsaved(storage, 'eve')).toBe(false);
    forgetOwner(storage, 'bob');
    expect(hasUnsaved(storage, 'bob')).toBe(false);
    expect([...storage.items.keys()].some((k) => k.includes('bob'))).toBe(false);
    const again = signedIn('ada');
    await again.start();
    expect(again.getState().projectData).toEqual({ projectName: "Ada's" });
  });
});

/** A JWT-shaped token whose payload names `sub` (API Gateway would check the signature). */
function jwt(sub: string): string {
  const part = (o: object) => btoa(JSON.stringify(o)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  return `${part({ alg: 'RS256' })}.${part({ sub, exp: 9e9 })}.signature`;
}

describe('a token getter that returns whoever is signed in now', () => {
  it("never sends Ada's draft with Bob's token, nor makes a draft of it for Bob, and saves once Ada is back", async () => {
    api.tokens = new Map([
      [jwt('ada'), 'ada'],
      [jwt('bob'), 'bob'],
    ]);
    let now = 'ada';
    const getToken = () => jwt(now);
    const draft = b.tab({ owner: 'ada', client: new SessionClient({ fetch: api.fetch, getToken, subject: 'ada' }) });
    await draft.start();
    const id = draft.getState().sessionId!;
    // Bob signs in, in another tab: the shared getter now answers with Bob's token.
    now = 'bob';
    const sent = api.requests.length;
    draft.setField('projectName', "Ada's, typed as Bob signed in elsewhere");
    await wait(60_000);
    expect(api.requests.slice(sent).filter((r) => r.headers.Authorization === `Bearer ${jwt('bob')}`)).toEqual([]);
    expect([...api.sessions.values()].filter((s) => s.owner === 'bob')).toEqual([]);
    expect(draft.getState()).toMatchObject({ sessionId: id, saveStatus: 'signedOut' });
    expect(draft.getState().projectData).toEqual({ projectName: "Ada's, typed as Bob signed in elsewhere" });

    now = 'ada';
    await wait(31_000);
    expect(api.sessions.get(id)!.projectData).toEqual({ projectName: "Ada's, typed as Bob signed in elsewhere" });
  });
});

describe('hasUnsaved', () => {
  it('is false once every edit is saved, and true for a create not answered', async () => {
    const ada = signedIn('ada');
    await ada.start();
    ada.setField('projectName', 'Saved');
    await wait(1500);
    expect(api.sessions.get(ada.getState().sessionId!)?.projectData).toEqual({ projectName: 'Saved' });
    expect(hasUnsaved(storage, 'ada')).toBe(false);
    ada.detach();

    api.offline = true;
    const bob = signedIn('bob');
    void bob.start();
    await wait(100);
    expect(hasUnsaved(storage, 'bob')).toBe(true);
  });
});

describe('tabs on a browser shared by two people', () => {
  it('hear only the same person’s tabs, and sign-out clears that person’s channel key too', () => {
    const heard: Record<string, string[]> = { adaOther: [], bob: [] };
    const tabOf = (who: string, name: string) =>
      new TabChannel(storage, b.events, null, (m) => heard[name]?.push(m.type), tabNames(who).messageKey);
    const ada = tabOf('ada', 'ada');
    const adaOther = tabOf('ada', 'adaOther');
    const bob = tabOf('bob', 'bob');
    for (const t of [ada, adaOther, bob]) t.open();
    ada.post({ type: 'draft', id: 'new', replaces: 'old', reason: 'restart' });
    expect(heard).toEqual({ adaOther: ['draft'], bob: [] });
    expect(tabNames('ada').lock).not.toBe(tabNames('bob').lock);
    forgetOwner(storage, 'ada');
    expect([...storage.items.keys()].some((k) => k.includes('ada'))).toBe(false);
    for (const t of [ada, adaOther, bob]) t.close();
  });
});

describe('any device', () => {
  it('continues the person’s newest draft on a browser that has none', async () => {
    const laptop = signedIn('ada');
    await laptop.start();
    laptop.setField('projectName', 'Typed on the laptop');
    await wait(1000);
    const id = laptop.getState().sessionId!;
    laptop.detach();

    const phone = browser();
    phone.api.sessions.set(id, api.sessions.get(id)!);
    phone.api.tokens = api.tokens;
    const draft = phone.tab({ owner: 'ada', client: new SessionClient({ fetch: phone.api.fetch, getToken: () => 'ada-token' }) });
    await draft.start();
    expect(draft.getState()).toMatchObject({ sessionId: id, projectData: { projectName: 'Typed on the laptop' } });
    expect(phone.api.requestsTo('POST')).toHaveLength(0);
    expect(await draft.listDrafts()).toMatchObject({ drafts: [{ sessionId: id }] });
  });

  it('stops without retrying when the person has as many drafts as one may, keeping what was typed', async () => {
    api.maxDrafts = 1;
    const first = signedIn('ada');
    await first.start();
    first.detach();
    storage.items.clear();

    const draft = signedIn('ada');
    draft.setField('projectName', 'One too many');
    const made = draft.createSession({ projectName: 'One too many' });
    await expect(made).rejects.toMatchObject({ status: 409 });
    await wait(120_000);
    expect(api.requestsTo('POST')).toHaveLength(2);
    expect(draft.getState()).toMatchObject({ saveStatus: 'error', error: { status: 409 } });

    // Typed after the refusal: kept in storage too, not in this tab's memory only.
    draft.setField('clientName', 'Typed after the 409');
    const pending = JSON.parse(storage.getItem(`${ownerPrefix('ada')}create`)!);
    const kept = JSON.parse(storage.getItem(`${ownerPrefix('ada')}unsaved:new:${pending.key}`)!);
    expect(kept.fields.clientName).toEqual({ value: 'Typed after the 409', base: null, at: expect.any(Number) });
    // Continuing the existing draft takes what was typed along.
    const [existing] = (await draft.listDrafts()).drafts;
    await draft.loadSession(existing!.sessionId);
    await wait(1500);
    expect(api.sessions.get(existing!.sessionId)!.projectData).toMatchObject({ projectName: 'One too many', clientName: 'Typed after the 409' });
  });

  it('keeps what was typed while the person’s newest draft was being looked up', async () => {
    const laptop = signedIn('ada');
    await laptop.start();
    laptop.setField('projectName', 'From the laptop');
    await wait(1000);
    const id = laptop.getState().sessionId!;
    laptop.detach();
    storage.items.clear();

    const phone = signedIn('ada');
    const started = phone.start();
    phone.setField('clientName', 'Typed at once');
    await started;
    await wait(1000);
    expect(phone.getState().sessionId).toBe(id);
    expect(api.sessions.get(id)?.projectData).toEqual({ projectName: 'From the laptop', clientName: 'Typed at once' });
  });

  it('treats a token source that fails as a sign-in problem, keeping the draft', async () => {
    let failing = false;
    const draft = tab('ada', () => {
      if (failing) throw new Error('signed out');
      return 'ada-token';
    });
    await draft.start();
    failing = true;
    draft.setField('clientName', 'Ada');
    await wait(1000);
    expect(draft.getState().error?.isUnauthorized).toBe(true);
    expect(draft.getState().saveStatus).toBe('signedOut');
    failing = false;
    await wait(31_000);
    expect(draft.getState().saveStatus).toBe('saved');
  });
});
