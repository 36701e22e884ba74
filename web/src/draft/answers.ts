// What each phase does with each class of answer. Every phase (load, create, save, merge-read,
// delete) names its 2xx, 400, 404, 412 and 413 handling; every other class (415, 429, other
// 4xx, 5xx, network error, timeout) keeps the draft and every edit and retries with backoff.

import { FIELD_ALIASES, type Created, type Session, type Updated } from '../client';
import { asPatch, canSend, classify, heldBy, isTransient, keys, nonEmpty, sameSteps } from './fields';
import { backoff, carryScreen, follow, gone, HELD, keepCreate, rebase, sendCreate, sendDelete } from './steps';
import { draftOf, editing, fromCopy, type Edits, type Fields, type Job, type Named, type Outcome, type SentSave, type StepEdits } from './state';
import type { Tx } from './tx';

type Failed = Extract<Outcome, { ok: false }>;

export function answer(tx: Tx, reqId: number, outcome: Outcome, named?: Named): void {
  const s = tx.s;
  const deleting = Object.entries(s.deletes).find(([, job]) => job.reqId === reqId);
  if (deleting) return onDelete(tx, deleting[0], outcome);
  // An answer for a request this tab no longer waits for (the draft changed since): dropped.
  if (s.lane.status !== 'busy' || s.lane.reqId !== reqId) return;
  const { job, sent } = s.lane;
  tx.set({ lane: { status: 'idle' } });
  if (job.kind === 'load') onLoad(tx, job, outcome);
  else if (job.kind === 'create') onCreate(tx, job, outcome, named);
  else if (job.kind === 'save') onSave(tx, sent!, outcome);
  else if (job.kind === 'read') onRead(tx, job, outcome);
}

function onLoad(tx: Tx, job: Extract<Job, { kind: 'load' }>, outcome: Outcome): void {
  if (!outcome.ok) {
    const failure = classify(outcome.error.status, outcome.timedOut);
    // Only a 404 says the draft is gone; a 400, 403 or 500 keeps it and tries again.
    if (failure === 'gone') return gone(tx, job.id);
    return retry(tx, job, outcome);
  }
  const latest = outcome.value as Session;
  if (job.reason === 'follow') fillGaps(tx, latest);
  const conflicts = rebase(tx, latest, false);
  const s = tx.s;
  tx.set({
    error: null,
    failure: null,
    attempt: 0,
    merged: false,
    conflicts,
    typed: false,
    restored: job.reason === 'open' ? keys(s.saved).length > 0 || keys(s.edits).length > 0 || s.completedSteps.length > 0 : s.restored,
    changedElsewhere: job.reason === 'follow' ? s.changedElsewhere : false,
  });
  tx.store({ op: 'setSessionId', id: job.id });
  // Edits a closed tab left, or this tab carried from a gone draft, go out at once.
  if (canSend(tx.s)) tx.set({ due: true });
}

/** Following a replacement: what this tab showed of the gone draft and the new one lacks. */
function fillGaps(tx: Tx, latest: Session): void {
  const theirs = nonEmpty(latest.projectData, tx.env.config.fields);
  const edits: Edits = { ...tx.s.edits };
  for (const field of keys(tx.s.saved)) {
    if (edits[field] === undefined && theirs[field] === undefined) {
      edits[field] = { value: tx.s.saved[field]!, base: null };
      tx.store({ op: 'putField', id: latest.sessionId, field, edit: edits[field]! });
    }
  }
  tx.set({ edits, saved: {} });
}

function onCreate(tx: Tx, job: Extract<Job, { kind: 'create' }>, outcome: Outcome, named?: Named): void {
  if (!outcome.ok) {
    // No draft yet, and none soon: the form is shown (empty, or as it was), so that the person
    // can type while the create is retried; what is typed is kept under the create's key.
    tx.set({ shown: true });
    const failure = classify(outcome.error.status, outcome.timedOut);
    const sent = nonEmpty(job.body.projectData, tx.env.config.fields);
    // 422: this key was used with another body (a pending create rebuilt differently): the
    // same request can never succeed, so make it a new create. At once the first time; then
    // with backoff; after `createAttempts` in a row the create is held (a server or proxy that
    // answers every create 422 must not get a storm), what is typed kept as unsaved edits.
    if (outcome.error.status === 422) {
      const next = { ...job, key: tx.env.newKey };
      // Kept under the new key at once: what is typed while it waits goes where a reload looks.
      keepCreate(tx, next);
      tx.store({ op: 'move', from: `new:${job.key}`, to: `new:${next.key}`, made: {} });
      if (tx.s.attempt === 0) {
        tx.set({ attempt: 1 });
        return sendCreate(tx, next);
      }
      if (tx.s.attempt + 1 >= tx.env.config.createAttempts) return hold(tx, next, outcome);
      return retry(tx, next, outcome);
    }
    // 409: as many drafts as one person may have. Asking again cannot help until one is
    // finished or discarded, so nothing is retried; the create is held, so that what was typed
    // (and is typed meanwhile) stays on screen and in storage under its key, and the person
    // picks a draft to continue (`listDrafts`, which takes it along) or ends one.
    if (failure === 'tooMany') return hold(tx, job, outcome);
    const held = heldBy(failure, outcome.error.details, sent);
    if (!held) return retry(tx, job, outcome);
    // Hold the refused fields (kept as edits, so on screen and in storage) and create without them.
    const edits: Edits = { ...tx.s.edits };
    const fields: Fields = { ...sent };
    for (const field of keys(held)) {
      edits[field] ??= { value: sent[field]!, base: null };
      delete fields[field];
    }
    tx.set({ edits, held: { ...tx.s.held, ...held }, error: outcome.error, failure });
    const storageId = draftOf(tx.s) ?? `new:${job.key}`;
    for (const field of keys(held)) tx.store({ op: 'putField', id: storageId, field, edit: edits[field]! });
    // A new key: the body changed, and the refused create made nothing.
    return sendCreate(tx, { ...job, key: tx.env.newKey, body: { ...job.body, projectData: asPatch(fields) } });
  }
  const { sessionId: id, version, expiresAt } = outcome.value as Created;
  const s = tx.s;
  const saved = nonEmpty(job.body.projectData, tx.env.config.fields);
  if (joinsNamed(tx, job, id, named)) return joinNamed(tx, job, saved, named!.id!);
  const edits = settle(s.edits, saved, keys(s.edits));
  const stepEdits = settleSteps(s.stepEdits, { currentStep: job.body.currentStep ?? undefined, completedSteps: job.body.completedSteps ?? undefined });
  tx.store({ op: 'setSessionId', id });
  tx.store({ op: 'setPending', pending: null });
  tx.storeEdits(id, edits);
  if (stepEdits.currentStep !== undefined || stepEdits.completedSteps !== undefined) tx.store({ op: 'putSteps', id, steps: stepEdits });
  // Edits kept for the draft this one replaces, by any tab, open or closed, come along.
  if (job.replacing !== null && job.reason === 'gone' && job.replacing !== id) tx.store({ op: 'move', from: job.replacing, to: id, made: saved });
  // Tabs that missed the news follow a stored id only when it replaced the draft they show.
  if (job.replacing !== null && job.replacing !== id) tx.store({ op: 'replaced', from: job.replacing, to: id });
  tx.store({ op: 'move', from: `new:${job.key}`, to: id, made: saved });
  tx.fx.push({ type: 'broadcast', message: { type: 'draft', id, replaces: job.replacing, reason: job.reason, since: job.since } });
  tx.set({
    phase: {
      name: 'editing',
      id,
      version,
      expiresAt,
      lastActivity: new Date(tx.env.now).toISOString(),
      // The draft this page opened was gone: what this browser kept of it is in the new one.
      restoredFromBrowser: job.reason === 'gone' && fromCopy(s) && (keys(saved).length > 0 || keys(edits).length > 0),
    },
    saved,
    edits,
    stepEdits,
    shown: true,
    // A draft made to hold what was typed (the old one was gone) shows it saved, not idle.
    typed: job.reason !== 'restart' && tx.s.typed,
    conflicts: [],
    error: null,
    failure: null,
    attempt: 0,
    merged: false,
    unconfirmed: null,
    setAside: {},
    created: { key: job.key, id },
    replaced: job.replacing,
  });
}

/**
 * Anonymous mode: storage names a draft it did not when this tab took the lock to make one
 * (the other tab's id was refused by a full storage then, and written once it worked). A
 * browser keeps one draft, where a reload looks: this tab joins that one with what its own
 * create holds, as it would have at the lock, instead of naming a second draft over it (the
 * other tab's typing would then be on a draft no reload opens). The draft this create made is
 * left to expire. Not after a discard: that new draft is the person's choice.
 */
function joinsNamed(tx: Tx, job: Extract<Job, { kind: 'create' }>, id: string, named: Named | undefined): boolean {
  if (!tx.env.config.single || job.reason === 'restart' || job.saw === undefined) return false;
  const other = named?.id ?? null;
  return other !== null && other !== id && other !== job.saw && other !== job.replacing && !named!.ended.includes(other);
}

function joinNamed(tx: Tx, job: Extract<Job, { kind: 'create' }>, saved: Fields, other: string): void {
  tx.set({ saved: { ...tx.s.saved, ...saved } });
  carryScreen(tx);
  tx.store({ op: 'setPending', pending: null });
  tx.store({ op: 'move', from: `new:${job.key}`, to: other, made: {} });
  follow(tx, other, true);
}

function onSave(tx: Tx, sent: SentSave, outcome: Outcome): void {
  const id = editing(tx.s)!.id;
  if (!outcome.ok) {
    const failure = classify(outcome.error.status, outcome.timedOut);
    if (failure === 'gone') return gone(tx, id);
    if (failure === 'conflict') return conflicted(tx, id, outcome);
    // A 400 names the fields it refuses; a 413 holds the largest one back.
    const held = heldBy(failure, outcome.error.details, sent.fields);
    if (held) {
      // The rest is sent at once: each such answer holds back at least one more field.
      tx.set({ held: { ...tx.s.held, ...held }, error: outcome.error, failure, due: true });
      return;
    }
    // No answer: the save may have been applied, which a retry's 412 will show.
    if (failure === 'timeout' || failure === 'network') tx.set({ unconfirmed: sent });
    return retry(tx, { kind: 'save' }, outcome);
  }
  const { version, expiresAt } = outcome.value as Updated;
  applied(tx, sent, version, expiresAt);
}

/** The server holds `sent` at `version`: those edits are done; edits typed since stay. */
function applied(tx: Tx, sent: SentSave, version: number, expiresAt: string): void {
  const s = tx.s;
  const draft = editing(s)!;
  const id = draft.id;
  const saved: Fields = { ...s.saved };
  for (const field of keys(sent.fields)) {
    const value = sent.fields[field]!;
    if (value === null) delete saved[field];
    else saved[field] = value;
  }
  const edits = settle(s.edits, sent.fields, keys(sent.fields));
  for (const field of keys(sent.fields)) {
    if (edits[field]) tx.store({ op: 'putField', id, field, edit: edits[field]! });
    else tx.store({ op: 'ackField', id, field, value: sent.fields[field]! });
  }
  tx.store({ op: 'ackSteps', id, steps: sent.steps });
  tx.fx.push({ type: 'broadcast', message: { type: 'saved', id, version } });
  // The server replaced what it had set aside under a field written now, or its old names.
  const setAside = Object.fromEntries(
    Object.entries(s.setAside).filter(([name]) => !(name in sent.fields) && !(Object.hasOwn(FIELD_ALIASES, name) && FIELD_ALIASES[name] in sent.fields)),
  );
  tx.set({
    setAside,
    saved,
    edits,
    stepEdits: settleSteps(s.stepEdits, sent.steps),
    phase: { ...draft, version, expiresAt, lastActivity: new Date(tx.env.now).toISOString() },
    lastSavedAt: tx.env.now,
    error: null,
    failure: null,
    attempt: 0,
    merged: false,
    unconfirmed: null,
  });
}

/**
 * 412: the draft moved on. Read it and merge. The first time at once; again only after a
 * backoff, so a draft that keeps changing (or a read that keeps failing) cannot start a storm.
 */
function conflicted(tx: Tx, id: string, outcome: Failed): void {
  const job: Job = { kind: 'read', id, reason: 'conflict' };
  if (!tx.s.merged) {
    tx.set({ merged: true });
    tx.send(job, { kind: 'get', id });
  } else {
    backoff(tx, job, outcome.error, outcome.timedOut, outcome.online);
  }
}

function onRead(tx: Tx, job: Extract<Job, { kind: 'read' }>, outcome: Outcome): void {
  if (!outcome.ok) {
    if (classify(outcome.error.status, outcome.timedOut) === 'gone') return gone(tx, job.id);
    return retry(tx, job, outcome);
  }
  const latest = outcome.value as Session;
  // A save that got no answer and whose retry met a 412: if the draft is one version on and
  // holds exactly what that save sent, the 412 was this tab's own write. The version alone
  // cannot tell it from another tab's single save, so the fields decide (GET is a consistent read).
  const own = tx.s.unconfirmed !== null && isOwnWrite(latest, tx.s.unconfirmed);
  const conflicts = rebase(tx, latest, job.reason === 'refresh');
  tx.set({
    conflicts,
    changedElsewhere: tx.s.changedElsewhere || !own,
    unconfirmed: null,
    error: null,
    failure: null,
    ...(own ? { attempt: 0, merged: false, lastSavedAt: tx.env.now } : {}),
  });
  if (job.reason === 'conflict' && canSend(tx.s)) tx.set({ due: true });
}

function isOwnWrite(latest: Session, sent: SentSave): boolean {
  if (latest.version !== sent.ifVersion + 1) return false;
  const theirs = nonEmpty(latest.projectData, keys(sent.fields));
  const fields = keys(sent.fields).every((field) => (theirs[field] ?? null) === sent.fields[field]);
  const step = sent.steps.currentStep === undefined || sent.steps.currentStep === latest.currentStep;
  const done = sent.steps.completedSteps === undefined || sameSteps(sent.steps.completedSteps, latest.completedSteps);
  return fields && step && done;
}

function onDelete(tx: Tx, id: string, outcome: Outcome): void {
  const job = tx.s.deletes[id]!;
  const deletes = { ...tx.s.deletes };
  delete deletes[id];
  const failure = outcome.ok ? 'ok' : classify(outcome.error.status, outcome.timedOut);
  // Done, or gone already (404), or refused, or tried enough: the draft then expires on its own.
  if (!isTransient(failure) || job.attempt + 1 >= tx.env.config.deleteAttempts) {
    tx.set({ deletes });
    return;
  }
  const { retryDelay, maxRetryDelay } = tx.env.config;
  const ceiling = Math.min(maxRetryDelay, retryDelay * 2 ** job.attempt);
  const timer = tx.timer(`delete:${id}`, ceiling / 2 + (tx.env.random * ceiling) / 2);
  tx.set({ deletes: { ...deletes, [id]: { attempt: job.attempt + 1, reqId: null, timer } } });
}

export function retryDelete(tx: Tx, id: string): void {
  sendDelete(tx, id, tx.s.deletes[id]!.attempt);
}

/**
 * Stops retrying `job`: it waits, with its message shown, until the browser comes back online
 * or the page reloads. The lane stays on it, so that what is typed meanwhile is kept under it.
 */
function hold(tx: Tx, job: Job, outcome: Failed): void {
  if (job.kind === 'create') {
    // What the create carries is what was on screen: unsaved edits like any other, so that it
    // comes along to a draft the person picks instead.
    const edits: Edits = { ...tx.s.edits };
    const sent = nonEmpty(job.body.projectData, tx.env.config.fields);
    for (const field of keys(sent)) edits[field] ??= { value: sent[field]!, base: null };
    tx.set({ edits });
    keepCreate(tx, job);
  }
  tx.set({ lane: { status: 'waiting', job, timer: HELD }, error: outcome.error, failure: classify(outcome.error.status, outcome.timedOut) });
}

function retry(tx: Tx, job: Job, outcome: Failed): void {
  backoff(tx, job, outcome.error, outcome.timedOut, outcome.online);
}

/** Edits of `fields` whose value the server now holds are done; the others are now based on it. */
function settle(edits: Edits, serverHas: Fields, fields: (keyof Fields)[]): Edits {
  const next: Edits = { ...edits };
  for (const field of fields) {
    const edit = next[field];
    if (!edit) continue;
    const value = serverHas[field] ?? null;
    if (edit.value === value) delete next[field];
    else next[field] = { ...edit, base: value };
  }
  return next;
}

function settleSteps(steps: StepEdits, sent: StepEdits): StepEdits {
  const next: StepEdits = { ...steps };
  if (sent.currentStep !== undefined && next.currentStep === sent.currentStep) delete next.currentStep;
  if (sameSteps(next.completedSteps, sent.completedSteps)) delete next.completedSteps;
  return next;
}

