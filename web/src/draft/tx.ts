// A transition under construction: the next state and the effects asked for so far. Used only
// inside `transition`; the state it starts from is never changed.

import { draftOf, NO_DRAFT, type Effect, type Env, type Job, type Machine, type Request, type SentSave, type StorageWrite, type TimerName } from './state';

export class Tx {
  s: Machine;
  readonly fx: Effect[] = [];

  constructor(
    start: Machine,
    readonly env: Env,
  ) {
    this.s = start;
  }

  set(change: Partial<Machine>): void {
    this.s = { ...this.s, ...change };
  }

  /** A fresh number for a request or a timer, so that a late answer or tick can be told apart. */
  next(): number {
    const n = this.s.counter + 1;
    this.set({ counter: n });
    return n;
  }

  /**
   * A storage write; none ever carries a field kept out of storage (`Config.memoryOnly`): its
   * edit becomes the removal of whatever an older version left under its name.
   */
  store(write: StorageWrite): void {
    if (write.op === 'putField' && this.env.config.memoryOnly.includes(write.field)) {
      write = { op: 'forgetField', id: write.id, field: write.field };
    }
    this.fx.push({ type: 'store', write });
  }

  /** Keeps every edit of `edits` under record `id` (where a reload reads them). */
  storeEdits(id: string, edits: Machine['edits']): void {
    for (const [field, edit] of Object.entries(edits)) if (edit) this.store({ op: 'putField', id, field, edit });
  }

  /** Where this draft's edits are kept: its id; while a first create is out, its key; else `NO_DRAFT`. */
  storageId(): string {
    const id = draftOf(this.s);
    if (id !== null) return id;
    const { lane } = this.s;
    if (lane.status !== 'idle' && lane.job.kind === 'create') return `new:${lane.job.key}`;
    return NO_DRAFT;
  }

  /** Sends `request` as the lane's job. */
  send(job: Job, request: Request, sent?: SentSave): number {
    const reqId = this.next();
    this.fx.push({ type: 'request', reqId, request });
    this.set({ lane: sent ? { status: 'busy', job, reqId, sent } : { status: 'busy', job, reqId } });
    return reqId;
  }

  /** A request outside the lane (deletes, the page-hide save). */
  sendAside(request: Request): number {
    const reqId = this.next();
    this.fx.push({ type: 'request', reqId, request });
    return reqId;
  }

  timer(name: TimerName, ms: number): number {
    const token = this.next();
    this.fx.push({ type: 'timer', name, token, ms: Math.max(0, Math.round(ms)) });
    return token;
  }

  cancelTimer(name: TimerName): void {
    this.fx.push({ type: 'cancelTimer', name });
  }

  cancelAutosave(): void {
    if (this.s.autosave === null) return;
    this.cancelTimer('autosave');
    this.set({ autosave: null });
  }

  /** The autosave after a pause in typing, or sooner when the oldest unsent edit would wait too long. */
  armAutosave(): void {
    const { autosaveDelay, maxAutosaveDelay } = this.env.config;
    const since = this.s.unsavedSince;
    const ms = since === null ? autosaveDelay : Math.min(autosaveDelay, since + maxAutosaveDelay - this.env.now);
    this.set({ autosave: this.timer('autosave', Math.max(0, ms)) });
  }

  /** Drops what the lane is doing: its request's answer, or its retry, no longer matters. */
  clearLane(): void {
    const { lane } = this.s;
    if (lane.status === 'busy' && lane.job.kind !== 'claim') this.fx.push({ type: 'abort', reqId: lane.reqId });
    if (lane.status === 'waiting') this.cancelTimer('retry');
    this.set({ lane: { status: 'idle' } });
  }
}
