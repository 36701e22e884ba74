// The transition function as a table: every phase that sends a request, answered with every
// class of outcome, and what the machine does next. No runner, no timers, no network.

import { describe, expect, it } from 'vitest';
import type { FieldName } from '../src/client';
import { saveStatus, view, type Effect, type SaveStatus } from '../src/draft';
import type { Fields, Outcome } from '../src/draft/state';
import { A, B, Driver, failed, loaded, NOW, ok, session } from './machine';

type Phase = 'load' | 'create' | 'save' | 'merge-read' | 'delete';
type OutcomeName = '2xx' | '400 with details' | '404' | '412' | '413' | '415' | '429' | '403' | '500' | 'a network error' | 'a timeout';
type Next = 'GET' | 'PUT' | 'POST' | 'claim' | 'retry' | 'nothing' | 'delete retry';
type Edits = 'kept' | 'saved' | 'held' | 'dropped';

const OUTCOMES: OutcomeName[] = ['2xx', '400 with details', '404', '412', '413', '415', '429', '403', '500', 'a network error', 'a timeout'];

interface Setup {
  d: Driver;
  reqId: number;
  /** What the person typed that this phase is carrying. */
  typed: Fields;
  okValue: Parameters<typeof ok>[0];
  refused: FieldName | null;
}

const phases: Record<Phase, () => Setup> = {
  // Page load with an edit a closed tab left in storage.
  load() {
    const d = new Driver();
    d.send({ type: 'start', storedId: A, stored: { fields: { budget: { value: 5, base: null } } } });
    return { d, reqId: d.lane().reqId, typed: { budget: 5 }, okValue: session(A, 3, { projectName: 'Riverside' }), refused: null };
  },
  // The draft answered 404 to a save: a replacement is being made with what is on screen.
  create() {
    const d = loaded();
    d.send({ type: 'edit', fields: { squareFootage: -5, clientName: 'Ada' } });
    d.fire('autosave');
    d.answer(failed(404));
    d.claimed(A);
    return {
      d,
      reqId: d.lane().reqId,
      typed: { squareFootage: -5, clientName: 'Ada' },
      okValue: { sessionId: B, expiresAt: new Date(NOW).toISOString(), version: 1 },
      refused: 'squareFootage',
    };
  },
  save() {
    const d = loaded();
    d.send({ type: 'edit', fields: { projectName: 'x'.repeat(201), clientName: 'Ada' } });
    d.fire('autosave');
    const typed = { projectName: 'x'.repeat(201), clientName: 'Ada' };
    return { d, reqId: d.lane().reqId, typed, okValue: { success: true, version: 4, expiresAt: new Date(NOW).toISOString() }, refused: 'projectName' };
  },
  // A save met 412: the latest draft is being read to merge with.
  'merge-read'() {
    const d = loaded();
    d.send({ type: 'edit', fields: { clientName: 'Ada' } });
    d.fire('autosave');
    d.answer(failed(412, { currentVersion: 4 }));
    const latest = session(A, 4, { projectName: 'Riverside', buildingType: 'office' });
    return { d, reqId: d.lane().reqId, typed: { clientName: 'Ada' }, okValue: latest, refused: null };
  },
  // The person submitted the draft: it is deleted on the server.
  delete() {
    const d = loaded();
    d.send({ type: 'edit', fields: { clientName: 'Ada' } });
    const effects = d.send({ type: 'submit' });
    const request = effects.find((e) => e.type === 'request' && e.request.kind === 'delete') as Extract<Effect, { type: 'request' }>;
    return { d, reqId: request.reqId, typed: {}, okValue: null, refused: null };
  },
};

function outcomeFor(name: OutcomeName, setup: Setup): Outcome {
  const details = setup.refused ? { [`projectData.${setup.refused}`]: 'is not allowed' } : { sessionId: 'must be a UUID v4' };
  const bare = (status: number) => () => failed(status);
  const outcomes: Record<OutcomeName, () => Outcome> = {
    '2xx': () => ok(setup.okValue),
    '400 with details': () => failed(400, { details }),
    '404': bare(404),
    '412': () => failed(412, { currentVersion: 9 }),
    '413': bare(413),
    '415': bare(415),
    '429': () => failed(429, { retryAfter: 2 }),
    '403': bare(403),
    '500': bare(500),
    'a network error': bare(0),
    'a timeout': () => failed(0, {}, { timedOut: true }),
  };
  return outcomes[name]();
}

interface Expected {
  next: Next;
  id: 'kept' | 'changed' | 'cleared';
  edits: Edits;
  status: SaveStatus;
}

const retry = (status: SaveStatus): Expected => ({ next: 'retry', id: 'kept', edits: 'kept', status });
const refusedRetry = retry('error');
const transientRetry = retry('retrying');
const gone: Expected = { next: 'claim', id: 'kept', edits: 'kept', status: 'saving' };
const deleteDone: Expected = { next: 'nothing', id: 'cleared', edits: 'dropped', status: 'idle' };
const deleteRetry: Expected = { next: 'delete retry', id: 'cleared', edits: 'dropped', status: 'idle' };

// A read (the draft's load, and the read before a merge) answers alike.
const readAnswers: Record<OutcomeName, Expected> = {
  '2xx': { next: 'PUT', id: 'kept', edits: 'kept', status: 'saving' },
  '400 with details': refusedRetry,
  '404': gone,
  '412': transientRetry,
  '413': refusedRetry,
  '415': refusedRetry,
  '429': transientRetry,
  '403': refusedRetry,
  '500': transientRetry,
  'a network error': transientRetry,
  'a timeout': transientRetry,
};

const TABLE: Record<Phase, Record<OutcomeName, Expected>> = {
  load: readAnswers,
  create: {
    '2xx': { next: 'nothing', id: 'changed', edits: 'saved', status: 'saved' },
    '400 with details': { next: 'POST', id: 'kept', edits: 'held', status: 'saving' },
    '404': refusedRetry,
    '412': transientRetry,
    '413': { next: 'POST', id: 'kept', edits: 'held', status: 'saving' },
    '415': refusedRetry,
    '429': transientRetry,
    '403': refusedRetry,
    '500': transientRetry,
    'a network error': transientRetry,
    'a timeout': transientRetry,
  },
  save: {
    '2xx': { next: 'nothing', id: 'kept', edits: 'saved', status: 'saved' },
    '400 with details': { next: 'PUT', id: 'kept', edits: 'held', status: 'saving' },
    '404': gone,
    '412': { next: 'GET', id: 'kept', edits: 'kept', status: 'saving' },
    '413': { next: 'PUT', id: 'kept', edits: 'held', status: 'saving' },
    '415': refusedRetry,
    '429': transientRetry,
    '403': refusedRetry,
    '500': transientRetry,
    'a network error': transientRetry,
    'a timeout': transientRetry,
  },
  'merge-read': readAnswers,
  delete: {
    '2xx': deleteDone,
    '400 with details': deleteDone,
    '404': deleteDone,
    '412': deleteDone,
    '413': deleteDone,
    '415': deleteDone,
    '429': deleteRetry,
    '403': deleteDone,
    '500': deleteRetry,
    'a network error': deleteRetry,
    'a timeout': deleteRetry,
  },
};

const ID_TEXT = { kept: 'keeps the id', changed: 'moves to the new id', cleared: 'stays cleared' };
const EDITS_TEXT = { kept: 'keeps every edit', saved: 'has the edits on the server', held: 'holds the refused field and keeps the rest', dropped: 'has no edits' };
const NEXT_TEXT: Record<Next, string> = {
  GET: 'reads the draft at once',
  PUT: 'saves at once',
  POST: 'creates again at once without the refused field',
  claim: 'takes the tabs\' lock to replace the draft',
  retry: 'retries after a backoff',
  nothing: 'sends nothing more',
  'delete retry': 'retries the delete after a backoff',
};

const rows = (Object.keys(TABLE) as Phase[]).flatMap((phase) =>
  OUTCOMES.map((outcome) => {
    const e = TABLE[phase][outcome];
    const name = `a ${phase} answered ${outcome} ${ID_TEXT[e.id]}, ${EDITS_TEXT[e.edits]}, ${NEXT_TEXT[e.next]} and shows '${e.status}'`;
    return { phase, outcome, expected: e, name };
  }),
);

function nextOf(effects: Effect[], reqIdsBefore: number): Next {
  const requests = effects.filter((e): e is Extract<Effect, { type: 'request' }> => e.type === 'request' && e.reqId > reqIdsBefore);
  if (effects.some((e) => e.type === 'claim')) return 'claim';
  if (requests.length) return ({ get: 'GET', put: 'PUT', create: 'POST', delete: 'DELETE' } as const)[requests[0].request.kind] as Next;
  const timers = effects.filter((e): e is Extract<Effect, { type: 'timer' }> => e.type === 'timer');
  if (timers.some((t) => t.name === 'retry')) return 'retry';
  if (timers.some((t) => t.name.startsWith('delete:'))) return 'delete retry';
  return 'nothing';
}

describe('the transition function, every phase answered with every class of outcome', () => {
  it('has a row for each of the 5 phases and 11 outcome classes', () => {
    expect(rows).toHaveLength(55);
    expect(new Set(rows.map((r) => `${r.phase}/${r.outcome}`)).size).toBe(55);
  });

  it.each(rows.map((row) => [row.name, row] as const))('%s', (_name, { phase, outcome, expected }) => {
    const setup = phases[phase]();
    const { d, reqId, typed } = setup;
    const before = d.state;
    const effects = d.answer(outcomeFor(outcome, setup), reqId);
    const s = d.state;

    expect(nextOf(effects, before.counter)).toBe(expected.next);
    expect(saveStatus(s)).toBe(expected.status);
    if (expected.id === 'kept') expect(view(s).sessionId).toBe(view(before).sessionId);
    if (expected.id === 'changed') expect(view(s).sessionId).toBe(B);
    if (expected.id === 'cleared') expect(view(s).sessionId).toBeNull();

    for (const [field, value] of Object.entries(typed) as [FieldName, string | number][]) {
      if (expected.edits === 'saved') {
        expect(s.saved[field]).toBe(value);
        expect(s.edits[field]).toBeUndefined();
      } else {
        // Kept or held: the person's value stays unsaved, on screen and (through the store effects) in storage.
        expect(s.edits[field]?.value).toBe(value);
      }
    }
    // A 400 names the refused field; a 413 holds the largest one sent.
    if (expected.edits === 'held' && outcome === '413') expect(Object.values(s.held)).toEqual(['Too large to save: shorten it']);
    else if (expected.edits === 'held') expect(s.held[setup.refused!]).toBe('is not allowed');
    else expect(s.held).toEqual({});
    if (expected.edits === 'dropped') expect(s.edits).toEqual({});

    if (expected.next === 'retry') {
      expect(s.error).not.toBeNull();
      const timer = effects.find((e) => e.type === 'timer' && e.name === 'retry') as Extract<Effect, { type: 'timer' }>;
      // The first backoff of a phase that has not failed before (a merge-read follows one 412).
      const ceiling = 500 * 2 ** before.attempt;
      expect(timer.ms).toBeLessThanOrEqual(Math.max(ceiling, outcome === '429' ? 2000 : 0));
      if (outcome === '429') expect(timer.ms).toBeGreaterThanOrEqual(2000);
    }
  });
});


/** A loaded draft whose save of `clientName` lost its reply, was sent again and met a 412 at version 4. */
function resentSaveMeets412() {
  const d = loaded();
  d.send({ type: 'edit', fields: { clientName: 'Ada' } });
  d.fire('autosave');
  d.answer(failed(0, {}, { timedOut: true }));
  d.fire('retry');
  d.answer(failed(412, { currentVersion: 4 }));
  return d;
}
describe('the transition function, around the table', () => {
  it('retries a create with the same idempotency key, so a lost reply does not leave a second draft', () => {
    const setup = phases.create();
    const { d } = setup;
    const first = d.lane().request;
    d.answer(failed(0, {}, { timedOut: true }));
    d.fire('retry');
    const again = d.lane().request;
    expect(again).toEqual(first);
    // And kept in storage with the create, so that a reload repeats it too.
    expect(d.effects).toContainEqual({ type: 'store', write: { op: 'setPending', pending: { key: (first as { key: string }).key, body: (first as { body: object }).body, replacing: A } } });
  });

  it('drops an answer to a request it no longer waits for', () => {
    const d = loaded();
    d.send({ type: 'edit', fields: { clientName: 'Ada' } });
    d.fire('autosave');
    const stale = d.lane().reqId;
    d.send({ type: 'submit' });
    const state = d.state;
    expect(d.answer(ok({ success: true, version: 4, expiresAt: '' }), stale)).toEqual([]);
    expect(d.state).toBe(state);
  });

  it('reads at once after the first 412 but only after a backoff after the second', () => {
    const d = loaded();
    d.send({ type: 'edit', fields: { clientName: 'Ada' } });
    d.fire('autosave');
    expect(nextOf(d.answer(failed(412)), 0)).toBe('GET');
    expect(nextOf(d.answer(ok(session(A, 4, { buildingType: 'office' }))), 0)).toBe('PUT');
    expect(nextOf(d.answer(failed(412)), 0)).toBe('retry');
  });

  it('caps the backoff and spreads it with jitter', () => {
    const d = loaded();
    d.send({ type: 'edit', fields: { clientName: 'Ada' } });
    d.fire('autosave');
    const delays: number[] = [];
    for (let i = 0; i < 12; i++) {
      d.random = i % 2 ? 0 : 1;
      const effects = d.answer(failed(503));
      delays.push((effects.find((e) => e.type === 'timer') as Extract<Effect, { type: 'timer' }>).ms);
      d.fire('retry');
    }
    expect(delays.slice(0, 4)).toEqual([500, 500, 2000, 2000]);
    expect(Math.max(...delays)).toBe(30_000);
    expect(Math.min(...delays.slice(8))).toBe(15_000);
  });

  it('recognises its own write when a retried save meets a 412 at the version that save produced', () => {
    const d = resentSaveMeets412();
    d.answer(ok(session(A, 4, { projectName: 'Riverside', clientName: 'Ada' })));
    expect(d.state).toMatchObject({ changedElsewhere: false, conflicts: [], edits: {}, phase: { name: 'editing', version: 4 } });
    expect(saveStatus(d.state)).toBe('saved');
    expect(d.effects.filter((e) => e.type === 'request')).toEqual([]);
  });

  it('does not take another tab\'s single save for its own when the fields differ', () => {
    const d = resentSaveMeets412();
    d.answer(ok(session(A, 4, { projectName: 'Riverside', buildingType: 'office' })));
    expect(d.state.changedElsewhere).toBe(true);
    expect(nextOf(d.effects, 0)).toBe('PUT');
  });

  it('follows another tab\'s replacement of its draft and takes its own edits along', () => {
    const d = loaded();
    d.send({ type: 'edit', fields: { clientName: 'Ada' } });
    d.send({ type: 'message', message: { type: 'draft', id: B, replaces: A, reason: 'gone' } });
    expect(d.state.phase).toMatchObject({ name: 'loading', id: B });
    expect(d.lane().request).toEqual({ kind: 'get', id: B });
    d.answer(ok(session(B, 1, { buildingType: 'office' })));
    // The new draft lacks the name this tab showed, and the edit: both are sent.
    expect(d.lane().request).toMatchObject({ kind: 'put', id: B, patch: { projectData: { projectName: 'Riverside', clientName: 'Ada' } } });
  });

  it('joins the draft another tab announced while it was starting, when storage names none', () => {
    const d = new Driver();
    d.send({ type: 'start', storedId: null, stored: { fields: {} } });
    expect(d.state.phase).toEqual({ name: 'creating', heard: null });
    // Storage refused the other tab's id; its message still came.
    d.send({ type: 'message', message: { type: 'draft', id: A, replaces: null, reason: 'start' } });
    expect(d.state.phase).toEqual({ name: 'creating', heard: A });
    d.claimed(null);
    expect(d.state.phase).toMatchObject({ name: 'loading', id: A });
    expect(d.lane().request).toEqual({ kind: 'get', id: A });
  });

  it('joins, after starting over, the draft another tab made meanwhile (anonymous mode keeps one)', () => {
    const d = loaded();
    d.send({ type: 'discard' });
    expect(d.state.phase).toEqual({ name: 'creating', heard: null });
    // Another tab, starting when this one discarded, made B before this tab had the lock.
    d.claimed(B);
    expect(d.state.phase).toMatchObject({ name: 'loading', id: B });
    expect(d.lane().request).toEqual({ kind: 'get', id: B });
  });

  it('joins the draft another tab named while its storage refused, and tells its own tabs', () => {
    const d = loaded({ projectName: 'Riverside' });
    d.send({ type: 'storageFailed' });
    d.send({ type: 'edit', fields: { clientName: 'Ada' } });
    // The next write goes through; storage named B, another tab's draft, meanwhile.
    const effects = d.send({ type: 'storageRecovered', named: B });
    expect(d.state.phase).toMatchObject({ name: 'loading', id: B });
    expect(effects).toContainEqual({ type: 'store', write: { op: 'setSessionId', id: B } });
    expect(effects).toContainEqual({ type: 'store', write: { op: 'replaced', from: A, to: B } });
    expect(effects).toContainEqual({ type: 'broadcast', message: { type: 'draft', id: B, replaces: A, reason: 'gone' } });
    d.answer(ok(session(B, 1, {})));
    // What this tab showed and typed goes to B.
    expect(d.lane().request).toMatchObject({ kind: 'put', id: B, patch: { projectData: { projectName: 'Riverside', clientName: 'Ada' } } });
  });

  it('names its own draft again when storage recovers and names no other', () => {
    const d = loaded();
    d.send({ type: 'storageFailed' });
    const effects = d.send({ type: 'storageRecovered', named: null });
    expect(d.state.phase).toMatchObject({ name: 'editing', id: A });
    expect(effects).toContainEqual({ type: 'store', write: { op: 'setSessionId', id: A } });
  });

  it('keeps what it typed after another tab discarded the draft, in the new one', () => {
    const d = loaded();
    d.send({ type: 'edit', fields: { clientName: 'Typed after' } });
    // Another tab discarded A at NOW - 1; this tab, not told yet, typed on.
    d.send({ type: 'message', message: { type: 'draft', id: B, replaces: A, reason: 'restart', since: NOW - 1 } });
    expect(d.state.phase).toMatchObject({ name: 'loading', id: B });
    expect(d.state.edits).toEqual({ clientName: { value: 'Typed after', base: null, at: NOW } });
    const before = loaded();
    before.send({ type: 'edit', fields: { clientName: 'Typed before' } });
    before.send({ type: 'message', message: { type: 'draft', id: B, replaces: A, reason: 'restart', since: NOW } });
    // Typed at or before the discard: the person discarded it.
    expect(before.state.edits).toEqual({});
  });

  it('ends, and makes nothing, when another tab submitted the draft', () => {
    const d = loaded();
    d.send({ type: 'edit', fields: { clientName: 'Ada' } });
    const effects = d.send({ type: 'message', message: { type: 'ended', id: A, how: 'submitted' } });
    expect(d.state).toMatchObject({ phase: { name: 'submittedElsewhere' }, edits: {} });
    expect(view(d.state)).toMatchObject({ sessionId: null, endedElsewhere: 'submitted', saveStatus: 'idle' });
    expect(effects.some((e) => e.type === 'request' || e.type === 'claim')).toBe(false);
    d.send({ type: 'edit', fields: { clientEmail: 'ada@example.com' } });
    expect(d.state.edits).toEqual({});
  });

  it('is a pure function: the state it was given is not changed', () => {
    const d = loaded();
    d.send({ type: 'edit', fields: { clientName: 'Ada' } });
    const frozen = structuredClone(d.state);
    const before = d.state;
    d.fire('autosave');
    d.answer(ok({ success: true, version: 4, expiresAt: '' }));
    expect(before).toEqual(frozen);
  });

  it('sends what waits at once when the page is hidden, as keepalive, and not again at pagehide', () => {
    const d = loaded();
    d.send({ type: 'edit', fields: { clientName: 'Ada' } });
    const sent = d.send({ type: 'hidden' }).filter((e) => e.type === 'request');
    expect(sent).toMatchObject([{ request: { kind: 'put', id: A, patch: { projectData: { clientName: 'Ada' } }, keepalive: true } }]);
    expect(d.state.autosave).toBeNull();
    // The page goes: the keepalive save on its way carries it all.
    expect(d.send({ type: 'pagehide' }).filter((e) => e.type === 'request')).toEqual([]);
    // Typed after it: the page going sends that.
    const more = loaded();
    more.send({ type: 'edit', fields: { clientName: 'Ada' } });
    more.send({ type: 'hidden' });
    more.send({ type: 'edit', fields: { clientPhone: '555' } });
    expect(more.send({ type: 'pagehide' }).filter((e) => e.type === 'request')).toMatchObject([{ request: { kind: 'put', keepalive: true } }]);
  });

  it('sends an edit typed during a save once it is answered, as keepalive, when the page was hidden meanwhile', () => {
    const d = loaded();
    d.send({ type: 'edit', fields: { clientName: 'Ada' } });
    d.fire('autosave');
    expect(d.lane().request).toMatchObject({ kind: 'put', patch: { projectData: { clientName: 'Ada' } } });
    expect(d.lane().request).not.toHaveProperty('keepalive');
    d.send({ type: 'edit', fields: { clientPhone: '555' } });
    expect(d.send({ type: 'hidden' }).filter((e) => e.type === 'request')).toEqual([]);
    d.answer(ok({ success: true, version: 4, expiresAt: '' }));
    expect(d.lane().request).toMatchObject({ kind: 'put', ifVersion: 4, patch: { projectData: { clientPhone: '555' } }, keepalive: true });
    // Shown again: saves are plain requests.
    d.answer(ok({ success: true, version: 5, expiresAt: '' }));
    d.send({ type: 'visible' });
    d.send({ type: 'edit', fields: { budget: 10 } });
    d.fire('autosave');
    expect(d.lane().request).not.toHaveProperty('keepalive');
  });

  it('sends nothing when hidden offline or while a retry waits, and a body too large for keepalive as a plain request', () => {
    const offline = loaded();
    offline.send({ type: 'offline' });
    offline.send({ type: 'edit', fields: { clientName: 'Ada' } });
    expect(offline.send({ type: 'hidden' }).filter((e) => e.type === 'request')).toEqual([]);

    const retrying = loaded();
    retrying.send({ type: 'edit', fields: { clientName: 'Ada' } });
    retrying.fire('autosave');
    retrying.answer(failed(503));
    expect(retrying.state.lane.status).toBe('waiting');
    expect(retrying.send({ type: 'hidden' }).filter((e) => e.type === 'request')).toEqual([]);

    const large = loaded();
    large.send({ type: 'edit', fields: { projectDescription: 'x'.repeat(70_000) } });
    const [put] = large.send({ type: 'hidden' }).filter((e) => e.type === 'request');
    expect(put).toMatchObject({ request: { kind: 'put' } });
    expect(put).not.toHaveProperty('request.keepalive', true);
  });

  it('sends what is unsaved with keepalive when the page is hidden, but not while offline', () => {
    const d = loaded();
    d.send({ type: 'edit', fields: { clientName: 'Ada' } });
    const sent = d.send({ type: 'pagehide' }).filter((e) => e.type === 'request');
    expect(sent).toMatchObject([{ request: { kind: 'put', id: A, patch: { projectData: { clientName: 'Ada' } }, keepalive: true } }]);

    const offline = loaded();
    offline.send({ type: 'offline' });
    offline.send({ type: 'edit', fields: { clientName: 'Ada' } });
    expect(offline.send({ type: 'pagehide' }).filter((e) => e.type === 'request')).toEqual([]);
    expect(offline.state.edits.clientName?.value).toBe('Ada');
  });
});
