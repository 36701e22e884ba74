// A small world for the property test: one tab's machine, a server that keeps drafts as the API
// does (versions, If-Match, 404, field refusals, idempotency keys), the tab's local storage
// through the real UnsavedStore, a virtual clock with the machine's timers, and records of what
// happened, for the invariants to check after every step.

import { FIELD_NAMES, type FieldName } from '../src/client';
import { initialState, transition, type DraftEvent, type Effect, type Machine } from '../src/draft';
import { nonEmpty, onScreen } from '../src/draft/fields';
import { write } from '../src/draft/io';
import type { Outcome, Request, TabMessage } from '../src/draft/state';
import { UnsavedStore, type FieldValue } from '../src/unsaved';
import { config, failed, ok, session } from './machine';
import { MemoryStorage } from './fakeApi';

interface Draft {
  data: Record<string, FieldValue>;
  version: number;
  currentStep: number;
  completedSteps: number[];
}

export type Fault = 'truth' | '500' | '503' | '429' | '403' | '413' | '415' | 'network' | 'timeout';

export class World {
  now = 0;
  state: Machine = initialState();
  readonly storage = new MemoryStorage();
  readonly store = new UnsavedStore(this.storage);
  readonly server = new Map<string, Draft>();
  private readonly keys = new Map<string, string>();
  private nextId = 1;
  private nextKey = 1;
  outstanding: { reqId: number; request: Request }[] = [];
  private timers = new Map<string, { token: number; due: number }>();
  private queue: DraftEvent[] = [];

  /** The person's last value of each field they typed since the draft was last submitted. */
  readonly typed = new Map<FieldName, FieldValue>();
  /** Drafts the server dropped (expiry) that the tab may not know of yet. */
  readonly expired = new Set<string>();
  /** Ids the tab has a reason to leave: a 404 for it, a clear or submit, another tab's word. */
  readonly mayLeave = new Set<string>();
  /** Drafts another tab submitted. */
  readonly submitted = new Set<string>();
  /** Each request sent: when, and how many the tab sent since the last timer, person or message. */
  readonly sent: { at: number; chain: number; person: boolean }[] = [];
  private chain = 0;
  private byPerson = false;
  idChanges = 0;
  violations: string[] = [];

  /** A stimulus: a timer, the person, another tab or the browser. Requests after it count anew. */
  stimulus(person: boolean, event: DraftEvent): void {
    this.chain = 0;
    this.byPerson = person;
    this.dispatch(event);
  }

  dispatch(event: DraftEvent): void {
    this.queue.push(event);
    while (this.queue.length) {
      const next = this.queue.shift()!;
      const env = { now: this.now, random: 0, newKey: `00000000-0000-4000-8000-${String(this.nextKey++).padStart(12, '0')}`, config };
      const before = this.state.sessionId;
      const [state, effects] = transition(this.state, next, env);
      if (before !== null && state.sessionId !== before) {
        this.idChanges += 1;
        if (!this.mayLeave.has(before)) this.violations.push(`left ${before} on ${next.type} without a 404, a clear or a submit`);
      }
      this.state = state;
      // Submitted in another tab: what this tab still had is dropped by design, not lost.
      if (state.endedElsewhere) this.typed.clear();
      for (const effect of effects) this.perform(effect);
    }
  }

  private perform(effect: Effect): void {
    switch (effect.type) {
      case 'request':
        if (effect.request.kind === 'create') this.checkCreate();
        this.outstanding.push({ reqId: effect.reqId, request: effect.request });
        this.sent.push({ at: this.now, chain: ++this.chain, person: this.byPerson });
        return;
      case 'abort':
        this.outstanding = this.outstanding.filter((r) => r.reqId !== effect.reqId);
        return;
      case 'timer':
        this.timers.set(effect.name, { token: effect.token, due: this.now + effect.ms });
        return;
      case 'cancelTimer':
        this.timers.delete(effect.name);
        return;
      case 'store':
        if (!write(this.store, effect.write) && this.state.storageOk) this.queue.push({ type: 'storageFailed' });
        return;
      case 'broadcast':
        return;
      case 'claim':
        this.queue.push({ type: 'claimed', reqId: effect.reqId, storedId: this.store.sessionId(), pending: this.store.pending(), ended: this.store.ended(), replaced: this.store.replaced() });
        return;
    }
  }

  /** Tabs agree on one draft: none makes a draft the browser already replaced, or one submitted. */
  private checkCreate(): void {
    const { lane } = this.state;
    if (lane.status === 'idle' || lane.job.kind !== 'create' || lane.job.reason === 'restart') return;
    const stored = this.store.sessionId();
    if (lane.job.replacing !== null && this.submitted.has(lane.job.replacing)) this.violations.push(`made again ${lane.job.replacing}, submitted in another tab`);
    if (stored !== null && stored !== lane.job.replacing && this.server.has(stored)) this.violations.push(`made a draft while the browser has ${stored}`);
  }

  /** The person types: first the runner checks storage for news this tab missed (as `catchUp` does). */
  personEdits(event: DraftEvent): void {
    const storedId = this.store.sessionId();
    if (storedId !== this.state.sessionId) this.stimulus(true, { type: 'noticed', storedId, ended: this.store.ended(), replaced: this.store.replaced() });
    this.stimulus(true, event);
  }

  /** Moves the clock on, firing the timers that come due on the way, in order. */
  tick(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      const due = [...this.timers.entries()].sort((a, b) => a[1].due - b[1].due)[0];
      if (!due || due[1].due > end) break;
      this.timers.delete(due[0]);
      this.now = due[1].due;
      this.stimulus(false, { type: 'timer', name: due[0] as never, token: due[1].token });
    }
    this.now = end;
  }

  /** Answers one request: truthfully, or with a fault (a lost reply may still have been applied). */
  respond(pick: number, fault: Fault, applied: boolean): void {
    if (!this.outstanding.length) return;
    const { reqId, request } = this.outstanding.splice(pick % this.outstanding.length, 1)[0];
    let outcome: Outcome;
    if (fault === 'truth') outcome = this.serve(request);
    else if (fault === 'timeout' || fault === 'network') {
      if (applied) this.serve(request);
      outcome = failed(0, {}, { timedOut: fault === 'timeout' });
    } else {
      outcome = failed(Number(fault), fault === '503' ? { retryAfter: 1 } : {});
    }
    if (!outcome.ok && outcome.error.status === 404 && request.kind !== 'create') this.mayLeave.add(request.id);
    this.dispatch({ type: 'response', reqId, outcome });
  }

  /** The server's side, as the API answers. */
  private serve(request: Request): Outcome {
    if (request.kind === 'create') {
      const refused = refusedIn(request.body.projectData ?? {});
      if (refused) return failed(400, { details: refused });
      const earlier = this.keys.get(request.key);
      if (earlier && this.server.has(earlier)) return ok({ sessionId: earlier, expiresAt: '', version: 1 });
      const id = `00000000-0000-4000-8000-${String(this.nextId++).padStart(12, '0')}`;
      this.keys.set(request.key, id);
      const data = nonEmpty(request.body.projectData, FIELD_NAMES) as Record<string, FieldValue>;
      this.server.set(id, { data, version: 1, currentStep: request.body.currentStep ?? 1, completedSteps: request.body.completedSteps ?? [] });
      return ok({ sessionId: id, expiresAt: '', version: 1 });
    }
    const draft = this.server.get(request.id);
    if (!draft) return failed(404);
    if (request.kind === 'get') return ok(session(request.id, draft.version, { ...draft.data } as never, { currentStep: draft.currentStep, completedSteps: draft.completedSteps }));
    if (request.kind === 'delete') {
      this.server.delete(request.id);
      return ok(null);
    }
    if (request.ifVersion !== draft.version) return failed(412, { currentVersion: draft.version });
    const refused = refusedIn(request.patch.projectData ?? {});
    if (refused) return failed(400, { details: refused });
    for (const [field, value] of Object.entries(request.patch.projectData ?? {})) {
      if (value === null) delete draft.data[field];
      else draft.data[field] = value as FieldValue;
    }
    if (request.patch.currentStep != null) draft.currentStep = request.patch.currentStep;
    if (request.patch.completedSteps != null) draft.completedSteps = request.patch.completedSteps;
    draft.version += 1;
    return ok({ success: true, version: draft.version, expiresAt: '' });
  }

  /** Another tab of this browser: a save, a replacement after a 404, a submit. */
  otherTab(kind: 'save' | 'replace' | 'submit', field: FieldName, value: FieldValue, heard = true): void {
    // With storage refusing writes, the other tab's news can only come as a message.
    if (this.storage.full) heard = true;
    const id = this.state.sessionId;
    const draft = id ? this.server.get(id) : undefined;
    if (!id || !draft) return;
    let message: TabMessage;
    if (kind === 'save') {
      // A person in the other tab changing a field after this tab saved it: theirs is the last word.
      if (this.typed.has(field) && sameValue(draft.data[field], this.typed.get(field)!)) this.typed.delete(field);
      if (value === null) delete draft.data[field];
      else draft.data[field] = value;
      draft.version += 1;
      message = { type: 'saved', id, version: draft.version };
    } else if (kind === 'replace') {
      const next = `00000000-0000-4000-8000-${String(this.nextId++).padStart(12, '0')}`;
      this.server.delete(id);
      this.server.set(next, { ...draft, data: { ...draft.data }, version: 1 });
      // As the replacing tab does: the browser's id, and the edits kept for the old draft.
      this.store.setSessionId(next);
      this.store.move(id, next, draft.data as never);
      this.store.markReplaced(id, next);
      this.mayLeave.add(id);
      // Gone from the server as an expired draft is (its data moved to the new one).
      this.expired.add(id);
      message = { type: 'draft', id: next, replaces: id, reason: 'gone' };
    } else {
      this.server.delete(id);
      this.store.clear(id);
      this.store.setSessionId(null);
      this.store.markEnded(id);
      this.mayLeave.add(id);
      this.submitted.add(id);
      this.typed.clear();
      message = { type: 'ended', id, how: 'submitted' };
    }
    // A message can be missed (a tab frozen in the background): the next save meets a 412.
    if (heard) this.stimulus(false, { type: 'message', message });
  }

  /** The server drops the draft (its expiry). What only it held, and the tab does not show, goes with it. */
  expire(): void {
    const id = this.state.sessionId;
    if (!id || !this.server.delete(id)) return;
    this.expired.add(id);
    for (const [field, value] of this.typed) if (this.whereIs(field, value) === null) this.typed.delete(field);
  }

  /** The page is reloaded: a new machine from what storage holds; requests out are never answered. */
  reload(): void {
    const id = this.state.sessionId;
    if (id && this.expired.has(id)) {
      // The server dropped the draft: what was only saved there went with it (its expiry).
      for (const [field, value] of this.typed) if (!this.inStorage(field, value)) this.typed.delete(field);
    }
    this.outstanding = [];
    this.timers.clear();
    this.state = initialState();
    const storedId = this.store.sessionId();
    const pending = this.store.pending();
    const stored = storedId ? this.store.read(storedId) : pending ? this.store.read(`new:${pending.key}`) : { fields: {} };
    this.stimulus(true, { type: 'start', storedId, stored });
  }

  /** Where the person's value `v` of `field` is now; null when nowhere it should be. */
  whereIs(field: FieldName, v: FieldValue): string | null {
    const s = this.state;
    // The draft this tab shows, or the one this browser resumes (another tab replaced it).
    for (const id of [s.sessionId, this.store.sessionId()]) {
      const draft = id ? this.server.get(id) : undefined;
      if (draft && sameValue(draft.data[field], v)) return 'server';
    }
    if (this.inStorage(field, v)) return 'storage';
    const inMemory = (onScreen(s.saved, s.edits)[field] ?? null) === v;
    if (inMemory && !s.storageOk) return 'memory, and the tab says storage failed';
    if (inMemory && s.shown) {
      if (s.held[field] !== undefined) return 'held';
      if (s.conflicts.some((c) => c.field === field)) return 'conflict';
      if (s.sessionId !== null && this.expired.has(s.sessionId)) return 'screen, the draft expired unseen';
    }
    return null;
  }

  private inStorage(field: FieldName, v: FieldValue): boolean {
    const s = this.state;
    // This tab's record, its first create's, or the record of the draft this browser resumes.
    const ids = [s.sessionId, s.lane.status !== 'idle' && s.lane.job.kind === 'create' ? `new:${s.lane.job.key}` : null, this.store.sessionId()];
    for (const id of ids) if (id && this.storage.getItem(`projectSession:unsaved:${id}`) && this.store.read(id).fields[field]?.value === v) return true;
    const pending = this.store.pending();
    return pending !== null && sameValue((pending.body.projectData as Record<string, FieldValue> | undefined)?.[field], v);
  }

  /** The tab has a draft or is making one: edits typed with neither are not kept (no form is shown). */
  hasDraft(): boolean {
    const { lane, sessionId } = this.state;
    return sessionId !== null || (lane.status !== 'idle' && (lane.job.kind === 'claim' || lane.job.kind === 'create'));
  }
}

function sameValue(stored: FieldValue | undefined, v: FieldValue): boolean {
  return (stored ?? null) === v;
}

function refusedIn(data: Record<string, unknown>): Record<string, string> | null {
  const details: Record<string, string> = {};
  for (const [field, value] of Object.entries(data)) if (typeof value === 'number' && value < 0) details[`projectData.${field}`] = 'must be 0 or more';
  return Object.keys(details).length ? details : null;
}
