// Pure helpers on field values and steps: normalising what a form gives, what is on screen,
// what a save sends, and which refused fields a 400's details name.

import type { ProjectDataPatch, SessionPatch } from '../client';
import { sameSteps, type FieldValue } from '../unsaved';
import { editing, type Edits, type Fields, type Machine, type OutcomeClass, type SentSave, type StepEdits } from './state';

/** '' and `undefined` mean an empty field, which the API stores as no field at all. */
export function normalize(value: unknown): FieldValue {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  return typeof value === 'string' ? value : String(value);
}

/** The form's fields (`names`) of `data` that hold a value, normalised. */
export function nonEmpty(data: Partial<Record<string, unknown>> | null | undefined, names: readonly string[]): Fields {
  const fields: Fields = {};
  for (const field of names) {
    const value = normalize(data?.[field]);
    if (value !== null) fields[field] = value;
  }
  return fields;
}

/** The saved fields with this tab's edits on top: what the form shows. */
export function onScreen(saved: Fields, edits: Edits): Fields {
  const shown: Fields = { ...saved };
  for (const field of keys(edits)) {
    const value = edits[field]!.value;
    if (value === null) delete shown[field];
    else shown[field] = value;
  }
  return shown;
}

/** Field values as the API's patch type (a value's type follows its field, which `Fields` does not say). */
export function asPatch(fields: Fields): ProjectDataPatch {
  return fields as ProjectDataPatch;
}

export function keys<T extends object>(record: T): (keyof T & string)[] {
  return Object.keys(record) as (keyof T & string)[];
}

/** What a save would send now: every edit not held back, and the steps when changed. */
export function sendable(s: Machine): SentSave & { patch: SessionPatch } {
  const fields: Fields = {};
  // Held fields wait for the person to change them; fields in conflict for the person to choose.
  const open = new Set(s.conflicts.map((c) => c.field));
  for (const field of keys(s.edits)) {
    if (s.held[field] === undefined && !open.has(field)) fields[field] = s.edits[field]!.value;
  }
  const steps: StepEdits = { ...s.stepEdits };
  const patch: SessionPatch = {};
  if (keys(fields).length) patch.projectData = asPatch(fields);
  if (steps.currentStep !== undefined) patch.currentStep = steps.currentStep;
  if (steps.completedSteps !== undefined) patch.completedSteps = steps.completedSteps;
  return { ifVersion: editing(s)?.version ?? 0, fields, steps, patch };
}

/** `fetch` refuses a keepalive body over 64 KiB (all such requests in flight together). */
const KEEPALIVE_LIMIT = 60_000;

/** Whether `patch` may go as a keepalive request; a larger one goes as a plain one. */
export function fitsKeepalive(patch: SessionPatch): boolean {
  return JSON.stringify(patch).length < KEEPALIVE_LIMIT;
}

/** The save on its way carries everything there is to send (and outlives the page, with `keepalive`). */
export function inFlight(s: Machine, keepalive = false): boolean {
  const { lane } = s;
  if (lane.status !== 'busy' || lane.job.kind !== 'save' || !lane.sent || (keepalive && !lane.sent.keepalive)) return false;
  const now = sendable(s);
  return JSON.stringify([lane.sent.fields, lane.sent.steps]) === JSON.stringify([now.fields, now.steps]);
}

export function hasSendable(s: Machine): boolean {
  return Object.keys(sendable(s).patch).length > 0;
}

/** A draft is loaded or made and there is something to send (an open conflict blocks its fields only). */
export function canSend(s: Machine): boolean {
  return s.phase.name === 'editing' && hasSendable(s);
}

/**
 * The fields a 400 names (`projectData.<field>` -> message), when every name is a field that was
 * sent; `null` when the refusal is about something else, which holding fields cannot fix.
 */
export function refusedFields(details: Record<string, string> | undefined, sent: Fields): Partial<Record<string, string>> | null {
  if (!details || !Object.keys(details).length) return null;
  const held: Partial<Record<string, string>> = {};
  for (const [path, message] of Object.entries(details)) {
    // The server lists 20 problems and counts the rest under `…`: not a field.
    if (path === '…') continue;
    const field = path.replace(/^projectData\./, '');
    if (!path.startsWith('projectData.') || !(field in sent)) return null;
    held[field] = message;
  }
  return Object.keys(held).length ? held : null;
}

/** What a 413 holds back: the largest field sent, so that the others can be saved without it. */
export function tooLargeField(sent: Fields): Partial<Record<string, string>> | null {
  let largest: string | null = null;
  let size = -1;
  for (const field of keys(sent)) {
    const length = JSON.stringify(sent[field] ?? null).length;
    if (length > size) [largest, size] = [field, length];
  }
  return largest === null ? null : { [largest]: 'Too large to save: shorten it' };
}

/** The fields an answer refuses, when it names them (400) or when one must be too large (413). */
export function heldBy(failure: OutcomeClass, details: Record<string, string> | undefined, sent: Fields): Partial<Record<string, string>> | null {
  if (failure === 'invalid') return refusedFields(details, sent);
  if (failure === 'tooLarge') return tooLargeField(sent);
  return null;
}

export function classify(status: number, timedOut: boolean): Exclude<OutcomeClass, 'ok'> {
  if (timedOut) return 'timeout';
  if (status === 0) return 'network';
  if (status === 400) return 'invalid';
  if (status === 401) return 'unauthorized';
  if (status === 409) return 'tooMany';
  if (status === 404) return 'gone';
  if (status === 412) return 'conflict';
  if (status === 413) return 'tooLarge';
  if (status === 415) return 'unsupported';
  if (status === 429) return 'throttled';
  if (status >= 500) return 'server';
  return 'refused';
}

/**
 * Answers that say nothing about the request itself: the same request may well work later. A
 * 401 too: a token renewed later (the person signs in again) makes it good, and the draft and
 * every edit are kept meanwhile.
 */
export function isTransient(failure: OutcomeClass | null): boolean {
  return failure === 'network' || failure === 'timeout' || failure === 'server' || failure === 'throttled' || failure === 'unauthorized';
}

export function addStep(steps: number[], step: number): number[] {
  return steps.includes(step) ? steps : [...steps, step].sort((a, b) => a - b);
}

export function union(a: number[], b: number[]): number[] {
  return [...new Set([...a, ...b])].sort((x, y) => x - y);
}

export { sameSteps };
