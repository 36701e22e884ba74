import { act, renderHook, waitFor } from '@testing-library/react';
import { StrictMode, type ReactNode } from 'react';
import { beforeEach, describe, expect, it } from 'vitest';
import { useProjectSession, type UseProjectSessionOptions } from '../src/useProjectSession';
import { FakeApi, MemoryStorage } from './fakeApi';

let api: FakeApi;
let storage: MemoryStorage;

function options(extra: UseProjectSessionOptions = {}): UseProjectSessionOptions {
  return { baseUrl: 'http://api.test', fetch: api.fetch, storage, events: null, autosaveDelay: 20, ...extra };
}

beforeEach(() => {
  api = new FakeApi();
  storage = new MemoryStorage();
});

describe('useProjectSession', () => {
  it("returns the seed's fields and functions", () => {
    const { result } = renderHook(() => useProjectSession(options()));
    const session = result.current;
    expect(session).toMatchObject({ sessionId: null, projectData: null, currentStep: 1, completedSteps: [], loading: false });
    for (const name of ['createSession', 'updateSession', 'loadSession', 'clearSession'] as const) {
      expect(typeof session[name]).toBe('function');
    }
  });

  it("keeps the seed page's flow working: create, save a step, reload, clear", async () => {
    const first = renderHook(() => useProjectSession(options()));
    let id = '';
    await act(async () => {
      id = await first.result.current.createSession();
    });
    expect(storage.getItem('projectSessionId')).toBe(id);
    await act(() => first.result.current.updateSession({ projectName: 'Test Project', squareFootage: 1000 }, 1));
    first.unmount();

    const reloaded = renderHook(() => useProjectSession(options()));
    await act(() => reloaded.result.current.loadSession(id));
    expect(reloaded.result.current.projectData).toEqual({ projectName: 'Test Project', squareFootage: 1000 });
    expect(reloaded.result.current.completedSteps).toEqual([1]);

    await act(() => reloaded.result.current.clearSession());
    expect(reloaded.result.current.sessionId).toBeNull();
    expect(api.sessions.size).toBe(0);
  });

  it('autosaves a field set through setField and re-renders with the saved status', async () => {
    const { result } = renderHook(() => useProjectSession(options({ autoStart: true })));
    await waitFor(() => expect(result.current.sessionId).not.toBeNull());
    act(() => result.current.setField('clientName', 'Ada'));
    expect(result.current.saveStatus).toBe('pending');
    expect(result.current.projectData).toEqual({ clientName: 'Ada' });
    await waitFor(() => expect(result.current.saveStatus).toBe('saved'));
    expect(api.sessions.get(result.current.sessionId!)!.projectData).toEqual({ clientName: 'Ada' });
  });

  it('asks the getToken of the latest render, so a token refreshed into React state is the one sent', async () => {
    api.tokens = new Map([['fresh', 'ada']]);
    const seen: string[] = [];
    const record = (input: RequestInfo | URL, init?: RequestInit) => {
      seen.push(String((init?.headers as Record<string, string>)?.Authorization));
      return api.fetch(input, init);
    };
    const { result, rerender } = renderHook((token: string) => useProjectSession(options({ owner: 'ada', fetch: record, getToken: () => token })), {
      initialProps: 'stale',
    });
    rerender('fresh');
    await act(async () => {
      await result.current.createSession();
    });
    expect(seen.at(-1)).toBe('Bearer fresh');
    expect(result.current.sessionId).not.toBeNull();
  });

  it('creates a single draft when mounted under StrictMode with autoStart', async () => {
    const wrapper = ({ children }: { children: ReactNode }) => <StrictMode>{children}</StrictMode>;
    const { result } = renderHook(() => useProjectSession(options({ autoStart: true })), { wrapper });
    await waitFor(() => expect(result.current.sessionId).not.toBeNull());
    expect(api.requestsTo('POST')).toHaveLength(1);
  });

  it('resumes the saved draft on mount with autoStart', async () => {
    const id = (await api.fetch('/project-session', { method: 'POST', body: '{"projectData":{"budget":7}}' }).then((r) => r.json())).sessionId;
    storage.setItem('projectSessionId', id);
    const { result } = renderHook(() => useProjectSession(options({ autoStart: true })));
    await waitFor(() => expect(result.current.projectData).toEqual({ budget: 7 }));
    expect(result.current.sessionId).toBe(id);
  });

  it('saves unsaved edits when the component unmounts', async () => {
    const { result, unmount } = renderHook(() => useProjectSession(options({ autoStart: true, autosaveDelay: 60_000 })));
    await waitFor(() => expect(result.current.sessionId).not.toBeNull());
    const id = result.current.sessionId!;
    act(() => result.current.setField('projectName', 'Left the page'));
    unmount();
    await waitFor(() => expect(api.sessions.get(id)!.projectData).toEqual({ projectName: 'Left the page' }));
  });

  it('says a draft with something in it was restored on mount, and from when, and starts over on discardDraft', async () => {
    const old = (await api.fetch('/project-session', { method: 'POST', body: '{"projectData":{"projectName":"Riverside"}}' }).then((r) => r.json())).sessionId;
    storage.setItem('projectSessionId', old);
    const { result } = renderHook(() => useProjectSession(options({ autoStart: true })));
    await waitFor(() => expect(result.current.restored).toBe(true));
    expect(result.current.lastActivity).toBeInstanceOf(Date);
    expect(result.current.projectData).toEqual({ projectName: 'Riverside' });

    await act(() => result.current.discardDraft());
    expect(result.current).toMatchObject({ restored: false, projectData: {}, currentStep: 1 });
    expect(result.current.sessionId).not.toBe(old);
    expect(storage.getItem('projectSessionId')).toBe(result.current.sessionId);
    await waitFor(() => expect(api.sessions.has(old)).toBe(false));
  });

  it('does not call a new, empty draft restored', async () => {
    const { result } = renderHook(() => useProjectSession(options({ autoStart: true })));
    await waitFor(() => expect(result.current.sessionId).not.toBeNull());
    expect(result.current.restored).toBe(false);
  });

  it('shows a refused field as held, with the message, beside the others saved', async () => {
    const { result } = renderHook(() => useProjectSession(options({ autoStart: true })));
    await waitFor(() => expect(result.current.sessionId).not.toBeNull());
    act(() => {
      result.current.setField('squareFootage', -5);
      result.current.setField('projectName', 'Riverside');
    });
    await waitFor(() => expect(result.current.held).toEqual({ squareFootage: 'must be 0 or from 0.000001 to 1000000000000000' }));
    expect(result.current.projectData).toEqual({ squareFootage: -5, projectName: 'Riverside' });
    expect(api.sessions.get(result.current.sessionId!)!.projectData).toEqual({ projectName: 'Riverside' });
  });

  it('gives another signed-in person a draft of their own, nothing of the last one’s shown', async () => {
    api.tokens = new Map([
      ['ada-token', 'ada'],
      ['bob-token', 'bob'],
    ]);
    const as = (owner: string) => options({ owner, getToken: () => `${owner}-token`, autoStart: true });
    const page = renderHook((props: { owner: string }) => useProjectSession(as(props.owner)), { initialProps: { owner: 'ada' } });
    await waitFor(() => expect(page.result.current.sessionId).not.toBeNull());
    act(() => page.result.current.setField('projectName', "Ada's"));
    const adas = page.result.current.sessionId;
    page.rerender({ owner: 'bob' });
    await waitFor(() => expect(page.result.current.sessionId).not.toBeNull());
    expect(page.result.current.sessionId).not.toBe(adas);
    expect(page.result.current.projectData).toEqual({});
  });
});
