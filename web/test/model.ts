// The model checker's world: one browser with several tabs, each a real DraftController over a
// real SessionClient, sharing one local storage, one channel and one lock; a server (FakeApi)
// whose answer to each request the checker picks from every class of outcome; who is signed in;
// and the person's typing, kept as a ledger so that the invariants can say where each value is.

import { vi } from 'vitest';
import { FIELD_NAMES, SessionClient } from '../src/client';
import { DraftController, type DraftState } from '../src/draft';
import { canSend } from '../src/draft/fields';
import { AUTOSAVE_DEFAULTS } from '../src/draft/runner';
import { NO_DRAFT, type Job, type Machine, type PhaseName } from '../src/draft/state';
import { tabNames } from '../src/draft/tabs';
import { forgetOwner, hasUnsaved, ownerPrefix, UnsavedStore, type FieldValue, type ListableStorage } from '../src/unsaved';
import { FakeApi, MemoryBroadcast, MemoryLocks, MemoryStorage } from './fakeApi';

export type Person = 'A' | 'B';
export type Mode = 'anonymous' | 'owned';
export type StorageMode = 'ok' | 'full' | 'blocked';

/** Every class of answer a request can meet, from the API or from what stands between. */
export const FAULTS = [
  'wrongShape', // a 200 whose JSON is not what was asked for
  'notJson', // a 200 that is a captive portal's page
  'invalidField', // 400 naming a field of the request
  'invalid', // 400 naming none
  401,
  403,
  404,
  409,
  412,
  413,
  422,
  429,
  500,
  503,
  'hang', // no answer until the client gives up
  'lost', // the server did the work; its answer never came
  'network', // no connection
] as const;
export type Answer = 'truth' | (typeof FAULTS)[number];

/** The form's fields the person types into: two texts and an amount (a negative one is refused). */
export const FIELDS = ['projectName', 'buildingType', 'squareFootage'] as const;
export type Field = (typeof FIELDS)[number];

export interface Tab {
  n: number;
  person: Person | null;
  draft: DraftController;
  events: EventTarget;
  /** The page's `document` as far as visibility goes: a tab in the background is hidden. */
  page: EventTarget & { visibilityState: 'visible' | 'hidden' };
  href: string;
  alive: boolean;
  /** Opened while storage was blocked: it has none, whatever happens later. */
  blocked: boolean;
  /** The page has said, at some point, that storage failed (`storageFailed`). */
  saidFailed: boolean;
}

interface Pending {
  tab: Tab;
  input: string;
  init: RequestInit;
  method: string;
  body: any;
  resolve(response: Response): void;
  reject(error: unknown): void;
}

/** A value the person typed and has not replaced, dropped or submitted since. */
interface Typed {
  person: Person;
  field: Field;
  value: FieldValue;
  /** When it was typed (the typings before it, and it). */
  k: number;
  /** A value the API refuses: kept and shown, never saved. */
  refused: boolean;
}

/** A text longer than this makes a body the gateway refuses with 413. */
const HUGE = 2000;

/** Requests a tab may send for one event: a person's action, an answer, a timer. */
export const PER_EVENT = 4;

export class World {
  readonly api = new FakeApi();
  readonly raw = new MemoryStorage();
  /** One channel per name, as `BroadcastChannel`: each person's tabs have their own. */
  private readonly channels = new Map<string, MemoryBroadcast>();
  readonly locks = new MemoryLocks();
  readonly tabs: Tab[] = [];
  pending: Pending[] = [];
  online = true;
  storage: StorageMode = 'ok';
  signedIn: Person | null = 'A';
  /** Keyed by the value: each typing makes a value no one typed before. */
  readonly ledger = new Map<string, Typed>();
  violations: string[] = [];
  private typings = 0;
  /** Per person: values typed up to this count may be lost when their draft expires (see `expire`). */
  private readonly excused = new Map<Person, number>();
  private tabCount = 0;
  /** Requests each tab sent during the current command. */
  private sent = new Map<number, number>();
  /** Per tab: when it last sent a save, and since when it has shown 'pending' with nothing out. */
  private readonly lastPut = new Map<number, number>();
  private readonly pendingSince = new Map<number, number>();

  constructor(readonly mode: Mode) {
    if (mode === 'owned') this.api.tokens = new Map([[token('A'), 'A'], [token('B'), 'B']]);
  }

  // --- the browser ----------------------------------------------------------------------------------

  live(): Tab[] {
    return this.tabs.filter((t) => t.alive);
  }

  tab(pick: number): Tab | undefined {
    const live = this.live();
    return live.length ? live[pick % live.length] : undefined;
  }

  /** Opens the wizard in a new tab, as the person signed in now (owned mode needs one). */
  async open(href = 'https://app.test/new-project'): Promise<void> {
    const person = this.mode === 'owned' ? this.signedIn : null;
    if (this.mode === 'owned' && person === null) return;
    if (this.live().length >= 3) return;
    const page = Object.assign(new EventTarget(), { visibilityState: 'visible' as 'visible' | 'hidden' });
    const tab = { n: ++this.tabCount, person, events: new EventTarget(), page, href, alive: true, blocked: this.storage === 'blocked', saidFailed: false } as Tab;
    const client = new SessionClient({
      fetch: (input, init) => this.fetch(tab, String(input), init ?? {}),
      // The README's example: a getter that returns whoever is signed in now.
      getToken: this.mode === 'owned' ? () => (this.signedIn === null ? null : token(this.signedIn)) : undefined,
      subject: person,
    });
    tab.draft = new DraftController({
      client,
      storage: tab.blocked ? null : new TabStorage(this, tab),
      events: tab.events,
      visibility: tab.page,
      broadcast: () => this.channel(tabNames(person).channel),
      locks: this.locks,
      isOnline: () => this.online,
      random: () => 0.5,
      urlParam: 'draft',
      address: { read: () => tab.href, replace: (href) => (tab.href = href) },
      owner: person ?? undefined,
    });
    this.tabs.push(tab);
    tab.draft.attach();
    void tab.draft.start();
    await settle();
  }

  /**
   * Closes a tab as a browser does: `pagehide`, then the page is gone. What only it held is lost
   * unless it said so (`storageFailed`). `reopen`: the same address opens again (a reload).
   */
  async close(tab: Tab, reopen = false): Promise<void> {
    const said = tab.draft.getState().storageFailed;
    // It may have said so since the last check (while the faults cleared).
    if (said) tab.saidFailed = true;
    const before = new Map([...this.ledger].map(([key, typed]) => [key, this.whereIs(typed)]));
    // The draft only this tab's address names (storage failed when it was made or saved).
    const fromUrl = new URL(tab.href).searchParams.get('draft');
    const others = this.live().filter((t) => t !== tab);
    const onlyHere = fromUrl !== null && !others.some((t) => t.draft.getState().sessionId === fromUrl || new URL(t.href).searchParams.get('draft') === fromUrl);
    tab.events.dispatchEvent(new Event('pagehide'));
    tab.draft.detach();
    tab.alive = false;
    await settle();
    if (reopen) await this.open(tab.href);
    // Closing takes nothing from storage or the server: what is nowhere now, the tab alone held
    // (in memory, or a draft only its address named). A tab that said storage failed loses that
    // when it is closed; a reload keeps its address, so nothing it had saved may go.
    for (const [key, typed] of this.ledger) {
      if (this.whereIs(typed) !== null) continue;
      // Known limit, said on the page: anonymous mode keeps one draft id in storage; a tab whose
      // storage failed holds its own draft in its address, and once another tab has given the
      // browser another draft, that one is what the next start opens.
      const urlOnly = tab.saidFailed && onlyHere && before.get(key) === `draft ${fromUrl}` && this.mode === 'anonymous';
      if ((said && (!reopen || before.get(key) === `tab ${tab.n}`)) || urlOnly) this.ledger.delete(key);
      else this.violations.push(`durable: ${show(typed)} was lost when tab ${tab.n} closed (it was in ${before.get(key)})`);
    }
  }

  /** The person switches to another tab or app (the page is hidden), and back. */
  async hide(tab: Tab): Promise<void> {
    for (const state of ['hidden', 'visible'] as const) {
      tab.page.visibilityState = state;
      tab.page.dispatchEvent(new Event('visibilitychange'));
      await settle();
      // A hidden page may be frozen, or discarded with no `pagehide`: what waited is on its way
      // (offline, it waits in storage for the network).
      const m = tab.draft.getMachine();
      if (state === 'hidden' && this.online && m.lane.status === 'idle' && canSend(m)) this.violations.push(`prompt: tab ${tab.n} was hidden with edits it did not send`);
    }
  }

  async setOnline(online: boolean): Promise<void> {
    this.online = online;
    for (const tab of this.live()) tab.events.dispatchEvent(new Event(online ? 'online' : 'offline'));
    await settle();
  }

  /** Owned mode: another person (or no one) is signed in now; open tabs keep their owner. */
  signIn(person: Person | null): void {
    if (this.mode === 'owned') this.signedIn = person;
  }

  /**
   * Sign-out, once the person's wizard pages are closed: the app forgets what this browser kept
   * for them, unless `hasUnsaved` warns (then it keeps it, and says so). Copies of expired drafts
   * go with it: an expired draft's values are the server's to drop.
   */
  forget(person: Person): void {
    if (this.mode !== 'owned' || this.live().some((t) => t.person === person)) return;
    if (this.signedIn === person) this.signedIn = null;
    if (hasUnsaved(this.raw, person)) return;
    // A value only in this browser's copy of a draft was on a draft that expired (24 h without a
    // write): the copy goes with the sign-out. Anything else must outlive it.
    const copied = [...this.ledger].filter(([, typed]) => typed.person === person && this.whereIs(typed) === 'copy');
    forgetOwner(this.raw, person);
    this.excuse(person);
    for (const [key, typed] of copied) if (this.whereIs(typed) === null) this.ledger.delete(key);
  }

  /**
   * The server drops a draft (24 h without a write). A value it alone held goes with it only if
   * this browser could not keep a copy: storage failed after it was typed, or the app forgot the
   * person's storage at sign-out.
   */
  expire(pick: number): void {
    const ids = [...this.api.sessions.keys()];
    if (ids.length) this.expireDraft(ids[pick % ids.length]);
  }

  private expireDraft(id: string): void {
    if (!this.api.sessions.has(id)) return;
    const only = [...this.ledger].filter(([, typed]) => this.whereIs(typed, id) === null);
    this.api.sessions.delete(id);
    for (const [key, typed] of only) {
      if (typed.k <= (this.excused.get(typed.person) ?? 0)) this.ledger.delete(key);
      else this.violations.push(`durable: ${show(typed)} was only on draft ${id}, which expired, and this browser kept no copy`);
    }
  }

  /** Storage refuses from now on (or works again); while it refuses, what is typed may go uncopied. */
  setStorage(mode: StorageMode): void {
    this.storage = mode;
    this.raw.full = false;
    if (mode !== 'ok') this.excuse('A', 'B');
  }

  /** Called before every command: storage that refuses keeps excusing what is typed meanwhile. */
  private excuse(...people: Person[]): void {
    for (const person of people) this.excused.set(person, this.typings);
  }

  private channel(name: string) {
    if (!this.channels.has(name)) this.channels.set(name, new MemoryBroadcast());
    return this.channels.get(name)!.channel();
  }

  // --- the person ---------------------------------------------------------------------------------

  /**
   * The person types into a field of a tab that shows the form. `refused`: a value the API
   * refuses (400); `huge`: one too large for the gateway (413).
   */
  type(tab: Tab, field: Field, how: 'value' | 'refused' | 'huge' | 'empty'): void {
    const state = tab.draft.getState();
    if (!formShown(state) || state.endedElsewhere !== null) return;
    const person = tab.person ?? 'A';
    const k = ++this.typings;
    const value: FieldValue =
      how === 'empty'
        ? null
        : field === 'squareFootage'
          ? (how === 'refused' ? -1 : 1) * ((person === 'A' ? 1000 : 2000) + k)
          : `${person}${k}${how === 'huge' ? 'x'.repeat(HUGE) : ''}`;
    const shown = state.projectData?.[field] ?? null;
    // Replacing what the tab shows is the person's choice: the value they saw is theirs to drop.
    this.supersede(person, field, shown);
    // So is a value of theirs in this field that no server has yet (typed in another tab): the
    // last one typed is the one kept, in storage and on screen.
    for (const [key, typed] of this.ledger) {
      if (typed.person === person && typed.field === field && !this.whereIs(typed)?.startsWith('draft')) this.ledger.delete(key);
    }
    if (value !== null) this.ledger.set(String(value), { person, field, value, k, refused: how === 'refused' || (how === 'huge' && field !== 'squareFootage') });
    tab.draft.setField(field, value);
  }

  /** The person settles a conflict: the side not kept is theirs to drop. */
  resolve(tab: Tab, keep: 'mine' | 'theirs'): void {
    const { conflicts } = tab.draft.getState();
    if (!conflicts.length) return;
    const person = tab.person ?? 'A';
    for (const c of conflicts) this.supersede(person, c.field as Field, keep === 'mine' ? c.theirs : c.mine);
    void tab.draft.resolveConflicts(keep);
  }

  /** The project is created, or the person starts over: what they typed is done with. */
  end(tab: Tab, how: 'submit' | 'discard'): void {
    if (tab.draft.getState().sessionId === null) return;
    const person = tab.person ?? 'A';
    for (const [key, typed] of this.ledger) if (typed.person === person) this.ledger.delete(key);
    void (how === 'submit' ? tab.draft.clearSession() : tab.draft.discardDraft());
  }

  private supersede(person: Person, field: string, value: FieldValue): void {
    if (value === null) return;
    const typed = this.ledger.get(String(value));
    if (typed && typed.person === person && typed.field === field) this.ledger.delete(String(value));
  }

  // --- the server -----------------------------------------------------------------------------------

  private fetch(tab: Tab, input: string, init: RequestInit): Promise<Response> {
    if (tab.alive) this.sent.set(tab.n, (this.sent.get(tab.n) ?? 0) + 1);
    if (init.method === 'PUT') this.lastPut.set(tab.n, Date.now());
    // A closed page sends nothing but its keepalive requests, and those were sent before it went.
    if (!tab.alive && !init.keepalive) return new Promise(() => undefined);
    if (!this.online) return Promise.reject(new TypeError('Failed to fetch'));
    return new Promise((resolve, reject) => {
      const method = init.method ?? 'GET';
      const body = typeof init.body === 'string' ? JSON.parse(init.body) : undefined;
      const pending: Pending = { tab, input, init, method, body, resolve, reject };
      this.pending.push(pending);
      init.signal?.addEventListener('abort', () => {
        this.pending = this.pending.filter((p) => p !== pending);
        reject(new DOMException('The operation was aborted.', 'AbortError'));
      });
    });
  }

  /** Answers one request out. A closed tab's request may still reach the server; no one hears back. */
  async respond(pick: number, answer: Answer): Promise<void> {
    if (!this.pending.length) return;
    const p = this.pending.splice(pick % this.pending.length, 1)[0];
    const hear = (response: Response) => p.tab.alive && p.resolve(response);
    switch (answer) {
      case 'truth':
        // The gateway refuses a body over its limit before any function sees it.
        if (typeof p.init.body === 'string' && p.init.body.length > HUGE) hear(json(413, { message: 'Request Entity Too Large' }));
        else hear(await this.api.fetch(p.input, p.init));
        break;
      case 'lost':
        await this.api.fetch(p.input, p.init);
        break;
      case 'hang':
        break;
      case 'network':
        if (p.tab.alive) p.reject(new TypeError('Failed to fetch'));
        break;
      case 'wrongShape':
        hear(json(200, { status: 'ok' }));
        break;
      case 'notJson':
        hear(new Response('<html><body>Sign in to the Wi-Fi</body></html>', { status: 200, headers: { 'Content-Type': 'text/html' } }));
        break;
      case 'invalidField': {
        const field = Object.keys(p.body?.projectData ?? {})[0];
        hear(json(400, field === undefined ? { error: 'Invalid request body' } : { error: 'Invalid request body', details: { [`projectData.${field}`]: 'is not allowed' } }));
        break;
      }
      case 'invalid':
        hear(json(400, { error: 'Invalid request body' }));
        break;
      case 412:
        hear(json(412, { error: 'The session was changed', currentVersion: this.api.sessions.get(draftOf(p)!)?.version ?? 1 }));
        break;
      case 404:
        // The API says 404 only for a draft that is gone: it expired just now.
        if (draftOf(p) !== null) this.expireDraft(draftOf(p)!);
        hear(json(404, { error: 'Session not found' }));
        break;
      case 409:
        hear(json(409, { error: 'You have 20 drafts already', maxDrafts: 20 }));
        break;
      case 429:
      case 503:
        hear(json(answer, { error: `Failed with ${answer}` }, { 'Retry-After': '1' }));
        break;
      default:
        hear(json(answer, { error: `Failed with ${answer}` }));
    }
    await settle();
  }

  /** Moves the clock on, running the timers and promises due. */
  async tick(ms: number): Promise<void> {
    await vi.advanceTimersByTimeAsync(ms);
  }

  // --- the invariants -------------------------------------------------------------------------------

  /** Starts counting the requests of one command. */
  begin(): void {
    this.sent.clear();
    this.api.requests.length = 0;
    if (this.storage !== 'ok') this.excuse('A', 'B');
  }

  /** After every command: durable, isolated, bounded, and each tab's phase coherent. */
  check(limit: number): string[] {
    for (const tab of this.live()) if (tab.draft.getState().storageFailed) tab.saidFailed = true;
    const found = [...this.violations];
    this.violations = [];
    for (const tab of this.live()) {
      const wrong = incoherence(tab.draft.getMachine());
      if (wrong !== null) found.push(`coherent: tab ${tab.n} ${wrong}`);
    }
    for (const typed of this.ledger.values()) {
      if (this.whereIs(typed) === null) found.push(`durable: ${show(typed)} is nowhere`);
    }
    if (this.mode === 'owned') found.push(...this.isolation());
    // Prompt: a tab editing its draft says edits wait ('pending') and none of its requests is
    // out: that lasts at most the bound, whatever the typing, from when it was first seen or the
    // last save.
    const now = Date.now();
    for (const tab of this.live()) {
      const out = this.pending.some((p) => p.tab === tab);
      const state = tab.draft.getState();
      if (state.phase !== 'editing' || state.saveStatus !== 'pending' || out) {
        this.pendingSince.delete(tab.n);
        continue;
      }
      const since = Math.max(this.pendingSince.get(tab.n) ?? now, this.lastPut.get(tab.n) ?? 0);
      this.pendingSince.set(tab.n, since);
      if (now - since > AUTOSAVE_DEFAULTS.maxAutosaveDelay) found.push(`prompt: tab ${tab.n} has shown edits waiting ${now - since} ms with nothing on its way`);
    }
    for (const [n, count] of this.sent) if (count > limit) found.push(`bounded: tab ${n} sent ${count} requests for one command (at most ${limit})`);
    return found;
  }

  /** The world in a few lines, for tracing a counterexample. */
  describe(): string {
    const tabs = this.live().map((t) => {
      const s = t.draft.getState();
      const m = t.draft.getMachine();
      return `tab ${t.n} ${s.sessionId?.slice(-3) ?? '-'} ${m.lane.status}${m.lane.status === 'idle' ? '' : `:${m.lane.job.kind}`} ${s.saveStatus} ${JSON.stringify(s.projectData)} edits ${JSON.stringify(m.edits)}`;
    });
    const drafts = [...this.api.sessions.values()].map((d) => `${d.sessionId.slice(-3)}${d.owner ? `@${d.owner}` : ''} ${JSON.stringify(d.projectData)}`);
    const pending = this.pending.map((p) => `${p.tab.n}:${p.method} ${new URL(p.input, 'http://api.test').pathname.slice(-3)} ${JSON.stringify(p.body ?? '')}`);
    return ['', ...tabs, `server: ${drafts.join('; ')}`, `pending: ${pending.join('; ')}`, `storage: ${JSON.stringify([...this.raw.items])}`, `ledger: ${[...this.ledger.keys()].join(' ')}`].join('\n    ');
  }

  /** Where a typed value is: on a draft the person can reach, in storage that will bring it back, or on screen. */
  whereIs(typed: Typed, leaving?: string): string | null {
    const owner = this.mode === 'owned' ? typed.person : null;
    const store = new UnsavedStore(this.raw, FIELD_NAMES, undefined, owner);
    const tabs = this.live().filter((t) => (t.person ?? 'A') === typed.person);
    const ids = new Set<string>();
    const storedId = store.sessionId();
    if (storedId !== null) ids.add(storedId);
    for (const t of tabs) {
      const id = t.draft.getState().sessionId;
      if (id !== null) ids.add(id);
      const fromUrl = new URL(t.href).searchParams.get('draft');
      if (fromUrl !== null) ids.add(fromUrl);
    }
    // Owned mode: every draft of the person's, on any device, through the list.
    if (owner !== null) for (const [id, s] of this.api.sessions) if (s.owner === owner) ids.add(id);
    for (const id of ids) {
      const draft = this.api.sessions.get(id);
      if (id !== leaving && draft && draft.owner === (owner ?? undefined) && draft.projectData[typed.field] === typed.value) return `draft ${id}`;
    }
    // Any record of unsaved edits: the next start takes in those no draft would send.
    for (const id of new Set([...ids, ...store.recordIds(), NO_DRAFT])) {
      if (store.read(id).fields[typed.field]?.value === typed.value) return 'storage';
    }
    for (const id of ids) if (store.readSaved(id)?.fields[typed.field] === typed.value) return 'copy';
    const pending = store.pending();
    if (pending && (store.read(`new:${pending.key}`).fields[typed.field]?.value === typed.value || pending.body.projectData?.[typed.field as never] === typed.value)) {
      return 'storage';
    }
    for (const t of tabs) if (t.draft.getState().projectData?.[typed.field] === typed.value) return `tab ${t.n}`;
    return null;
  }

  /** Nothing typed by one person is in another's drafts or under another's storage keys. */
  private isolation(): string[] {
    const found: string[] = [];
    for (const [id, draft] of this.api.sessions) {
      for (const leaf of leaves(draft.projectData)) {
        const by = typist(leaf);
        if (by !== null && by !== draft.owner) found.push(`isolated: ${JSON.stringify(leaf)}, typed by ${by}, is in ${draft.owner}'s draft ${id}`);
      }
    }
    for (const person of ['A', 'B'] as const) {
      for (const [key, item] of this.raw.items) {
        if (!key.startsWith(ownerPrefix(person))) continue;
        for (const leaf of leaves(parsed(item))) {
          const by = typist(leaf);
          if (by !== null && by !== person) found.push(`isolated: ${JSON.stringify(leaf)}, typed by ${by}, is in ${person}'s storage (${key})`);
        }
      }
    }
    return found;
  }
}

/** Local storage as one tab sees it: refusing writes when full or blocked; silent once the tab is closed. */
class TabStorage implements ListableStorage {
  constructor(
    private readonly world: World,
    private readonly tab: Tab,
  ) {}
  get length(): number {
    return this.world.raw.length;
  }
  key(index: number): string | null {
    return this.world.raw.key(index);
  }
  getItem(key: string): string | null {
    return this.world.raw.getItem(key);
  }
  setItem(key: string, value: string): void {
    if (!this.tab.alive) return;
    if (this.world.storage !== 'ok') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    this.world.raw.setItem(key, value);
  }
  removeItem(key: string): void {
    if (!this.tab.alive) return;
    if (this.world.storage === 'blocked') throw new DOMException('Access is denied.', 'SecurityError');
    this.world.raw.removeItem(key);
  }
}

/** The draft a request names, if any. */
function draftOf(p: Pending): string | null {
  const match = /\/project-session\/([^/?]+)/.exec(p.input);
  return match ? decodeURIComponent(match[1]) : null;
}

/** The page shows the form unless it is loading with nothing to show (as the demo does). */
/**
 * What a tab's phase says it does and its lane does not: each phase runs only its own jobs
 * (a draft is made in `creating` and `expired`, loaded in `loading`, saved in `editing`), and a
 * tab with no draft on its way sends nothing. `null` when they agree.
 */
export function incoherence(m: Machine): string | null {
  const job = m.lane.status === 'idle' ? null : m.lane.job.kind;
  const allowed: Record<PhaseName, (Job['kind'] | null)[]> = {
    closed: [null],
    finding: [null],
    blank: [null],
    creating: ['claim', 'create'],
    loading: ['load'],
    editing: [null, 'save', 'read'],
    expired: ['claim', 'create'],
    submittedElsewhere: [null],
  };
  if (!allowed[m.phase.name].includes(job)) return `is ${m.phase.name} with the lane ${m.lane.status}${job ? ` on ${job}` : ''}`;
  if (m.phase.name === 'submittedElsewhere' && Object.keys(m.edits).length) return 'keeps edits of a draft submitted elsewhere';
  return null;
}

export function formShown(state: DraftState): boolean {
  return !(state.loading && state.projectData === null);
}

/** A JWT whose `sub` is `person` (the API Gateway authorizer of the fake checks only the table). */
export function token(person: Person): string {
  const part = (o: object) => btoa(JSON.stringify(o)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  return `${part({ alg: 'none' })}.${part({ sub: person })}.sig`;
}

/** Who typed a value: texts are `A12`, amounts 1000-1999 for A and 2000-2999 for B (either sign). */
function typist(leaf: unknown): Person | null {
  if (typeof leaf === 'string') return /^[AB]\d+x*$/.test(leaf) ? (leaf[0] as Person) : null;
  if (typeof leaf === 'number') {
    const n = Math.abs(leaf);
    return n >= 1000 && n < 2000 ? 'A' : n >= 2000 && n < 3000 ? 'B' : null;
  }
  return null;
}

function parsed(item: string): unknown {
  try {
    return JSON.parse(item);
  } catch {
    return item;
  }
}

function leaves(value: unknown): unknown[] {
  if (value === null || typeof value !== 'object') return [value];
  return Object.values(value).flatMap(leaves);
}

function show(typed: Typed): string {
  const value = JSON.stringify(typed.value);
  return `${typed.person}'s ${typed.field} = ${value.length > 40 ? `${value.slice(0, 12)}…(${value.length})` : value}`;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
}

/** Lets every promise and zero-delay timer run. */
export const settle = () => vi.advanceTimersByTimeAsync(0);
