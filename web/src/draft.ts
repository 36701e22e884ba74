// The draft as one tab sees it, kept in step with the API: what the server has, plus the edits
// not saved yet. Plain TypeScript (no React) so that every rule here is unit-tested directly;
// `useProjectSession` only subscribes to it.
//
// Rules:
// - Edits are saved 1 s after the last one, and only the fields that changed are sent.
// - Every save carries `If-Match` with the version it was based on. On 412 the latest draft is
//   read and merged field by field: a field only this tab changed is sent again; a field both
//   this tab and another changed is a conflict, and saving waits for the user to choose.
// - Each save is announced in localStorage; another tab of the draft with nothing unsaved
//   reads the new version at once, so its user edits what is saved rather than a stale copy.
// - 503, 429 and network errors are retried with backoff (and at once when the browser is back
//   online); the edits wait in localStorage meanwhile, so a reload does not lose them either.
// - 404 (expired or deleted) on load starts a fresh draft, as the seed does; on save it starts a
//   fresh draft holding everything on screen, so nothing typed is lost.

import {
  ApiError,
  FIELD_NAMES,
  SessionClient,
  type FieldName,
  type ProjectDataPatch,
  type ProjectFormData,
  type Session,
  type SessionPatch,
} from './client';
import { UnsavedStore, sameSteps, type FieldValue, type KeyValueStorage, type UnsavedField } from './unsaved';

export type SaveStatus =
  | 'idle' // nothing typed yet
  | 'pending' // edits wait for the autosave delay
  | 'saving'
  | 'saved'
  | 'offline' // the browser is offline; edits are kept and sent when it is back
  | 'retrying' // the API did not answer or was unavailable; trying again with backoff
  | 'conflict' // another tab changed the same fields: see `conflicts`
  | 'error'; // the API refused the edits (see `error`); the next edit tries again

export interface FieldConflict {
  field: FieldName;
  /** What this tab has. `null`: the field is empty here. */
  mine: FieldValue;
  /** What the other tab saved. */
  theirs: FieldValue;
}

export interface DraftState {
  sessionId: string | null;
  /** The draft as shown: the saved fields with this tab's unsaved edits on top. */
  projectData: Partial<ProjectFormData> | null;
  currentStep: number;
  completedSteps: number[];
  /** The saved version this tab's edits are based on. */
  version: number | null;
  expiresAt: string | null;
  loading: boolean;
  saveStatus: SaveStatus;
  unsavedFields: FieldName[];
  /** The draft was changed in another tab since this one loaded or last saved it. */
  changedElsewhere: boolean;
  conflicts: FieldConflict[];
  error: ApiError | null;
  lastSavedAt: Date | null;
}

export interface DraftOptions {
  client: SessionClient;
  /** Where unsaved edits and the draft's id are kept; `localStorage` when there is one. */
  storage?: KeyValueStorage | null;
  /** Milliseconds after the last edit before saving (1000). */
  autosaveDelay?: number;
  /** First retry delay in milliseconds, doubled each time up to `maxRetryDelay` (500). */
  retryDelay?: number;
  maxRetryDelay?: number;
  /** Where `online` and `pagehide` are heard; `window` in a browser. */
  events?: Pick<EventTarget, 'addEventListener' | 'removeEventListener'> | null;
  isOnline?: () => boolean;
  random?: () => number;
}

const FIRST_STEP = 1;

export class DraftController {
  private state: DraftState = emptyState();
  private readonly listeners = new Set<() => void>();

  private readonly client: SessionClient;
  private readonly store: UnsavedStore;
  private readonly autosaveDelay: number;
  private readonly retryDelay: number;
  private readonly maxRetryDelay: number;
  private readonly events: DraftOptions['events'];
  private readonly isOnline: () => boolean;
  private readonly random: () => number;

  /** The draft's fields as last saved. */
  private saved: Partial<Record<FieldName, FieldValue>> = {};
  private unsaved: Partial<Record<FieldName, UnsavedField>> = {};
  private unsavedCurrentStep?: number;
  private unsavedCompletedSteps?: number[];

  /** Bumped whenever the draft is replaced or cleared: answers for an older one are dropped. */
  private generation = 0;
  private draining: Promise<void> | null = null;
  private creating: Promise<string | null> | null = null;
  private loadingId: { id: string; promise: Promise<void> } | null = null;
  private autosaveTimer: ReturnType<typeof setTimeout> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private retryAction: (() => void) | null = null;
  private retries = 0;
  /** Set by a refused save; cleared by the next edit. */
  private refused = false;
  private attached = 0;

  constructor(options: DraftOptions) {
    this.client = options.client;
    this.store = new UnsavedStore(options.storage === undefined ? defaultStorage() : options.storage);
    this.autosaveDelay = options.autosaveDelay ?? 1000;
    this.retryDelay = options.retryDelay ?? 500;
    this.maxRetryDelay = options.maxRetryDelay ?? 30_000;
    this.events = options.events === undefined ? defaultEvents() : options.events;
    this.isOnline = options.isOnline ?? (() => globalThis.navigator?.onLine ?? true);
    this.random = options.random ?? Math.random;
  }

  // --- for React's useSyncExternalStore -------------------------------------------------------

  getState = (): DraftState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Listens for `online` and `pagehide`. Pairs with `detach`; safe to nest (React StrictMode). */
  attach = (): void => {
    this.attached += 1;
    if (this.attached > 1) return;
    this.events?.addEventListener('online', this.onOnline);
    this.events?.addEventListener('pagehide', this.onPageHide);
    this.events?.addEventListener('storage', this.onStorage);
    if (this.retryAction && !this.retryTimer) this.scheduleRetry(null, this.retryAction);
    else if (this.canSend()) this.scheduleAutosave();
  };

  /** Stops listening; unsaved edits are sent now rather than dropped with the timers. */
  detach = (): void => {
    this.attached = Math.max(0, this.attached - 1);
    if (this.attached > 0) return;
    this.events?.removeEventListener('online', this.onOnline);
    this.events?.removeEventListener('pagehide', this.onPageHide);
    this.events?.removeEventListener('storage', this.onStorage);
    this.clearTimer('retry');
    if (this.canSend()) void this.flush();
  };

  // --- the seed's functions -------------------------------------------------------------------

  /** Resumes the draft this browser had, or starts one. Retries while the API cannot be reached. */
  start = async (): Promise<void> => {
    if (this.state.sessionId || this.creating || this.loadingId) return;
    const saved = this.store.sessionId();
    if (saved) await this.loadSession(saved);
    else await this.createDraft({}, true);
  };

  /** Starts a new draft and remembers its id in localStorage. Rejects when the API refuses. */
  createSession = async (initialData: Partial<ProjectFormData> = {}): Promise<string> => {
    if (!this.creating) {
      // A new draft, as the seed's: step 1, nothing completed, no edits of the previous one.
      this.clearTimer('autosave');
      this.clearTimer('retry');
      this.resetLocal();
      this.update({ currentStep: FIRST_STEP, completedSteps: [], conflicts: [], changedElsewhere: false });
    }
    // Without retries it either resolves with an id or rejects.
    return (await this.createDraft(initialData, false)) as string;
  };

  /**
   * Sets fields and marks `step` completed and current, then saves at once (the seed's
   * "step complete"). Only fields that differ from the saved draft are sent.
   */
  updateSession = async (data: Partial<ProjectFormData>, step: number): Promise<void> => {
    for (const field of FIELD_NAMES) {
      if (field in data) this.edit(field, data[field]);
    }
    this.setSteps(step, addStep(this.state.completedSteps, step));
    await this.flush();
  };

  /** Shows the draft `id`, with any edits this browser had not saved yet. */
  loadSession = (id: string): Promise<void> => {
    if (this.loadingId?.id === id) return this.loadingId.promise;
    const promise = this.load(id).finally(() => {
      if (this.loadingId?.promise === promise) this.loadingId = null;
    });
    this.loadingId = { id, promise };
    return promise;
  };

  /** Deletes the draft (the project was created) and forgets it in this browser. */
  clearSession = async (): Promise<void> => {
    const id = this.state.sessionId;
    if (!id) return;
    this.generation += 1;
    this.clearTimer('autosave');
    this.clearTimer('retry');
    this.resetLocal();
    this.store.clear(id);
    this.store.setSessionId(null);
    this.update(emptyState());
    // A save still on its way must not land after the delete (it would answer 404 anyway).
    await this.draining?.catch(() => undefined);
    try {
      await this.client.delete(id);
    } catch (error) {
      // Gone already, or unreachable: the draft then expires on its own.
      if (!(error instanceof ApiError)) throw error;
    }
  };

  // --- what the seed lacks --------------------------------------------------------------------

  /** Changes one field; saved 1 s after the last edit. `null`, `undefined` or '' empty it. */
  setField = <K extends FieldName>(field: K, value: ProjectFormData[K] | null | undefined): void => {
    this.edit(field, value);
    this.afterEdit();
  };

  /** The seed's form calls `setProjectData(prev => ({ ...prev, [name]: value }))`. */
  setProjectData = (
    next: Partial<ProjectFormData> | ((previous: Partial<ProjectFormData>) => Partial<ProjectFormData>),
  ): void => {
    const previous = this.state.projectData ?? {};
    const data = typeof next === 'function' ? next(previous) : next;
    for (const field of FIELD_NAMES) {
      if (field in data || field in previous) this.edit(field, data[field]);
    }
    this.afterEdit();
  };

  setCurrentStep = (step: number): void => {
    this.setSteps(step, this.state.completedSteps);
    this.afterEdit();
  };

  /** Marks a step completed (once) without moving to another. */
  completeStep = (step: number): void => {
    this.setSteps(this.state.currentStep, addStep(this.state.completedSteps, step));
    this.afterEdit();
  };

  /** Saves now instead of after the delay. Resolves once the edits are saved or waiting for a retry. */
  saveNow = (): Promise<void> => this.flush();

  /**
   * Settles the fields another tab changed too: `'mine'` saves this tab's values over theirs,
   * `'theirs'` drops this tab's edits of those fields.
   */
  resolveConflicts = async (keep: 'mine' | 'theirs'): Promise<void> => {
    const id = this.state.sessionId;
    if (!id) return;
    for (const { field, theirs } of this.state.conflicts) {
      const edit = this.unsaved[field];
      if (!edit) continue;
      if (keep === 'mine') {
        edit.base = theirs;
        this.store.putField(id, field, edit);
      } else {
        delete this.unsaved[field];
        this.store.ackField(id, field, edit.value);
      }
    }
    this.update({ conflicts: [], saveStatus: this.hasUnsaved() ? 'pending' : 'saved', ...this.view() });
    await this.flush();
  };

  /** The other tab's change was seen: hide the notice. */
  dismissChangedElsewhere = (): void => {
    this.update({ changedElsewhere: false });
  };

  // --- internals ------------------------------------------------------------------------------

  /** Resolves with the new id, or null when the API could not be reached and a retry is set. */
  private createDraft(initialData: Partial<ProjectFormData>, retry: boolean): Promise<string | null> {
    const creating =
      this.creating ??
      this.tryCreate(initialData, retry).finally(() => {
        this.creating = null;
      });
    this.creating = creating;
    return creating;
  }

  private async tryCreate(initialData: Partial<ProjectFormData>, retry: boolean): Promise<string | null> {
    const generation = ++this.generation;
    const previousId = this.state.sessionId;
    const data = nonEmptyFields(initialData);
    const { currentStep, completedSteps } = this.state;
    this.update({ loading: this.state.projectData === null });
    let created: Awaited<ReturnType<SessionClient['create']>>;
    try {
      created = await this.client.create({ projectData: data as ProjectDataPatch, currentStep, completedSteps });
    } catch (error) {
      if (generation !== this.generation) throw error;
      const apiError = asApiError(error);
      if (retry && apiError.isRetryable) {
        this.scheduleRetry(apiError, () => void this.createDraft(initialData, true));
        return null;
      }
      this.update({ loading: false, error: apiError, saveStatus: 'error' });
      throw error;
    }
    if (generation !== this.generation) return created.sessionId;
    if (previousId && previousId !== created.sessionId) this.store.clear(previousId);
    this.store.setSessionId(created.sessionId);
    this.saved = { ...data };
    this.retries = 0;
    // Edits typed while the draft was being created stay unsaved, based on what it now holds.
    for (const field of Object.keys(this.unsaved) as FieldName[]) {
      this.settle(created.sessionId, field, data[field] ?? null);
    }
    this.update({
      sessionId: created.sessionId,
      version: created.version,
      expiresAt: created.expiresAt,
      loading: false,
      error: null,
      conflicts: [],
      saveStatus: this.hasUnsaved() ? 'pending' : 'idle',
      ...this.view(),
    });
    if (this.hasUnsaved()) this.scheduleAutosave();
    return created.sessionId;
  }

  private async load(id: string): Promise<void> {
    const generation = ++this.generation;
    this.clearTimer('autosave');
    this.clearTimer('retry');
    this.update({ loading: true, sessionId: id });
    let latest: Session;
    try {
      latest = await this.client.get(id);
    } catch (error) {
      if (generation !== this.generation) return;
      const apiError = asApiError(error);
      if (apiError.isRetryable) {
        this.scheduleRetry(apiError, () => void this.loadSession(id));
        return;
      }
      // Expired, deleted or not an id at all: a fresh draft, as the seed does.
      this.store.clear(id);
      this.store.setSessionId(null);
      this.resetLocal();
      this.update({ ...emptyState(), loading: true });
      await this.createDraft({}, true).catch(() => undefined);
      return;
    }
    if (generation !== this.generation) return;
    this.retries = 0;
    this.store.setSessionId(id);
    const stored = this.store.read(id);
    this.resetLocal();
    this.unsaved = stored.fields;
    this.unsavedCurrentStep = stored.currentStep;
    this.unsavedCompletedSteps = stored.completedSteps;
    const conflicts = this.rebase(latest);
    this.update({
      sessionId: id,
      loading: false,
      error: null,
      conflicts,
      changedElsewhere: false,
      saveStatus: conflicts.length ? 'conflict' : this.hasUnsaved() ? 'pending' : 'idle',
      ...this.view(),
    });
    if (this.canSend()) void this.flush();
  }

  /**
   * Takes `latest` as the saved draft and keeps this tab's edits on top of it: an edit the
   * server already has is dropped; an edit of a field the server changed since the edit began
   * is a conflict.
   */
  private rebase(latest: Session): FieldConflict[] {
    const id = latest.sessionId;
    this.saved = nonEmptyFields(latest.projectData);
    this.state = { ...this.state, version: latest.version, expiresAt: latest.expiresAt };
    const conflicts: FieldConflict[] = [];
    for (const field of Object.keys(this.unsaved) as FieldName[]) {
      const edit = this.unsaved[field]!;
      const theirs = this.saved[field] ?? null;
      if (theirs === edit.value) {
        delete this.unsaved[field];
        this.store.ackField(id, field, edit.value);
      } else if (theirs !== edit.base) {
        conflicts.push({ field, mine: edit.value, theirs });
      }
    }
    // Steps completed anywhere stay completed; this tab keeps the step it shows.
    const completed = union(latest.completedSteps, this.unsavedCompletedSteps ?? this.state.completedSteps);
    this.unsavedCompletedSteps = sameSteps(completed, latest.completedSteps) ? undefined : completed;
    if (this.unsavedCurrentStep === latest.currentStep) this.unsavedCurrentStep = undefined;
    this.state = {
      ...this.state,
      currentStep: this.unsavedCurrentStep ?? latest.currentStep,
      completedSteps: completed,
    };
    return conflicts;
  }

  private edit(field: FieldName, raw: unknown): void {
    const value = normalize(raw);
    const current = this.unsaved[field] ? this.unsaved[field]!.value : (this.saved[field] ?? null);
    if (value === current) return;
    const edit = this.unsaved[field] ?? { value, base: this.saved[field] ?? null };
    edit.value = value;
    this.unsaved[field] = edit;
    if (this.state.sessionId) this.store.putField(this.state.sessionId, field, edit);
  }

  private setSteps(currentStep: number, completedSteps: number[]): void {
    const id = this.state.sessionId;
    if (currentStep !== this.state.currentStep) this.unsavedCurrentStep = currentStep;
    if (!sameSteps(completedSteps, this.state.completedSteps)) this.unsavedCompletedSteps = completedSteps;
    if (id) {
      this.store.putSteps(id, { currentStep: this.unsavedCurrentStep, completedSteps: this.unsavedCompletedSteps });
    }
    this.state = { ...this.state, currentStep, completedSteps };
  }

  private afterEdit(): void {
    this.refused = false;
    const blocked = this.state.saveStatus === 'conflict' || this.retryTimer !== null;
    this.update({
      ...this.view(),
      saveStatus: blocked ? this.state.saveStatus : this.hasUnsaved() ? 'pending' : this.state.saveStatus,
    });
    if (this.canSend()) this.scheduleAutosave();
  }

  private flush(): Promise<void> {
    this.clearTimer('autosave');
    if (!this.draining) {
      this.draining = this.drain().finally(() => {
        this.draining = null;
      });
    }
    // Edits made while the last request was out are sent by the next round.
    return this.draining.then(() => (this.canSend() ? this.flush() : undefined));
  }

  private async drain(): Promise<void> {
    while (this.canSend()) {
      if (!(await this.sendOnce())) return;
    }
  }

  /** One PUT of every unsaved edit. True when it is worth going on. */
  private async sendOnce(): Promise<boolean> {
    const generation = this.generation;
    const id = this.state.sessionId!;
    const version = this.state.version ?? undefined;
    const { fields, patch } = this.unsavedPatch();
    const { currentStep, completedSteps } = patch;
    this.update({ saveStatus: 'saving' });
    try {
      const updated = await this.client.update(id, patch, { ifVersion: version });
      if (generation !== this.generation) return false;
      for (const [field, value] of Object.entries(fields) as [FieldName, FieldValue][]) {
        if (value === null) delete this.saved[field];
        else this.saved[field] = value;
        this.settle(id, field, value);
      }
      if (currentStep !== undefined && this.unsavedCurrentStep === currentStep) this.unsavedCurrentStep = undefined;
      if (sameSteps(this.unsavedCompletedSteps, completedSteps)) this.unsavedCompletedSteps = undefined;
      this.store.ackSteps(id, { currentStep, completedSteps });
      this.store.announceSaved(id, updated.version);
      this.retries = 0;
      this.update({
        version: updated.version,
        expiresAt: updated.expiresAt,
        lastSavedAt: new Date(),
        error: null,
        saveStatus: this.hasUnsaved() ? 'pending' : 'saved',
        ...this.view(),
      });
      return true;
    } catch (error) {
      if (generation !== this.generation) return false;
      const apiError = asApiError(error);
      if (apiError.isConflict) return this.mergeLatest(id, generation);
      if (apiError.isNotFound) {
        await this.replaceGoneDraft();
        return false;
      }
      if (apiError.isRetryable) {
        this.scheduleRetry(apiError, () => void this.flush());
        return false;
      }
      // 400, 413, 415: sending the same again cannot succeed.
      this.refused = true;
      this.update({ saveStatus: 'error', error: apiError });
      return false;
    }
  }

  /** After a 412: read the latest draft and rebase this tab's edits on it. */
  private async mergeLatest(id: string, generation: number): Promise<boolean> {
    let latest: Session;
    try {
      latest = await this.client.get(id);
    } catch (error) {
      if (generation !== this.generation) return false;
      const apiError = asApiError(error);
      if (apiError.isNotFound) await this.replaceGoneDraft();
      else if (apiError.isRetryable) this.scheduleRetry(apiError, () => void this.flush());
      else this.update({ saveStatus: 'error', error: apiError });
      return false;
    }
    if (generation !== this.generation) return false;
    const conflicts = this.rebase(latest);
    this.update({
      changedElsewhere: true,
      conflicts,
      saveStatus: conflicts.length ? 'conflict' : this.hasUnsaved() ? 'saving' : 'saved',
      ...this.view(),
    });
    return conflicts.length === 0;
  }

  /** The draft expired or was deleted while this page was open: keep what is on screen in a new one. */
  private async replaceGoneDraft(): Promise<void> {
    const onScreen = (this.state.projectData ?? {}) as Partial<ProjectFormData>;
    this.unsaved = {};
    this.unsavedCurrentStep = undefined;
    this.unsavedCompletedSteps = undefined;
    await this.createDraft(onScreen, true).catch(() => undefined);
  }

  private scheduleRetry(error: ApiError | null, action: () => void): void {
    this.clearTimer('retry');
    this.retryAction = action;
    const backoff = Math.min(this.maxRetryDelay, this.retryDelay * 2 ** this.retries);
    // Full jitter keeps tabs that failed together from retrying together.
    let delay = backoff / 2 + (this.random() * backoff) / 2;
    if (error?.retryAfter !== undefined) delay = Math.max(delay, error.retryAfter * 1000);
    this.retries += 1;
    if (error) this.update({ saveStatus: this.isOnline() ? 'retrying' : 'offline', error });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.retryAction = null;
      action();
    }, delay);
  }

  /** Another tab saved this draft: show its version if nothing here is waiting to be saved. */
  private onStorage = (event: Event): void => {
    const id = this.state.sessionId;
    const version = id ? this.store.savedVersion(id, event as StorageEvent) : null;
    if (version === null || version <= (this.state.version ?? 0)) return;
    if (this.hasUnsaved() || this.draining || this.state.loading || this.creating) return;
    void this.refresh(id!);
  };

  private async refresh(id: string): Promise<void> {
    const generation = this.generation;
    let latest: Session;
    try {
      latest = await this.client.get(id);
    } catch {
      // The next save or load deals with whatever went wrong.
      return;
    }
    if (generation !== this.generation || this.state.sessionId !== id) return;
    if (latest.version <= (this.state.version ?? 0)) return;
    // The wizard stays on the step this tab shows.
    const shownStep = this.state.currentStep;
    const conflicts = this.rebase(latest);
    this.state = { ...this.state, currentStep: shownStep };
    this.update({
      changedElsewhere: true,
      conflicts,
      saveStatus: conflicts.length ? 'conflict' : this.state.saveStatus,
      ...this.view(),
    });
    if (this.canSend()) this.scheduleAutosave();
  }

  private onOnline = (): void => {
    const action = this.retryAction;
    if (!action) return;
    this.clearTimer('retry');
    this.retries = 0;
    action();
  };

  // Best effort while the page goes away; the edits stay in localStorage for the next load.
  private onPageHide = (): void => {
    const id = this.state.sessionId;
    if (!id || !this.hasUnsaved() || this.state.conflicts.length) return;
    const { patch } = this.unsavedPatch();
    this.client.update(id, patch, { ifVersion: this.state.version ?? undefined, keepalive: true }).catch(() => undefined);
  };

  /** Every unsaved edit as one update: the fields' values and the steps, when changed. */
  private unsavedPatch(): { fields: Partial<Record<FieldName, FieldValue>>; patch: SessionPatch } {
    const fields: Partial<Record<FieldName, FieldValue>> = {};
    for (const field of Object.keys(this.unsaved) as FieldName[]) fields[field] = this.unsaved[field]!.value;
    const patch: SessionPatch = {};
    if (Object.keys(fields).length) patch.projectData = fields as ProjectDataPatch;
    if (this.unsavedCurrentStep !== undefined) patch.currentStep = this.unsavedCurrentStep;
    if (this.unsavedCompletedSteps !== undefined) patch.completedSteps = this.unsavedCompletedSteps;
    return { fields, patch };
  }

  /**
   * The server now holds `value` for `field`: an edit of that value is done; an edit typed
   * since is kept, based on `value`.
   */
  private settle(id: string, field: FieldName, value: FieldValue): void {
    const edit = this.unsaved[field];
    if (!edit) return;
    if (edit.value === value) {
      delete this.unsaved[field];
      this.store.ackField(id, field, value);
    } else {
      edit.base = value;
      this.store.putField(id, field, edit);
    }
  }

  private canSend(): boolean {
    return (
      this.state.sessionId !== null &&
      !this.state.loading &&
      this.hasUnsaved() &&
      this.state.conflicts.length === 0 &&
      this.retryTimer === null &&
      this.creating === null &&
      !this.refused
    );
  }

  private hasUnsaved(): boolean {
    return (
      Object.keys(this.unsaved).length > 0 ||
      this.unsavedCurrentStep !== undefined ||
      this.unsavedCompletedSteps !== undefined
    );
  }

  private scheduleAutosave(): void {
    this.clearTimer('autosave');
    this.autosaveTimer = setTimeout(() => {
      this.autosaveTimer = null;
      void this.flush();
    }, this.autosaveDelay);
  }

  private clearTimer(which: 'autosave' | 'retry'): void {
    if (which === 'autosave' && this.autosaveTimer) {
      clearTimeout(this.autosaveTimer);
      this.autosaveTimer = null;
    }
    if (which === 'retry' && this.retryTimer) {
      clearTimeout(this.retryTimer);
      this.retryTimer = null;
    }
  }

  private resetLocal(): void {
    this.saved = {};
    this.unsaved = {};
    this.unsavedCurrentStep = undefined;
    this.unsavedCompletedSteps = undefined;
    this.refused = false;
    this.retries = 0;
    this.retryAction = null;
  }

  /** The derived parts of the state: the fields as shown and which are unsaved. */
  private view(): Pick<DraftState, 'projectData' | 'unsavedFields' | 'currentStep' | 'completedSteps'> {
    const shown: Partial<Record<FieldName, FieldValue>> = { ...this.saved };
    for (const field of Object.keys(this.unsaved) as FieldName[]) {
      const value = this.unsaved[field]!.value;
      if (value === null) delete shown[field];
      else shown[field] = value;
    }
    return {
      projectData: shown as Partial<ProjectFormData>,
      unsavedFields: Object.keys(this.unsaved) as FieldName[],
      currentStep: this.state.currentStep,
      completedSteps: this.state.completedSteps,
    };
  }

  private update(change: Partial<DraftState>): void {
    this.state = { ...this.state, ...change };
    for (const listener of this.listeners) listener();
  }
}

function emptyState(): DraftState {
  return {
    sessionId: null,
    projectData: null,
    currentStep: FIRST_STEP,
    completedSteps: [],
    version: null,
    expiresAt: null,
    loading: false,
    saveStatus: 'idle',
    unsavedFields: [],
    changedElsewhere: false,
    conflicts: [],
    error: null,
    lastSavedAt: null,
  };
}

/** The known fields of `data` that hold a value, normalised. */
function nonEmptyFields(data: Partial<Record<FieldName, unknown>>): Partial<Record<FieldName, FieldValue>> {
  const fields: Partial<Record<FieldName, FieldValue>> = {};
  for (const field of FIELD_NAMES) {
    const value = normalize(data[field]);
    if (value !== null) fields[field] = value;
  }
  return fields;
}

/** '' and `undefined` mean an empty field, which the API stores as no field at all. */
function normalize(value: unknown): FieldValue {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  return typeof value === 'string' ? value : String(value);
}

function addStep(steps: number[], step: number): number[] {
  return steps.includes(step) ? steps : [...steps, step].sort((a, b) => a - b);
}

function union(a: number[], b: number[]): number[] {
  return [...new Set([...a, ...b])].sort((x, y) => x - y);
}

function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError(error instanceof Error ? error.message : 'Unexpected error', 0, { cause: error });
}

function defaultStorage(): KeyValueStorage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

function defaultEvents(): DraftOptions['events'] {
  return typeof window === 'undefined' ? null : window;
}
