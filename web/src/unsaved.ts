// Edits the server has not acknowledged yet, kept in localStorage so that a reload, a crash or a
// closed laptop loses nothing. Tabs of one draft share the record, so it is changed field by
// field: a tab writes what it typed and removes a field only while it still holds the value
// that tab saw saved.

import { FIELD_ALIASES, FIELD_NAMES, type NewSession } from './client';

/** A create sent and not answered yet. */
export interface PendingCreate {
  key: string;
  body: NewSession;
  replacing: string | null;
}

export type FieldValue = string | number | null;

/** A field typed but not saved: its value, and the server's value when the edit began. */
export interface UnsavedField {
  value: FieldValue;
  base: FieldValue;
  /** When it was typed (ms since the epoch): of two tabs' edits of one field, the later wins. */
  at?: number;
}

export interface Unsaved {
  fields: Partial<Record<string, UnsavedField>>;
  currentStep?: number;
  completedSteps?: number[];
}

/**
 * What the server last held of a draft, as this browser saw it (never a field kept out of
 * storage): a draft that expires while its tabs are closed comes back from it.
 */
export interface SavedCopy {
  fields: Partial<Record<string, FieldValue>>;
  currentStep: number;
  completedSteps: number[];
  /** When it was written (ms since the epoch): an unsaved edit older than it was overtaken. */
  at?: number;
}

/** The part of the Web Storage API used here (`localStorage` has it). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** The original design's key: pages that read it keep working. */
export const SESSION_ID_KEY = 'projectSessionId';

export class UnsavedStore {
  /**
   * `fields`: the form's fields; others in storage (another version's, a hand edit) are ignored,
   * but for the API's fields and a field's old name (`aliases`: old -> new), read as the field.
   */
  constructor(
    private readonly storage: KeyValueStorage | null,
    fields: readonly string[] = FIELD_NAMES,
    private readonly aliases: Readonly<Record<string, string>> = FIELD_ALIASES,
    owner: string | null = null,
  ) {
    // Every field the API knows stays in a record rewritten here, also one this form lacks (a
    // page with fewer fields must not erase another page's edits); the machine picks its own.
    this.fields = [...new Set([...FIELD_NAMES, ...fields])];
    this.keys = storageKeys(owner);
  }

  private readonly fields: readonly string[];
  private readonly keys: ReturnType<typeof storageKeys>;

  sessionId(): string | null {
    return this.get(this.keys.sessionId);
  }

  setSessionId(sessionId: string | null): boolean {
    return sessionId === null ? this.remove(this.keys.sessionId) : this.set(this.keys.sessionId, sessionId);
  }

  read(sessionId: string): Unsaved {
    return sanitize(this.json(this.keys.unsaved + sessionId), this.fields, this.aliases);
  }

  /**
   * The ids of every record of unsaved edits this storage holds for this owner (none when it
   * cannot be listed): a tab that closed with edits under a draft no one resumes left them.
   */
  recordIds(): string[] {
    const storage = this.storage as Partial<ListableStorage> | null;
    if (typeof storage?.key !== 'function' || typeof storage.length !== 'number') return [];
    const ids: string[] = [];
    for (let i = 0; i < storage.length; i++) {
      const name = storage.key(i);
      if (name?.startsWith(this.keys.unsaved)) ids.push(name.slice(this.keys.unsaved.length));
    }
    return ids;
  }

  /** Keeps the field's edit, unless the one kept already was typed later (in another tab). */
  putField(sessionId: string, field: string, unsaved: UnsavedField): boolean {
    return this.change(sessionId, (record) => {
      if ((record.fields[field]?.at ?? 0) > (unsaved.at ?? 0)) return;
      record.fields[field] = unsaved;
    });
  }

  /** The server has `value` for `field`: forget the edit unless another was typed since. */
  ackField(sessionId: string, field: string, value: FieldValue): boolean {
    return this.change(sessionId, (record) => {
      if (record.fields[field]?.value === value) delete record.fields[field];
    });
  }

  forgetField(sessionId: string, field: string): boolean {
    return this.change(sessionId, (record) => {
      delete record.fields[field];
    });
  }

  putSteps(sessionId: string, steps: { currentStep?: number; completedSteps?: number[] }): boolean {
    return this.change(sessionId, (record) => {
      if (steps.currentStep !== undefined) record.currentStep = steps.currentStep;
      if (steps.completedSteps !== undefined) record.completedSteps = steps.completedSteps;
    });
  }

  ackSteps(sessionId: string, steps: { currentStep?: number; completedSteps?: number[] }): boolean {
    return this.change(sessionId, (record) => {
      if (steps.currentStep !== undefined && record.currentStep === steps.currentStep) delete record.currentStep;
      if (steps.completedSteps !== undefined && sameSteps(record.completedSteps, steps.completedSteps)) {
        delete record.completedSteps;
      }
    });
  }

  clear(sessionId: string): boolean {
    const copy = this.remove(this.keys.saved + sessionId);
    return this.remove(this.keys.unsaved + sessionId) && copy;
  }

  /** The last saved values of draft `sessionId` this browser kept, if any. */
  readSaved(sessionId: string): SavedCopy | null {
    const value = this.json(this.keys.saved + sessionId);
    if (typeof value !== 'object' || value === null) return null;
    const { fields, currentStep, completedSteps, at } = value as Record<string, unknown>;
    const steps = sanitize({ fields: {}, currentStep, completedSteps }, this.fields, this.aliases);
    const copy: SavedCopy = { fields: sanitizeData(fields, this.fields) as SavedCopy['fields'], currentStep: steps.currentStep ?? 1, completedSteps: steps.completedSteps ?? [] };
    if (typeof at === 'number' && Number.isFinite(at)) copy.at = at;
    return copy;
  }

  keepSaved(sessionId: string, copy: SavedCopy): boolean {
    return this.set(this.keys.saved + sessionId, JSON.stringify(copy));
  }

  /**
   * The draft `from` was replaced by `to`: edits kept for it (this tab's, or another's, open or
   * closed) become edits of `to`, unless `to` has that field's edit already or was made with
   * that very value (`made`).
   */
  move(from: string, to: string, made: Partial<Record<string, FieldValue>>): boolean {
    const old = this.read(from);
    const ok = this.change(to, (record) => {
      for (const [field, edit] of Object.entries(old.fields) as [string, UnsavedField][]) {
        // An edit the new draft was made with is saved already; of two edits, the later wins.
        const there = record.fields[field];
        if (made[field] !== edit.value && (there === undefined || (edit.at ?? 0) > (there.at ?? 0))) record.fields[field] = edit;
      }
      record.currentStep ??= old.currentStep;
      record.completedSteps ??= old.completedSteps;
    });
    return ok && this.clear(from);
  }

  /** A create sent and not answered yet: a reload repeats it with the same idempotency key. */
  pending(): PendingCreate | null {
    const value = this.json(this.keys.pending);
    if (typeof value !== 'object' || value === null) return null;
    const { key: createKey, body, replacing } = value as Record<string, unknown>;
    if (typeof createKey !== 'string' || typeof body !== 'object' || body === null) return null;
    if (replacing !== null && typeof replacing !== 'string') return null;
    const stored = sanitize({ fields: {}, ...(body as object) }, this.fields, this.aliases);
    const projectData = (body as { projectData?: unknown }).projectData;
    return {
      key: createKey,
      replacing,
      body: { projectData: sanitizeData(projectData, this.fields), currentStep: stored.currentStep, completedSteps: stored.completedSteps },
    };
  }

  setPending(pending: PendingCreate | null): boolean {
    return pending === null ? this.remove(this.keys.pending) : this.set(this.keys.pending, JSON.stringify(pending));
  }

  /** Drafts submitted in this browser: no tab makes them again. The last few are kept. */
  ended(): string[] {
    const value = this.json(this.keys.ended);
    return Array.isArray(value) ? value.filter((id): id is string => typeof id === 'string') : [];
  }

  /** Drafts replaced in this browser, old id -> new (a 404, "Start over"): tabs follow these only. */
  replaced(): Record<string, string> {
    const value = this.json(this.keys.replaced);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
    return Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string'));
  }

  markReplaced(from: string, to: string): boolean {
    const kept = Object.entries({ ...this.replaced(), [from]: to }).slice(-ENDED_KEPT);
    return this.set(this.keys.replaced, JSON.stringify(Object.fromEntries(kept)));
  }

  markEnded(sessionId: string): boolean {
    return this.set(this.keys.ended, JSON.stringify([...this.ended().filter((id) => id !== sessionId), sessionId].slice(-ENDED_KEPT)));
  }

  private change(sessionId: string, edit: (record: Unsaved) => void): boolean {
    const record = this.read(sessionId);
    edit(record);
    const empty =
      Object.keys(record.fields).length === 0 && record.currentStep === undefined && record.completedSteps === undefined;
    const name = this.keys.unsaved + sessionId;
    return empty ? this.remove(name) : this.set(name, JSON.stringify(record));
  }

  private json(name: string): unknown {
    const raw = this.get(name);
    if (raw === null) return null;
    try {
      return JSON.parse(raw);
    } catch {
      return null;
    }
  }

  // Storage can throw (quota, privacy modes): reads then find nothing, and writes say they failed.
  private get(name: string): string | null {
    try {
      return this.storage?.getItem(name) ?? null;
    } catch {
      return null;
    }
  }

  private set(name: string, value: string): boolean {
    try {
      this.storage?.setItem(name, value);
      return this.storage !== null;
    } catch {
      return false;
    }
  }

  private remove(name: string): boolean {
    try {
      this.storage?.removeItem(name);
      return true;
    } catch {
      return false;
    }
  }
}

export function sameSteps(a: number[] | undefined, b: number[] | undefined): boolean {
  return a !== undefined && b !== undefined && a.length === b.length && a.every((step, i) => step === b[i]);
}

/**
 * Where a browser keeps drafts: the original design's keys in anonymous mode; in owned mode,
 * the same under the owner's own prefix, so that people sharing a browser never share them.
 */
function storageKeys(owner: string | null) {
  if (owner === null) {
    return {
      sessionId: SESSION_ID_KEY,
      unsaved: 'projectSession:unsaved:',
      saved: 'projectSession:saved:',
      pending: 'projectSession:create',
      ended: 'projectSession:ended',
      replaced: 'projectSession:replaced',
    };
  }
  const prefix = ownerPrefix(owner);
  return { sessionId: `${prefix}sessionId`, unsaved: `${prefix}unsaved:`, saved: `${prefix}saved:`, pending: `${prefix}create`, ended: `${prefix}ended`, replaced: `${prefix}replaced` };
}

/** Every key kept for `owner` starts so (`forgetOwner` clears them all). */
export function ownerPrefix(owner: string): string {
  return `projectSession@${encodeURIComponent(owner)}:`;
}

/** Storage that can be listed, as `localStorage` can. */
export interface ListableStorage extends KeyValueStorage {
  readonly length: number;
  key(index: number): string | null;
}

/**
 * At sign-out: forgets everything this browser kept for `owner` (unsaved edits, the draft's
 * id, a create on its way), so that the next person on this browser starts from nothing. The
 * drafts themselves stay on the server, for the owner's next sign-in, on any device.
 */
export function forgetOwner(storage: ListableStorage, owner: string): void {
  const prefix = ownerPrefix(owner);
  const names: string[] = [];
  for (let i = 0; i < storage.length; i++) {
    const name = storage.key(i);
    if (name?.startsWith(prefix)) names.push(name);
  }
  for (const name of names) storage.removeItem(name);
}

/**
 * Whether this browser holds anything of `owner`'s (null: anonymous mode's) that the server may
 * not have: an edit not acknowledged, steps not saved, or a create not answered, by any tab. An
 * app asks before `forgetOwner` at sign-out, or before "Start over", instead of erasing them.
 */
export function hasUnsaved(storage: ListableStorage, owner: string | null = null): boolean {
  const store = new UnsavedStore(storage, FIELD_NAMES, FIELD_ALIASES, owner);
  if (store.pending() !== null) return true;
  for (const id of store.recordIds()) {
    const record = store.read(id);
    const edited = Object.values(record.fields).some((f) => f !== undefined && f.value !== f.base);
    if (edited || record.currentStep !== undefined || record.completedSteps !== undefined) return true;
  }
  return false;
}

const ENDED_KEPT = 20;

// What another version of this code, or a hand-edited entry, left behind must not break loading.
function sanitize(parsed: unknown, names: readonly string[], aliases: Readonly<Record<string, string>>): Unsaved {
  const record: Unsaved = { fields: {} };
  if (typeof parsed !== 'object' || parsed === null) return record;
  const { fields, currentStep, completedSteps } = parsed as Record<string, unknown>;
  if (typeof fields === 'object' && fields !== null) {
    for (const [name, entry] of Object.entries(fields)) {
      const field = known(name, names, aliases);
      if (field === null || typeof entry !== 'object' || entry === null) continue;
      const { value, base, at } = entry as Record<string, unknown>;
      // Under its current name and an old one: the current name's entry wins.
      if (isFieldValue(value) && isFieldValue(base) && (field === name || !(field in record.fields))) {
        record.fields[field] = typeof at === 'number' && Number.isFinite(at) ? { value, base, at } : { value, base };
      }
    }
  }
  if (isStep(currentStep)) record.currentStep = currentStep;
  if (Array.isArray(completedSteps) && completedSteps.every(isStep)) record.completedSteps = completedSteps;
  return record;
}

function sanitizeData(data: unknown, names: readonly string[]): Record<string, FieldValue> {
  const fields: Record<string, FieldValue> = {};
  if (typeof data !== 'object' || data === null) return fields;
  for (const [name, value] of Object.entries(data)) {
    if (names.includes(name) && isFieldValue(value) && value !== null) fields[name] = value;
  }
  return fields;
}

/** The form's field `name` is, or was before a rename; `null` for any other name. */
function known(name: string, names: readonly string[], aliases: Readonly<Record<string, string>>): string | null {
  if (names.includes(name)) return name;
  const renamed = Object.hasOwn(aliases, name) ? aliases[name] : undefined;
  return renamed !== undefined && names.includes(renamed) ? renamed : null;
}

/** A value a field can hold: text, a finite number, or nothing. */
export function isFieldValue(value: unknown): value is FieldValue {
  return value === null || typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

function isStep(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 4;
}
