// The moves the transition function is made of: open a draft, claim the tabs' lock before
// making one, make one, follow another tab's, end one, save, back off. Each takes the
// transition under construction (`Tx`) and changes only it.

import type { ApiError, NewSession, ProjectDataPatch, Session } from '../client';
import type { FieldValue } from '../unsaved';
import { asPatch, canSend, classify, fitsKeepalive, keys, nonEmpty, onScreen, sameSteps, sendable, union } from './fields';
import { draftOf, editing, FIRST_STEP, fromCopy, initialState, isStarted, NO_DRAFT, restoredFromBrowser, type CreateReason, type Edits, type FieldConflict, type Job, type Machine, type StepEdits } from './state';
import type { Tx } from './tx';

/** Asks for `id` from the server; the answer is handled by `answers.ts` as a load. */
export function load(tx: Tx, id: string, reason: 'open' | 'follow'): void {
  tx.set({ phase: { name: 'loading', id, fromCopy: fromCopy(tx.s), restoredFromBrowser: restoredFromBrowser(tx.s.phase) } });
  tx.send({ kind: 'load', id, reason }, { kind: 'get', id });
}

/**
 * Before making a draft, take the tabs' lock: under it the runner reads which draft the
 * browser has now, so that tabs that lost their draft together end in one new draft.
 */
export function claim(tx: Tx, reason: CreateReason, replacing: string | null, body: NewSession, since?: number): void {
  tx.cancelAutosave();
  // A gone draft is replaced in `expired` (see `gone`); every other draft is made in `creating`.
  const { phase } = tx.s;
  if (reason !== 'gone') tx.set({ phase: { name: 'creating', heard: phase.name === 'creating' ? phase.heard : null } });
  const reqId = tx.next();
  tx.fx.push({ type: 'claim', reqId });
  tx.set({ lane: { status: 'busy', reqId, job: { kind: 'claim', reason, replacing, key: tx.env.newKey, body, since } } });
}

/** Sends a create, first kept in storage so that a reload repeats it with the same key. */
export function sendCreate(tx: Tx, job: Extract<Job, { kind: 'create' }>): void {
  job = withoutMemoryOnly(tx, job);
  keepCreate(tx, job);
  tx.send(job, { kind: 'create', key: job.key, body: job.body });
}

/** A create where a reload finds it: the create to repeat, and the edits typed for it. */
export function keepCreate(tx: Tx, job: Extract<Job, { kind: 'create' }>): void {
  tx.store({ op: 'setPending', pending: { key: job.key, body: job.body, replacing: job.replacing } });
  if (draftOf(tx.s) === null) {
    // Edits typed before there was a draft: kept under the create's key until it has an id.
    tx.storeEdits(`new:${job.key}`, tx.s.edits);
  }
}

/**
 * A create's body is kept in storage, so fields kept out of storage leave it: they stay (or
 * become) edits, which the first save after the create sends.
 */
function withoutMemoryOnly(tx: Tx, job: Extract<Job, { kind: 'create' }>): Extract<Job, { kind: 'create' }> {
  const data = { ...job.body.projectData } as Record<string, FieldValue | undefined>;
  const edits: Edits = { ...tx.s.edits };
  let moved = false;
  for (const field of tx.env.config.memoryOnly) {
    const value = data[field];
    if (value === undefined) continue;
    delete data[field];
    if (value !== null) edits[field] ??= { value, base: null };
    moved = true;
  }
  if (!moved) return job;
  tx.set({ edits });
  return { ...job, body: { ...job.body, projectData: data as ProjectDataPatch } };
}

/** What a new draft starts with: everything on screen but held fields, at the steps shown. */
export function bodyFromScreen(s: Machine): NewSession {
  const fields = onScreen(s.saved, s.edits);
  for (const field of keys(s.held)) delete fields[field];
  return { projectData: asPatch(fields), currentStep: s.currentStep, completedSteps: s.completedSteps };
}

/** The draft answered 404: replace it with one holding everything on screen. */
export function gone(tx: Tx, id: string): void {
  tx.clearLane();
  tx.set({ phase: { name: 'expired', id, fromCopy: fromCopy(tx.s), restoredFromBrowser: restoredFromBrowser(tx.s.phase) } });
  claim(tx, 'gone', id, bodyFromScreen(tx.s));
}

/**
 * Moves to draft `id`, which another tab made. With `carry`, this tab's edits go with it
 * (the old draft was gone); without, the person chose a new draft elsewhere and they are dropped.
 */
export function follow(tx: Tx, id: string, carry: boolean): void {
  tx.clearLane();
  tx.cancelAutosave();
  const old = draftOf(tx.s);
  if (!carry) tx.set({ edits: {}, stepEdits: {}, held: {}, saved: {} });
  tx.set({ conflicts: [], setAside: {}, error: null, failure: null, attempt: 0, unconfirmed: null, replaced: null });
  tx.store({ op: 'setSessionId', id });
  // This tab's edits are written to the new draft's record first.
  tx.storeEdits(id, tx.s.edits);
  if (tx.s.stepEdits.currentStep !== undefined || tx.s.stepEdits.completedSteps !== undefined) {
    tx.store({ op: 'putSteps', id, steps: tx.s.stepEdits });
  }
  // Edits kept for the old draft, this tab's or another's, go with it.
  if (old !== null && old !== id) tx.store(carry ? { op: 'move', from: old, to: id, made: {} } : { op: 'clear', id: old });
  if (old === null) tx.store({ op: 'move', from: NO_DRAFT, to: id, made: {} });
  load(tx, id, 'follow');
}

/**
 * This tab moves to another tab's draft (its own is gone, or the browser's is another): what
 * this tab shows as saved goes along as edits based on nothing, so that the load keeps what the replacement lacks and
 * shows as a conflict what it holds otherwise (the other tab's screen may have differed).
 */
export function carryScreen(tx: Tx): void {
  const edits = { ...tx.s.edits };
  for (const field of keys(tx.s.saved)) edits[field] ??= { value: tx.s.saved[field]!, base: null };
  tx.set({ edits, saved: {} });
}

/** Forgets everything about the draft but what outlives it (deletes under way, the browser). */
export function reset(tx: Tx, change: Partial<Machine> = {}): void {
  tx.clearLane();
  tx.cancelAutosave();
  const { deletes, online, storageOk, counter } = tx.s;
  const phase = isStarted(tx.s) ? ({ name: 'blank' } as const) : ({ name: 'closed' } as const);
  tx.set({ ...initialState(online), phase, deletes, storageOk, counter, ...change });
}

/** Another tab submitted this draft: say so, and do not make it again. */
export function endedElsewhere(tx: Tx): void {
  const id = draftOf(tx.s);
  if (id !== null) tx.store({ op: 'clear', id });
  reset(tx, { phase: { name: 'submittedElsewhere' } });
}

export function sendDelete(tx: Tx, id: string, attempt: number): void {
  const reqId = tx.sendAside({ kind: 'delete', id });
  tx.set({ deletes: { ...tx.s.deletes, [id]: { attempt, reqId, timer: null } } });
}

/** One PUT of every edit not held back, based on the version this tab has. */
export function sendSave(tx: Tx): void {
  const s = tx.s;
  if (!canSend(s)) return;
  tx.cancelAutosave();
  const { patch, ...sent } = sendable(s);
  const put = { kind: 'put' as const, id: editing(s)!.id, patch, ifVersion: sent.ifVersion };
  // A hidden page may be frozen or discarded before the answer: the request must outlive it.
  if (s.hidden && fitsKeepalive(patch)) tx.send({ kind: 'save' }, { ...put, keepalive: true }, { ...sent, keepalive: true });
  else tx.send({ kind: 'save' }, put, sent);
}

/** The timer token of a held job: no timer has it (tokens start at 1), so none runs it. */
export const HELD = 0;

/** Waits and tries `job` again: capped exponential backoff with jitter, at least `Retry-After`. */
export function backoff(tx: Tx, job: Job, error: ApiError, timedOut: boolean, online: boolean): void {
  const { retryDelay, maxRetryDelay } = tx.env.config;
  const ceiling = Math.min(maxRetryDelay, retryDelay * 2 ** tx.s.attempt);
  // Jitter keeps tabs that failed together from retrying together.
  let delay = ceiling / 2 + (tx.env.random * ceiling) / 2;
  if (error.retryAfter !== undefined) delay = Math.max(delay, Math.min(error.retryAfter, 600) * 1000);
  // The browser says it is offline: nothing is tried until it says `online` (which runs the job).
  const timer = online ? tx.timer('retry', delay) : HELD;
  tx.set({
    lane: { status: 'waiting', job, timer },
    attempt: tx.s.attempt + 1,
    error,
    failure: classify(error.status, timedOut),
    online,
  });
}

/** Runs a job now: a retry whose time came, or at once when the browser is back online. */
export function run(tx: Tx, job: Job): void {
  tx.set({ lane: { status: 'idle' } });
  if (job.kind === 'load') load(tx, job.id, job.reason);
  else if (job.kind === 'create') sendCreate(tx, job);
  else if (job.kind === 'read') tx.send(job, { kind: 'get', id: job.id });
  else if (job.kind === 'claim') claim(tx, job.reason, job.replacing, job.body);
  else tx.set({ due: true });
}

/**
 * Takes `latest` as the saved draft and keeps this tab's edits on top of it: an edit the
 * server already has is done; an edit of a field the server changed since the edit began is
 * a conflict. Steps completed anywhere stay completed.
 */
export function rebase(tx: Tx, latest: Session, keepShownStep: boolean): FieldConflict[] {
  const s = tx.s;
  const id = latest.sessionId;
  const saved = nonEmpty(latest.projectData, tx.env.config.fields);
  const edits = { ...s.edits };
  const held = { ...s.held };
  const conflicts: FieldConflict[] = [];
  for (const field of keys(edits)) {
    const edit = edits[field]!;
    const theirs = saved[field] ?? null;
    if (theirs === edit.value) {
      delete edits[field];
      delete held[field];
      tx.store({ op: 'ackField', id, field, value: edit.value });
    } else if (theirs !== edit.base) {
      // This tab's own save whose answer never came put that value there: not a conflict, the
      // newer edit goes on from it.
      const unconfirmed = s.unconfirmed?.fields;
      if (unconfirmed && field in unconfirmed && unconfirmed[field] === theirs) {
        edits[field] = { ...edit, base: theirs };
        tx.store({ op: 'putField', id, field, edit: edits[field]! });
      } else {
        conflicts.push({ field, mine: edit.value, theirs });
      }
    }
  }
  const completed = union(latest.completedSteps, s.stepEdits.completedSteps ?? s.completedSteps);
  const stepEdits: StepEdits = {};
  if (!sameSteps(completed, latest.completedSteps)) stepEdits.completedSteps = completed;
  if (s.stepEdits.currentStep !== undefined && s.stepEdits.currentStep !== latest.currentStep) {
    stepEdits.currentStep = s.stepEdits.currentStep;
  }
  tx.set({
    saved,
    edits,
    held,
    stepEdits,
    conflicts,
    phase: { name: 'editing', id: draftOf(s) ?? id, version: latest.version, expiresAt: latest.expiresAt, lastActivity: latest.lastActivity, restoredFromBrowser: restoredFromBrowser(s.phase) },
    currentStep: keepShownStep ? s.currentStep : (stepEdits.currentStep ?? latest.currentStep ?? FIRST_STEP),
    completedSteps: completed,
    setAside: asideOf(latest, tx.env.config.fields),
    shown: true,
  });
  return conflicts;
}

/** What the draft holds that this form cannot: what the server set aside, and fields it does not have. */
function asideOf(latest: Session, fields: readonly string[]): Record<string, unknown> {
  const aside: Record<string, unknown> = { ...latest.setAside };
  for (const [name, value] of Object.entries(latest.projectData ?? {})) if (!fields.includes(name)) aside[name] = value;
  return aside;
}
