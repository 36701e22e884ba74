// The draft as a pure function: `transition(state, event, env)` returns the next state and the
// effects (requests, timers, storage writes, messages to other tabs) for the runner to perform.
// Nothing here reads a clock, storage or the network; `env` brings the time, the chance for
// jitter and a fresh key, so the same inputs always give the same outputs.

import type { FieldValue, SavedCopy } from '../unsaved';
import type { NewSession } from '../client';
import { answer, retryDelete } from './answers';
import { asPatch, canSend, hasSendable, inFlight, isTransient, keys, sameSteps, sendable, fitsKeepalive } from './fields';
import { carryScreen, claim, endedElsewhere, follow, gone, keepCreate, load, reset, run, sendCreate, sendDelete, sendSave } from './steps';
import { draftOf, editing, FIRST_STEP, fromCopy, NO_DRAFT, type DraftEvent, type Edits, type Effect, type Env, type Fields, type Machine, type StepEdits, type Stored, type TabMessage } from './state';
import { Tx } from './tx';

export function transition(state: Machine, event: DraftEvent, env: Env): [Machine, Effect[]] {
  const tx = new Tx(state, env);
  handle(tx, event);
  // The one place a save is sent from, whatever asked for it (a timer, a flush, an answer).
  if (tx.s.due && tx.s.lane.status === 'idle') {
    tx.set({ due: false });
    sendSave(tx);
  }
  // The autosave's bound runs from the moment something waits that no request carries.
  const waits = hasSendable(tx.s) && !inFlight(tx.s);
  if (waits !== (tx.s.unsavedSince !== null)) tx.set({ unsavedSince: waits ? tx.env.now : null });
  // Nothing that could be sent is left without a timer to send it.
  const s = tx.s;
  if (s.lane.status === 'idle' && s.autosave === null && canSend(s)) tx.armAutosave();
  keepCopy(tx, state);
  return [tx.s, tx.fx];
}

/** What the server holds changed: this browser's copy of it follows (`Config.keepSavedCopy`). */
function keepCopy(tx: Tx, before: Machine): void {
  const draft = editing(tx.s);
  const was = editing(before);
  if (!tx.env.config.keepSavedCopy || draft === null) return;
  if (tx.s.saved === before.saved && draft.version === was?.version && draft.id === was?.id) return;
  storeCopy(tx);
}

function storeCopy(tx: Tx): void {
  const s = tx.s;
  const draft = editing(s);
  if (draft === null) return;
  tx.store({ op: 'keepSaved', id: draft.id, copy: { fields: kept(tx, s.saved), currentStep: s.currentStep, completedSteps: s.completedSteps, at: tx.env.now } });
}

function handle(tx: Tx, e: DraftEvent): void {
  switch (e.type) {
    case 'find':
      if (tx.s.phase.name === 'closed') tx.set({ phase: { name: 'finding' } });
      return;
    case 'start': {
      const s = tx.s;
      // Started already (React StrictMode starts twice), or the page manages the draft itself.
      if (draftOf(s) !== null || s.lane.status !== 'idle') return;
      if (e.storedId !== null) return open(tx, e.storedId, e.stored);
      tx.set({ edits: { ...kept(tx, e.stored.fields), ...s.edits } });
      // Edits left under drafts no one resumes go with this start, kept where its claim looks.
      if (e.stored.strays?.length) {
        tx.storeEdits(NO_DRAFT, tx.s.edits);
        for (const stray of e.stored.strays) if (stray !== NO_DRAFT) tx.store({ op: 'move', from: stray, to: NO_DRAFT, made: {} });
      }
      return claim(tx, 'start', null, { projectData: {}, currentStep: s.currentStep, completedSteps: s.completedSteps });
    }
    case 'open':
      return open(tx, e.id, e.stored);
    case 'create': {
      // The original design's createSession: a new draft at step 1 with only the given data.
      const old = draftOf(tx.s);
      reset(tx, { shown: tx.s.shown, phase: { name: 'blank' } });
      return claim(tx, 'restart', old, { projectData: asPatch(e.data), currentStep: FIRST_STEP, completedSteps: [] }, tx.env.now);
    }
    case 'edit':
      return edit(tx, e.fields);
    case 'steps':
      return steps(tx, e.currentStep, e.completedSteps);
    case 'flush':
      tx.cancelAutosave();
      return tx.set({ due: true });
    case 'resolve':
      return resolve(tx, e.keep);
    case 'dismissChangedElsewhere':
      return tx.set({ changedElsewhere: false });
    case 'submit':
    case 'discard':
      return end(tx, e.type === 'submit' ? 'submitted' : 'discarded');
    case 'response':
      return answer(tx, e.reqId, e.outcome, e.named);
    case 'timer':
      return timer(tx, e.name, e.token);
    case 'claimed':
      return claimed(tx, e);
    case 'message':
      return message(tx, e.message);
    case 'noticed':
      return noticed(tx, e.storedId, e.ended, e.replaced);
    case 'online': {
      tx.set({ online: true });
      const { lane } = tx.s;
      if (lane.status === 'waiting') {
        tx.cancelTimer('retry');
        run(tx, lane.job);
      }
      return;
    }
    case 'offline':
      return tx.set({ online: false });
    case 'pagehide':
      return pageHide(tx);
    case 'hidden':
      return hidden(tx);
    case 'visible':
      return tx.set({ hidden: false });
    case 'storageFailed':
      return tx.set({ storageOk: false });
    case 'storageRecovered':
      return storageRecovered(tx, e.named ?? null);
  }
}

/** Shows draft `id` with the edits this browser kept for it. */
function open(tx: Tx, id: string, stored: Stored): void {
  // This draft's edits, or what was typed before there was a draft at all (owned mode's start
  // opens the person's newest draft once the list answers).
  const { lane } = tx.s;
  const noDraft = draftOf(tx.s) === null && (lane.status === 'idle' || (lane.status === 'waiting' && lane.job.kind === 'create'));
  const carried = draftOf(tx.s) === id || noDraft ? tx.s.edits : {};
  const stepEdits: StepEdits = {};
  if (stored.currentStep !== undefined) stepEdits.currentStep = stored.currentStep;
  if (stored.completedSteps !== undefined) stepEdits.completedSteps = stored.completedSteps;
  // What this browser last saw saved: until the load answers, and in place of it if the draft
  // is gone (expired while every tab was closed), so that a new draft starts from it.
  const copy = tx.env.config.keepSavedCopy ? (stored.saved ?? null) : null;
  const saved: Fields = copy ? kept(tx, copy.fields) : {};
  reset(tx, {
    phase: { name: 'loading', id, fromCopy: copy !== null, restoredFromBrowser: false },
    saved,
    edits: { ...kept(tx, stored.fields), ...carried },
    stepEdits,
    currentStep: stored.currentStep ?? copy?.currentStep ?? FIRST_STEP,
    completedSteps: stored.completedSteps ?? copy?.completedSteps ?? [],
  });
  // This browser's draft from now on, for a reload and for the other tabs.
  tx.store({ op: 'setSessionId', id });
  // Every edit shown is kept under this draft, where a reload finds it: what was typed before
  // there was a draft, or for a create no tab finished, is this one's now.
  tx.storeEdits(id, tx.s.edits);
  // Moved, not cleared: a record is dropped only once what it holds is written under this draft.
  const sources = [NO_DRAFT, ...(stored.adopted ? [`new:${stored.adopted.key}`] : []), ...(stored.strays ?? [])];
  for (const source of new Set(sources)) if (source !== id) tx.store({ op: 'move', from: source, to: id, made: {} });
  if (stored.adopted) tx.store({ op: 'setPending', pending: null });
  // An id the API never hands out (a hand-edited link, an old format) names no draft: asking
  // for it would get a 400 forever, so it is replaced at once, with what was kept for it.
  if (!CANONICAL_ID.test(id)) return gone(tx, id);
  load(tx, id, 'open');
}

/**
 * The edits kept in storage that this form takes: its fields, never one kept out of storage (a
 * value an older version, or a page without the option, left there).
 */
function kept<V>(tx: Tx, fields: Partial<Record<string, V>>): Partial<Record<string, V>> {
  const { fields: names, memoryOnly } = tx.env.config;
  return Object.fromEntries(Object.entries(fields).filter(([name]) => names.includes(name) && !memoryOnly.includes(name)));
}

/** The API's ids: lowercase, hyphenated UUID v4. */
const CANONICAL_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function edit(tx: Tx, fields: Fields): void {
  const s = tx.s;
  if (s.phase.name === 'submittedElsewhere') return;
  const edits = { ...s.edits };
  const held = { ...s.held };
  const storageId = tx.storageId();
  let changed = false;
  for (const field of keys(fields)) {
    const value = fields[field] as FieldValue;
    // This browser's copy is not on screen until the load confirms it: typing over one of its
    // values is typing over something the person has not seen (a conflict if the load has it).
    const seen = fromCopy(s) ? null : (s.saved[field] ?? null);
    const current = edits[field] ? edits[field]!.value : seen;
    if (value === current) continue;
    edits[field] = { value, base: edits[field] ? edits[field]!.base : seen, at: tx.env.now };
    // A held field is released by the person changing it.
    delete held[field];
    tx.store({ op: 'putField', id: storageId, field, edit: edits[field]! });
    changed = true;
  }
  if (!changed) return;
  const conflicts = s.conflicts.map((c) => (edits[c.field] ? { ...c, mine: edits[c.field]!.value } : c));
  tx.set({ edits, held, conflicts, shown: true, typed: true });
  afterEdit(tx);
}

function steps(tx: Tx, currentStep: number, completedSteps: number[]): void {
  const s = tx.s;
  if (s.phase.name === 'submittedElsewhere') return;
  const stepEdits = { ...s.stepEdits };
  if (currentStep !== s.currentStep) stepEdits.currentStep = currentStep;
  if (!sameSteps(completedSteps, s.completedSteps)) stepEdits.completedSteps = completedSteps;
  if (currentStep === s.currentStep && sameSteps(completedSteps, s.completedSteps)) return;
  const storageId = tx.storageId();
  tx.store({ op: 'putSteps', id: storageId, steps: stepEdits });
  tx.set({ stepEdits, currentStep, completedSteps, typed: true });
  afterEdit(tx);
}

/** An edit restarts the autosave delay; it also ends a wait after a refusal it may have fixed. */
function afterEdit(tx: Tx): void {
  const { lane, failure } = tx.s;
  if (lane.status === 'waiting' && lane.job.kind === 'save' && !isTransient(failure) && failure !== 'conflict') {
    tx.clearLane();
  }
  const s = tx.s;
  if (draftOf(s) !== null && s.lane.status !== 'waiting' && hasSendable(s)) tx.armAutosave();
  // Typed after the draft was submitted here: a new one carries it. (A create held after a 409,
  // too many drafts, stays held: more typing will not change that.)
  if (s.phase.name === 'blank') {
    claim(tx, 'start', null, { projectData: {}, currentStep: s.currentStep, completedSteps: s.completedSteps });
  }
}

function resolve(tx: Tx, keep: 'mine' | 'theirs'): void {
  const s = tx.s;
  const id = draftOf(s);
  if (id === null) return;
  const edits = { ...s.edits };
  for (const { field, theirs } of s.conflicts) {
    const edit = edits[field];
    if (!edit) continue;
    if (keep === 'mine') {
      edits[field] = { ...edit, base: theirs };
      tx.store({ op: 'putField', id, field, edit: edits[field]! });
    } else {
      delete edits[field];
      tx.store({ op: 'ackField', id, field, value: edit.value });
    }
  }
  // The person chose: a 412 on the way may be read at once again.
  tx.set({ edits, conflicts: [], due: true, merged: false });
}

/** The person submitted (`clearSession`) or discarded the draft; other tabs follow at once. */
function end(tx: Tx, how: 'submitted' | 'discarded'): void {
  const id = draftOf(tx.s);
  if (id !== null) {
    tx.store({ op: 'clear', id });
    tx.store({ op: 'setSessionId', id: null });
    tx.store({ op: 'setPending', pending: null });
    if (how === 'submitted') tx.store({ op: 'ended', id });
  }
  reset(tx);
  if (id !== null) sendDelete(tx, id, 0);
  // The new draft's claim goes before the news: a tab that hears it queues behind this one
  // for the lock, and then finds the new draft instead of making its own.
  if (how === 'discarded') claim(tx, 'restart', id, { projectData: {}, currentStep: FIRST_STEP, completedSteps: [] }, tx.env.now);
  if (id !== null) tx.fx.push({ type: 'broadcast', message: { type: 'ended', id, how } });
}

function timer(tx: Tx, name: string, token: number): void {
  const s = tx.s;
  if (name === 'autosave') {
    if (s.autosave === token) tx.set({ autosave: null, due: true });
  } else if (name === 'retry') {
    if (s.lane.status === 'waiting' && s.lane.timer === token) run(tx, s.lane.job);
  } else if (name.startsWith('delete:')) {
    const id = name.slice('delete:'.length);
    if (s.deletes[id]?.timer === token) retryDelete(tx, id);
  }
}

function claimed(tx: Tx, e: Extract<DraftEvent, { type: 'claimed' }>): void {
  const { lane } = tx.s;
  if (lane.status !== 'busy' || lane.reqId !== e.reqId || lane.job.kind !== 'claim') return;
  const { reason, replacing, key, body, since } = lane.job;
  tx.set({ lane: { status: 'idle' } });
  // Storage names no draft, but another tab said it made one (storage refused its id): that one.
  const { phase } = tx.s;
  if (e.storedId === null && reason === 'start' && phase.name === 'creating' && phase.heard !== null) e = { ...e, storedId: phase.heard };
  const made = replacing === null || replacedBy(e.replaced, replacing) === e.storedId;
  const following = reason !== 'restart' && e.storedId !== null && e.storedId !== replacing && !e.ended.includes(e.storedId) && made;
  const repeat = reason !== 'restart' && e.pending !== null && e.pending.replacing === replacing;
  if (reason === 'start' && tx.s.storageOk) {
    // What this tab read at start may be stale by now (another tab typed into the same create
    // or draft meanwhile): under the lock, storage is the truth, and this tab's typing is in it.
    const record = following ? e.storedId! : e.pending !== null ? `new:${e.pending.key}` : null;
    const fresh = (id: string | null) => kept(tx, (id === null ? undefined : e.records[id]?.fields) ?? {});
    tx.set({ edits: { ...fresh(record), ...fresh(NO_DRAFT) } });
  }
  if (reason !== 'restart') {
    // Submitted in another tab while this one was away: do not make it again.
    if (replacing !== null && e.ended.includes(replacing)) return endedElsewhere(tx);
    // Another tab has made the new draft already: use it (at start, whatever it is; for a gone
    // draft, only the one that replaced it, never another draft opened elsewhere).
    if (following) {
      if (reason === 'gone') carryScreen(tx);
      return follow(tx, e.storedId!, true);
    }
    // Anonymous mode: a browser has one draft, the one storage names; a tab whose draft is gone
    // joins it with everything it shows (a second draft would be lost when this tab closes).
    if (reason === 'gone' && tx.env.config.single && e.storedId !== null && e.storedId !== replacing && !e.ended.includes(e.storedId)) {
      carryScreen(tx);
      return follow(tx, e.storedId, true);
    }
  }
  // Anonymous mode: another tab gave the browser a new draft since this one started over (it
  // was starting meanwhile); a browser keeps one draft, so this tab joins it.
  if (reason === 'restart' && tx.env.config.single && e.storedId !== null && e.storedId !== replacing && !e.ended.includes(e.storedId) && e.pending === null) {
    return follow(tx, e.storedId, true);
  }
  // A gone draft this tab never saw loaded: what this browser kept of it goes into the new one.
  const fresh = reason === 'gone' && e.copy ? withCopy(tx, body, e.copy) : body;
  // A create this browser began and never heard back from: repeat it with the same key.
  sendCreate(tx, { kind: 'create', reason, replacing, key: repeat ? e.pending!.key : key, body: repeat ? e.pending!.body : fresh, saw: e.storedId, since });
  // What was typed with no draft is this create's now (kept under its key).
  if (reason === 'start' && tx.s.storageOk && draftOf(tx.s) === null && tx.s.lane.status !== 'idle' && tx.s.lane.job.kind === 'create') {
    tx.store({ op: 'move', from: NO_DRAFT, to: `new:${tx.s.lane.job.key}`, made: {} });
  }
}

/**
 * A replacement's body with the copy's values: in the fields the screen neither shows nor
 * empties, and over this tab's edits typed before the copy was saved (another tab saved later).
 */
function withCopy(tx: Tx, body: NewSession, copy: SavedCopy): NewSession {
  const fields = { ...(body.projectData as Fields) };
  const edits = { ...tx.s.edits };
  let filled = false;
  for (const [field, value] of Object.entries(kept(tx, copy.fields))) {
    const edit = edits[field];
    // Typed over the copy's own value, the edit is the later one, whenever the copy was kept.
    const overtaken = edit !== undefined && copy.at !== undefined && (edit.at ?? 0) < copy.at && edit.base !== value;
    if (value === undefined || (!overtaken && (fields[field] !== undefined || edit !== undefined))) continue;
    fields[field] = value;
    delete edits[field];
    filled = true;
  }
  const { phase } = tx.s;
  if (filled && phase.name === 'expired') tx.set({ phase: { ...phase, fromCopy: true }, edits });
  return { ...body, projectData: asPatch(fields) };
}

function message(tx: Tx, m: TabMessage): void {
  const s = tx.s;
  if (m.type === 'saved') {
    // Another tab saved this draft: show it now if nothing here waits to be saved.
    const quiet = s.lane.status === 'idle' && keys(s.edits).length === 0 && s.stepEdits.currentStep === undefined && s.stepEdits.completedSteps === undefined;
    const draft = editing(s);
    if (draft !== null && m.id === draft.id && m.version > draft.version && quiet && s.conflicts.length === 0) {
      tx.send({ kind: 'read', id: m.id, reason: 'refresh' }, { kind: 'get', id: m.id });
    }
    return;
  }
  if (m.type === 'left') return adoptLeft(tx, m.id, m.edits);
  const id = draftOf(s);
  if (m.type === 'draft') {
    if (m.id === id) return;
    // A tab still starting reads storage under the lock, with whatever was typed meanwhile into
    // the draft it finds; it keeps the news, for a storage that refused the new draft's id.
    if (s.phase.name === 'creating') return tx.set({ phase: { ...s.phase, heard: m.id } });
    if (m.replaces === null || m.replaces !== id) return;
    if (m.reason === 'gone') carryScreen(tx);
    // Discarded elsewhere: what this tab had is dropped, but not what it typed since (it had
    // not heard yet), which goes to the new draft.
    const later = m.reason === 'restart' ? typedSince(s.edits, m.since) : {};
    follow(tx, m.id, m.reason !== 'restart');
    if (keys(later).length) {
      tx.set({ edits: later });
      tx.storeEdits(m.id, later);
    }
    return tx.set({ replaced: m.replaces });
  }
  if (m.id !== id) return;
  if (m.how === 'submitted') return endedElsewhere(tx);
  // Discarded elsewhere: this tab's edits go too, and it joins the draft that tab starts.
  reset(tx);
  claim(tx, 'start', null, { projectData: {}, currentStep: FIRST_STEP, completedSteps: [] });
}

/**
 * Storage names another draft than this loaded one: another tab replaced or submitted it while
 * this one did not hear (frozen in the background). Catch up before the person's edit is
 * written under an id no reload would read. A replacement is followed with this tab's edits,
 * whatever its reason, so nothing typed is dropped on a guess.
 */
function noticed(tx: Tx, storedId: string | null, ended: string[], replaced: Record<string, string>): void {
  const s = tx.s;
  const id = draftOf(s);
  if (id === null || storedId === id || !s.storageOk) return;
  // Making a draft already: the claim reads storage under the lock.
  if (s.lane.status !== 'idle' && (s.lane.job.kind === 'claim' || s.lane.job.kind === 'create')) return;
  if (ended.includes(id)) return endedElsewhere(tx);
  if (storedId !== null && replacedBy(replaced, id) === storedId) return follow(tx, storedId, true);
  // The browser has no draft now (another one was submitted or discarded elsewhere, storage was
  // cleared): this one is the browser's again, where a reload finds it.
  if (storedId === null) tx.store({ op: 'setSessionId', id });
  // Another draft opened in another tab (a link, "Continue this draft") replaces nothing: this
  // tab keeps its own, and its edits never reach the other one.
}

/** The edits typed after `since` (none without it), as edits of a new, blank draft. */
function typedSince(edits: Edits, since: number | undefined): Edits {
  const later: Edits = {};
  for (const field of keys(edits)) {
    const edit = edits[field]!;
    if (since !== undefined && (edit.at ?? 0) > since) later[field] = { ...edit, base: null };
  }
  return later;
}

/** The draft this tab's draft replaced, as the list a guarded `setSessionId` may write over. */
function replacedList(s: Machine): string[] {
  return s.replaced === null ? [] : [s.replaced];
}

/** The draft that replaced `id` last, following the chain of replacements (old -> new). */
function replacedBy(replaced: Record<string, string>, id: string): string | null {
  let at = id;
  for (let hops = 0; hops < 20 && replaced[at] !== undefined; hops++) at = replaced[at]!;
  return at === id ? null : at;
}

/**
 * Another tab of this draft went away with edits it may not have saved (its keepalive save can
 * fail): this tab takes the ones it has none of, so they are sent while a tab is open. Where
 * both tabs send the same value, the second save meets a 412 and finds nothing to merge.
 */
function adoptLeft(tx: Tx, from: string | null, left: Edits): void {
  const s = tx.s;
  const id = draftOf(s);
  // Edits typed before there was a draft are the browser's next draft's: this one.
  if (id === null || (from !== null && from !== id)) return;
  const edits = { ...s.edits };
  let conflicts = s.conflicts;
  const known = editing(s) !== null;
  let adopted = false;
  for (const field of keys(left)) {
    const mine = edits[field];
    // This tab's own edit of the field stands unless the other tab's was typed later.
    if (!tx.env.config.fields.includes(field) || (mine !== undefined && (mine.value === left[field]!.value || (mine.at ?? 0) >= (left[field]!.at ?? 0)))) continue;
    // Already what this tab has saved: nothing to send.
    if (!fromCopy(s) && (s.saved[field] ?? null) === left[field]!.value) continue;
    edits[field] = left[field]!;
    tx.store({ op: 'putField', id, field, edit: edits[field]! });
    adopted = true;
    // Typed over a value other than the one saved now: the person picks (a save would overwrite).
    const theirs = s.saved[field] ?? null;
    if (known && left[field]!.base !== theirs && !conflicts.some((c) => c.field === field)) {
      conflicts = [...conflicts, { field, mine: left[field]!.value, theirs }];
    }
  }
  if (from === null) tx.store({ op: 'move', from: NO_DRAFT, to: id, made: {} });
  if (!adopted) return;
  // A conflict shows what this tab would save: the value just taken over.
  conflicts = conflicts.map((c) => (edits[c.field] ? { ...c, mine: edits[c.field]!.value } : c));
  tx.set({ edits, conflicts, shown: true, typed: true });
  afterEdit(tx);
}

/**
 * Storage works again: the draft's id (a reload would find a stale one, or none), its edits and
 * the copy of what was saved are written, as if they had never failed.
 */
function storageRecovered(tx: Tx, named: string | null): void {
  if (tx.s.storageOk) return;
  tx.set({ storageOk: true });
  const s = tx.s;
  const id = tx.storageId();
  const draft = draftOf(s);
  // Anonymous mode: another tab gave the browser its draft while this one's id was refused. A
  // browser keeps one draft, where a reload looks: this tab joins it with everything it shows.
  if (tx.env.config.single && draft !== null && named !== null && named !== draft && named !== s.replaced) {
    carryScreen(tx);
    follow(tx, named, true);
    // The other tabs of this draft follow too, with what they show, now or when they notice.
    tx.store({ op: 'replaced', from: draft, to: named });
    tx.fx.push({ type: 'broadcast', message: { type: 'draft', id: named, replaces: draft, reason: 'gone' } });
    return;
  }
  if (draft !== null) tx.store({ op: 'setSessionId', id: draft });
  // A create in flight keeps itself and the edits it carries; otherwise the edits go under `id`.
  const creating = s.lane.status !== 'idle' && s.lane.job.kind === 'create' ? s.lane.job : null;
  if (creating) keepCreate(tx, creating);
  if (!creating || draft !== null) tx.storeEdits(id, s.edits);
  if (s.stepEdits.currentStep !== undefined || s.stepEdits.completedSteps !== undefined) tx.store({ op: 'putSteps', id, steps: s.stepEdits });
  if (tx.env.config.keepSavedCopy) storeCopy(tx);
}

/**
 * The page is hidden, and may be frozen or discarded without a `pagehide` (mobile browsers do):
 * what waits for a pause is saved now, by a request that outlives the page.
 */
function hidden(tx: Tx): void {
  tx.set({ hidden: true });
  // Offline, the request could only fail: the edits wait in storage, and go once online.
  if (!canSend(tx.s) || !tx.s.online || tx.s.lane.status === 'waiting') return;
  // Sent now, or as soon as the lane is free (still as keepalive while the page is hidden).
  tx.cancelAutosave();
  tx.set({ due: true });
}

/** Best effort while the page goes away; the edits stay in storage for the next load. */
function pageHide(tx: Tx): void {
  const s = tx.s;
  const id = draftOf(s);
  // Storage that refused may work again: one write tells, and a recovery writes what it missed
  // (the id above all), so that the next start opens this draft.
  if (!s.storageOk && id !== null) tx.store({ op: 'setSessionId', id, over: replacedList(s) });
  // The other tabs of this draft take what this one has not saved, in case the request fails.
  const left = Object.fromEntries(keys(s.edits).filter((f) => !tx.env.config.memoryOnly.includes(f)).map((f) => [f, s.edits[f]!]));
  if (keys(left).length) tx.fx.push({ type: 'broadcast', message: { type: 'left', id, edits: left } });
  // Offline, the request could only fail: the edits wait in storage for the next visit. A
  // keepalive save on its way with all of it (sent when the page was hidden) is enough.
  if (!canSend(s) || !s.online || inFlight(s, true)) return;
  const { patch, ifVersion } = sendable(s);
  tx.sendAside({ kind: 'put', id: id!, patch, ifVersion, keepalive: fitsKeepalive(patch) });
}
