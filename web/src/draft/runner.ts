// The draft's effect runner: feeds events to the pure `transition` one at a time and performs
// the effects it returns (requests with a timeout, timers, storage writes, messages to other
// tabs, the tabs' lock). `controller.ts` puts the original design's API on top.

import { ApiError, FIELD_NAMES, type ProjectFormData, type SessionClient } from '../client';
import { UnsavedStore, type KeyValueStorage, type Unsaved } from '../unsaved';
import { defaultEvents, defaultStorage, send, uuidV4, write } from './io';
import { draftOf, initialState, isStarted, NO_DRAFT, type Config, type DraftEvent, type Effect, type Machine, type Request, type Stored, type TimerName } from './state';
import { defaultChannel, defaultLocks, tabNames, TabChannel, type BroadcastLike, type LocksLike } from './tabs';
import { transition } from './transition';
import { view, type DraftState } from './view';

export interface DraftOptions<T extends object = ProjectFormData> {
  client: SessionClient;
  /**
   * The form's fields (all of openapi.yaml's ProjectData). Fields the API has and the form
   * does not are left alone; a field the API does not know yet (a frontend deployed before its
   * backend) is refused with a 400, held on screen and in storage, and the rest is saved.
   */
  fields?: readonly (keyof T & string)[];
  /**
   * Fields never written to local storage (e-mail, phone: personal data on a shared computer):
   * until saved they live in this tab's memory only, so a reload, or unmounting the hook, before
   * the save loses them.
   */
  excludeFromStorage?: readonly (keyof T & string)[];
  /**
   * Keep a copy of the draft's last saved values in storage (true), but for `excludeFromStorage`
   * fields: a draft that expires while every tab is closed then comes back into a new draft,
   * with `restoredFromBrowser` set. False: nothing saved is kept in the browser.
   */
  keepSavedCopy?: boolean;
  /**
   * When local storage is unusable (blocked, private mode, full), keep the draft's id in the
   * page's URL under this query parameter (`history.replaceState`), so that a reload finds the
   * draft; `storageFailed` tells the page to say so. Off (null) by default: the id is the
   * draft's only credential in anonymous mode, and a URL is shared more easily than storage.
   */
  urlParam?: string | null;
  /** Where `urlParam` is read and written: the page's `location` and `history` where there are. */
  address?: Address | null;
  /**
   * Owned mode: the signed-in person, their token's `sub` (the hook's client then refuses to
   * send a token of anyone else; give the client's `subject` if the app's id differs). What is kept in
   * storage is kept under it, so that on a shared browser one person's unsaved edits never seed
   * another's draft; `forgetOwner(storage, owner)` clears it at sign-out. With no draft in this
   * browser, `start()` continues the person's newest one from any device.
   */
  owner?: string;
  /** Where unsaved edits and the draft's id are kept; `localStorage` when there is one. */
  storage?: KeyValueStorage | null;
  /**
   * The pause in typing, in milliseconds, after which what was typed is saved (4000). Edits are
   * kept in storage as they are typed, so a reload loses nothing meanwhile; the save is what
   * carries them to the server, and to the person's other devices.
   */
  autosaveDelay?: number;
  /**
   * The longest, in milliseconds, an edit waits for that pause while typing goes on (20 000:
   * BENCHMARKS.md, "A person filling the wizard", measures what each bound costs).
   * Whatever the delays, what waits is sent at once when the page is hidden or goes away.
   */
  maxAutosaveDelay?: number;
  /** First retry delay in milliseconds, doubled each time up to `maxRetryDelay` (500, 30 000). */
  retryDelay?: number;
  maxRetryDelay?: number;
  /** A request without an answer after this many milliseconds is given up (10 000: the functions time out at 8 s). */
  requestTimeout?: number;
  /** Where `online`, `offline`, `pagehide` and `storage` are heard; `window` in a browser. */
  events?: Pick<EventTarget, 'addEventListener' | 'removeEventListener'> | null;
  /** Where `visibilitychange` is heard and `visibilityState` read; `document` in a browser. */
  visibility?: Visibility | null;
  /** Makes the channel tabs talk on; a `BroadcastChannel` where there is one. `null`: storage events only. */
  broadcast?: (() => BroadcastLike) | null;
  /** The tabs' lock; `navigator.locks` where there is one. `null`: none (tabs may then race to make a draft). */
  locks?: LocksLike | null;
  isOnline?: () => boolean;
  random?: () => number;
  /** A fresh UUID v4 for each create's idempotency key. */
  newKey?: () => string;
}

/** The autosave's delays (ms) when the options give none: see `DraftOptions`. */
export const AUTOSAVE_DEFAULTS = { autosaveDelay: 4000, maxAutosaveDelay: 20_000 } as const;

/** The page's visibility, as `document` has it. */
export type Visibility = Pick<EventTarget, 'addEventListener' | 'removeEventListener'> & { readonly visibilityState: string };

function defaultVisibility(): Visibility | null {
  return typeof document === 'undefined' ? null : document;
}

/** The page's address: read it, and replace it without a navigation. */
export interface Address {
  read(): string;
  replace(href: string): void;
}

function defaultAddress(): Address | null {
  if (typeof location === 'undefined' || typeof history === 'undefined') return null;
  return { read: () => location.href, replace: (href) => history.replaceState(history.state, '', href) };
}

export type Waiter = (state: Machine) => boolean;

export class DraftRunner<T extends object = ProjectFormData> {
  protected machine: Machine;
  private snapshot: DraftState<T>;
  private readonly listeners = new Set<() => void>();
  private readonly waiters = new Set<Waiter>();
  private readonly queue: DraftEvent[] = [];
  private dispatching = false;
  private readonly timers = new Map<TimerName, { handle: ReturnType<typeof setTimeout> | null; token: number; ms: number }>();
  private readonly inflight = new Map<number, AbortController>();
  private releaseLock: (() => void) | null = null;
  /** A claim granted while detached: let go at once, taken again on `attach`. */
  private deferredClaim: number | null = null;
  private attached = 0;

  protected readonly client: SessionClient;
  /** Owned mode: whose drafts these are (storage is kept per owner); `null` in anonymous mode. */
  protected readonly owner: string | null;
  /** The tabs' channel, message key and lock: this person's own in owned mode. */
  private readonly names: ReturnType<typeof tabNames>;
  protected readonly store: UnsavedStore;
  private readonly urlParam: string | null;
  private readonly address: Address | null;
  private readonly config: Config;
  private readonly requestTimeout: number;
  private readonly events: DraftOptions['events'];
  private readonly visibility: Visibility | null;
  private readonly locks: LocksLike | null;
  private readonly tabs: TabChannel;
  private readonly isOnline: () => boolean;
  private readonly random: () => number;
  private readonly newKey: () => string;

  protected readonly fields: readonly string[];

  constructor(options: DraftOptions<T>) {
    const storage = options.storage === undefined ? defaultStorage() : options.storage;
    this.client = options.client;
    this.fields = options.fields ?? FIELD_NAMES;
    this.owner = options.owner ?? null;
    this.store = new UnsavedStore(storage, this.fields, undefined, this.owner);
    this.config = {
      autosaveDelay: options.autosaveDelay ?? AUTOSAVE_DEFAULTS.autosaveDelay,
      maxAutosaveDelay: options.maxAutosaveDelay ?? AUTOSAVE_DEFAULTS.maxAutosaveDelay,
      retryDelay: options.retryDelay ?? 500,
      maxRetryDelay: options.maxRetryDelay ?? 30_000,
      deleteAttempts: 5,
      createAttempts: 4,
      fields: this.fields,
      memoryOnly: options.excludeFromStorage ?? [],
      keepSavedCopy: options.keepSavedCopy ?? true,
      single: this.owner === null,
    };
    this.requestTimeout = options.requestTimeout ?? 10_000;
    this.urlParam = options.urlParam ?? null;
    this.address = options.address === undefined ? defaultAddress() : options.address;
    this.events = options.events === undefined ? defaultEvents() : options.events;
    this.visibility = options.visibility === undefined ? defaultVisibility() : options.visibility;
    this.locks = options.locks === undefined ? defaultLocks() : options.locks;
    this.names = tabNames(this.owner);
    const channel = options.broadcast === undefined ? defaultChannel(this.names.channel) : options.broadcast;
    this.tabs = new TabChannel(
      storage,
      this.events ?? null,
      channel,
      (message) => this.dispatch({ type: 'message', message }),
      this.names.messageKey,
    );
    this.isOnline = options.isOnline ?? (() => globalThis.navigator?.onLine ?? true);
    this.random = options.random ?? Math.random;
    this.newKey = options.newKey ?? uuidV4;
    this.machine = initialState(this.isOnline());
    this.snapshot = view<T>(this.machine);
  }

  // --- for React's useSyncExternalStore -------------------------------------------------------

  getState = (): DraftState<T> => this.snapshot;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** The machine's own state, for tests and debugging. */
  getMachine = (): Machine => this.machine;

  /** Listens to the browser and the other tabs, and runs timers. Pairs with `detach`; nests (StrictMode). */
  attach = (): void => {
    this.attached += 1;
    if (this.attached > 1) return;
    this.events?.addEventListener('online', this.onOnline);
    this.events?.addEventListener('offline', this.onOffline);
    this.events?.addEventListener('pagehide', this.onPageHide);
    this.visibility?.addEventListener('visibilitychange', this.onVisibilityChange);
    this.tabs.open();
    if (this.deferredClaim !== null) {
      const reqId = this.deferredClaim;
      this.deferredClaim = null;
      this.claim(reqId);
    }
    for (const [name, timer] of this.timers) if (timer.handle === null) this.arm(name, timer.token, timer.ms);
  };

  /** Stops listening and pauses timers; unsaved edits are sent now rather than left to a timer. */
  detach = (): void => {
    this.attached = Math.max(0, this.attached - 1);
    if (this.attached > 0) return;
    this.events?.removeEventListener('online', this.onOnline);
    this.events?.removeEventListener('offline', this.onOffline);
    this.events?.removeEventListener('pagehide', this.onPageHide);
    this.visibility?.removeEventListener('visibilitychange', this.onVisibilityChange);
    this.tabs.close();
    this.dispatch({ type: 'flush' });
    // Paused timers would keep the lock from the other tabs' creates for good.
    this.releaseLock?.();
    this.releaseLock = null;
    for (const timer of this.timers.values()) {
      if (timer.handle !== null) clearTimeout(timer.handle);
      timer.handle = null;
    }
  };

  // --- the loop -------------------------------------------------------------------------------

  /** Runs `event` through the machine, then every event its effects raise, one at a time. */
  dispatch(event: DraftEvent): void {
    this.queue.push(event);
    if (this.dispatching) return;
    this.dispatching = true;
    try {
      for (let next = this.queue.shift(); next; next = this.queue.shift()) {
        const env = { now: Date.now(), random: this.random(), newKey: this.newKey(), config: this.config };
        const [state, effects] = transition(this.machine, next, env);
        this.machine = state;
        for (const effect of effects) this.perform(effect);
      }
    } finally {
      this.dispatching = false;
    }
    this.afterDispatch();
  }

  private afterDispatch(): void {
    this.keepIdInUrl();
    const lane = this.machine.lane;
    // The lock is held while this tab makes a draft, and let go as soon as it is not.
    if (this.releaseLock && !(lane.status !== 'idle' && lane.job.kind === 'create')) {
      this.releaseLock();
      this.releaseLock = null;
    }
    const next = view<T>(this.machine);
    if (!sameView(next, this.snapshot)) {
      this.snapshot = next;
      for (const listener of this.listeners) listener();
    }
    for (const waiter of [...this.waiters]) if (waiter(this.machine)) this.waiters.delete(waiter);
  }

  private perform(effect: Effect): void {
    switch (effect.type) {
      case 'request':
        return this.request(effect.reqId, effect.request);
      case 'abort':
        this.inflight.get(effect.reqId)?.abort();
        this.inflight.delete(effect.reqId);
        return;
      case 'timer': {
        // A timer of the same name is replaced; while detached it waits for `attach`.
        const earlier = this.timers.get(effect.name);
        if (earlier?.handle) clearTimeout(earlier.handle);
        this.timers.set(effect.name, { handle: null, token: effect.token, ms: effect.ms });
        if (this.attached > 0) this.arm(effect.name, effect.token, effect.ms);
        return;
      }
      case 'cancelTimer': {
        const timer = this.timers.get(effect.name);
        if (timer?.handle) clearTimeout(timer.handle);
        this.timers.delete(effect.name);
        return;
      }
      case 'store': {
        // A write that names a draft takes the browser; any other finds whose it is now.
        const { write: change } = effect;
        const takes = change.op === 'setSessionId' && change.over === undefined;
        const before = this.machine.storageOk || takes ? null : this.store.sessionId();
        const written = write(this.store, change);
        const named = before !== null && !this.store.ended().includes(before) ? before : null;
        if (written !== this.machine.storageOk) this.queue.push(written ? { type: 'storageRecovered', named } : { type: 'storageFailed' });
        return;
      }
      case 'broadcast':
        if (!this.tabs.post(effect.message) && this.machine.storageOk) this.queue.push({ type: 'storageFailed' });
        return;
      case 'claim':
        return this.claim(effect.reqId);
    }
  }

  private arm(name: TimerName, token: number, ms: number): void {
    const timer = { token, ms, handle: null as ReturnType<typeof setTimeout> | null };
    timer.handle = setTimeout(() => {
      if (this.timers.get(name) === timer) this.timers.delete(name);
      this.dispatch({ type: 'timer', name, token });
    }, ms);
    this.timers.set(name, timer);
  }

  private request(reqId: number, request: Request): void {
    const controller = new AbortController();
    this.inflight.set(reqId, controller);
    this.within((signal) => send(this.client, request, signal), controller).then(
      (value) =>
        this.dispatch({
          type: 'response',
          reqId,
          outcome: { ok: true, value },
          named: request.kind === 'create' ? { id: this.store.sessionId(), ended: this.store.ended() } : undefined,
        }),
      (cause: unknown) => {
        const timedOut = cause instanceof TimedOut;
        // Aborted by the machine: nobody waits for this answer.
        if (controller.signal.aborted && !timedOut) return;
        const error = timedOut
          ? new ApiError(`The API did not answer within ${this.requestTimeout / 1000} s`, 0, { cause })
          : cause instanceof ApiError
            ? cause
            : new ApiError(cause instanceof Error ? cause.message : 'Unexpected error', 0, { cause });
        this.dispatch({ type: 'response', reqId, outcome: { ok: false, error, timedOut, online: this.isOnline() } });
      },
    ).finally(() => this.inflight.delete(reqId));
  }

  /**
   * `work` given `requestTimeout` for the whole step, token and fetch: a `getToken` or a `fetch`
   * that ignores the abort and never settles must not hold anything. Rejects with `TimedOut`.
   */
  protected within<V>(work: (signal: AbortSignal) => Promise<V>, controller = new AbortController()): Promise<V> {
    let timeout: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<never>((_, reject) => {
      timeout = setTimeout(() => {
        reject(new TimedOut());
        controller.abort();
      }, this.requestTimeout);
    });
    return Promise.race([work(controller.signal), expired]).finally(() => clearTimeout(timeout));
  }

  /** Takes the tabs' lock, then tells the machine which draft the browser has under it. */
  private claim(reqId: number): void {
    const granted = () =>
      new Promise<void>((release) => {
        const lane = this.machine.lane;
        if (lane.status !== 'busy' || lane.reqId !== reqId) return release();
        // Unmounted (or the page is going): holding the lock with paused timers would keep
        // every other tab from making a draft.
        if (this.attached === 0) {
          this.deferredClaim = reqId;
          return release();
        }
        this.releaseLock?.();
        this.releaseLock = release;
        const storedId = this.store.sessionId();
        const pending = this.store.pending();
        const records: Record<string, Unsaved> = {};
        for (const id of [storedId, pending && `new:${pending.key}`, NO_DRAFT]) if (id) records[id] = this.store.read(id);
        const replacing = lane.job.kind === 'claim' ? lane.job.replacing : null;
        const copy = replacing !== null && this.config.keepSavedCopy ? this.store.readSaved(replacing) : null;
        this.dispatch({ type: 'claimed', reqId, storedId, pending, ended: this.store.ended(), replaced: this.store.replaced(), records, copy });
      });
    if (this.locks) void this.locks.request(this.names.lock, granted).catch(() => undefined);
    else void Promise.resolve().then(granted);
  }

  /** The draft's id from the page's URL (`urlParam`), where a reload without storage finds it. */
  protected idFromUrl(): string | null {
    if (this.urlParam === null || this.address === null) return null;
    return new URL(this.address.read()).searchParams.get(this.urlParam);
  }

  /** Storage refused: the URL keeps the draft's id instead (or drops an id the draft left). */
  private keepIdInUrl(): void {
    if (this.urlParam === null || this.address === null) return;
    // Not before the draft starts: the id in the URL is what `start` reads.
    if (this.machine.storageOk && !isStarted(this.machine)) return;
    const url = new URL(this.address.read());
    // Storage works (again): it holds the id, and a stale one in the URL must not outlive it.
    const id = this.machine.storageOk ? null : draftOf(this.machine);
    if (url.searchParams.get(this.urlParam) === id) return;
    if (id === null) url.searchParams.delete(this.urlParam);
    else url.searchParams.set(this.urlParam, id);
    this.address.replace(url.href);
  }

  /** What storage holds of draft `id`: its unsaved edits, and the copy of what was saved. */
  protected stored(id: string): Stored {
    return { ...this.store.read(id), saved: this.config.keepSavedCopy ? this.store.readSaved(id) : null };
  }

  /** Resolves once `done` holds, checked after every event. */
  protected until(done: Waiter): Promise<void> {
    return new Promise((resolve) => this.wait((s) => (done(s) ? (resolve(), true) : false)));
  }

  protected wait(waiter: Waiter): void {
    if (!waiter(this.machine)) this.waiters.add(waiter);
  }

  private onOnline = (): void => this.dispatch({ type: 'online' });
  private onOffline = (): void => this.dispatch({ type: 'offline' });
  private onPageHide = (): void => this.dispatch({ type: 'pagehide' });
  private onVisibilityChange = (): void => {
    this.dispatch({ type: this.visibility?.visibilityState === 'hidden' ? 'hidden' : 'visible' });
  };
}

class TimedOut extends Error {
  constructor() {
    super('timed out');
  }
}

/** `view` builds new objects each time; React should re-render only when something differs. */
function sameView<T extends object>(a: DraftState<T>, b: DraftState<T>): boolean {
  const derived = new Set<keyof DraftState<T>>(['projectData', 'unsavedFields', 'lastSavedAt', 'lastActivity', 'setAside']);
  return (Object.keys(a) as (keyof DraftState<T>)[]).every(
    (key) => a[key] === b[key] || (derived.has(key) && JSON.stringify(a[key]) === JSON.stringify(b[key])),
  );
}

