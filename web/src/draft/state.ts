// The draft machine's state, the events it takes and the effects it asks for. Types only, plus
// the state a tab starts in; `transition.ts` is the one place that changes a state.

import type { ApiError, NewSession, Session, SessionPatch, Created, Updated } from '../client';
import type { FieldValue, PendingCreate, SavedCopy, Unsaved, UnsavedField } from '../unsaved';

// Field names are strings here: the form's field list is `Config.fields` (`useDraft<T>` types it).
export type Fields = Partial<Record<string, FieldValue>>;
export type Edits = Partial<Record<string, UnsavedField>>;

/** Steps changed here and not saved yet. */
export interface StepEdits {
  currentStep?: number;
  completedSteps?: number[];
}

export interface FieldConflict {
  field: string;
  /** What this tab has. `null`: the field is empty here. */
  mine: FieldValue;
  /** What the other tab saved. */
  theirs: FieldValue;
}

/**
 * Why a draft is being made. `start`: this browser has none. `gone`: the draft answered 404.
 * `restart`: the person asked for a new one (`createSession`, `discardDraft`).
 */
export type CreateReason = 'start' | 'gone' | 'restart';

/** What the request lane is doing, or will do again when its retry timer fires. */
export type Job =
  | { kind: 'load'; id: string; reason: 'open' | 'follow' }
  /** `since`: a restart's, when the draft it replaces was discarded. */
  | { kind: 'claim'; reason: CreateReason; replacing: string | null; key: string; body: NewSession; since?: number }
  | {
      kind: 'create';
      reason: CreateReason;
      replacing: string | null;
      key: string;
      body: NewSession;
      /** The draft storage named when the tabs' lock was this tab's (a start's create only). */
      saw?: string | null;
      since?: number;
    }
  | { kind: 'save' }
  | { kind: 'read'; id: string; reason: 'refresh' | 'conflict' };

/** A save as sent: what settles when it succeeds, and what a retry may meet as its own write. */
export interface SentSave {
  ifVersion: number;
  fields: Fields;
  steps: StepEdits;
  /** Sent with `keepalive`: it outlives the page. */
  keepalive?: boolean;
}

export type Lane =
  | { status: 'idle' }
  | { status: 'busy'; job: Job; reqId: number; sent?: SentSave }
  | { status: 'waiting'; job: Job; timer: number };

/** An answer sorted into the classes every phase handles. */
export type OutcomeClass =
  | 'ok'
  | 'invalid' // 400 (with field details or not)
  | 'unauthorized' // 401 after the client asked getToken for a fresh token: signed out, or the issuer is down
  | 'tooMany' // 409 at create: the person has as many drafts as one may (owned mode)
  | 'gone' // 404
  | 'conflict' // 412
  | 'tooLarge' // 413
  | 'unsupported' // 415
  | 'throttled' // 429
  | 'refused' // any other 4xx
  | 'server' // 5xx
  | 'network' // no answer
  | 'timeout'; // no answer within the client's timeout

export type Outcome =
  | { ok: true; value: Session | Created | Updated | null }
  | { ok: false; error: ApiError; timedOut: boolean; online: boolean };

export interface DeleteJob {
  attempt: number;
  reqId: number | null;
  timer: number | null;
}

/** A create not yet answered, kept in storage so that a reload repeats it with the same key. */
export type { PendingCreate };

export type TabMessage =
  | { type: 'saved'; id: string; version: number }
  /** `since`: a restart's, when the draft it replaces was discarded. */
  | { type: 'draft'; id: string; replaces: string | null; reason: CreateReason; since?: number }
  | { type: 'ended'; id: string; how: 'submitted' | 'discarded' }
  /**
   * A tab of draft `id` (null: before it had one) went away (`pagehide`) with these edits
   * unsaved: a tab still open on the draft sends them.
   */
  | { type: 'left'; id: string | null; edits: Edits };

/** Where edits typed before there is a draft, or a create to carry them, are kept. */
export const NO_DRAFT = 'new:';

/**
 * Where the draft is, named: each phase holds only what it has. Every other part of `Machine`
 * (the edits, the lane, the browser) is the tab's whatever the phase. The status a page shows
 * (`view.ts`) is read from the phase first.
 */
export type Phase =
  /** The page has not started the draft: typing is kept, nothing is made or sent. */
  | { name: 'closed' }
  /** Owned mode: asking the API for the person's newest draft before starting. */
  | { name: 'finding' }
  /** No draft and none on its way (the last was submitted here): typing makes one. */
  | { name: 'blank' }
  /**
   * Making a draft: the tabs' lock, then a create. What is typed is kept under the create.
   * `heard`: the draft another tab made meanwhile, by its message, for when storage cannot say.
   */
  | { name: 'creating'; heard: string | null }
  /** Asking the server for draft `id`. `fromCopy`: `saved` is this browser's copy of it meanwhile. */
  | { name: 'loading'; id: string; fromCopy: boolean; restoredFromBrowser: boolean }
  /** Draft `id` as the server held it at `version`: edits are saved to it. */
  | { name: 'editing'; id: string; version: number; expiresAt: string | null; lastActivity: string | null; restoredFromBrowser: boolean }
  /**
   * Draft `id` answered 404 (it expired, or was deleted): a new one is being made with what the
   * screen shows and, with `fromCopy`, what this browser kept of it.
   */
  | { name: 'expired'; id: string; fromCopy: boolean; restoredFromBrowser: boolean }
  /** Another tab submitted the draft: nothing is made or sent until the page starts again. */
  | { name: 'submittedElsewhere' };

export type PhaseName = Phase['name'];

export interface Machine {
  phase: Phase;
  /** The draft's fields as the server holds them (empty fields absent). */
  saved: Fields;
  edits: Edits;
  stepEdits: StepEdits;
  currentStep: number;
  completedSteps: number[];
  /** Fields the server refused (400 details): not sent until the person changes them. */
  held: Partial<Record<string, string>>;
  /** What the draft holds that this form cannot: see `DraftState.setAside`. */
  setAside: Record<string, unknown>;
  conflicts: FieldConflict[];
  /** Something to show: a draft was loaded or created, or something typed. */
  shown: boolean;
  /** Something was typed since the draft was loaded or created: 'saved' rather than 'idle'. */
  typed: boolean;
  changedElsewhere: boolean;
  restored: boolean;
  error: ApiError | null;
  failure: OutcomeClass | null;
  /** Failures in a row: the backoff's exponent. */
  attempt: number;
  lane: Lane;
  /** A save was asked for while the lane was busy: send when it is free. */
  due: boolean;
  /** A 412 was merged since the last save that went through: another one waits for a backoff. */
  merged: boolean;
  /** A save whose answer never came: it may have been applied. */
  unconfirmed: SentSave | null;
  autosave: number | null;
  /**
   * Since when this tab has had something to send that no request carries: a save waits for a
   * pause in typing, but never longer than `Config.maxAutosaveDelay` from then.
   */
  unsavedSince: number | null;
  /** The page is hidden: what is sent goes as a request that outlives the page. */
  hidden: boolean;
  deletes: Record<string, DeleteJob>;
  online: boolean;
  storageOk: boolean;
  lastSavedAt: number | null;
  /** The last create this tab saw answered: `createSession` resolves with it. */
  created: { key: string; id: string } | null;
  /** The gone draft this tab's draft replaced, while it shows that replacement. */
  replaced: string | null;
  /** Source of request ids and timer tokens. */
  counter: number;
}

export type TimerName = 'autosave' | 'retry' | `delete:${string}`;

export type DraftEvent =
  // The person, through the hook.
  /** Owned mode's start asks the list first: the page shows it loading meanwhile. */
  | { type: 'find' }
  | { type: 'start'; storedId: string | null; stored: Stored }
  | { type: 'open'; id: string; stored: Stored }
  | { type: 'create'; data: Fields }
  | { type: 'edit'; fields: Fields }
  | { type: 'steps'; currentStep: number; completedSteps: number[] }
  | { type: 'flush' }
  | { type: 'resolve'; keep: 'mine' | 'theirs' }
  | { type: 'dismissChangedElsewhere' }
  | { type: 'submit' }
  | { type: 'discard' }
  // The runner: answers, timers, the tabs' lock, the browser.
  /** `named`: a create's answer comes with the draft storage names now, and the ended ones. */
  | { type: 'response'; reqId: number; outcome: Outcome; named?: Named }
  | { type: 'timer'; name: TimerName; token: number }
  /**
   * The tabs' lock is this tab's: what storage says now. `records`: the edits kept for the
   * stored draft, for the pending create and for no draft yet, read under the lock. `copy`:
   * this browser's copy of the draft the claim replaces.
   */
  | { type: 'claimed'; reqId: number; storedId: string | null; pending: PendingCreate | null; ended: string[]; replaced: Record<string, string>; records: Record<string, Unsaved>; copy?: SavedCopy | null }
  | { type: 'message'; message: TabMessage }
  /** What storage says before the person types: news a tab frozen in the background missed. */
  | { type: 'noticed'; storedId: string | null; ended: string[]; replaced: Record<string, string> }
  | { type: 'online' }
  | { type: 'offline' }
  | { type: 'pagehide' }
  /** The page was hidden (another tab, another app, a locked phone): what waits is sent now. */
  | { type: 'hidden' }
  | { type: 'visible' }
  | { type: 'storageFailed' }
  /**
   * A write went through after storage had refused: what it missed is written now. `named`:
   * the live draft storage named just before, when another than this tab's and the write did
   * not name one itself.
   */
  | { type: 'storageRecovered'; named?: string | null };

/** What storage says as an answer arrives: the draft it names, and the drafts that ended. */
export interface Named {
  id: string | null;
  ended: string[];
}

export type Request =
  | { kind: 'get'; id: string }
  | { kind: 'create'; key: string; body: NewSession }
  | { kind: 'put'; id: string; patch: SessionPatch; ifVersion: number; keepalive?: boolean }
  | { kind: 'delete'; id: string };

/** What storage holds of a draft: the edits not saved, and the copy of what was. */
export type Stored = Unsaved & {
  saved?: SavedCopy | null;
  /** A create no tab finished, whose edits these include: this draft takes them over. */
  adopted?: PendingCreate | null;
  /** Records of edits left under drafts no one resumes, included here: cleared once kept. */
  strays?: string[];
};

export type StorageWrite =
  /**
   * With `over`, from a tab whose storage refused writes: only where storage names no draft,
   * this one, an ended one or one of `over` (the drafts this one replaced), so that a live
   * draft another tab named meanwhile keeps the browser.
   */
  | { op: 'setSessionId'; id: string | null; over?: string[] }
  | { op: 'putField'; id: string; field: string; edit: UnsavedField }
  | { op: 'ackField'; id: string; field: string; value: FieldValue }
  /** Removes a field's entry whatever it holds: a field kept out of storage must not linger there. */
  | { op: 'forgetField'; id: string; field: string }
  | { op: 'putSteps'; id: string; steps: StepEdits }
  | { op: 'ackSteps'; id: string; steps: StepEdits }
  | { op: 'clear'; id: string }
  /** Edits kept for a replaced draft become the new one's, but for values it was made with. */
  | { op: 'move'; from: string; to: string; made: Fields }
  | { op: 'setPending'; pending: PendingCreate | null }
  | { op: 'keepSaved'; id: string; copy: SavedCopy }
  /** Draft `from` was replaced by `to`: the tabs that show `from` may follow. */
  | { op: 'replaced'; from: string; to: string }
  | { op: 'ended'; id: string };

export type Effect =
  | { type: 'request'; reqId: number; request: Request }
  | { type: 'abort'; reqId: number }
  | { type: 'timer'; name: TimerName; token: number; ms: number }
  | { type: 'cancelTimer'; name: TimerName }
  | { type: 'store'; write: StorageWrite }
  | { type: 'broadcast'; message: TabMessage }
  /** Take the tabs' lock; the runner answers with `claimed` and lets go once the lane moves on. */
  | { type: 'claim'; reqId: number };

/** What the runner gives each transition besides the event: the clock and chance, made inputs. */
export interface Env {
  now: number;
  /** In [0, 1), for the backoff's jitter. */
  random: number;
  /** A fresh UUID v4, for a create's idempotency key. */
  newKey: string;
  config: Config;
}

export interface Config {
  /** The pause in typing, in ms, after which what was typed is saved. */
  autosaveDelay: number;
  /** The longest an edit waits while typing goes on without such a pause. */
  maxAutosaveDelay: number;
  retryDelay: number;
  maxRetryDelay: number;
  /** Failed deletes are tried this many times; after that the draft expires on its own. */
  deleteAttempts: number;
  /** Creates sent while each is refused 422 before the create is held (until online again or a reload). */
  createAttempts: number;
  /** The form's fields: others the API returns are left alone, never shown or sent. */
  fields: readonly string[];
  /**
   * Fields never written to storage (personal data): until saved they live in this tab's memory
   * only, so a reload before the save loses them, and a create never carries them (its body is
   * kept in storage): the first save after it does.
   */
  memoryOnly: readonly string[];
  /** Keep a copy of the last saved values in storage, for a draft that expires while closed. */
  keepSavedCopy: boolean;
  /**
   * The browser keeps one draft (anonymous mode: its id in storage is the only way back to it).
   * Owned mode lists the person's drafts, so a tab may keep one of its own.
   */
  single: boolean;
}

export const FIRST_STEP = 1;

export function initialState(online = true): Machine {
  return {
    phase: { name: 'closed' },
    saved: {},
    edits: {},
    stepEdits: {},
    currentStep: FIRST_STEP,
    completedSteps: [],
    held: {},
    setAside: {},
    conflicts: [],
    shown: false,
    typed: false,
    changedElsewhere: false,
    restored: false,
    error: null,
    failure: null,
    attempt: 0,
    lane: { status: 'idle' },
    due: false,
    merged: false,
    unconfirmed: null,
    autosave: null,
    unsavedSince: null,
    hidden: false,
    deletes: {},
    online,
    storageOk: true,
    lastSavedAt: null,
    created: null,
    replaced: null,
    counter: 0,
  };
}

/** The draft this tab shows, and keeps its edits under: a gone one's until it is replaced. */
export function draftOf(s: Machine): string | null {
  const { phase } = s;
  return phase.name === 'loading' || phase.name === 'editing' || phase.name === 'expired' ? phase.id : null;
}

/** The draft as loaded or made, when there is one: only then is anything sent to it. */
export function editing(s: Machine): Extract<Phase, { name: 'editing' }> | null {
  return s.phase.name === 'editing' ? s.phase : null;
}

/** The page has started the draft (`start`, `open`, `create`). */
export function isStarted(s: Machine): boolean {
  return s.phase.name !== 'closed' && s.phase.name !== 'finding';
}

/** `saved` holds this browser's copy of the draft, which the server has not confirmed. */
export function fromCopy(s: Machine): boolean {
  return (s.phase.name === 'loading' || s.phase.name === 'expired') && s.phase.fromCopy;
}

/** The draft had expired when this page opened it, and holds what this browser had kept. */
export function restoredFromBrowser(phase: Phase): boolean {
  return 'restoredFromBrowser' in phase && phase.restoredFromBrowser;
}
