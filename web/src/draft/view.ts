// What the hook returns, derived from the machine's state in one place: the fields as shown,
// the save status, and the rest as a page needs them.

import type { ApiError, ProjectFormData } from '../client';
import { hasSendable, isTransient, keys, onScreen } from './fields';
import { draftOf, editing, restoredFromBrowser, type FieldConflict, type Machine, type PhaseName } from './state';

export type SaveStatus =
  | 'idle' // nothing typed since the draft was loaded or made
  | 'pending' // edits wait for the autosave delay
  | 'saving'
  | 'saved'
  | 'offline' // the browser is offline; edits are kept and sent when it is back
  | 'retrying' // no answer, or the API failed; trying again with backoff
  | 'signedOut' // owned mode: no valid token even after renewal; edits are kept, tried again with backoff
  | 'conflict' // another tab changed the same fields: see `conflicts`
  | 'error'; // refused: see `held` for fields, `error` for the rest; trying again with backoff

/** What a page shows of the draft of a form whose fields are `T`'s. */
export interface DraftState<T extends object = ProjectFormData> {
  /**
   * Where the draft is: `closed` (not started), `finding` (owned mode's list), `blank` (none:
   * typing makes one), `creating`, `loading`, `editing`, `expired` (gone from the server: a new
   * one is being made with what this browser has), `submittedElsewhere`.
   */
  phase: PhaseName;
  sessionId: string | null;
  /** The draft as shown: the saved fields with this tab's unsaved edits on top. */
  projectData: Partial<T> | null;
  currentStep: number;
  completedSteps: number[];
  /** The saved version this tab's edits are based on. */
  version: number | null;
  expiresAt: string | null;
  loading: boolean;
  saveStatus: SaveStatus;
  unsavedFields: (keyof T & string)[];
  /** The draft was changed in another tab since this one loaded or last saved it. */
  changedElsewhere: boolean;
  conflicts: (FieldConflict & { field: keyof T & string })[];
  error: ApiError | null;
  /** When this tab last saved. */
  lastSavedAt: Date | null;
  /** A draft with something in it was loaded when the page opened ("Continue your draft"). */
  restored: boolean;
  /** When the draft was last saved from any tab, as the server says. */
  lastActivity: Date | null;
  /** Fields the server refused, with its message: on screen and kept, not sent until changed. */
  held: Partial<Record<keyof T & string, string>>;
  /**
   * Values the draft holds that this form cannot: fields the API set aside (another deploy's,
   * or outside a field's bounds now) and fields the API has and this form does not. Left stored
   * and never sent; show them read-only ("saved earlier, no longer part of this form").
   */
  setAside: Record<string, unknown>;
  /** Local storage refused a write: edits live in this tab's memory only until saved. */
  storageFailed: boolean;
  /** The draft was submitted in another tab; this one will not make it again. */
  endedElsewhere: 'submitted' | null;
  /**
   * The draft had expired (or was deleted) on the server when this page opened it; a new draft
   * holds what this browser had kept of it (its last saved values and unsaved edits). Say so:
   * "Your draft had expired; restored from this browser".
   */
  restoredFromBrowser: boolean;
}

export function view<T extends object = ProjectFormData>(s: Machine): DraftState<T> {
  const { phase } = s;
  const draft = editing(s);
  return {
    phase: phase.name,
    sessionId: draftOf(s),
    projectData: s.shown ? (onScreen(s.saved, s.edits) as Partial<T>) : null,
    currentStep: s.currentStep,
    completedSteps: s.completedSteps,
    version: draft?.version ?? null,
    expiresAt: draft?.expiresAt ?? null,
    loading: phase.name === 'finding' || phase.name === 'creating' || phase.name === 'loading' || phase.name === 'expired',
    saveStatus: saveStatus(s),
    unsavedFields: keys(s.edits) as (keyof T & string)[],
    changedElsewhere: s.changedElsewhere,
    conflicts: s.conflicts as DraftState<T>['conflicts'],
    error: s.error,
    lastSavedAt: s.lastSavedAt === null ? null : new Date(s.lastSavedAt),
    restored: s.restored,
    lastActivity: draft?.lastActivity ? new Date(draft.lastActivity) : null,
    held: s.held as DraftState<T>['held'],
    setAside: s.setAside,
    storageFailed: !s.storageOk,
    endedElsewhere: phase.name === 'submittedElsewhere' ? 'submitted' : null,
    restoredFromBrowser: restoredFromBrowser(phase),
  };
}

export function saveStatus(s: Machine): SaveStatus {
  const { phase, lane } = s;
  if (phase.name === 'submittedElsewhere') return 'idle';
  if (s.conflicts.length) return 'conflict';
  // Held or backing off: a create refused for good (409, too many drafts) is held until the person acts.
  if (lane.status === 'waiting') {
    if (s.failure === 'unauthorized') return 'signedOut';
    if (isTransient(s.failure) || s.failure === 'conflict') return s.online ? 'retrying' : 'offline';
    return 'error';
  }
  if (lane.status === 'busy') {
    // The replacement of a gone draft carries what was typed; a save, or the read that merges its 412.
    if (phase.name === 'expired') return 'saving';
    const job = lane.job;
    if (phase.name === 'editing' && (job.kind === 'save' || (job.kind === 'read' && job.reason === 'conflict'))) return 'saving';
  }
  // Offline, what waits is not on its way after a pause: it goes once the browser is back.
  if (hasSendable(s)) return s.online ? 'pending' : 'offline';
  if (keys(s.held).length) return 'error';
  return s.typed ? 'saved' : 'idle';
}
