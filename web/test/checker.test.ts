// The model checker: random sequences of everything a browser, a person and the network can do
// to several tabs of the wizard at once (`model.ts`), run through the real controller, client,
// storage and lock code. After every step it checks that every typed value is somewhere it comes
// back from (durable), that nothing typed by one person reaches another's draft or storage
// (isolated) and that no event costs more than a few requests (bounded); at the end of every run,
// with the faults gone, that every tab reaches "saved" with every value on the server (live).

import fc from 'fast-check';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FAULTS, FIELDS, PER_EVENT, World, settle, type Answer, type Mode, type Person, type Tab } from './model';

/** Requests a tab may send while the clock moves on up to 4 s (retries back off from 0.5 s). */
const PER_TICK = 8;
/** And up to 24 s: past the autosave's pause (4 s) and its bound while typing goes on (20 s). */
const PER_WAIT = 16;
/** A burst of steady typing, up to 12 keys a pause apart that is shorter than the autosave's. */
const PER_BURST = 24;
/** Answers given in a row, without the clock moving, by `storm`. */
const STORM = 30;

const answer = fc.oneof({ weight: 3, arbitrary: fc.constant<Answer>('truth') }, { weight: 2, arbitrary: fc.constantFrom<Answer>(...FAULTS) });

const command = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('type' as const), tab: fc.nat(5), field: fc.constantFrom(...FIELDS), how: fc.constantFrom('value' as const, 'value' as const, 'value' as const, 'refused' as const, 'huge' as const, 'empty' as const) }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 4000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 4000, max: 24_000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('burst' as const), tab: fc.nat(5), field: fc.constantFrom(...FIELDS), keys: fc.integer({ min: 2, max: 12 }), gap: fc.integer({ min: 500, max: 3900 }) }) },
  { weight: 10, arbitrary: fc.record({ kind: fc.constant('respond' as const), pick: fc.nat(5), answer }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('storm' as const), answer: fc.constantFrom<Answer>(...FAULTS) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('open' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('close' as const), tab: fc.nat(5) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('reload' as const), tab: fc.nat(5) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('expire' as const), pick: fc.nat(5) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('network' as const), online: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('storage' as const), mode: fc.constantFrom('ok' as const, 'ok' as const, 'full' as const, 'blocked' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('signIn' as const), person: fc.constantFrom<Person | null>('A', 'B', null) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('forget' as const), person: fc.constantFrom<Person>('A', 'B') }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('step' as const), tab: fc.nat(5), step: fc.integer({ min: 1, max: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('flush' as const), tab: fc.nat(5) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('hide' as const), tab: fc.nat(5) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('resolve' as const), tab: fc.nat(5), keep: fc.constantFrom('mine' as const, 'theirs' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('end' as const), tab: fc.nat(5), how: fc.constantFrom('submit' as const, 'discard' as const) }) },
);

type Command = typeof command extends fc.Arbitrary<infer C> ? C : never;

/** Runs one command; returns how many requests a tab may send for it. */
async function apply(w: World, c: Command): Promise<number> {
  const tab = 'tab' in c ? w.tab(c.tab) : undefined;
  switch (c.kind) {
    case 'type':
      // No one types in two tabs within the same millisecond.
      await w.tick(1);
      if (tab) w.type(tab, c.field, c.how);
      break;
    case 'tick':
      await w.tick(c.ms);
      return PER_TICK;
    case 'wait':
      await w.tick(c.ms);
      return PER_WAIT;
    case 'burst':
      // Steady typing with no pause the autosave waits for: the bound must send it anyway.
      for (let key = 0; key < c.keys && tab?.alive; key++) {
        w.type(tab, c.field, 'value');
        await w.tick(c.gap);
        const found = w.check(Infinity);
        if (found.length) throw new Error(`during a burst: ${found.join('; ')}`);
      }
      return PER_BURST;
    case 'respond':
      await w.respond(c.pick, c.answer);
      break;
    case 'storm':
      // The same fault for every request, again and again, with no time passing: a tab that
      // resends at once instead of backing off shows up here.
      for (let i = 0; i < STORM && w.pending.length; i++) await w.respond(0, c.answer);
      break;
    case 'open':
      await w.open();
      break;
    case 'close':
    case 'reload':
      if (tab) await w.close(tab, c.kind === 'reload');
      break;
    case 'expire':
      w.expire(c.pick);
      break;
    case 'network':
      await w.setOnline(c.online);
      break;
    case 'storage':
      w.setStorage(c.mode);
      break;
    case 'signIn':
      w.signIn(c.person);
      break;
    case 'forget':
      w.forget(c.person);
      break;
    case 'step':
      tab?.draft.setCurrentStep(c.step);
      break;
    case 'flush':
      void tab?.draft.saveNow();
      break;
    case 'hide':
      if (tab) await w.hide(tab);
      break;
    case 'resolve':
      if (tab) w.resolve(tab, c.keep);
      break;
    case 'end':
      if (tab) w.end(tab, c.how);
      break;
  }
  await settle();
  return PER_EVENT;
}

/** Answers truly and lets time pass until every tab is quiet; returns the tabs that are not live. */
async function drain(w: World): Promise<string[]> {
  for (let round = 0; round < 60; round++) {
    if (process.env.TRACE) console.info('drain', round, w.describe());
    if (w.pending.length) {
      await w.respond(0, 'truth');
      continue;
    }
    const asking = w.live().find((t) => t.draft.getState().conflicts.length);
    if (asking) {
      w.resolve(asking, 'mine');
      await settle();
      continue;
    }
    const capped = w.live().find((t) => t.draft.getMachine().failure === 'tooMany' && t.draft.getState().sessionId === null);
    if (capped) {
      await w.close(capped, true);
      continue;
    }
    if (w.live().every(quiet)) break;
    await w.tick(60_000);
  }
  const found: string[] = [];
  for (const tab of w.live()) {
    const s = tab.draft.getState();
    const m = tab.draft.getMachine();
    if (s.endedElsewhere) continue;
    if (!quiet(tab)) found.push(`live: tab ${tab.n} never settled (lane ${m.lane.status}, status ${s.saveStatus})`);
    else if (s.saveStatus !== 'saved' && s.saveStatus !== 'idle' && !(s.saveStatus === 'error' && Object.keys(s.held).length)) {
      found.push(`live: tab ${tab.n} ends ${s.saveStatus}${s.error ? ` (${s.error.message})` : ''}`);
    }
  }
  return found;
}

/**
 * The faults clear: online, the tab's person signed in, every answer true. The person acts only
 * where the page asks them to (a conflict to settle, too many drafts). Returns what is not live.
 */
async function heal(w: World): Promise<string[]> {
  await w.setOnline(true);
  if (w.mode === 'owned') {
    w.signIn(w.live()[0]?.person ?? w.signedIn ?? 'A');
    // The other person's tabs are closed: their values must be in storage for their next visit.
    for (const tab of w.live()) if (tab.person !== w.signedIn) await w.close(tab);
  }
  if (!w.live().length) await w.open();
  const found = await drain(w);
  // A draft that expired while its tab sat open is found gone by the next save or load: the
  // person comes back to the page (or types again, which a reload stands for here).
  for (const tab of w.live()) {
    const id = tab.draft.getState().sessionId;
    if (id !== null && !w.api.sessions.has(id)) await w.close(tab, true);
  }
  found.push(...(await drain(w)));
  // Storage works again: the person comes back in a normal window, where what storage kept returns.
  // The person opens the wizard again (storage works again, if it had not): what any tab left
  // in storage, under whichever draft, comes back with the next start and is sent.
  w.setStorage('ok');
  for (const tab of w.live()) await w.close(tab, true);
  found.push(...(await drain(w)));
  // Every value typed by the person now signed in is on the server, but those the API refused
  // (held on screen until the person changes them).
  const held = new Set(w.live().flatMap((t) => Object.keys(t.draft.getState().held).map((f) => `${f}=${JSON.stringify(t.draft.getState().projectData?.[f as never])}`)));
  const person = w.mode === 'owned' ? w.signedIn! : 'A';
  for (const typed of w.ledger.values()) {
    if (typed.person !== person || typed.refused || held.has(`${typed.field}=${JSON.stringify(typed.value)}`)) continue;
    const where = w.whereIs(typed);
    if (!where?.startsWith('draft')) found.push(`live: ${typed.person}'s ${typed.field} = ${JSON.stringify(typed.value)} never reached the server (${where})`);
  }
  return found;
}

function quiet(tab: Tab): boolean {
  const m = tab.draft.getMachine();
  return m.lane.status === 'idle' && !m.due && m.autosave === null && m.phase.name !== 'finding';
}

function seed(mode: Mode): number | undefined {
  if (process.env.FC_SEED === 'random') return undefined;
  return Number(process.env.FC_SEED ?? 20261206) + (mode === 'owned' ? 1 : 0);
}

/**
 * An edit typed over the saved value before that save's answer was kept: the copy's time (the
 * answer's) made it look older than the copy, and a replacement dropped it. Both modes.
 */
const EDIT_OVER_A_SAVE_ON_ITS_WAY: Command[] = [
  { kind: 'respond', pick: 0, answer: 'truth' },
  { kind: 'respond', pick: 0, answer: 'truth' },
  { kind: 'burst', tab: 0, field: 'projectName', keys: 8, gap: 2858 },
  { kind: 'respond', pick: 0, answer: 'truth' },
  { kind: 'expire', pick: 0 },
  { kind: 'storage', mode: 'blocked' },
  { kind: 'close', tab: 0 },
  { kind: 'resolve', tab: 0, keep: 'mine' },
];

/** Sequences random seeds once found the product failing (`FC_SEED=random`): checked on every run. */
const FOUND: Record<Mode, Command[][]> = {
  anonymous: [
    // Storage full while tab 1 made its draft, so tab 2 made another; storage worked again, tab 1
    // typed and named its draft, and tab 2's create answer named its own over it: tab 1's
    // value was on a draft no reload opens.
    [
      { kind: 'storage', mode: 'full' },
      { kind: 'respond', pick: 0, answer: 'truth' },
      { kind: 'open' },
      { kind: 'storage', mode: 'ok' },
      { kind: 'type', tab: 0, field: 'projectName', how: 'value' },
      { kind: 'resolve', tab: 0, keep: 'mine' },
    ],
    // Two drafts made while storage was full; storage worked again as tab 2 typed (naming its
    // draft), and tab 1, closing, named its own draft over it.
    [
      { kind: 'storage', mode: 'full' },
      { kind: 'respond', pick: 0, answer: 'truth' },
      { kind: 'open' },
      { kind: 'respond', pick: 0, answer: 'truth' },
      { kind: 'storage', mode: 'ok' },
      { kind: 'type', tab: 3, field: 'projectName', how: 'value' },
      { kind: 'respond', pick: 0, answer: 'wrongShape' },
    ],
    // Two tabs replaced one gone draft while storage was full, the second once it worked; the
    // first, closing, named its replacement over the second's.
    [
      { kind: 'respond', pick: 0, answer: 'truth' },
      { kind: 'storage', mode: 'full' },
      { kind: 'open' },
      { kind: 'reload', tab: 0 },
      { kind: 'respond', pick: 3, answer: 'truth' },
      { kind: 'respond', pick: 0, answer: 404 },
      { kind: 'respond', pick: 0, answer: 'truth' },
      { kind: 'type', tab: 3, field: 'projectName', how: 'value' },
      { kind: 'expire', pick: 0 },
      { kind: 'storage', mode: 'ok' },
    ],
    // A gone draft replaced twice, the second replacement's create answering after the first
    // was named (storage had refused it at the second's lock): named over it.
    [
      { kind: 'respond', pick: 0, answer: 'truth' },
      { kind: 'expire', pick: 0 },
      { kind: 'storage', mode: 'full' },
      { kind: 'open' },
      { kind: 'respond', pick: 0, answer: 'truth' },
      { kind: 'respond', pick: 0, answer: 'truth' },
      { kind: 'reload', tab: 0 },
      { kind: 'storage', mode: 'ok' },
      { kind: 'respond', pick: 1, answer: 'truth' },
      { kind: 'type', tab: 0, field: 'projectName', how: 'value' },
      { kind: 'respond', pick: 0, answer: 'truth' },
    ],
    EDIT_OVER_A_SAVE_ON_ITS_WAY,
  ],
  owned: [
    // A tab opened a draft another tab had just discarded (the list still had it) and typed
    // into it: following the discarding tab's new draft dropped what it typed after the discard.
    [
      { kind: 'storage', mode: 'blocked' },
      { kind: 'respond', pick: 0, answer: 'truth' },
      { kind: 'respond', pick: 0, answer: 'truth' },
      { kind: 'open' },
      { kind: 'respond', pick: 0, answer: 'truth' },
      { kind: 'end', tab: 3, how: 'discard' },
      { kind: 'reload', tab: 0 },
      { kind: 'respond', pick: 2, answer: 'truth' },
      { kind: 'respond', pick: 5, answer: 'truth' },
      { kind: 'type', tab: 3, field: 'projectName', how: 'value' },
    ],
    EDIT_OVER_A_SAVE_ON_ITS_WAY,
  ],
};

let runs = 0;
let steps = 0;

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

afterAll(() => {
  console.info(`model checker: ${runs} runs, ${steps} steps, each checked for durable, isolated, bounded, coherent and prompt; every run checked for live`);
});

async function run(mode: Mode, commands: Command[]): Promise<void> {
  vi.clearAllTimers();
  runs += 1;
  const w = new World(mode);
  await w.open();
  for (const [i, c] of commands.entries()) {
    w.begin();
    const limit = await apply(w, c);
    steps += 1;
    if (process.env.TRACE) console.info(i, JSON.stringify(c), w.describe());
    const found = w.check(limit);
    if (found.length) throw new Error(`after step ${i} (${JSON.stringify(c)}): ${found.join('; ')}`);
  }
  const found = [...(await heal(w)), ...w.check(Infinity)];
  if (found.length) throw new Error(`once the faults cleared: ${found.join('; ')}`);
}

describe('the model checker', () => {
  // REPLAY='{"mode":"owned","commands":[...]}' TRACE=1: one counterexample, step by step.
  it.runIf(process.env.REPLAY)('replays one sequence', async () => {
    const { mode, commands } = JSON.parse(process.env.REPLAY!) as { mode: Mode; commands: Command[] };
    await run(mode, commands);
  });

  it.each<Mode>(['anonymous', 'owned'])(
    'finds every typed value kept, kept to its person, bought with few requests and saved once faults clear (%s)',
    async (mode) => {
      await fc.assert(
        fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 60, size: 'max' }), (commands) => run(mode, commands)),
        // A fixed seed keeps the test command repeatable; FC_SEED=random explores afresh.
        { numRuns: Number(process.env.FC_RUNS ?? 150), seed: seed(mode), examples: FOUND[mode].map((commands) => [commands]) },
      );
      expect(runs).toBeGreaterThan(0);
    },
    600_000,
  );
});
