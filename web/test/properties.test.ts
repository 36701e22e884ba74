// Random sequences of edits, timers, answers (true or faulty), other tabs' saves, replacements
// and submits, reloads, offline spells and storage failures, run through the transition
// function (`world.ts`). After every step: each edit is on the server, in local storage, or
// shown (held, in conflict, or with storage reported broken); the id changed only after a 404,
// a clear or a submit; and the requests sent stay bounded.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FIELD_NAMES, FIELD_SPECS, type FieldName } from '../src/client';
import type { FieldValue } from '../src/unsaved';
import { onScreen } from '../src/draft/fields';
import { World, type Fault } from './world';

// From the schema (openapi.yaml via src/fields.ts): two text fields and two numbers this tab
// edits, and a third text field only another tab does.
const TEXT = FIELD_NAMES.filter((f) => FIELD_SPECS[f].kind === 'text');
const NUMBERS = FIELD_NAMES.filter((f) => FIELD_SPECS[f].kind === 'number');
const FIELDS: FieldName[] = [...TEXT.slice(0, 2), ...NUMBERS.slice(0, 2)];
const NUMERIC = new Set<FieldName>(NUMBERS.slice(0, 2));
const ELSEWHERE: FieldName = TEXT[2];
/** Typed by the person at the end of a run; none of the above, so no typed value of theirs is overwritten. */
const AT_THE_END: FieldName = TEXT[3];
/** No request chain without a timer, a person or another tab in between is longer than this. */
const MAX_CHAIN = 6;
/** Requests in any virtual second, beyond those a person's action sends. */
const MAX_PER_SECOND = 10;

const value = fc.oneof(fc.constantFrom<FieldValue>('Riverside', 'Ada', 'x', null), fc.constantFrom<FieldValue>(-5, 0, 12, 1500));

const command = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('edit' as const), field: fc.constantFrom(...FIELDS), value }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 4000 }) }) },
  {
    weight: 10,
    arbitrary: fc.record({
      kind: fc.constant('respond' as const),
      pick: fc.nat(3),
      fault: fc.constantFrom<Fault>('truth', 'truth', 'truth', 'truth', '500', '503', '429', '403', '413', '415', 'network', 'timeout'),
      applied: fc.boolean(),
    }),
  },
  // The server answers every read with a fault and every write truthfully, for several answers in a row.
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('burst' as const), fault: fc.constantFrom<Fault>('500', '403', 'network', 'timeout') }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('step' as const), step: fc.integer({ min: 1, max: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('flush' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('otherSave' as const), field: fc.constantFrom<FieldName>(ELSEWHERE, ...FIELDS), value, heard: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('expire' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('otherReplace' as const), heard: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('otherSubmit' as const), heard: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('online' as const, 'offline' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('pagehide' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('submit' as const, 'discard' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('resolve' as const), keep: fc.constantFrom('mine' as const, 'theirs' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('storageFull' as const, 'reload' as const, 'start' as const) }) },
);

type Command = typeof command extends fc.Arbitrary<infer C> ? C : never;

function apply(w: World, c: Command): void {
  switch (c.kind) {
    case 'edit': {
      const v = NUMERIC.has(c.field) ? (typeof c.value === 'number' ? c.value : null) : typeof c.value === 'string' ? c.value : null;
      // Typed into the form, which a page shows once there is a draft to show (`projectData`).
      const storedId = w.store.sessionId();
      if (storedId !== w.state.sessionId) w.stimulus(true, { type: 'noticed', storedId, ended: w.store.ended(), replaced: w.store.replaced() });
      const shown = onScreen(w.state.saved, w.state.edits)[c.field] ?? null;
      // A value equal to what is shown is no edit.
      if (w.state.shown && w.hasDraft() && w.state.endedElsewhere === null) {
        if (shown !== v) w.typed.set(c.field, v);
      } else {
        w.typed.delete(c.field);
      }
      return w.stimulus(true, { type: 'edit', fields: { [c.field]: v } });
    }
    case 'tick':
      return w.tick(c.ms);
    case 'respond':
      return w.respond(c.pick, c.fault, c.applied);
    case 'burst':
      for (let i = 0; i < 10 && w.outstanding.length; i++) w.respond(0, w.outstanding[0].request.kind === 'get' ? c.fault : 'truth', false);
      return;
    case 'step':
      return w.personEdits({ type: 'steps', currentStep: c.step, completedSteps: w.state.completedSteps });
    case 'flush':
      return w.stimulus(true, { type: 'flush' });
    case 'otherSave':
      return w.otherTab('save', c.field, c.value, c.heard);
    case 'otherReplace':
      return w.otherTab('replace', FIELDS[0], null, c.heard);
    case 'otherSubmit':
      return w.otherTab('submit', FIELDS[0], null, c.heard);
    case 'expire':
      return w.expire();
    case 'online':
    case 'offline':
    case 'pagehide':
      return w.stimulus(c.kind === 'pagehide', { type: c.kind });
    case 'submit':
    case 'discard':
      if (w.state.sessionId) w.mayLeave.add(w.state.sessionId);
      w.typed.clear();
      return w.stimulus(true, { type: c.kind === 'submit' ? 'submit' : 'discard' });
    case 'resolve':
      if (!w.state.conflicts.length) return;
      // Taking the other tab's value is the person's choice to drop theirs.
      if (c.keep === 'theirs') for (const { field } of w.state.conflicts) w.typed.delete(field as FieldName);
      return w.stimulus(true, { type: 'resolve', keep: c.keep });
    case 'storageFull':
      w.storage.full = true;
      return;
    case 'reload':
      // With storage broken the tab said edits live in memory only: closing it loses them.
      if (!w.storage.full) w.reload();
      return;
    case 'start':
      if (!w.hasDraft() && w.state.lane.status === 'idle') w.stimulus(true, { type: 'start', storedId: w.store.sessionId(), stored: { fields: {} } });
      return;
  }
}

function check(w: World, step: number): void {
  expect(w.violations.join('; '), `step ${step}`).toBe('');
  for (const [field, v] of w.typed) {
    expect(w.whereIs(field, v), `step ${step}: ${field} = ${JSON.stringify(v)} is nowhere`).not.toBeNull();
  }
  const last = w.sent.at(-1);
  if (last) {
    expect(last.chain, `step ${step}: a chain of requests with no timer, person or tab between`).toBeLessThanOrEqual(MAX_CHAIN);
    const unprompted = w.sent.filter((r) => !r.person && r.at > last.at - 1000);
    expect(unprompted.length, `step ${step}: requests in the last virtual second`).toBeLessThanOrEqual(MAX_PER_SECOND);
  }
}

/** Answers every request truthfully and lets every timer fire until the tab has nothing left to do. */
function drain(w: World): void {
  for (let i = 0; i < 200; i++) {
    if (w.outstanding.length) w.respond(0, 'truth', false);
    else if (w.state.lane.status === 'waiting' || w.state.autosave !== null) w.tick(60_000);
    else return;
  }
  throw new Error('the tab never settled');
}

/** A tab that has made its draft, to begin from. */
function started(): World {
  const w = new World();
  w.stimulus(true, { type: 'start', storedId: null, stored: { fields: {} } });
  w.respond(0, 'truth', false);
  return w;
}

describe('the draft machine under random sequences of events', () => {
  it('keeps every edit somewhere, changes the id only for a reason, and sends a bounded number of requests', () => {
    fc.assert(
      fc.property(fc.array(command, { minLength: 20, maxLength: 80, size: 'max' }), (commands) => {
        const w = started();
        commands.forEach((c, i) => {
          apply(w, c);
          check(w, i);
        });
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 400) },
    );
  }, 120_000);

  it('ends a random run with every edit on the server once the faults stop', () => {
    fc.assert(
      fc.property(fc.array(command, { minLength: 20, maxLength: 60, size: 'max' }), (commands) => {
        const w = started();
        for (const c of commands) if (c.kind !== 'storageFull') apply(w, c);
        // Faults stop: the network answers truthfully and the browser is online.
        w.stimulus(false, { type: 'online' });
        for (let round = 0; round < 5; round++) {
          drain(w);
          // The person settles each conflict, keeping theirs.
          if (w.state.conflicts.length) w.stimulus(true, { type: 'resolve', keep: 'mine' });
          // A draft that expired unseen is found gone by the next save: the person types on.
          else if (w.state.sessionId && !w.server.has(w.state.sessionId)) w.stimulus(true, { type: 'edit', fields: { [AT_THE_END]: `round ${round}` } });
          else break;
        }
        const draft = w.state.sessionId ? w.server.get(w.state.sessionId) : undefined;
        for (const [field, v] of w.typed) {
          if (w.state.held[field] !== undefined) continue; // refused by the server: shown, kept, not sent
          expect(draft?.data[field] ?? null, `${field}`).toBe(v);
        }
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 300) },
    );
  }, 120_000);
});
