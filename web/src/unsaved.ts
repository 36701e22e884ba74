// Edits the server has not acknowledged yet, kept in localStorage so that a reload, a crash or a
// closed laptop loses nothing. Tabs of one draft share the record, so it is changed field by
// field: a tab writes what it typed and removes a field only while it still holds the value
// that tab saw saved.

import { FIELD_NAMES, type FieldName } from './client';

export type FieldValue = string | number | null;

/** A field typed but not saved: its value, and the server's value when the edit began. */
export interface UnsavedField {
  value: FieldValue;
  base: FieldValue;
}

export interface Unsaved {
  fields: Partial<Record<FieldName, UnsavedField>>;
  currentStep?: number;
  completedSteps?: number[];
}

/** The part of the Web Storage API used here (`localStorage` has it). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** The seed's key: pages that read it keep working. */
export const SESSION_ID_KEY = 'projectSessionId';

export class UnsavedStore {
  constructor(private readonly storage: KeyValueStorage | null) {}

  sessionId(): string | null {
    return this.safely(() => this.storage?.getItem(SESSION_ID_KEY) ?? null, null);
  }

  setSessionId(sessionId: string | null): void {
    this.safely(() => {
      if (sessionId === null) this.storage?.removeItem(SESSION_ID_KEY);
      else this.storage?.setItem(SESSION_ID_KEY, sessionId);
    }, undefined);
  }

  read(sessionId: string): Unsaved {
    const empty: Unsaved = { fields: {} };
    const raw = this.safely(() => this.storage?.getItem(key(sessionId)) ?? null, null);
    if (raw === null) return empty;
    try {
      return sanitize(JSON.parse(raw));
    } catch {
      return empty;
    }
  }

  putField(sessionId: string, field: FieldName, unsaved: UnsavedField): void {
    this.change(sessionId, (record) => {
      record.fields[field] = unsaved;
    });
  }

  /** The server has `value` for `field`: forget the edit unless another was typed since. */
  ackField(sessionId: string, field: FieldName, value: FieldValue): void {
    this.change(sessionId, (record) => {
      if (record.fields[field]?.value === value) delete record.fields[field];
    });
  }

  putSteps(sessionId: string, steps: { currentStep?: number; completedSteps?: number[] }): void {
    this.change(sessionId, (record) => {
      if (steps.currentStep !== undefined) record.currentStep = steps.currentStep;
      if (steps.completedSteps !== undefined) record.completedSteps = steps.completedSteps;
    });
  }

  ackSteps(sessionId: string, steps: { currentStep?: number; completedSteps?: number[] }): void {
    this.change(sessionId, (record) => {
      if (steps.currentStep !== undefined && record.currentStep === steps.currentStep) delete record.currentStep;
      if (steps.completedSteps !== undefined && sameSteps(record.completedSteps, steps.completedSteps)) {
        delete record.completedSteps;
      }
    });
  }

  clear(sessionId: string): void {
    this.safely(() => {
      this.storage?.removeItem(key(sessionId));
      this.storage?.removeItem(savedKey(sessionId));
    }, undefined);
  }

  /** Tells the draft's other tabs (through their `storage` event) that `version` is saved. */
  announceSaved(sessionId: string, version: number): void {
    this.safely(() => this.storage?.setItem(savedKey(sessionId), String(version)), undefined);
  }

  /** The version another tab announced, if `event` is such an announcement for this draft. */
  savedVersion(sessionId: string, event: Pick<StorageEvent, 'key' | 'newValue'>): number | null {
    if (event.key !== savedKey(sessionId) || event.newValue === null) return null;
    const version = Number(event.newValue);
    return Number.isSafeInteger(version) ? version : null;
  }

  private change(sessionId: string, edit: (record: Unsaved) => void): void {
    const record = this.read(sessionId);
    edit(record);
    const empty =
      Object.keys(record.fields).length === 0 && record.currentStep === undefined && record.completedSteps === undefined;
    this.safely(() => {
      if (empty) this.storage?.removeItem(key(sessionId));
      else this.storage?.setItem(key(sessionId), JSON.stringify(record));
    }, undefined);
  }

  // Storage can throw (quota, privacy modes); the draft then lives in memory only.
  private safely<T>(action: () => T, fallback: T): T {
    try {
      return action();
    } catch {
      return fallback;
    }
  }
}

export function sameSteps(a: number[] | undefined, b: number[] | undefined): boolean {
  return a !== undefined && b !== undefined && a.length === b.length && a.every((step, i) => step === b[i]);
}

function key(sessionId: string): string {
  return `projectSession:unsaved:${sessionId}`;
}

function savedKey(sessionId: string): string {
  return `projectSession:saved:${sessionId}`;
}

// What another version of this code, or a hand-edited entry, left behind must not break loading.
function sanitize(parsed: unknown): Unsaved {
  const record: Unsaved = { fields: {} };
  if (typeof parsed !== 'object' || parsed === null) return record;
  const { fields, currentStep, completedSteps } = parsed as Record<string, unknown>;
  if (typeof fields === 'object' && fields !== null) {
    for (const [name, entry] of Object.entries(fields)) {
      if (!FIELD_NAMES.includes(name as FieldName) || typeof entry !== 'object' || entry === null) continue;
      const { value, base } = entry as Record<string, unknown>;
      if (isFieldValue(value) && isFieldValue(base)) record.fields[name as FieldName] = { value, base };
    }
  }
  if (isStep(currentStep)) record.currentStep = currentStep;
  if (Array.isArray(completedSteps) && completedSteps.every(isStep)) record.completedSteps = completedSteps;
  return record;
}

function isFieldValue(value: unknown): value is FieldValue {
  return value === null || typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

function isStep(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 4;
}
