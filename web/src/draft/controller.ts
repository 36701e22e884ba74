// The original design's API (`createSession`, `updateSession`, `loadSession`, `clearSession`) and the rest
// of what the hook returns, each one event (or three) for the machine, and a promise that
// resolves when the machine says the work is done.

import type { DraftList, ProjectFormData } from '../client';
import { addStep, isTransient, nonEmpty, normalize } from './fields';
import { DraftRunner } from './runner';
import { draftOf, NO_DRAFT, type Fields, type Machine, type PendingCreate, type Stored } from './state';

export class DraftController<T extends object = ProjectFormData> extends DraftRunner<T> {
  // --- the original design's functions -------------------------------------------------------------------

  /**
   * Resumes the draft this browser had, or starts one. Owned mode (an `owner`), on a browser
   * that has none: the person's newest draft from the API's list, from whichever device it was
   * typed on. Resolves once shown or waiting to retry.
   */
  start = async (): Promise<void> => {
    // Storage first; the URL only holds an id when storage could not (`urlParam`). Never one
    // this browser submitted (its delete may be on its way).
    const ended = this.store.ended();
    const found = this.store.sessionId() ?? this.idFromUrl();
    const pending = this.store.pending();
    // Nor the draft a create not yet answered replaces (the person started over, or it was
    // gone): that create is repeated instead.
    const storedId = found !== null && (ended.includes(found) || pending?.replacing === found) ? null : found;
    if (this.owner !== null && storedId === null && pending === null) {
      this.dispatch({ type: 'find' });
      const newest = await this.newestDraft();
      // Started meanwhile (React StrictMode starts twice): the machine has its draft.
      if (newest !== null && draftOf(this.machine) === null && this.machine.lane.status === 'idle') {
        this.dispatch({ type: 'open', id: newest, stored: this.withNoDraft(this.stored(newest), null, newest) });
        return this.until(settled);
      }
    }
    const stored = storedId ? this.stored(storedId) : pending ? this.store.read(`new:${pending.key}`) : { fields: {} };
    // A create no tab finished, while the draft was found another way (the URL, another tab, a
    // replacement made elsewhere): what was typed for it belongs to that draft.
    const adopted = storedId !== null && pending !== null ? pending : null;
    this.dispatch({ type: 'start', storedId, stored: this.withNoDraft(stored, adopted, storedId) });
    return this.until(settled);
  };

  /** Starts a new draft at step 1 with `initialData`. Rejects when the API refuses it. */
  createSession = (initialData: Partial<T> = {}): Promise<string> => {
    const before = this.machine.created;
    this.dispatch({ type: 'create', data: nonEmpty(initialData, this.fields) });
    return new Promise((resolve, reject) => {
      this.wait((s) => {
        const job = s.lane.status === 'idle' ? null : s.lane.job;
        if (s.created !== before && s.created !== null) resolve(s.created.id);
        else if (s.failure === 'tooMany') reject(s.error);
        else if (job?.kind !== 'claim' && job?.kind !== 'create') reject(new Error('Another draft was started instead'));
        // Refused (a 4xx that holding fields cannot fix): the machine keeps trying, the caller hears now.
        else if (s.lane.status === 'waiting' && !isTransient(s.failure)) reject(s.error);
        else return false;
        return true;
      });
    });
  };

  /** Sets fields and marks `step` completed and current, then saves at once (the original design's "step complete"). */
  updateSession = (data: Partial<T>, step: number): Promise<void> => {
    this.catchUp();
    this.dispatch({ type: 'edit', fields: this.fieldsOf(data) });
    const { completedSteps } = this.machine;
    this.dispatch({ type: 'steps', currentStep: step, completedSteps: addStep(completedSteps, step) });
    return this.saveNow();
  };

  /**
   * The person's newest live draft. A page may come back short while more follow (deleted and
   * expired drafts are read and left out), so a few pages are read. Without an answer, none: the
   * list is a convenience, and a new draft is made as in anonymous mode.
   */
  private async newestDraft(): Promise<string | null> {
    let pageToken: string | undefined;
    for (let page = 0; page < 3; page++) {
      const list = await this.within((signal) => this.client.list({ limit: 10, pageToken }, { signal })).catch(() => null);
      if (list === null) return null;
      // Not one this browser submitted: its delete may still be on its way.
      const ended = this.store.ended();
      const live = list.drafts.find((d) => !ended.includes(d.sessionId));
      if (live) return live.sessionId;
      if (list.nextPageToken === undefined) return null;
      pageToken = list.nextPageToken;
    }
    return null;
  }

  /**
   * With every edit storage holds that no draft would send: typed before there was a draft
   * (`NO_DRAFT`), for an `adopted` create, or under a draft no one resumes (a tab that closed on
   * another draft). Of two edits of a field, the one typed later wins.
   */
  private withNoDraft(stored: Stored, adopted: PendingCreate | null, id: string | null = null): Stored {
    const pending = this.store.pending();
    const own = new Set([id, pending && !adopted ? `new:${pending.key}` : null, NO_DRAFT]);
    const strays = this.store.recordIds().filter((record) => !own.has(record));
    const fields = { ...stored.fields };
    for (const record of [...strays, NO_DRAFT]) {
      for (const [field, edit] of Object.entries(this.store.read(record).fields)) {
        if (edit && (fields[field]?.at ?? 0) <= (edit.at ?? 0)) fields[field] = edit;
      }
    }
    return { ...stored, adopted, strays, fields };
  }

  /** Owned mode: the person's live drafts, newest first ("Continue where you left off"). */
  listDrafts = (page: { limit?: number; pageToken?: string } = {}): Promise<DraftList> => this.client.list(page);

  /** Shows the draft `id`, with any edits this browser had not saved yet. */
  loadSession = (id: string): Promise<void> => {
    this.dispatch({ type: 'open', id, stored: this.withNoDraft(this.stored(id), null, id) });
    return this.until(settled);
  };

  /** Deletes the draft (the project was created) and forgets it here and in the other tabs. */
  clearSession = (): Promise<void> => {
    const id = draftOf(this.machine);
    if (id === null) return Promise.resolve();
    this.dispatch({ type: 'submit' });
    return this.until((s) => s.deletes[id]?.reqId == null);
  };

  // --- what the original design lacks --------------------------------------------------------------------

  /** "Start over": deletes the draft and starts an empty one, here and in the other tabs. */
  discardDraft = (): Promise<void> => {
    this.dispatch({ type: 'discard' });
    return this.until(settled);
  };

  /** Changes one field; saved after a pause in typing (`autosaveDelay`). `null`, `undefined` or '' empty it. */
  setField = <K extends keyof T & string>(field: K, value: T[K] | null | undefined): void => {
    // Only the form's fields are drafted: a name outside them (a "confirm e-mail" input) would be
    // refused by the API and held for ever.
    if (!this.fields.includes(field)) return;
    this.catchUp();
    this.dispatch({ type: 'edit', fields: { [field]: normalize(value) } });
  };

  /** The original design's form calls `setProjectData(prev => ({ ...prev, [name]: value }))`. */
  setProjectData = (
    next: Partial<T> | ((previous: Partial<T>) => Partial<T>),
  ): void => {
    const previous: Partial<T> = this.getState().projectData ?? {};
    const data = (typeof next === 'function' ? next(previous) : next) as Record<string, unknown>;
    const fields: Fields = {};
    for (const field of this.fields) if (field in data || field in previous) fields[field] = normalize(data[field]);
    this.catchUp();
    this.dispatch({ type: 'edit', fields });
  };

  setCurrentStep = (step: number): void => {
    this.catchUp();
    this.dispatch({ type: 'steps', currentStep: step, completedSteps: this.machine.completedSteps });
  };

  /** Marks a step completed (once) without moving to another. */
  completeStep = (step: number): void => {
    this.catchUp();
    const { currentStep, completedSteps } = this.machine;
    this.dispatch({ type: 'steps', currentStep, completedSteps: addStep(completedSteps, step) });
  };

  /** Saves now instead of after the delay. Resolves once saved, or waiting for a retry or the person. */
  saveNow = (): Promise<void> => {
    this.dispatch({ type: 'flush' });
    return this.until(settled);
  };

  /** Settles the fields another tab changed too: `'mine'` saves this tab's values, `'theirs'` drops them. */
  resolveConflicts = (keep: 'mine' | 'theirs'): Promise<void> => {
    this.dispatch({ type: 'resolve', keep });
    return this.until(settled);
  };

  private fieldsOf(data: Partial<T>): Fields {
    const fields: Fields = {};
    for (const field of this.fields) if (field in data) fields[field] = normalize((data as Record<string, unknown>)[field]);
    return fields;
  }

  /** Before the person's edit: what storage says now, in case this tab missed another's news. */
  private catchUp(): void {
    const storedId = this.store.sessionId();
    if (storedId !== draftOf(this.machine)) {
      this.dispatch({ type: 'noticed', storedId, ended: this.store.ended(), replaced: this.store.replaced() });
    }
  }

  /** The other tab's change was seen: hide the notice. */
  dismissChangedElsewhere = (): void => {
    this.dispatch({ type: 'dismissChangedElsewhere' });
  };
}

/** Nothing is on its way: the lane is free (or waits for a retry) and no save is due. */
function settled(s: Machine): boolean {
  return s.lane.status === 'waiting' || (s.lane.status === 'idle' && !s.due);
}
