// One browser for the controller's tests: the fake API, the localStorage its tabs share (whose
// writes reach the other tabs as `storage` events), the tabs' lock, and whether it is online.
// Each test makes its own with `browser()`, so tests share nothing.

import { vi } from 'vitest';
import { SessionClient } from '../src/client';
import { DraftController, type DraftOptions } from '../src/draft';
import { FakeApi, MemoryLocks, MemoryStorage } from './fakeApi';

export interface TestBrowser {
  api: FakeApi;
  storage: MemoryStorage;
  events: EventTarget;
  locks: MemoryLocks;
  online: boolean;
  /** A new tab of this browser, attached as a mounted hook is. */
  tab(extra?: Partial<DraftOptions>): DraftController;
  /** A tab that has resumed or started the draft. */
  started(extra?: Partial<DraftOptions>): Promise<DraftController>;
}

export function browser(): TestBrowser {
  const events = new EventTarget();
  const b: TestBrowser = {
    api: new FakeApi(),
    storage: new MemoryStorage(events),
    events,
    locks: new MemoryLocks(),
    online: true,
    tab(extra = {}) {
      const draft = new DraftController({
        client: new SessionClient({ fetch: b.api.fetch }),
        storage: b.storage,
        events: b.events,
        // Tabs hear each other through `storage` events, the fallback, which the tests drive.
        broadcast: null,
        locks: b.locks,
        isOnline: () => b.online,
        random: () => 1,
        // The tests count in the original design's one second after the last edit.
        autosaveDelay: 1000,
        visibility: null,
        ...extra,
      });
      draft.attach();
      return draft;
    },
    async started(extra = {}) {
      const draft = b.tab(extra);
      await draft.start();
      return draft;
    },
  };
  return b;
}

/** Advances the fake clock, running the timers and promises due. */
export const wait = (ms: number) => vi.advanceTimersByTimeAsync(ms);
